package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// storefrontHandler opens the app on dataDir and returns the real handler
// with the storefront surface.
func storefrontHandler(t *testing.T, dataDir string) http.Handler {
	t.Helper()
	ctx := context.Background()
	a := testApp(t, ctx, dataDir)
	h := testHandler(t, ctx, a.storefrontSurface)
	return h
}

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestProviderCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	env, stdout, _ := testEnv(nil)
	if err := run(ctx, env, []string{"provider", "create", "--name", "Fibra Sul", "--origin", "HTTPS://Loja.FibraSul.com.br/", "--slug", "fibra-sul", "--data-dir", dir}); err != nil {
		t.Fatal(err)
	}
	if id, err := strconv.ParseInt(strings.TrimSpace(stdout.String()), 10, 64); err != nil || id <= 0 {
		t.Fatalf("create printed %q, want the provider id alone", stdout)
	}

	env, stdout, _ = testEnv(nil)
	if err := run(ctx, env, []string{"provider", "token", "--origin", "https://loja.fibrasul.com.br", "--data-dir", dir}); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSuffix(stdout.String(), "\n")
	if !strings.HasPrefix(token, "sfa_") || strings.ContainsAny(token, " \n") {
		t.Fatalf("token printed %q, want the token alone", stdout)
	}

	// The token opens the provider's admin API; the origin its storefront.
	h := storefrontHandler(t, dir)
	if rec := get(t, h, "/api/v2/admin/provider", "Authorization", "Bearer "+token); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"nome":"Fibra Sul"`) ||
		!strings.Contains(rec.Body.String(), `"slug":"fibra-sul"`) {
		t.Fatalf("admin with the new token: %d %s", rec.Code, rec.Body)
	}
	if rec := get(t, h, "/api/v2/providers", "Origin", "https://loja.fibrasul.com.br"); rec.Code != http.StatusOK {
		t.Fatalf("storefront: %d %s", rec.Code, rec.Body)
	}

	// Revoked (issue 10 #7): refused at once, by the same running handler.
	env, stdout, _ = testEnv(nil)
	if err := run(ctx, env, []string{"provider", "token", "revoke", token, "--data-dir", dir}); err != nil || stdout.String() != "revoked\n" {
		t.Fatalf("provider token revoke: %v, %q", err, stdout)
	}
	if rec := get(t, h, "/api/v2/admin/provider", "Authorization", "Bearer "+token); rec.Code != http.StatusUnauthorized {
		t.Fatalf("admin with the revoked token: %d %s", rec.Code, rec.Body)
	}
	if err := run(ctx, env, []string{"provider", "token", "revoke", token, "--data-dir", dir}); err == nil {
		t.Fatal("revoking twice succeeded")
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"origin taken", []string{"provider", "create", "--name", "Outro", "--origin", "https://loja.fibrasul.com.br"}, "origin"},
		{"bad origin", []string{"provider", "create", "--name", "Outro", "--origin", "loja"}, "origin"},
		{"slug taken", []string{"provider", "create", "--name", "Outro", "--origin", "https://outro.example", "--slug", "fibra-sul"}, "slug"},
		{"bad slug", []string{"provider", "create", "--name", "Outro", "--origin", "https://outro.example", "--slug", "Fibra Sul"}, "slug"},
		{"token for an unknown origin", []string{"provider", "token", "--origin", "https://nada.example"}, "provedor não encontrado"},
		{"no subcommand", []string{"provider"}, "create, token or user"},
		{"missing name", []string{"provider", "create", "--origin", "https://x.example"}, "--name is required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, stdout, _ := testEnv(nil)
			err := run(ctx, env, append(tt.args, "--data-dir", dir))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if stdout.String() != "" {
				t.Errorf("printed %q on failure", stdout)
			}
		})
	}
}

func TestStorefrontDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	a := testApp(t, ctx, dir)
	var out strings.Builder
	for range 2 { // loading twice is harmless
		out.Reset()
		if err := a.loadStorefrontDemo(ctx, &out, "http://127.0.0.1:8080"); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"curl -H 'Origin: http://localhost:8080' http://127.0.0.1:8080/api/v2/providers",
		"/api/v2/subscriptions", "Authorization: Bearer sfa_"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	svc := a.storefrontService()
	c, _, err := svc.CatalogByOrigin(ctx, demoOrigin)
	if err != nil {
		t.Fatal(err)
	}
	coupons, err := svc.Coupons(ctx, c.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Categories) != 2 || len(c.Plans) != 3 || len(coupons) != 1 || len(c.Coverage) != 1 {
		t.Fatalf("demo catalog: %d categories, %d plans, %d coupons, %d areas", len(c.Categories), len(c.Plans), len(coupons), len(c.Coverage))
	}

	// What the issue asks to show: the demo provider with its categories and plans.
	h := storefrontHandler(t, dir)
	rec := get(t, h, "/api/v2/providers", "Origin", "http://localhost:8080")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"categories":[{"nome":"Plano Pessoal"`) ||
		!strings.Contains(rec.Body.String(), `"nome":"Fibra 300"`) {
		t.Fatalf("GET /api/v2/providers: %d %s", rec.Code, rec.Body)
	}
	// The printed subscription is inside the Batel polygon.
	req := httptest.NewRequest(http.MethodPost, "/api/v2/subscriptions", strings.NewReader(`{"plan_id":`+strconv.FormatInt(c.Plans[0].ID, 10)+
		`,"subscription":{"pre_subscription":true,"nome_razao_social":"Maria Souza","telefone_celular":"(41) 99891-6002","rua":"Av. do Batel","cep":"80420-090","cidade":"Curitiba","coordinates":{"lat":"-25.4425","lng":"-49.2880"}}}`))
	req.Header.Set("Origin", "http://localhost:8080")
	req.Header.Set("Content-Type", "application/json")
	res := httptest.NewRecorder()
	h.ServeHTTP(res, req)
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), `"coverage":true`) {
		t.Fatalf("demo subscription: %d %s", res.Code, res.Body)
	}
}
