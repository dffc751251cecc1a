package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestCompaniesCommands creates an account pair, users and a token from the
// CLI, uses the token on the API, revokes it, and loads the demo twice.
func TestCompaniesCommands(t *testing.T) {
	ctx := context.Background()
	cli := newTestCLI(t, t.TempDir(), "")
	cli.run("account", "create", "--name", "Gestora", "--type", "gestao")
	cli.run("account", "create", "--name", "Cliente", "--type", "cliente", "--manager", "Gestora")
	if _, err := cli.try("account", "create", "--name", "Outra", "--type", "gestao", "--manager", "Gestora"); err == nil {
		t.Error("a gestao account managed by another was accepted")
	}
	cli.run("user", "create", "--email", "g@example.com", "--password", "senha-forte-1", "--account", "Gestora")
	cli.run("user", "create", "--email", "root@example.com", "--password", "senha-forte-1", "--super-admin")
	if _, err := cli.try("user", "create", "--email", "x@example.com", "--password", "senha-forte-1"); err == nil {
		t.Error("a user with neither account nor super admin was accepted")
	}
	token := cli.run("token", "create", "--email", "g@example.com")
	if strings.ContainsAny(token, " \n") || len(token) < 40 {
		t.Fatalf("token output = %q", token)
	}

	a := testApp(t, ctx, cli.dir)
	h := testHandler(t, ctx, a.companiesSurface)
	status := func() int {
		req := httptest.NewRequest(http.MethodGet, "/api/v4/companies", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := status(); got != http.StatusNoContent {
		t.Errorf("with a CLI token: %d, want 204 (no companies yet)", got)
	}
	cli.run("token", "revoke", token)
	if got := status(); got != http.StatusUnauthorized {
		t.Errorf("after revoke: %d", got)
	}
	if _, err := cli.try("token", "revoke", token); err == nil {
		t.Error("revoking twice succeeded")
	}

	// A demo load that stopped after its first step, then two full loads:
	// the client account ends up with the three demo companies, once.
	cli.run("account", "create", "--name", demoManagerAccount, "--type", "gestao")
	clientToken := regexp.MustCompile(`cliente +(\S+)`)
	for range 2 {
		var out strings.Builder
		if err := a.loadCompaniesDemo(ctx, &out, "http://x"); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"/api/v4/auth/login", "-X PUT", "-X DELETE", "/api/v4/audit-log"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("demo output lacks %q: %s", want, out.String())
			}
		}
		m := clientToken.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no client token in %s", out.String())
		}
		req := httptest.NewRequest(http.MethodGet, "/api/v4/companies", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var page struct{ Total int }
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Total != 3 {
			t.Errorf("client's demo companies: %d %s", rec.Code, rec.Body)
		}
	}
}
