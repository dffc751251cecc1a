package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSecretInLogs: issue 10 (#5 and "no raw key or token in any log
// line"). The real serve, logging at debug level, runs the journeys of the
// three surfaces (good and bad credentials, the signing page with its
// one-time code, uploads of secrets, LGPD erasure); afterwards no partner
// key, provider token, user token, signing token, password or code appears
// anywhere in what it logged.
func TestNoSecretInLogs(t *testing.T) {
	dir := t.TempDir()
	cli := newTestCLI(t, dir, "")
	const userPassword, utilityPassword = "senha-do-usuario-7741", "senha-da-distribuidora-5532"
	partner := cli.partnerKey("Parceiro Logs", "Ana")
	provider := cli.providerToken("Fibra Logs", "https://loja.example.com.br")
	cli.run("account", "create", "--name", "Conta Logs", "--type", "cliente")
	cli.run("user", "create", "--email", "logs@example.com", "--password", userPassword, "--account", "Conta Logs")
	cliToken := cli.run("token", "create", "--email", "logs@example.com")

	// The demo's catalog qualifies Campinas; its keys go to stdout, not
	// to the logs.
	srv := startServe(t, map[string]string{"PARTNERSHIP_DATA_DIR": dir, "PARTNERSHIP_LOG_LEVEL": "debug"}, "", "serve", "--demo")
	base := srv.base

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

	srv.stop() // the mail queue's last lines too
	out := srv.stderr.String()
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
