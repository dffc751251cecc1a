package mail

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The outbox writes files a mail program (here net/mail) reads back as the
// message that was sent: From, To, Subject and both bodies with their
// accents, in a 0600 file in a 0700 directory, with no temp file left.
func TestOutboxWritesParsableEML(t *testing.T) {
	t.Parallel()
	out, dir := newOutbox(t, "Energia Parceira <no-reply@parceira.example>")
	m := validMessage("João Conceição <joao@example.com.br>")
	m.ID = "abc123@partnership-service"
	if err := out.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}

	files := emlFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("outbox holds %v, want one .eml file", files)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	path := filepath.Join(dir, files[0])
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("net/mail cannot read %s: %v", files[0], err)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "no-reply@parceira.example" || from[0].Name != "Energia Parceira" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "joao@example.com.br" || to[0].Name != "João Conceição" {
		t.Errorf("To = %v (%v)", to, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, m.Subject)
	}
	if got := msg.Header.Get("Message-Id"); got != "<abc123@partnership-service>" {
		t.Errorf("Message-ID = %q", got)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if got := msg.Header.Get("Bcc"); got != "" {
		t.Errorf("Bcc = %q, want none", got)
	}

	// RFC 5322 lines end in CRLF.
	text, html := bodies(t, msg)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if text != m.Text {
		t.Errorf("text body = %q, want %q", text, m.Text)
	}
	if html != m.HTML {
		t.Errorf("HTML body = %q, want %q", html, m.HTML)
	}
}

// newOutbox is an outbox sending as from in a directory it creates, and
// that directory.
func newOutbox(t *testing.T, from string) (*Outbox, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "outbox")
	out, err := NewOutbox(dir, from)
	if err != nil {
		t.Fatal(err)
	}
	return out, dir
}

// Names sort in the order the messages were written and never collide,
// even when many are written at the same instant.
func TestOutboxNamesSortByTimeAndNeverCollide(t *testing.T) {
	t.Parallel()
	out, dir := newOutbox(t, "no-reply@example.com")
	instant := time.Date(2026, 12, 1, 20, 43, 58, 0, time.UTC)
	out.now = func() time.Time { return instant }

	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if err := out.Send(context.Background(), validMessage("maria@example.com")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := len(emlFiles(t, dir)); got != 40 {
		t.Fatalf("40 messages at one instant made %d files", got)
	}

	// Later messages sort after earlier ones, also across a change of second
	// and of the digits' count in the fraction.
	out2, dir2 := newOutbox(t, "no-reply@example.com")
	times := []time.Time{
		instant.Add(999 * time.Millisecond),
		instant.Add(time.Second),
		instant.Add(time.Second + time.Nanosecond),
		instant.Add(10 * time.Second),
		instant.Add(time.Hour).In(time.FixedZone("BRT", -3*3600)),
	}
	var subjects []string
	for i, at := range times {
		out2.now = func() time.Time { return at }
		m := validMessage("maria@example.com")
		m.Subject = "mensagem " + string(rune('a'+i))
		subjects = append(subjects, m.Subject)
		if err := out2.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	names := emlFiles(t, dir2)
	if !slices.IsSorted(names) {
		t.Fatalf("names not sorted: %v", names)
	}
	for i, name := range names {
		f, err := os.Open(filepath.Join(dir2, name))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := msg.Header.Get("Subject"); got != subjects[i] {
			t.Errorf("file %d (%s) has subject %q, want %q", i, name, got, subjects[i])
		}
	}
}

func TestOutboxHonoursCancelledContext(t *testing.T) {
	t.Parallel()
	out, dir := newOutbox(t, "no-reply@example.com")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := out.Send(ctx, validMessage("maria@example.com")); err == nil {
		t.Fatal("Send with a cancelled context = nil error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a cancelled send left %d files", len(entries))
	}
}

// emlFiles lists the directory, failing on anything that is not a
// finished .eml file (a temp file left behind, say).
func emlFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			tb.Errorf("unexpected file %s in the outbox", e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	return names
}

// bodies decodes the text and HTML parts of a message (a single part or
// multipart/alternative).
func bodies(tb testing.TB, msg *mail.Message) (text, html string) {
	tb.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		tb.Fatalf("Content-Type: %v", err)
	}
	decode := func(enc string, r io.Reader) string {
		if strings.EqualFold(enc, "quoted-printable") {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			tb.Fatal(err)
		}
		return string(b)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		return decode(msg.Header.Get("Content-Transfer-Encoding"), msg.Body), ""
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return text, html
		}
		if err != nil {
			tb.Fatal(err)
		}
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if cs := pp["charset"]; cs != "" && !strings.EqualFold(cs, "utf-8") {
			tb.Errorf("part %s has charset %s, want UTF-8", pt, cs)
		}
		body := decode(p.Header.Get("Content-Transfer-Encoding"), p)
		switch pt {
		case "text/plain":
			text = body
		case "text/html":
			html = body
		}
	}
}
