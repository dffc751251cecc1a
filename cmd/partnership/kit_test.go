package main

// The package's test kit: the command line and serve as an operator runs
// them, calls to a running serve, and the lead most tests send.

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/testkit"
)

// testCLI is the command line on one database, as an operator runs it:
// every command with --data-dir dir (a global flag, so it goes before the
// command's words and positional arguments stay last) and DATABASE_URL
// dbURL ("": SQLite in dir).
type testCLI struct {
	t          *testing.T
	dir, dbURL string
}

func newTestCLI(t *testing.T, dir, dbURL string) testCLI {
	return testCLI{t: t, dir: dir, dbURL: dbURL}
}

// try runs one command and returns what it printed, trimmed, and its
// error; a failed command's stderr goes to the test log.
func (c testCLI) try(args ...string) (string, error) {
	c.t.Helper()
	env, stdout, stderr := testEnv(map[string]string{"DATABASE_URL": c.dbURL})
	err := run(context.Background(), env, append([]string{"--data-dir", c.dir}, args...))
	if err != nil {
		c.t.Logf("%v: stderr: %s", args, stderr)
	}
	return strings.TrimSpace(stdout.String()), err
}

// run runs one command that must succeed and returns what it printed,
// trimmed.
func (c testCLI) run(args ...string) string {
	c.t.Helper()
	out, err := c.try(args...)
	if err != nil {
		c.t.Fatalf("%v: %v", args, err)
	}
	return out
}

// partnerKey creates an energy partner and a seller's API key, and
// returns the key.
func (c testCLI) partnerKey(partner, seller string) string {
	c.t.Helper()
	c.run("partner", "create", "--name", partner)
	return c.run("apikey", "create", "--partner", partner, "--seller", seller)
}

// providerToken creates a storefront provider on origin and returns an
// admin token of its.
func (c testCLI) providerToken(name, origin string) string {
	c.t.Helper()
	c.run("provider", "create", "--name", name, "--origin", origin)
	return c.run("provider", "token", "--origin", origin)
}

// testServe is serve running in the test's process, on a free address.
type testServe struct {
	t              *testing.T
	addr, base     string // host:port, and http://host:port
	stdout, stderr *testkit.SyncBuffer
	cancel         context.CancelFunc
	done           chan error
	stopped        bool
}

// startServe runs the command line args (serve and its flags) with the
// environment variables vars and PARTNERSHIP_ADDR, and waits, for at most
// startupTimeout, until /healthz answers and stdout holds printed ("":
// anything). The test's end stops it.
func startServe(t *testing.T, vars map[string]string, printed string, args ...string) *testServe {
	t.Helper()
	s := &testServe{t: t, addr: freeAddr(t), done: make(chan error, 1)}
	s.base = "http://" + s.addr
	env := map[string]string{"PARTNERSHIP_ADDR": s.addr}
	maps.Copy(env, vars)
	e, stdout, stderr := testEnv(env)
	s.stdout, s.stderr = stdout, stderr
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- run(ctx, e, args) }()
	t.Cleanup(s.stop)
	deadline := time.Now().Add(startupTimeout)
	for !strings.Contains(stdout.String(), printed) || !healthy(s.addr) {
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready within %v:\n%s\nlogs: %s", startupTimeout, stdout, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// stop stops serve the way SIGTERM does, once, and fails the test unless
// it returned nil.
func (s *testServe) stop() {
	s.t.Helper()
	if s.stopped {
		return
	}
	s.stopped = true
	s.cancel()
	if err := <-s.done; err != nil {
		s.t.Errorf("serve: %v\n%s", err, s.stderr)
	}
}

// leadBody is a partner's lead in Campinas (qualified in the demo
// catalog) for the customer with CPF cpf, as POST /sales-conversion/leads
// takes it.
func leadBody(cpf string) map[string]any {
	return map[string]any{
		"fullName": "Maria Souza", "personType": "PF", "emailAddress": "maria@example.com", "mobilePhone": "11999885544",
		"utilityBillingValue": 420, "identificationNumber": cpf, "nationality": "Brasileira",
		"maritalStatus": "Casada", "profession": "Professora", "zipCode": "13010-000", "state": "SP", "city": "Campinas",
		"street": "Rua Barão de Jaguara", "number": "10", "neighborhood": "Centro",
		"plan": map[string]any{"planName": "Premium", "discount": "15", "loyaltyRequirement": "60", "benefit": "Primeira Fatura Grátis"},
	}
}

// outboxCode is the one-time code in the newest code message the outbox
// holds, waiting for the mail queue to write it.
func outboxCode(t *testing.T, dir string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^(\d{6})\r?$`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && bytes.Contains(b, []byte("Seu c")) {
				if m := re.FindSubmatch(b); m != nil {
					return string(m[1])
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no code message in %s within 10 s (%v)", dir, files)
		}
	}
}

// liveCall sends one request to a running server, header given as
// name/value pairs, and returns the status and the body.
func liveCall(t testing.TB, method, url string, body io.Reader, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}
