package mail

import (
	"partnership-service/internal/testkit"

	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file talk to a real SMTP server, Mailpit, and read what
// it received through its HTTP API (testkit.Mailpit). Without it they skip
// (CI starts one).

type (
	mpMessage = testkit.MailpitMessage
	mpAddress = testkit.MailpitAddress
)

// assertDelivered checks what the recipient sees.
func assertDelivered(tb testing.TB, got mpMessage, sent Message, from mpAddress, to string) {
	tb.Helper()
	if got.Subject != sent.Subject {
		tb.Errorf("Subject = %q, want %q", got.Subject, sent.Subject)
	}
	if len(got.To) != 1 || got.To[0].Address != to {
		tb.Errorf("To = %+v, want only %s", got.To, to)
	}
	if got.From != from {
		tb.Errorf("From = %+v, want %+v", got.From, from)
	}
	if text := strings.ReplaceAll(got.Text, "\r\n", "\n"); strings.TrimSpace(text) != strings.TrimSpace(sent.Text) {
		tb.Errorf("Text = %q, want %q", got.Text, sent.Text)
	}
	if sent.HTML != "" && !strings.Contains(got.HTML, sent.HTML) {
		tb.Errorf("HTML = %q, want it to contain %q", got.HTML, sent.HTML)
	}
	if sent.ID != "" && got.MessageID != sent.ID {
		tb.Errorf("Message-ID = %q, want %q", got.MessageID, sent.ID)
	}
}

// A message sent through SMTP arrives as the user would read it: subject,
// recipient, sender and both bodies with their Portuguese accents intact.
func TestSMTPDeliversToMailpit(t *testing.T) {
	t.Parallel()
	mp := testkit.NeedMailpit(t)
	s, err := Open(mp.SMTPURL, "Energia Parceira <no-reply@parceira.example>", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*SMTP); !ok {
		t.Fatalf("Open(%q) = %T, want *SMTP", mp.SMTPURL, s)
	}
	to := testkit.UniqueAddr("joao")
	m := validMessage("João Conceição <" + to + ">")
	m.ID = NewID()
	if err := s.Send(ctxTimeout(t, 30*time.Second), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := mp.Received(t, to, 1)
	if len(got) != 1 {
		t.Fatalf("Mailpit holds %d messages for %s, want 1", len(got), to)
	}
	assertDelivered(t, got[0], m, mpAddress{Name: "Energia Parceira", Address: "no-reply@parceira.example"}, to)
	if got[0].To[0].Name != "João Conceição" {
		t.Errorf("recipient name = %q, want %q", got[0].To[0].Name, "João Conceição")
	}
}

// A text-only message arrives without an HTML part.
func TestSMTPTextOnly(t *testing.T) {
	t.Parallel()
	mp := testkit.NeedMailpit(t)
	s, err := Open(mp.SMTPURL, "no-reply@parceira.example", "")
	if err != nil {
		t.Fatal(err)
	}
	to := testkit.UniqueAddr("maria")
	m := validMessage(to)
	m.HTML = ""
	if err := s.Send(ctxTimeout(t, 30*time.Second), m); err != nil {
		t.Fatal(err)
	}
	got := mp.Received(t, to, 1)
	assertDelivered(t, got[0], m, mpAddress{Address: "no-reply@parceira.example"}, to)
	if got[0].HTML != "" {
		t.Errorf("HTML = %q, want none", got[0].HTML)
	}
}

// With the server down (a closed port), the queue keeps retrying and
// delivers once it is up, exactly once; Enqueue returned at once all the
// while, the failures were logged without the address or the body, and
// Close returns when the message is delivered.
func TestQueueDeliversOnceTheServerIsUp(t *testing.T) {
	t.Parallel()
	mp := testkit.NeedMailpit(t)
	port := closedPort(t)
	s, err := Open("smtp://127.0.0.1:"+strconv.Itoa(port), "no-reply@parceira.example", "")
	if err != nil {
		t.Fatal(err)
	}
	log, logs := newLogger(t)
	q := NewQueue(s, QueueConfig{
		Retry:          Retry{MaxAttempts: 100, Initial: 10 * time.Millisecond, Max: 100 * time.Millisecond},
		AttemptTimeout: 5 * time.Second,
		Logger:         log,
	})
	to := testkit.UniqueAddr("ana")
	m := validMessage("Ana <" + to + ">")
	start := time.Now()
	if err := q.Enqueue(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("Enqueue took %v with the server down", took)
	}
	waitFor(t, 10*time.Second, func() bool { return logs.Count("mail send failed; will retry") >= 3 })

	// The server comes up on that port: a listener of ours that hands each
	// connection to the real Mailpit.
	stop := relay(t, "127.0.0.1:"+strconv.Itoa(port), mp.SMTPAddr(t))
	defer stop()

	if err := q.Close(ctxTimeout(t, 20*time.Second)); err != nil {
		t.Fatalf("Close = %v", err)
	}
	got := mp.Received(t, to, 1)
	if len(got) != 1 {
		t.Fatalf("Mailpit holds %d messages for %s, want exactly 1", len(got), to)
	}
	assertDelivered(t, got[0], m, mpAddress{Address: "no-reply@parceira.example"}, to)
	if logs.Count("mail sent") != 1 {
		t.Errorf("want one \"mail sent\" line")
	}
	assertNoSecrets(t, logs.String(), m, "")
	if !strings.Contains(logs.String(), `"to":"a***@example.com.br"`) {
		t.Errorf("logs do not name the masked recipient")
	}
}

// relay listens on addr (retrying briefly: the port was just closed) and
// copies each connection to and from target.
func relay(tb testing.TB, addr, target string) (stop func()) {
	tb.Helper()
	var l net.Listener
	var err error
	for range 50 {
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("relay: %v", err)
	}
	wait := serveConns(l, func(c net.Conn) {
		defer c.Close()
		up, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer up.Close()
		done := make(chan struct{})
		go func() { io.Copy(up, c); up.(*net.TCPConn).CloseWrite(); close(done) }()
		io.Copy(c, up)
		c.(*net.TCPConn).CloseWrite()
		<-done
	})
	return func() { l.Close(); wait() }
}

// serveConns accepts on l until it is closed, running handle on each
// connection; wait returns once the loop and every handle have.
func serveConns(l net.Listener, handle func(net.Conn)) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { handle(c) })
		}
	})
	return wg.Wait
}

