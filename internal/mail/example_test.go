package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"partnership-service/internal/mail"
)

// How main wires mail: Open picks SMTP or the outbox directory, a Queue
// sends in the background, and Close drains it on shutdown.
func Example() {
	dataDir, _ := os.MkdirTemp("", "partnership-example")
	defer os.RemoveAll(dataDir)

	smtpURL := "" // --smtp-url / PARTNERSHIP_SMTP_URL; empty: the outbox
	sender, err := mail.Open(smtpURL, "Partnership <no-reply@example.com>", filepath.Join(dataDir, "outbox"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mail: %s\n", filepath.Base(fmt.Sprint(sender)))

	dead, _ := mail.NewOutbox(filepath.Join(dataDir, "outbox", "failed"), "no-reply@example.com")
	q := mail.NewQueue(sender, mail.QueueConfig{Logger: slog.New(slog.DiscardHandler), DeadLetter: dead})

	err = q.Enqueue(context.Background(), mail.Message{
		To:      "Maria Souza <maria@example.com>",
		Subject: "Seu contrato está pronto para assinatura",
		Text:    "Olá, Maria! Assine em https://example.com/sales-conversion/sign/…\nCódigo: 123456\n",
	})
	fmt.Println("enqueued:", err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fmt.Println("closed:", q.Close(ctx))

	files, _ := filepath.Glob(filepath.Join(dataDir, "outbox", "*.eml"))
	fmt.Println("files:", len(files))
	// Output:
	// mail: outbox
	// enqueued: <nil>
	// closed: <nil>
	// files: 1
}
