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

// browserJourney is one script of e2e/ and what the test does around it
// on the live service: prepare runs first and returns the script's own
// environment and the check of what the script reported.
type browserJourney struct {
	name, script string
	prepare      func(t *testing.T, d *liveDemo) (env []string, check func(result scriptResult))
}

// scriptResult is what a script of e2e/ reports: the JSON object it
// prints last.
type scriptResult struct {
	Pages     int    `json:"pages"`     // every script: the pages axe-core checked
	Reference string `json:"reference"` // storefront.mjs: the subscription it signed up
	Lead      string `json:"lead"`      // console.mjs: the lead it created
	Price     string `json:"price"`     // admin.mjs: the plan's price the storefront showed after its change
	Key       string `json:"key"`       // admin.mjs: the partner key it issued and revoked
}

// browserJourneys are the pages' journeys, each run on its own fresh
// service.
var browserJourneys = []browserJourney{storefrontJourney, partnerJourney, operatorJourney}

// TestPagesInABrowser (issue 15): each journey runs against the real
// service on a fresh SQLite file with the demo data, in Debian's Chromium
// driven by Playwright, with axe-core on every page and no CSP violation
// allowed. UPDATE_SCREENSHOTS=1 rewrites docs/screenshots.
func TestPagesInABrowser(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	_, chromiumErr := os.Stat(chromiumPath)
	_, modulesErr := os.Stat(filepath.Join(root, "e2e", "node_modules", "playwright-core"))
	node, nodeErr := exec.LookPath("node")
	testkit.SkipUnlessPresent(t, chromiumErr == nil && modulesErr == nil && nodeErr == nil,
		"browser tests need Chromium, Node.js and e2e's modules: apt-get install -y chromium nodejs npm && (cd e2e && npm ci)")
	shots := ""
	if os.Getenv("UPDATE_SCREENSHOTS") != "" {
		shots = filepath.Join(root, "docs", "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, j := range browserJourneys {
		t.Run(j.name, func(t *testing.T) {
			d := startDemo(t)
			// run runs one script of e2e/ on d and returns what it
			// reported.
			d.run = func(script string, env ...string) scriptResult {
				t.Helper()
				ctx, stop := context.WithTimeout(t.Context(), 3*time.Minute)
				defer stop()
				cmd := exec.CommandContext(ctx, node, filepath.Join(root, "e2e", script))
				cmd.Dir = filepath.Join(root, "e2e")
				cmd.Env = append(append(os.Environ(), "BASE_URL="+d.base, "CHROMIUM="+chromiumPath, "SCREENSHOTS="+shots), env...)
				var out, errOut bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errOut
				if err := cmd.Run(); err != nil {
					t.Fatalf("browser script %s: %v\n%s\n%s", script, err, out.String(), errOut.String())
				}
				lines := strings.Split(strings.TrimSpace(out.String()), "\n")
				var result scriptResult
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &result); err != nil {
					t.Fatalf("browser script %s printed %q", script, lines[len(lines)-1])
				}
				t.Logf("%s: axe-core checked %d pages", script, result.Pages)
				return result
			}
			env, check := j.prepare(t, d)
			check(d.run(j.script, env...))
		})
	}
}

// liveDemo is the service running with the demo data.
type liveDemo struct {
	base, dataDir string
	// token is the demo provider's admin token, from the demo's output.
	token string
	// run runs a script of e2e/ on this service (a journey may run
	// another after its own); it returns what the script reported.
	run func(script string, env ...string) scriptResult
}

// startDemo runs serve --demo on a fresh data directory until the test
// ends.
func startDemo(t *testing.T) *liveDemo {
	t.Helper()
	addr := freeAddr(t)
	d := &liveDemo{base: "http://" + addr, dataDir: t.TempDir()}
	env, stdout, stderr := testEnv(nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, []string{"--data-dir", d.dataDir, "serve", "--demo", "--addr", addr}) }()
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
	d.token = m[1]
	return d
}

