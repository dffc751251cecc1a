package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/blob/blobtest"
	"partnership-service/internal/server"
	"partnership-service/internal/testkit"
)

func testEnv(vars map[string]string) (*environment, *testkit.SyncBuffer, *testkit.SyncBuffer) {
	out, errOut := &testkit.SyncBuffer{}, &testkit.SyncBuffer{}
	return &environment{stdout: out, stderr: errOut, getenv: func(k string) string { return vars[k] }}, out, errOut
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startupTimeout bounds how long a test waits for a server it started: a
// fresh database loads the reference data first, which under -race on a
// busy 2-core machine has taken over 30 s. Waits end as soon as it answers.
const startupTimeout = 2 * time.Minute

// TestServeAnswersAndShutsDown starts the real service on the embedded
// default (env vars, not flags, to cover both), waits for /healthz, and
// stops it the way SIGTERM does.
func TestServeAnswersAndShutsDown(t *testing.T) {
	addr := freeAddr(t)
	env, _, stderr := testEnv(map[string]string{
		"PARTNERSHIP_ADDR":     addr,
		"PARTNERSHIP_DATA_DIR": t.TempDir(),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, nil) }()

	deadline := time.Now().Add(startupTimeout)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("/healthz = %d", res.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no answer on %s within %v: %v\nlogs: %s", addr, startupTimeout, err, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %v %v", res, err)
	}
	res.Body.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(stderr.String(), `"msg":"request"`) {
		t.Errorf("no JSON access log line in %s", stderr)
	}
}

func TestMigrateReportsStatus(t *testing.T) {
	t.Parallel()
	env, stdout, _ := testEnv(nil)
	if err := run(context.Background(), env, []string{"migrate", "--data-dir", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	out := stdout.String()
	if !strings.Contains(out, "migrated sqlite") || !strings.Contains(out, "00001") || strings.Contains(out, "pending") {
		t.Fatalf("migrate output:\n%s", out)
	}
}

// TestMigrateStatusAppliesNothing: `migrate --status` on a new database
// lists every migration pending and no reference data; after `migrate`,
// everything applied and the reference data current.
func TestMigrateStatusAppliesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	status := func(args ...string) string {
		t.Helper()
		env, stdout, stderr := testEnv(nil)
		if err := run(context.Background(), env, append(args, "--data-dir", dir)); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, stderr)
		}
		return stdout.String()
	}
	before := status("migrate", "--status")
	if !strings.Contains(before, "status of sqlite") || !strings.Contains(before, "00003") || strings.Contains(before, "applied") ||
		!strings.Contains(before, "reference data geo") || !strings.Contains(before, "none recorded") {
		t.Fatalf("migrate --status on a new database:\n%s", before)
	}
	status("migrate")
	after := status("migrate", "--status")
	if strings.Contains(after, "pending") || strings.Count(after, ", current") != 2 {
		t.Fatalf("migrate --status after migrate:\n%s", after)
	}
}

func TestCommandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{"bad database url", []string{"migrate", "--data-dir", "x"}, map[string]string{"DATABASE_URL": "mysql://x"}, "postgres://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := testEnv(tt.vars)
			err := run(context.Background(), env, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestGlobalFlagsBeforeTheCommand: a global flag may stand before the
// command words, and never turns a command into a server.
func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--data-dir", dir, "partner", "create", "--name", "Parceiro Sul"},
		{"--data-dir", dir, "apikey", "create", "--partner", "Parceiro Sul"},
	} {
		env, _, _ := testEnv(nil)
		if err := run(ctx, env, args); err != nil {
			t.Fatalf("%q: %v", args, err)
		}
	}
	env, stdout, _ := testEnv(nil)
	if err := run(ctx, env, []string{"--data-dir", dir, "migrate"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), dir) {
		t.Fatalf("migrate before-flag --data-dir ignored:\n%s", stdout)
	}
	env, stdout, _ = testEnv(nil)
	if err := run(ctx, env, []string{"--data-dir", dir, "apikey", "revoke", "pk_unknown1"}); err == nil || !strings.Contains(err.Error(), "apikey") {
		t.Fatalf("revoking an unknown key = %v, want the apikey command's error", err)
	}
	if stdout.String() != "" {
		t.Fatalf("printed %q", stdout)
	}
}

// TestServeDemoAfterGlobalFlag: `--data-dir D serve --demo` loads the demo.
func TestServeDemoAfterGlobalFlag(t *testing.T) {
	startServe(t, nil, "Companies API", "--data-dir", t.TempDir(), "serve", "--demo").stop()
}

