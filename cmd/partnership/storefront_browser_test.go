package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/testkit"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// TestStorefrontInABrowser (issue 15): the real service on a fresh SQLite
// file with the demo data; on a 375×812 phone, a visitor picks a plan,
// applies the coupon, passes the coverage check, gets the API's message
// for a wrong CPF, fixes it, sends three documents and reaches the
// confirmation (e2e/storefront.mjs, with axe-core on every page); the
// subscription is then in the provider's admin API and its webhooks, like
// one made through the API. Then the provider's staff signs into the
// back-office, opens that subscription and changes a plan's price, which
// the storefront serves (e2e/provedor.mjs). UPDATE_SCREENSHOTS=1
// rewrites docs/screenshots.
func TestStorefrontInABrowser(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	_, chromiumErr := os.Stat(chromiumPath)
	_, modulesErr := os.Stat(filepath.Join(root, "e2e", "node_modules", "playwright-core"))
	node, nodeErr := exec.LookPath("node")
	testkit.SkipUnlessPresent(t, chromiumErr == nil && modulesErr == nil && nodeErr == nil,
		"browser tests need Chromium, Node.js and e2e's modules: apt-get install -y chromium nodejs npm && (cd e2e && npm ci)")

	addr := freeAddr(t)
	base := "http://" + addr
	env, stdout, stderr := testEnv(nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, []string{"--data-dir", t.TempDir(), "serve", "--demo", "--addr", addr}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	deadline := time.Now().Add(startupTimeout)
	for !strings.Contains(stdout.String(), "/loja/"+demoSlug) || !healthy(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("no demo within %v:\n%s\nlogs: %s", startupTimeout, stdout, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := regexp.MustCompile(`Bearer (sfa_[A-Za-z0-9_-]+)`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no provider token in the demo output:\n%s", stdout)
	}
	token := m[1]
	call := func(method, path, origin string, body any) (int, []byte) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		auth := []string{"Authorization", "Bearer " + token}
		if origin != "" {
			auth = []string{"Origin", origin}
		}
		return liveCall(t, method, base+path, r, append(auth, "Content-Type", "application/json")...)
	}

	// The pages check coverage by CEP; the demo covers Batel by polygon,
	// so the provider adds Batel's CEPs, as it would through its admin API.
	if code, b := call(http.MethodPost, "/api/v2/admin/coverage_areas", "", map[string]any{
		"nome": "Batel (CEPs)", "cep_inicio": "80420-000", "cep_fim": "80440-999"}); code != http.StatusCreated {
		t.Fatalf("add coverage: %d %s", code, b)
	}
	// The provider listens to its webhooks (--demo allows a local receiver).
	hooks := newReceiver(t)
	(&client{t: t, base: base, key: token}).registerAt("/api/v2/admin/webhook-endpoints", hooks,
		"subscription.created", "subscription.files_uploaded")

	// What the API answers for the wrong CPF the visitor types.
	_, b := call(http.MethodPost, "/api/v2/subscriptions", demoOrigin, map[string]any{"plan_id": 1,
		"subscription": map[string]any{"cpf_cnpj": "111.444.777-00", "cep": "80420-090"}})
	var apiErr struct {
		Errors map[string][]string `json:"errors"`
	}
	if json.Unmarshal(b, &apiErr) != nil || len(apiErr.Errors["cpf_cnpj"]) != 1 {
		t.Fatalf("API's answer to the wrong CPF: %s", b)
	}

	shots := ""
	if os.Getenv("UPDATE_SCREENSHOTS") != "" {
		shots = filepath.Join(root, "docs", "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	journey := func(script string, result any, env ...string) {
		t.Helper()
		browserJourney(t, ctx, node, filepath.Join(root, "e2e"), script, result,
			append(env, "BASE_URL="+base, "CHROMIUM="+chromiumPath, "SCREENSHOTS="+shots)...)
	}
	var result struct {
		Reference string `json:"reference"`
		Pages     int    `json:"pages"`
	}
	journey("storefront.mjs", &result, "SLUG="+demoSlug, "CPF_MESSAGE="+apiErr.Errors["cpf_cnpj"][0])
	if result.Reference == "" {
		t.Fatal("the storefront journey made no subscription")
	}
	t.Logf("axe-core checked %d pages; subscription %s", result.Pages, result.Reference)

	// The provider sees the sign-up like one made through the API.
	code, sub := call(http.MethodGet, "/api/v2/admin/subscriptions/"+result.Reference, "", nil)
	if code != http.StatusOK {
		t.Fatalf("admin GET subscription: %d %s", code, sub)
	}
	for _, want := range []string{`"nome_razao_social":"Maria Souza"`, `"cpf_cnpj":"111.444.777-35"`, `"vencimento":"dia 10"`,
		`"comprovante_res"`, `"comprovante_rg"`, `"selfie"`} {
		if !bytes.Contains(sub, []byte(want)) {
			t.Errorf("admin subscription lacks %s: %s", want, sub)
		}
	}
	// And its webhooks tell of it as of one made through the API: the
	// sign-up and its documents, then the cold lead.
	want := map[string]bool{"subscription.created": true, "subscription.files_uploaded": true}
	for wait := time.After(30 * time.Second); len(want) > 0; {
		select {
		case m := <-hooks.got:
			if m.Data["id"] == result.Reference {
				delete(want, m.Type)
			}
		case <-wait:
			t.Fatalf("no webhook of the page's sign-up within 30s for %v", want)
		}
	}

	// So does the cold lead left where there was no coverage.
	if code, list := call(http.MethodGet, "/api/v2/admin/subscriptions", "", nil); code != http.StatusOK ||
		!regexp.MustCompile(`"cold_lead":true[^}]*"nome_razao_social":"Ana Lima"|"nome_razao_social":"Ana Lima"[^}]*"cold_lead":true`).Match(list) {
		t.Errorf("admin subscriptions lack the cold lead: %d %s", code, list)
	}

	// The provider's staff, in its back-office: signs in, finds that
	// sign-up with its documents, and changes a plan's price, which the
	// storefront then serves.
	var office struct {
		Pages int `json:"pages"`
	}
	journey("provedor.mjs", &office, "EMAIL="+demoProviderUser, "PASSWORD="+demoProviderPassword,
		"REFERENCE="+result.Reference, "PLAN=Fibra 300", "PRICE=89,90")
	t.Logf("axe-core checked %d back-office pages", office.Pages)
	if code, plans := call(http.MethodGet, "/api/v2/providers/plans", demoOrigin, nil); code != http.StatusOK ||
		!regexp.MustCompile(`"nome":"Fibra 300"[^}]*"mensalidade":"89.9"|"mensalidade":"89.9"[^}]*"nome":"Fibra 300"`).Match(plans) {
		t.Errorf("the storefront's plans after the back-office's change: %d %s", code, plans)
	}
}

// browserJourney runs one e2e script (in dir, with env) and decodes the
// JSON line it prints last into result.
func browserJourney(t *testing.T, ctx context.Context, node, dir, script string, result any, env ...string) {
	t.Helper()
	scriptCtx, stop := context.WithTimeout(ctx, 3*time.Minute)
	defer stop()
	cmd := exec.CommandContext(scriptCtx, node, filepath.Join(dir, script))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s\n%s", script, err, out.String(), errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), result); err != nil {
		t.Fatalf("%s printed %q", script, out.String())
	}
}
