package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"partnership-service/internal/testkit"
	"strings"
	"testing"
)

// validMessage is a message every sender accepts, in Portuguese.
func validMessage(to string) Message {
	return Message{
		To:      to,
		Subject: "Assinatura do contrato: ação necessária",
		Text:    "Olá, João! Sua assinatura é necessária.\nCódigo: 123456\n",
		HTML:    "<p>Olá, João! Sua assinatura é <b>necessária</b>.</p>",
	}
}

func TestMessageValidate(t *testing.T) {
	t.Parallel()
	ok := validMessage("Maria Souza <maria.souza@example.com>")
	tests := []struct {
		name   string
		change func(*Message)
		valid  bool
	}{
		{"valid", func(*Message) {}, true},
		{"valid without HTML", func(m *Message) { m.HTML = "" }, true},
		{"valid bare address", func(m *Message) { m.To = "maria.souza@example.com" }, true},
		{"valid given id", func(m *Message) { m.ID = "abc.123@partnership-service" }, true},
		{"CRLF in subject adds a header", func(m *Message) { m.Subject = "Oi\r\nBcc: attacker@evil.example" }, false},
		{"LF in subject", func(m *Message) { m.Subject = "Oi\nBcc: attacker@evil.example" }, false},
		{"CR in subject", func(m *Message) { m.Subject = "Oi\rX" }, false},
		{"U+2028 in subject", func(m *Message) { m.Subject = "Oi\u2028X" }, false},
		{"NUL in subject", func(m *Message) { m.Subject = "Oi\x00" }, false},
		{"CRLF in recipient", func(m *Message) { m.To = "maria@example.com\r\nBcc: attacker@evil.example" }, false},
		{"LF in recipient name", func(m *Message) { m.To = "\"Maria\nBcc: x@evil.example\" <maria@example.com>" }, false},
		{"two recipients", func(m *Message) { m.To = "maria@example.com, attacker@evil.example" }, false},
		{"not an address", func(m *Message) { m.To = "maria" }, false},
		{"empty recipient", func(m *Message) { m.To = " " }, false},
		{"empty subject", func(m *Message) { m.Subject = "" }, false},
		{"long subject", func(m *Message) { m.Subject = strings.Repeat("á", maxSubjectRunes+1) }, false},
		{"empty text", func(m *Message) { m.Text = "\n" }, false},
		{"invalid UTF-8 text", func(m *Message) { m.Text = "Ol\xe1" }, false},
		{"invalid UTF-8 subject", func(m *Message) { m.Subject = "Ol\xe1" }, false},
		{"NUL in HTML", func(m *Message) { m.HTML = "<p>\x00</p>" }, false},
		{"id with CRLF", func(m *Message) { m.ID = "a@b\r\nBcc: x@evil.example" }, false},
		{"id with brackets", func(m *Message) { m.ID = "<a@b>" }, false},
		{"id without @", func(m *Message) { m.ID = "abc" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := ok
			tt.change(&m)
			err := m.Validate()
			if tt.valid {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("Validate() = %v, want ErrInvalidMessage", err)
			}
			if !IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = false, want true", err)
			}
			if strings.Contains(err.Error(), "maria") {
				t.Errorf("error %q shows the recipient", err)
			}
		})
	}
}

// Header injection is refused by every way in, before anything is written
// or sent.
func TestHeaderInjectionRefused(t *testing.T) {
	t.Parallel()
	evil := validMessage("maria@example.com")
	evil.Subject = "Contrato\r\nBcc: attacker@evil.example"

	out, dir := newOutbox(t, "no-reply@example.com")
	// An SMTP sender at a port nothing listens on: validation must come
	// before any connection.
	smtp, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: closedPort(t), From: "no-reply@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	q := NewQueue(out, QueueConfig{Logger: discardLogger()})
	defer q.Close(context.Background())

	for name, send := range map[string]func() error{
		"outbox":        func() error { return out.Send(context.Background(), evil) },
		"smtp":          func() error { return smtp.Send(context.Background(), evil) },
		"queue.Enqueue": func() error { return q.Enqueue(context.Background(), evil) },
	} {
		if err := send(); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: err = %v, want ErrInvalidMessage", name, err)
		}
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("outbox holds %d files after refused messages, want 0", len(entries))
	}
}

func TestMaskAddress(t *testing.T) {
	t.Parallel()
	testkit.Strings(t, "MaskAddress", MaskAddress, map[string]string{
		"maria.souza@example.com":               "m***@example.com",
		"Maria Souza <maria.souza@example.com>": "m***@example.com",
		"joão@exemplo.com.br":                   "j***@exemplo.com.br",
		"m@example.com":                         "m***@example.com",
		"not an address":                        "***",
		"@example.com":                          "***",
		"maria@":                                "***",
		"":                                      "***",
	})
}

