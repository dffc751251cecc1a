package testkit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// MailpitHelp says how to give the tests a real SMTP server.
const MailpitHelp = "SMTP tests need Mailpit: run `eval \"$(bash scripts/mailpit.sh start)\"`, which sets " +
	"PARTNERSHIP_TEST_SMTP_URL=smtp://127.0.0.1:1025 PARTNERSHIP_TEST_MAILPIT_API=http://127.0.0.1:8025"

// Mailpit is the real SMTP server the mail tests send through, and its
// HTTP API, where they read what it received.
type Mailpit struct {
	SMTPURL string // smtp://host:port
	API     string // http://host:port
}

// NeedMailpit returns the Mailpit the environment names, skipping tb
// (failing it in CI) when there is none.
func NeedMailpit(tb testing.TB) Mailpit {
	tb.Helper()
	mp := Mailpit{SMTPURL: os.Getenv("PARTNERSHIP_TEST_SMTP_URL"), API: strings.TrimSuffix(os.Getenv("PARTNERSHIP_TEST_MAILPIT_API"), "/")}
	SkipUnlessPresent(tb, mp.SMTPURL != "" && mp.API != "", MailpitHelp)
	return mp
}

// MailpitMessage is a received message, as Mailpit's API shows it (only
// the fields tests read).
type MailpitMessage struct {
	ID        string
	MessageID string
	From      MailpitAddress
	To        []MailpitAddress
	Subject   string
	Username  string // the SMTP login the message came with
	Text      string
	HTML      string
}

// MailpitAddress is a sender or recipient as Mailpit shows it.
type MailpitAddress struct{ Name, Address string }

// SMTPAddr is host:port of the SMTP URL.
func (mp Mailpit) SMTPAddr(tb testing.TB) string {
	tb.Helper()
	u, err := url.Parse(mp.SMTPURL)
	if err != nil {
		tb.Fatalf("PARTNERSHIP_TEST_SMTP_URL: %v", err)
	}
	return u.Host
}

// Received waits until Mailpit holds at least n messages to addr and
// returns them, newest first, each read in full.
func (mp Mailpit) Received(tb testing.TB, addr string, n int) []MailpitMessage {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var list struct{ Messages []MailpitMessage }
		mp.getJSON(tb, "/api/v1/search?query="+url.QueryEscape("to:"+addr), &list)
		if len(list.Messages) >= n {
			out := make([]MailpitMessage, len(list.Messages))
			for i, s := range list.Messages {
				mp.getJSON(tb, "/api/v1/message/"+url.PathEscape(s.ID), &out[i])
			}
			return out
		}
		if time.Now().After(deadline) {
			tb.Fatalf("Mailpit received %d messages for %s within 10 s, want %d", len(list.Messages), addr, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (mp Mailpit) getJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	resp, err := http.Get(mp.API + path)
	if err != nil {
		tb.Fatalf("Mailpit API: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		tb.Fatalf("Mailpit API GET %s: %s %s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatalf("Mailpit API GET %s: %v", path, err)
	}
}

// UniqueAddr is a recipient no other test, run or session sharing the
// Mailpit uses.
func UniqueAddr(local string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return local + "." + hex.EncodeToString(b[:]) + "@example.com.br"
}
