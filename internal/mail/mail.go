// Package mail sends the service's e-mail: a Message, a Sender that delivers
// it (through SMTP, or into an outbox directory of .eml files when no SMTP
// server is configured), and a Queue that sends in the background with
// retries so that no request waits for, or fails because of, a mail server.
//
// The package is a leaf: it imports no other package of the service. Domain
// packages build Messages and hand them to an Enqueuer; main wires the
// Sender chosen by Open into a Queue.
package mail

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidMessage is wrapped by every error Message.Validate returns.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Limits on a message; far above what the service sends, low enough that a
// mistake cannot produce a multi-megabyte mail.
const (
	maxSubjectRunes = 250
	maxBodyBytes    = 1 << 20
)

// Message is one e-mail to one recipient. The service sends transactional
// mail (a signing link, a one-time code): one recipient per message keeps
// one person's address out of another's mailbox and makes a retry affect
// exactly one delivery.
type Message struct {
	// ID is the Message-ID without angle brackets (left@right). Queue.Enqueue
	// sets it when empty; it stays the same across retries, so a receiver can
	// recognise a duplicate delivery.
	ID string
	// To is the recipient: "maria@example.com" or "Maria Souza <maria@example.com>".
	To string
	// Subject is one line of UTF-8 text.
	Subject string
	// Text is the plain-text body (required).
	Text string
	// HTML is an optional HTML alternative of Text.
	HTML string
}

// Validate refuses what must never reach a mail header or body: a CR or LF
// (or any other control character) in To, Subject or ID, an address that
// does not parse, invalid UTF-8, and empty or oversized parts. Its errors wrap
// ErrInvalidMessage and never contain the recipient's full address.
func (m Message) Validate() error {
	if _, err := parseAddress("recipient", m.To); err != nil {
		return err
	}
	if strings.TrimSpace(m.Subject) == "" {
		return invalid("subject is empty")
	}
	if err := headerText("subject", m.Subject); err != nil {
		return err
	}
	if utf8.RuneCountInString(m.Subject) > maxSubjectRunes {
		return invalid(fmt.Sprintf("subject is longer than %d characters", maxSubjectRunes))
	}
	if m.ID != "" && !validMessageID(m.ID) {
		return invalid("message id must look like left@right with no spaces or brackets")
	}
	if strings.TrimSpace(m.Text) == "" {
		return invalid("text body is empty")
	}
	for _, b := range []struct{ name, s string }{{"text body", m.Text}, {"HTML body", m.HTML}} {
		if !utf8.ValidString(b.s) {
			return invalid(b.name + " is not valid UTF-8")
		}
		if strings.ContainsRune(b.s, 0) {
			return invalid(b.name + " contains a NUL character")
		}
		if len(b.s) > maxBodyBytes {
			return invalid(fmt.Sprintf("%s is larger than %d bytes", b.name, maxBodyBytes))
		}
	}
	return nil
}

func invalid(reason string) error { return fmt.Errorf("%w: %s", ErrInvalidMessage, reason) }

// headerText refuses control characters (CR and LF above all: they would
// start a new header) and invalid UTF-8 in a value bound for a header.
func headerText(name, s string) error {
	if !utf8.ValidString(s) {
		return invalid(name + " is not valid UTF-8")
	}
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return invalid(name + " contains a line break")
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return invalid(name + " contains a control character")
		}
	}
	return nil
}

// parseAddress parses one address for a header, refusing control characters
// first (net/mail would fold some of them away).
func parseAddress(name, s string) (*mail.Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, invalid(name + " is empty")
	}
	if err := headerText(name, s); err != nil {
		return nil, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalid(name + " is not a valid e-mail address")
	}
	if headerText(name, a.Name) != nil || !strings.Contains(a.Address, "@") {
		return nil, invalid(name + " is not a valid e-mail address")
	}
	return a, nil
}

func validMessageID(id string) bool {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`<>()[]\,;:"`, r) {
			return false
		}
	}
	return true
}