// call makes an API request: with the provider's token, or from origin
// when one is given.
func (d *liveDemo) call(t *testing.T, method, path, origin string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	auth := []string{"Authorization", "Bearer " + d.token}
	if origin != "" {
		auth = []string{"Origin", origin}
	}
	return liveCall(t, method, d.base+path, r, append(auth, "Content-Type", "application/json")...)
}

// storefrontJourney (e2e/storefront.mjs): on a 375×812 phone, a visitor
// picks a plan, applies the coupon, passes the coverage check, gets the
// API's message for a wrong CPF, fixes it, sends three documents and
// reaches the confirmation; the subscription is then in the provider's
// admin API and its webhooks, like one made through the API, and so is
// the cold lead left where there was no coverage. Then the provider's
// staff signs into the back-office, opens that subscription and changes a
// plan's price, which the storefront serves (e2e/provedor.mjs).
var storefrontJourney = browserJourney{name: "storefront", script: "storefront.mjs", prepare: prepareStorefront}

func prepareStorefront(t *testing.T, d *liveDemo) ([]string, func(scriptResult)) {
	// The pages check coverage by CEP; the demo covers Batel by polygon,
	// so the provider adds Batel's CEPs, as it would through its admin API.
	if code, b := d.call(t, http.MethodPost, "/api/v2/admin/coverage_areas", "", map[string]any{
		"nome": "Batel (CEPs)", "cep_inicio": "80420-000", "cep_fim": "80440-999"}); code != http.StatusCreated {
		t.Fatalf("add coverage: %d %s", code, b)
	}
	// The provider listens to its webhooks (--demo allows a local receiver).
	hooks := newReceiver(t)
	(&client{t: t, base: d.base, key: d.token}).registerAt("/api/v2/admin/webhook-endpoints", hooks,
		"subscription.created", "subscription.files_uploaded")
	// What the API answers for the wrong CPF the visitor types.
	_, b := d.call(t, http.MethodPost, "/api/v2/subscriptions", demoOrigin, map[string]any{"plan_id": 1,
		"subscription": map[string]any{"cpf_cnpj": "111.444.777-00", "cep": "80420-090"}})
	var apiErr struct {
		Errors map[string][]string `json:"errors"`
	}
	if json.Unmarshal(b, &apiErr) != nil || len(apiErr.Errors["cpf_cnpj"]) != 1 {
		t.Fatalf("API's answer to the wrong CPF: %s", b)
	}
	env := []string{"SLUG=" + demoSlug, "CPF_MESSAGE=" + apiErr.Errors["cpf_cnpj"][0]}
	return env, func(result scriptResult) {
		if result.Reference == "" {
			t.Fatalf("storefront.mjs reported no subscription: %+v", result)
		}
		t.Logf("subscription %s", result.Reference)

		// The provider sees the sign-up like one made through the API.
		code, sub := d.call(t, http.MethodGet, "/api/v2/admin/subscriptions/"+result.Reference, "", nil)
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
		// sign-up and its documents.
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
		if code, list := d.call(t, http.MethodGet, "/api/v2/admin/subscriptions", "", nil); code != http.StatusOK ||
			!regexp.MustCompile(`"cold_lead":true[^}]*"nome_razao_social":"Ana Lima"|"nome_razao_social":"Ana Lima"[^}]*"cold_lead":true`).Match(list) {
			t.Errorf("admin subscriptions lack the cold lead: %d %s", code, list)
		}

		// The provider's staff, in its back-office (e2e/provedor.mjs):
		// signs in, finds that sign-up with its documents, and changes a
		// plan's price, which the storefront then serves.
		d.run("provedor.mjs", "EMAIL="+demoProviderUser, "PASSWORD="+demoProviderPassword,
			"REFERENCE="+result.Reference, "PLAN=Fibra 300", "PRICE=89,90")
		if code, plans := d.call(t, http.MethodGet, "/api/v2/providers/plans", demoOrigin, nil); code != http.StatusOK ||
			!regexp.MustCompile(`"nome":"Fibra 300"[^}]*"mensalidade":"89.9"|"mensalidade":"89.9"[^}]*"nome":"Fibra 300"`).Match(plans) {
			t.Errorf("the storefront's plans after the back-office's change: %d %s", code, plans)
		}
	}
}
