package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestNoSecretInLogs: issue 10 (#5 and "no raw key or token in any log
// line"). The real serve, logging at debug level, runs the journeys of the
// three surfaces (good and bad credentials, the signing page with its
// one-time code, uploads of secrets, LGPD erasure); afterwards no partner
// key, provider token, user token, signing token, password or code appears
// anywhere in what it logged.
func TestNoSecretInLogs(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cli := newTestCLI(t, dir, "")
	const userPassword, utilityPassword = "senha-do-usuario-7741", "senha-da-distribuidora-5532"
	partner := cli.partnerKey("Parceiro Logs", "Ana")
	provider := cli.providerToken("Fibra Logs", "https://loja.example.com.br")
	cli.run("account", "create", "--name", "Conta Logs", "--type", "cliente")
	cli.run("user", "create", "--email", "logs@example.com", "--password", userPassword, "--account", "Conta Logs")
	cliToken := cli.run("token", "create", "--email", "logs@example.com")

	addr := freeAddr(t)
	env, _, logs := testEnv(map[string]string{"PARTNERSHIP_ADDR": addr, "PARTNERSHIP_DATA_DIR": dir, "PARTNERSHIP_LOG_LEVEL": "debug"})
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	// The demo's catalog qualifies Campinas; its keys go to stdout, not
	// to the logs.
	go func() { done <- run(sctx, env, []string{"serve", "--demo"}) }()
	var stopped bool
	shutdown := func() {
		if !stopped {
			stopped = true
			stop()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	defer shutdown()
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); !healthy(addr); time.Sleep(50 * time.Millisecond) { // a fresh database migrates first
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", logs)
		}
	}

	call := func(method, path, auth, contentType string, body io.Reader, header ...string) (int, []byte) {
		t.Helper()
		if auth != "" {
			header = append(header, "Authorization", "Bearer "+auth)
		}
		if contentType != "" {
			header = append(header, "Content-Type", contentType)
		}
		return liveCall(t, method, base+path, body, header...)
	}
	jsonCall := func(method, path, auth string, body any, want int) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		status, resp := call(method, path, auth, "application/json", bytes.NewReader(b))
		if status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, resp)
		}
		var out map[string]any
		_ = json.Unmarshal(resp, &out)
		return out
	}
	form := func(path string, v url.Values) int {
		t.Helper()
		status, _ := call(http.MethodPost, path, "", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
		return status
	}

	// Energy: a lead, its utility password, a contract, the signing page
	// with a wrong and the right code, the LGPD export and erasure.
	lead := jsonCall(http.MethodPost, "/sales-conversion/leads", partner, leadBody("52998224725"), http.StatusCreated)
	leadPath := "/sales-conversion/leads/" + lead["id"].(string)
	jsonCall(http.MethodPatch, leadPath+"/energy-utility-credentials", partner, map[string]any{"utilityBillLogin": "maria", "password": utilityPassword}, http.StatusOK)
	link := jsonCall(http.MethodPost, leadPath+"/contracts", partner, map[string]any{}, http.StatusCreated)["contractSignerLink"].(string)
	u, _ := url.Parse(link)
	signPath := u.Path
	signToken := strings.TrimPrefix(signPath, "/sales-conversion/sign/")
	call(http.MethodGet, signPath, "", "", nil)
	call(http.MethodGet, signPath+"/contrato.pdf?download="+signToken, "", "", nil)
	if status := form(signPath+"/code", url.Values{"signer": {"1"}}); status != http.StatusOK {
		t.Fatalf("asking for the code: %d", status)
	}
	code := outboxCode(t, filepath.Join(dir, "outbox"))
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	form(signPath, url.Values{"signer": {"1"}, "code": {wrong}, "accept": {"on"}})
	if status := form(signPath, url.Values{"signer": {"1"}, "code": {code}, "accept": {"on"}}); status != http.StatusOK {
		t.Fatalf("signing with the mailed code: %d", status)
	}
	call(http.MethodGet, "/sales-conversion/leads", partner+"x", "", nil) // a wrong key
	call(http.MethodGet, leadPath+"/personal-data", partner, "", nil)
	call(http.MethodDelete, leadPath+"/personal-data", partner, "", nil)

	// Storefront: the admin API with the token, and with a wrong one.
	call(http.MethodGet, "/api/v2/admin/provider", provider, "", nil)
	call(http.MethodGet, "/api/v2/admin/subscriptions", provider+"x", "", nil)
	call(http.MethodGet, "/api/v2/providers", "", "", nil, "Origin", "https://loja.example.com.br")

	// Companies: a wrong and a right login, the login's token and the CLI's.
	jsonCall(http.MethodPost, "/api/v4/auth/login", "", map[string]any{"email": "logs@example.com", "password": userPassword + "x"}, http.StatusUnauthorized)
	userToken := jsonCall(http.MethodPost, "/api/v4/auth/login", "", map[string]any{"email": "logs@example.com", "password": userPassword}, http.StatusOK)["token"].(string)
	call(http.MethodGet, "/api/v4/companies", userToken, "", nil)
	call(http.MethodGet, "/api/v4/companies", cliToken, "", nil)
	call(http.MethodGet, "/api/v4/companies", cliToken+"x", "", nil)

	shutdown() // the mail queue's last lines too
	out := logs.String()
	if !strings.Contains(out, `"msg":"request"`) {
		t.Fatalf("serve logged no requests: %s", out)
	}
	for name, secret := range map[string]string{
		"partner key": partner, "provider token": provider, "user token (login)": userToken, "user token (CLI)": cliToken,
		"signing token": signToken, "user password": userPassword, "utility password": utilityPassword, "one-time code": code,
	} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs carry the %s", name)
		}
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