// A server that refuses the recipient for good (5xx) is not retried.
func TestSMTPPermanentRefusalIsNotRetried(t *testing.T) {
	t.Parallel()
	// A listener of ours speaking just enough SMTP to refuse RCPT TO with
	// 550: Mailpit accepts every recipient by default.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var sessions int
	var mu sync.Mutex
	wait := serveConns(l, func(c net.Conn) {
		mu.Lock()
		sessions++
		mu.Unlock()
		refuseRecipients(c)
	})
	port := l.Addr().(*net.TCPAddr).Port
	s, err := Open("smtp://127.0.0.1:"+strconv.Itoa(port), "no-reply@parceira.example", "")
	if err != nil {
		t.Fatal(err)
	}
	to := "maria.souza@example.com"
	err = s.Send(ctxTimeout(t, 10*time.Second), validMessage(to))
	if err == nil {
		t.Fatal("Send to a refusing server = nil error")
	}
	if !IsPermanent(err) {
		t.Errorf("IsPermanent(%q) = false, want true for a 550", err)
	}
	if strings.Contains(err.Error(), to) {
		t.Errorf("error %q shows the recipient's address", err)
	}

	log, logs := newLogger(t)
	q := NewQueue(s, QueueConfig{Retry: fast, Logger: log})
	if err := q.Enqueue(context.Background(), validMessage(to)); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if logs.Count("mail not sent: permanent failure") != 1 || logs.Count("mail send failed; will retry") != 0 {
		t.Errorf("a 550 was retried or not reported")
	}
	l.Close()
	wait()
	mu.Lock()
	defer mu.Unlock()
	if sessions != 2 {
		t.Errorf("%d SMTP sessions, want 2 (one Send, one queued attempt)", sessions)
	}
}

// refuseRecipients is a minimal SMTP dialogue: greet, accept EHLO and MAIL,
// refuse RCPT with 550 (echoing the address, as real servers do), QUIT.
func refuseRecipients(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprint(c, "220 refuser ESMTP\r\n")
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 1024)
	for {
		n, err := c.Read(tmp)
		if err != nil {
			return
		}
		buf = append(buf, tmp[:n]...)
		for {
			i := strings.Index(string(buf), "\r\n")
			if i < 0 {
				break
			}
			line := string(buf[:i])
			buf = buf[i+2:]
			cmd := strings.ToUpper(line)
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				fmt.Fprint(c, "250-refuser\r\n250 8BITMIME\r\n")
			case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RSET"), strings.HasPrefix(cmd, "NOOP"):
				fmt.Fprint(c, "250 ok\r\n")
			case strings.HasPrefix(cmd, "RCPT"):
				fmt.Fprintf(c, "550 5.1.1 %s: no such user\r\n", strings.TrimPrefix(line[8:], ":"))
			case strings.HasPrefix(cmd, "QUIT"):
				fmt.Fprint(c, "221 bye\r\n")
				return
			default:
				fmt.Fprint(c, "502 not implemented\r\n")
			}
		}
	}
}

// A connection that cannot be made fails within the connect timeout and
// the context's deadline, as a temporary error naming host and port.
func TestSMTPConnectFailureIsTemporary(t *testing.T) {
	t.Parallel()
	port := closedPort(t)
	s, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: port, From: "no-reply@example.com", Username: "user", Password: "hunter22"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(ctxTimeout(t, 5*time.Second), validMessage("maria@example.com"))
	if err == nil {
		t.Fatal("Send to a closed port = nil error")
	}
	if IsPermanent(err) {
		t.Errorf("IsPermanent(%q) = true for a refused connection", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("error %q does not name the server", err)
	}
	if strings.Contains(err.Error(), "hunter22") {
		t.Errorf("error %q shows the password", err)
	}

	// A server that accepts the connection and never answers: the connect
	// timeout ends the wait.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	mute, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, From: "no-reply@example.com", ConnectTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = mute.Send(context.Background(), validMessage("maria@example.com"))
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("Send to a mute server = %v after %v, want an error after about 200 ms", err, time.Since(start))
	}
	// The context's deadline wins when shorter.
	start = time.Now()
	slow, _ := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, From: "no-reply@example.com", ConnectTimeout: time.Minute})
	err = slow.Send(ctxTimeout(t, 200*time.Millisecond), validMessage("maria@example.com"))
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("Send with a 200 ms context = %v after %v", err, time.Since(start))
	}
	if errors.Is(err, ErrInvalidMessage) {
		t.Errorf("err = %v, not a validation error", err)
	}
}
