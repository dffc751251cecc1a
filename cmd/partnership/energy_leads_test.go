package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partnership-service/internal/secretbox"
)

// energyHandler opens the app on dataDir and returns the real handler with
// the energy surface, as serve builds it.
func energyHandler(t *testing.T, ctx context.Context, dataDir string) http.Handler {
	t.Helper()
	return testHandler(t, ctx, energyDemoApp(t, ctx, dataDir).energySurface)
}

// energyDemoApp opens the app on dataDir with the energy demo loaded.
func energyDemoApp(t *testing.T, ctx context.Context, dataDir string) *app {
	t.Helper()
	a := testApp(t, ctx, dataDir)
	if err := a.loadEnergyDemo(ctx, io.Discard, "http://demo"); err != nil {
		t.Fatal(err)
	}
	return a
}

// send makes one JSON request with the partner key; edits change the
// request before it is served.
func send(t *testing.T, h http.Handler, key, method, path string, body any, edits ...func(*http.Request)) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for _, edit := range edits {
		edit(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

// TestEnergyLeadsWiring runs the lead journey's first steps on the service
// as serve wires it, with a key from the CLI, and checks the secret key is
// generated once into the data dir (0600) and reused by the next start.
func TestEnergyLeadsWiring(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := energyHandler(t, ctx, dir)

	key := newTestCLI(t, dir, "").partnerKey("Parceiro Wiring", "Ana Vendedora")

	status, lead := send(t, h, key, http.MethodPost, "/sales-conversion/leads", leadBody("52998224725"))
	if status != http.StatusCreated || lead["sellerName"] != "Ana Vendedora" || lead["energyUtilityName"] != "CPFL PAULISTA" {
		t.Fatalf("create lead: %d %v", status, lead)
	}
	path := "/sales-conversion/leads/" + lead["id"].(string)
	if status, _ := send(t, h, key, http.MethodPatch, path+"/energy-utility-credentials",
		map[string]any{"utilityBillLogin": "maria", "password": "segredo-123"}); status != http.StatusOK {
		t.Fatalf("credentials: %d", status)
	}
	status, contract := send(t, h, key, http.MethodPost, path+"/contracts", map[string]any{})
	if status != http.StatusCreated {
		t.Fatalf("contract: %d %v", status, contract)
	}

	keyFile := filepath.Join(dir, "secret.key")
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("no generated secret key: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("secret key mode = %o, want 600", info.Mode().Perm())
	}
	first, _ := os.ReadFile(keyFile)

	// A restart reads the same key: the sealed signing link still opens.
	again := energyHandler(t, ctx, dir)
	status, reread := send(t, again, key, http.MethodGet, path, nil)
	link, _ := reread["contractSignerLink"].(string)
	if status != http.StatusOK || link == "" || link != contract["contractSignerLink"] {
		t.Fatalf("after restart: %d, signer link %q, want %q", status, link, contract["contractSignerLink"])
	}
	if second, _ := os.ReadFile(keyFile); !bytes.Equal(first, second) {
		t.Fatal("the secret key changed on restart")
	}
	u, _ := url.Parse(link)
	rec := httptest.NewRecorder()
	again.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.Path, nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Maria Souza") {
		t.Fatalf("signing page: %d %s", rec.Code, rec.Body)
	}
}

// TestEnergySecretKeyFromEnvironment uses PARTNERSHIP_SECRET_KEY and writes
// no key file.
func TestEnergySecretKeyFromEnvironment(t *testing.T) {
	t.Setenv(secretbox.KeyEnv, hex.EncodeToString(bytes.Repeat([]byte{3}, 32)))
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	energyHandler(t, ctx, dir)
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); !os.IsNotExist(err) {
		t.Fatalf("a key file was written although %s is set: %v", secretbox.KeyEnv, err)
	}

	t.Setenv(secretbox.KeyEnv, "too short")
	a := testApp(t, ctx, t.TempDir())
	if _, err := a.energySurface(ctx); err == nil || !strings.Contains(err.Error(), secretbox.KeyEnv) {
		t.Fatalf("a malformed key: err = %v, want it to name %s", err, secretbox.KeyEnv)
	}
}
