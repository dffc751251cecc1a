package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Sender delivers one message, or says why it could not. Implementations
// are safe for concurrent use. An error for which IsPermanent reports true
// will fail the same way when tried again.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Default timeouts of an SMTP sender.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultSendTimeout    = 30 * time.Second
)

// SMTPConfig configures an SMTP sender. Printing it (fmt, slog) never shows
// the password.
type SMTPConfig struct {
	Host string
	Port int
	// ImplicitTLS is smtps://: TLS from the first byte. Without it STARTTLS
	// is used when the server offers it.
	ImplicitTLS bool
	// Username and Password: with no Username no authentication is tried.
	// go-mail never sends a password in clear: over a connection without TLS
	// only challenge-response mechanisms (SCRAM, CRAM-MD5) are used.
	Username string
	Password string
	// From is the From address of every message.
	From string
	// ConnectTimeout bounds connecting, TLS, EHLO and AUTH;
	// SendTimeout bounds the rest (MAIL FROM … DATA … QUIT). A shorter
	// deadline on the Send context wins over both.
	ConnectTimeout time.Duration
	SendTimeout    time.Duration
	// TLSConfig, when set, is used (cloned) instead of the default
	// (certificate verified for Host, TLS 1.2 or later).
	TLSConfig *tls.Config
}

// String describes the configuration without the password.
func (c SMTPConfig) String() string {
	scheme := "smtp"
	if c.ImplicitTLS {
		scheme = "smtps"
	}
	user := ""
	if c.Username != "" {
		user = c.Username + "@"
	}
	return fmt.Sprintf("%s://%s%s:%d", scheme, user, c.Host, c.Port)
}

// GoString keeps %#v from printing the password.
func (c SMTPConfig) GoString() string { return "mail.SMTPConfig(" + c.String() + ")" }

// LogValue keeps slog from printing the password.
func (c SMTPConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// SMTP sends through an SMTP server with github.com/wneessen/go-mail, one
// connection per message (the service sends few, and a fresh connection
// has no state to go stale between retries).
type SMTP struct {
	cfg  SMTPConfig
	from *mail.Address
	tls  *tls.Config
}

var _ Sender = (*SMTP)(nil)

// NewSMTP checks cfg and returns a sender; it does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: SMTP host is required")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: SMTP port %d is out of range", cfg.Port)
	}
	if cfg.Password != "" && cfg.Username == "" {
		return nil, errors.New("mail: SMTP password given without a user")
	}
	from, err := parseAddress("from address", cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: --mail-from: %w", err)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = DefaultSendTimeout
	}
	tc := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = cfg.Host
		}
	}
	return &SMTP{cfg: cfg, from: from, tls: tc}, nil
}

// String describes the sender for a start-up line, without the password.
func (s *SMTP) String() string { return s.cfg.String() }

// Send delivers m. Its errors contain neither the password nor the
// recipient's full address.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	msg, err := render(m, s.from, time.Now())
	if err != nil {
		return err
	}
	connect, err := within(ctx, s.cfg.ConnectTimeout)
	if err != nil {
		return err
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(connect),
		gomail.WithTLSConfig(s.tls),
		gomail.WithoutNoop(),
	}
	if s.cfg.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return s.fail(m, "configure", err)
	}
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return s.fail(m, "connect", err)
	}
	// Once DATA is accepted the message is delivered: a failing QUIT must
	// not turn into an error that makes the queue send it twice.
	defer func() { _ = c.CloseWithSMTPClient(sc) }()

	send, err := within(ctx, s.cfg.SendTimeout)
	if err != nil {
		return err
	}
	// This client is ours alone (one per Send): give the sending phase its
	// own deadline, applied by go-mail before its first command.
	if err := gomail.WithTimeout(send)(c); err != nil {
		return s.fail(m, "configure", err)
	}
	if err := c.SendWithSMTPClient(sc, msg); err != nil {
		return s.fail(m, "send", err)
	}
	return nil
}

// fail turns a go-mail error into one that names the server and the step,
// keeps whether the server said the failure is permanent, and hides the
// recipient's address and the password.
func (s *SMTP) fail(m Message, step string, err error) error {
	permanent := false
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() {
		permanent = true
	}
	text := scrub(err.Error(), m.To)
	if s.cfg.Password != "" {
		text = redactSecret(text, s.cfg.Password)
	}
	return &deliveryError{
		text:      fmt.Sprintf("mail: %s %s: %s", step, s.cfg.Host+":"+strconv.Itoa(s.cfg.Port), text),
		permanent: permanent,
	}
}

// within returns d, shortened to what is left of ctx's deadline.
func within(ctx context.Context, d time.Duration) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, &deliveryError{text: "mail: " + err.Error()}
	}
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return 0, &deliveryError{text: "mail: " + context.DeadlineExceeded.Error()}
		}
		if left < d {
			d = left
		}
	}
	return d, nil
}

// deliveryError is a failed delivery. It deliberately wraps nothing: the
// underlying errors quote recipients, and its text is already scrubbed.
type deliveryError struct {
	text      string
	permanent bool
}

func (e *deliveryError) Error() string { return e.text }

// IsPermanent reports whether err says the message can never be delivered
// as it is (an invalid message, or a 5xx answer of the server), so trying
// again is pointless.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var de *deliveryError
	return errors.As(err, &de) && de.permanent
}

// render renders m as a go-mail message: the one rendering both the SMTP
// sender and the outbox use.
func render(m Message, from *mail.Address, now time.Time) (*gomail.Msg, error) {
	to, err := parseAddress("recipient", m.To)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	id := m.ID
	if id == "" {
		id = NewID()
	}
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(now)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

func redactSecret(text, secret string) string {
	if len(secret) < 3 {
		return text // too short to search for without mangling the text; never in it anyway
	}
	return strings.ReplaceAll(text, secret, "xxxxx")
}