func healthy(addr string) bool {
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// TestCommandLineRefusals: what cannot run is refused with the usage and
// exit status 2; -h prints the command's flags and exits 0.
func TestCommandLineRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantExit int
		wantErr  string // in stderr
		wantOut  string // in stdout
	}{
		{"unknown command", []string{"--data-dir", "x", "frobnicate"}, 2, `unknown command "frobnicate"`, ""},
		{"unknown verb", []string{"apikey", "rotate"}, 2, `apikey: unknown command "rotate", expected create or revoke`, ""},
		{"unknown global flag", []string{"--frob", "serve"}, 2, "flag provided but not defined: -frob", ""},
		{"unknown command flag", []string{"migrate", "--frob"}, 2, "flag provided but not defined: -frob", ""},
		{"extra argument", []string{"migrate", "now"}, 2, `migrate takes no arguments, got ["now"]`, ""},
		{"missing argument", []string{"apikey", "revoke"}, 2, "apikey revoke expects KEY_PREFIX", ""},
		{"two arguments", []string{"token", "revoke", "a", "b"}, 2, "token revoke expects TOKEN", ""},
		{"a token starting with a dash is an argument", []string{"token", "revoke", "-Ab3", "x", "--data-dir", "d"}, 2, "token revoke expects TOKEN", ""},
		{"missing required flag", []string{"user", "create", "--email", "a@b.com"}, 2, "--password is required", ""},
		{"command help", []string{"apikey", "create", "-h"}, 0, "", "-partner string"},
		{"help lists global flags too", []string{"help", "catalog", "import-areas"}, 0, "", "-data-dir string"},
		{"group help", []string{"help", "token"}, 0, "", "token revoke TOKEN"},
		{"tool help", []string{"-h"}, 0, "", "Without a command, partnership serves"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, stdout, stderr := testEnv(nil)
			code := exitCode(env, run(context.Background(), env, tt.args))
			if code != tt.wantExit {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", code, tt.wantExit, stderr, stdout)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.wantErr)
			}
			// The usage is a command's usage line or a list of commands.
			if tt.wantExit == 2 && !strings.Contains(stderr.String(), "usage: partnership") && !strings.Contains(stderr.String(), "\n  ") {
				t.Errorf("no usage printed: %q", stderr)
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout %q lacks %q", stdout, tt.wantOut)
			}
		})
	}
}

// TestUsageErrorsTouchNothing: a refused command line creates no data dir.
func TestUsageErrorsTouchNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "never")
	for _, args := range [][]string{
		{"user", "create", "--email", "a@b.com", "--data-dir", dir},
		{"provider", "create", "--origin", "https://x.example", "--data-dir", dir},
		{"--data-dir", dir, "token", "revoke"},
	} {
		env, _, _ := testEnv(nil)
		if code := exitCode(env, run(context.Background(), env, args)); code != 2 {
			t.Fatalf("%q: exit %d, want 2", args, code)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the refused commands created %s (%v)", dir, err)
	}
}

// testApp opens the app on dataDir as serve does, closed at t's cleanup.
func testApp(t testing.TB, ctx context.Context, dataDir string) *app {
	t.Helper()
	a, err := openApp(ctx, config{DataDir: dataDir, MaxUploadSize: 1 << 20}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// testHandler is the real handler with the one surface build makes.
func testHandler(t testing.TB, ctx context.Context, build func(context.Context) (server.Surface, error)) http.Handler {
	t.Helper()
	s, err := build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(server.Config{Log: quietLog(), Surfaces: []server.Surface{s}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// appHandler is the handler serve builds for a: every surface.
func appHandler(t testing.TB, ctx context.Context, a *app) http.Handler {
	t.Helper()
	surfaces, err := a.surfaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.New(server.Config{Log: quietLog(), Surfaces: surfaces})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func quietLog() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// TestServeSweepsOrphanFiles: issue 10 #8. A file stored before a crash,
// whose record never committed, is gone after the next start.
func TestServeSweepsOrphanFiles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a := testApp(t, ctx, dir)
	obj, err := a.blobs.Put(ctx, bytes.NewReader(blobtest.PDF), blob.Limits{MaxBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "files", filepath.FromSlash(obj.Key))
	before := time.Now().Add(-time.Minute)
	if err := os.Chtimes(path, before, before); err != nil {
		t.Fatal(err)
	}
	a.sweepOrphans(ctx, time.Now())
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the orphan file is still there: %v", err)
	}
}

// TestUnknownPathsAnswerInTheirSurfacesEnvelope: issue 11. A path nobody
// serves under /api/v2/ is the storefront's, under /api/v3/ and /api/v4/
// the companies API's: their 404 comes in that surface's envelope.
func TestUnknownPathsAnswerInTheirSurfacesEnvelope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := testApp(t, ctx, t.TempDir())
	h := appHandler(t, ctx, a)
	for path, want := range map[string]string{
		"/api/v2/nothing-here":        `{"errors":`,
		"/api/v3/nothing-here":        `["`,
		"/api/v4/nothing-here":        `["`,
		"/sales-conversion/nothing":   `"statusCode":404`,
		"/console/nothing-here":       `Página não encontrada`,
		"/admin/energy/nothing":       `"statusCode":404`,
		"/admin/nothing-here":         `Página não encontrada`,
		"/not-a-surface/nothing-here": `{"error":`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Body.String(), want) && !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s, want 404 in an envelope starting %s", path, rec.Code, rec.Body, want)
		}
	}
}

// The test kit: the command line and serve as an operator runs them,
// calls to a running serve, and the lead most tests send.

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
