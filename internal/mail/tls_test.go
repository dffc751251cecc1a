package mail

import (
	"fmt"
	"partnership-service/internal/testkit"

	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"go/build"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// These tests start Mailpits of their own, with TLS and a password file,
// to prove STARTTLS, implicit TLS, certificate checking and AUTH against a
// real server. They run where the shared Mailpit tests run, and find the
// binary as scripts/mailpit.sh installs it (or PARTNERSHIP_TEST_MAILPIT_BIN).

func mailpitBinary(tb testing.TB) string {
	tb.Helper()
	testkit.NeedMailpit(tb)
	if p := os.Getenv("PARTNERSHIP_TEST_MAILPIT_BIN"); p != "" {
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	p := filepath.Join(build.Default.GOPATH, "bin", "mailpit")
	_, err := os.Stat(p)
	testkit.SkipUnlessPresent(tb, err == nil, fmt.Sprintf("no mailpit binary (PATH, %s or PARTNERSHIP_TEST_MAILPIT_BIN): %s", p, testkit.MailpitHelp))
	return p
}

// startMailpit runs a private Mailpit with extra flags until the test ends.
func startMailpit(tb testing.TB, args ...string) (smtpPort int, mp testkit.Mailpit) {
	tb.Helper()
	bin := mailpitBinary(tb)
	smtpPort, httpPort := closedPort(tb), closedPort(tb)
	api := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	all := append([]string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
		"--database", filepath.Join(tb.TempDir(), "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns",
	}, args...)
	cmd := exec.Command(bin, all...)
	var out logBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if tb.Failed() {
			tb.Logf("mailpit output:\n%s", out.String())
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(api + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-exited:
			tb.Fatalf("mailpit exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("mailpit did not answer within 15 s: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return smtpPort, testkit.Mailpit{SMTPURL: "smtp://127.0.0.1:" + strconv.Itoa(smtpPort), API: api}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a
// pool that trusts it.
func selfSigned(tb testing.TB) (certFile, keyFile string, pool *x509.CertPool) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailpit test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	write(certFile, "CERTIFICATE", der)
	write(keyFile, "PRIVATE KEY", keyDER)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func passwordFile(tb testing.TB, user, password string) string {
	tb.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		tb.Fatal(err)
	}
	name := filepath.Join(tb.TempDir(), "smtp-passwords")
	if err := os.WriteFile(name, []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return name
}

// On smtp:// the sender upgrades with STARTTLS (this Mailpit refuses mail
// without it), checks the certificate, and authenticates with the URL's
// user and password; a wrong password or an untrusted certificate fails
// without the password in the error.
func TestSMTPStartTLSAndAuth(t *testing.T) {
	t.Parallel()
	const user, password = "parceiro", "s3nha-Forte"
	certFile, keyFile, pool := selfSigned(t)
	port, mp := startMailpit(t,
		"--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-starttls",
		"--smtp-auth-file", passwordFile(t, user, password))

	open := func(pass string, roots *x509.CertPool) *SMTP {
		t.Helper()
		cfg, err := ParseSMTPURL("smtp://" + user + ":" + pass + "@127.0.0.1:" + strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		cfg.From = "Energia Parceira <no-reply@parceira.example>"
		cfg.TLSConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		s, err := NewSMTP(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	to := testkit.UniqueAddr("joao")
	m := validMessage(to)
	if err := open(password, pool).Send(ctxTimeout(t, 30*time.Second), m); err != nil {
		t.Fatalf("Send over STARTTLS with AUTH: %v", err)
	}
	got := mp.Received(t, to, 1)
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	assertDelivered(t, got[0], m, mpAddress{Name: "Energia Parceira", Address: "no-reply@parceira.example"}, to)
	if got[0].Username != user {
		t.Errorf("Mailpit saw user %q, want %q", got[0].Username, user)
	}

	for name, s := range map[string]*SMTP{
		"wrong password":        open("errada-"+password, pool),
		"untrusted certificate": open(password, x509.NewCertPool()),
	} {
		err := s.Send(ctxTimeout(t, 30*time.Second), validMessage(testkit.UniqueAddr("x")))
		if err == nil {
			t.Errorf("%s: Send = nil error", name)
			continue
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("%s: error %q shows the password", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
}

// On smtps:// TLS starts with the connection.
func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	port, mp := startMailpit(t, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-require-tls")
	cfg, err := ParseSMTPURL("smtps://127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	cfg.From = "no-reply@parceira.example"
	cfg.TLSConfig = &tls.Config{RootCAs: pool}
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	to := testkit.UniqueAddr("maria")
	m := validMessage(to)
	if err := s.Send(ctxTimeout(t, 30*time.Second), m); err != nil {
		t.Fatalf("Send over implicit TLS: %v", err)
	}
	assertDelivered(t, mp.Received(t, to, 1)[0], m, mpAddress{Address: "no-reply@parceira.example"}, to)

	// The same server through plain smtp:// gets nowhere (it speaks TLS
	// from the first byte), and fails within the connect timeout.
	plain, err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: port, From: "no-reply@parceira.example", ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.Send(ctxTimeout(t, 10*time.Second), validMessage(testkit.UniqueAddr("y"))); err == nil {
		t.Error("plain SMTP to an implicit-TLS port = nil error")
	}
}