func TestOpen(t *testing.T) {
	t.Parallel()
	from := "Partnership <no-reply@example.com>"
	tests := []struct {
		name     string
		url      string
		want     string // String() of the sender
		implicit bool
		port     int
	}{
		{"empty is the outbox", "", "outbox directory ", false, 0},
		{"smtp default port 587", "smtp://mail.example.com", "smtp://mail.example.com:587", false, 587},
		{"smtps default port 465", "smtps://mail.example.com", "smtps://mail.example.com:465", true, 465},
		{"user and password, port", "smtp://user:s3cret@mail.example.com:2525", "smtp://user@mail.example.com:2525", false, 2525},
		{"escaped user", "smtps://apikey%40x:p%40ss@mail.example.com:465/", "smtps://apikey@x@mail.example.com:465", true, 465},
		{"local mailpit", "smtp://127.0.0.1:1025", "smtp://127.0.0.1:1025", false, 1025},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir() + "/outbox"
			s, err := Open(tt.url, from, dir)
			if err != nil {
				t.Fatalf("Open(%q) = %v", tt.url, err)
			}
			got := fmt.Sprint(s)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("sender = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "s3cret") || strings.Contains(got, "p@ss") {
				t.Errorf("sender %q shows the password", got)
			}
			if sm, ok := s.(*SMTP); ok {
				if sm.cfg.ImplicitTLS != tt.implicit || sm.cfg.Port != tt.port {
					t.Errorf("implicit TLS %v port %d, want %v %d", sm.cfg.ImplicitTLS, sm.cfg.Port, tt.implicit, tt.port)
				}
			} else if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("outbox dir: %v, mode %v, want 0700", err, fi.Mode().Perm())
			}
		})
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, from, wantErr string
	}{
		{"http scheme", "http://mail.example.com", "a@example.com", "scheme must be smtp or smtps"},
		{"no scheme", "mail.example.com:587", "a@example.com", "scheme"},
		{"no host", "smtp://", "a@example.com", "no host"},
		{"no host, port only", "smtp://:587", "a@example.com", "no host"},
		{"user but no host", "smtp://user:hunter22@", "a@example.com", "no host"},
		{"port out of range", "smtp://user:hunter22@mail.example.com:99999", "a@example.com", "invalid port"},
		{"port zero", "smtp://mail.example.com:0", "a@example.com", "invalid port"},
		{"password without user", "smtp://:hunter22@mail.example.com", "a@example.com", "no user"},
		{"path", "smtp://mail.example.com/x", "a@example.com", "no path"},
		{"query", "smtp://mail.example.com?tls=off", "a@example.com", "no path, query"},
		{"does not parse", "smtp://user:hunter22@mail.example.com:58 7", "a@example.com", "does not parse"},
		{"bad escape", "smtp://user:hunter22%zz@mail.example.com", "a@example.com", "does not parse"},
		{"no from for SMTP", "smtp://mail.example.com", "", "--mail-from"},
		{"from with CRLF", "smtp://mail.example.com", "a@example.com\r\nBcc: x@evil.example", "--mail-from"},
		{"from not an address", "smtp://mail.example.com", "nobody", "--mail-from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(tt.url, tt.from, t.TempDir())
			if err == nil {
				t.Fatalf("Open(%q) = nil error", tt.url)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to say %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter22") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	if _, err := Open("", "a@example.com", ""); err == nil {
		t.Error("Open with neither SMTP URL nor outbox dir = nil error")
	}
}

func TestSMTPConfigNeverShowsPassword(t *testing.T) {
	t.Parallel()
	cfg, err := ParseSMTPURL("smtp://user:hunter22@mail.example.com:587")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "smtp", cfg, "ptr", &cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg), logs.String()} {
		if strings.Contains(s, "hunter22") {
			t.Errorf("%q shows the password", s)
		}
	}
}

// logBuffer collects a logger's JSON lines for assertions.
type logBuffer struct{ testkit.SyncBuffer }

// Count is how many lines carry msg.
func (b *logBuffer) Count(msg string) int {
	return strings.Count(b.String(), `"msg":"`+msg+`"`)
}

func newLogger(tb testing.TB) (*slog.Logger, *logBuffer) {
	tb.Helper()
	b := &logBuffer{}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("queue log:\n%s", b.String())
		}
	})
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