// NewID returns a fresh random Message-ID (without brackets).
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:]) + "@partnership-service"
}

// MaskAddress returns a form of an address fit for logs: the first character
// of the local part and the domain, "m***@example.com". A display name is
// dropped. Anything that is not an address becomes "***".
func MaskAddress(s string) string {
	addr := s
	if a, err := mail.ParseAddress(s); err == nil {
		addr = a.Address
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "***"
	}
	first, _ := utf8.DecodeRuneInString(addr)
	domain := addr[at+1:]
	if headerText("domain", domain) != nil || first == utf8.RuneError || unicode.IsControl(first) {
		return "***"
	}
	return string(first) + "***@" + domain
}

// scrub replaces every appearance of the recipient's address in an error
// text (SMTP libraries and servers like to quote it) with its masked form.
func scrub(text, to string) string {
	addr := to
	if a, err := mail.ParseAddress(to); err == nil {
		addr = a.Address
	}
	if addr != "" {
		text = strings.ReplaceAll(text, addr, MaskAddress(addr))
	}
	return text
}

// Open returns the Sender the configuration asks for. With an empty
// smtpURL it is an Outbox writing .eml files under outboxDir (the embedded
// default); otherwise an SMTP sender for smtpURL:
//
//	smtp://[user:pass@]host[:port]    port 587 by default; STARTTLS when the server offers it
//	smtps://[user:pass@]host[:port]   port 465 by default; implicit TLS
//
// With no user in the URL no authentication is attempted. from is the From
// address ("Partnership <no-reply@example.com>"); it is required for SMTP and
// defaults to no-reply@localhost for the outbox. Errors never contain the
// password.
func Open(smtpURL, from, outboxDir string) (Sender, error) {
	if strings.TrimSpace(smtpURL) == "" {
		if strings.TrimSpace(from) == "" {
			from = "no-reply@localhost"
		}
		return NewOutbox(outboxDir, from)
	}
	cfg, err := ParseSMTPURL(smtpURL)
	if err != nil {
		return nil, err
	}
	cfg.From = from
	return NewSMTP(cfg)
}

// ParseSMTPURL reads an smtp:// or smtps:// URL into an SMTPConfig (without
// From and with default timeouts). Its errors name the problem, never the
// password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var cfg SMTPConfig
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included: say less.
		return cfg, fmt.Errorf("mail: SMTP URL %q does not parse (want smtp://user:pass@host:587 or smtps://user:pass@host:465)", redactURL(raw))
	}
	switch u.Scheme {
	case "smtp":
		cfg.ImplicitTLS = false
	case "smtps":
		cfg.ImplicitTLS = true
	default:
		return cfg, fmt.Errorf("mail: SMTP URL scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return cfg, fmt.Errorf("mail: SMTP URL %q has no host", u.Redacted())
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return cfg, fmt.Errorf("mail: SMTP URL %q must have no path, query or fragment", u.Redacted())
	}
	cfg.Host = u.Hostname()
	cfg.Port = 587
	if cfg.ImplicitTLS {
		cfg.Port = 465
	}
	if p := u.Port(); p != "" {
		n := 0
		for _, c := range p {
			n = n*10 + int(c-'0')
			if n > 65535 {
				break
			}
		}
		if n < 1 || n > 65535 {
			return cfg, fmt.Errorf("mail: SMTP URL %q has an invalid port", u.Redacted())
		}
		cfg.Port = n
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
		if cfg.Username == "" {
			return cfg, fmt.Errorf("mail: SMTP URL %q has a password but no user", u.Redacted())
		}
	}
	return cfg, nil
}

// redactURL hides whatever stands between "://" and the last "@" of a URL
// that url.Parse refused.
func redactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		if strings.Contains(raw, "@") {
			return "xxxxx"
		}
		return raw
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = "xxxxx" + rest[at:]
	}
	return scheme + "://" + rest
}
