package admin_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/admin"
	"partnership-service/internal/audit"
	"partnership-service/internal/blob"
	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/geo"
	"partnership-service/internal/loja"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/web"
	"partnership-service/internal/web/webtest"
	"partnership-service/internal/webauth"
)

// console is the operator console and the storefront pages, served by the
// real handlers over a real SQLite file, with a provider and a plan. The
// session is webauth's in production; here a header names the signed-in
// user's realm (none: the way to the login).
type console struct {
	t       *testing.T
	svc     *storefront.Service
	gd      *energy.CatalogService
	pk      *energy.PartnerService
	co      *companies.Service
	log     *audit.Log
	browser *webtest.Browser
	realm   webauth.Realm
	prov    storefront.Provider
	plan    int64
}

// realmHeader names the signed-in user's realm in a test request.
const realmHeader = "X-Test-Realm"

const operator = "ops@example.com"

func newConsole(t *testing.T) *console {
	t.Helper()
	stores := testdb.SQLite(t)
	blobs, err := blob.NewDir(t.TempDir())
	must(t, err)
	svc := storefront.NewService(stores.Storefront(), blobs, nil, 1<<20)
	csrf := webtest.NewCSRF()
	dir, err := geo.Load()
	must(t, err)
	gd, err := energy.NewCatalogService(context.Background(), stores.EnergyCatalog(), dir, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	must(t, err)
	c := &console{t: t, svc: svc, gd: gd, pk: energy.NewPartnerService(stores.EnergyPartners(), time.Now),
		log: audit.NewLog(stores.Audit(), nil), realm: webauth.RealmOperator}
	c.co = companies.NewService(stores.Companies(), dir, time.Now)
	h, err := admin.New(admin.Config{Storefront: svc, Catalog: gd, Partners: c.pk, Companies: c.co, Audit: c.log, CSRF: csrf, Require: c.require})
	must(t, err)
	shop, err := loja.New(svc, csrf, nil)
	must(t, err)
	srv := webtest.Server(t, web.Surface("admin", admin.Prefixes, h.Routes), web.Surface("loja", loja.Prefixes, shop.Routes))
	c.browser = webtest.NewBrowser(t, srv.URL)

	ctx := context.Background()
	c.prov, err = svc.CreateProvider(ctx, "Fibra Exemplo", "https://fibra.example", "fibra")
	must(t, err)
	plan, err := svc.SavePlan(ctx, c.prov.ID, storefront.Plan{Name: "Fibra 300", MonthlyPriceCents: 9990, DownloadSpeed: 300})
	must(t, err)
	c.plan = plan.ID
	return c
}

func (c *console) require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		realm := webauth.Realm(r.Header.Get(realmHeader))
		if realm == "" {
			http.Redirect(w, r, admin.Base+"entrar", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(webauth.WithUser(r.Context(), webauth.User{ID: 1, Realm: realm, Email: operator})))
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// do sends a request as the console's user and returns the status and the
// body, or the Location of a redirect.
func (c *console) do(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	c.signIn()
	return c.browser.Form(method, path, form).Page()
}

// signIn makes the browser's requests the console user's (none: signed
// out).
func (c *console) signIn() { c.browser.Header.Set(realmHeader, string(c.realm)) }

// post submits a form with the token the page at from carries.
func (c *console) post(from, path string, form url.Values) (int, string) {
	c.t.Helper()
	c.signIn()
	return c.browser.Submit(from, path, form).Page()
}

func (c *console) entries() []audit.Entry {
	c.t.Helper()
	got, _, err := c.log.Page(context.Background(), 0, 100)
	must(c.t, err)
	return got
}

func (c *console) providerPath() string {
	return "/admin/provedores/" + strconv.FormatInt(c.prov.ID, 10)
}

func (c *console) planPath() string {
	return c.providerPath() + "/planos/" + strconv.FormatInt(c.plan, 10)
}

// TestPlanPrice: an operator changes a plan's price; the storefront shows
// it at once, the trail records before → after, and a bad price gets the
// admin API's message next to its field with nothing saved.
func TestPlanPrice(t *testing.T) {
	c := newConsole(t)
	if code, page := c.do(http.MethodGet, "/loja/fibra", nil); code != http.StatusOK || !strings.Contains(page, "R$ 99,90") {
		t.Fatalf("storefront before: %d", code)
	}
	form := func(price string) url.Values {
		return url.Values{"nome": {"Fibra 300"}, "mensalidade": {price}, "velocidade_download": {"300"}, "velocidade_upload": {"0"}}
	}
	code, page := c.post(c.planPath(), c.planPath(), form("abc"))
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "deve ser um valor como 29.90") ||
		!strings.Contains(page, `id="f-mensalidade-erro"`) || len(c.entries()) != 0 {
		t.Fatalf("bad price: %d, %d entries\n%s", code, len(c.entries()), page)
	}
	code, page = c.post(c.planPath(), c.planPath(), url.Values{"nome": {"Fibra 300"}, "mensalidade": {"10"}, "velocidade_download": {"muito"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "não é válido") {
		t.Fatalf("bad speed: %d\n%s", code, page)
	}
	if code, to := c.post(c.planPath(), c.planPath(), form("119,90")); code != http.StatusSeeOther || to != c.providerPath()+"#planos" {
		t.Fatalf("save: %d %s", code, to)
	}
	if code, page := c.do(http.MethodGet, "/loja/fibra", nil); code != http.StatusOK || !strings.Contains(page, "R$ 119,90") {
		t.Fatalf("storefront after: %d", code)
	}
	got := c.entries()
	if len(got) != 1 || got[0].Actor != operator || got[0].Action != "Plano alterado" || got[0].Subject != "Fibra Exemplo · Fibra 300" ||
		len(got[0].Changes) != 1 || got[0].Changes[0] != (audit.Change{Field: "Mensalidade (R$)", Before: "99,90", After: "119,90"}) {
		t.Fatalf("trail: %+v", got)
	}
	// The trail's page shows it.
	if code, page := c.do(http.MethodGet, "/admin/auditoria", nil); code != http.StatusOK ||
		!strings.Contains(page, "Plano alterado") || !strings.Contains(page, "99,90") || !strings.Contains(page, "119,90") {
		t.Fatalf("audit page: %d\n%s", code, page)
	}
}

// TestProviders: create (with the service's messages on bad input),
// rename, add an origin; each change in the trail.
func TestProviders(t *testing.T) {
	c := newConsole(t)
	code, page := c.post("/admin/provedores", "/admin/provedores", url.Values{"nome": {""}, "origin": {"ftp://x"}, "slug": {"Não"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "deve ser uma origem http(s)") ||
		!strings.Contains(page, "não pode ficar em branco") || !strings.Contains(page, "letras minúsculas") {
		t.Fatalf("bad provider: %d\n%s", code, page)
	}
	code, page = c.post("/admin/provedores", "/admin/provedores", url.Values{"nome": {"Outra"}, "origin": {"https://outra.example"}, "slug": {"fibra"}})
	if code != http.StatusConflict || !strings.Contains(page, "já está em uso") {
		t.Fatalf("taken slug: %d\n%s", code, page)
	}
	code, to := c.post("/admin/provedores", "/admin/provedores", url.Values{"nome": {"Nova Net"}, "origin": {"https://nova.example"}, "slug": {"nova"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(to, "/admin/provedores/") {
		t.Fatalf("create: %d %s", code, to)
	}
	if code, _ := c.post(to, to, url.Values{"nome": {"Nova Net Fibra"}, "slug": {"nova"}}); code != http.StatusSeeOther {
		t.Fatalf("rename: %d", code)
	}
	if code, page := c.post(to, to+"/origens", url.Values{"url": {"https://fibra.example"}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "já está em uso") {
		t.Fatalf("origin taken: %d\n%s", code, page)
	}
	if code, _ := c.post(to, to+"/origens", url.Values{"url": {"https://www.nova.example"}}); code != http.StatusSeeOther {
		t.Fatalf("add origin: %d", code)
	}
	if code, page := c.do(http.MethodGet, "/admin/provedores", nil); code != http.StatusOK || !strings.Contains(page, "Nova Net Fibra") {
		t.Fatalf("list: %d", code)
	}
	// Origins go, but not the last.
	id, _ := strconv.ParseInt(strings.TrimPrefix(to, "/admin/provedores/"), 10, 64)
	cat, err := c.svc.Catalog(context.Background(), id)
	must(t, err)
	if len(cat.Origins) != 2 {
		t.Fatalf("origins: %+v", cat.Origins)
	}
	if code, _ := c.post(to, to+"/origens/"+itoa(cat.Origins[1].ID)+"/remover", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("remove an origin: %d", code)
	}
	code, page = c.post(to, to+"/origens/"+itoa(cat.Origins[0].ID)+"/remover", url.Values{})
	if code != http.StatusConflict || !strings.Contains(page, "a última origem do provedor não pode ser removida") {
		t.Fatalf("remove the last origin: %d\n%s", code, page)
	}
	got := c.entries()
	want := []string{"Origem removida", "Origem adicionada", "Provedor alterado", "Provedor criado"}
	if len(got) != len(want) {
		t.Fatalf("trail: %+v", got)
	}
	for i, e := range got {
		if e.Action != want[i] {
			t.Errorf("entry %d: %+v, want %s", i, e, want[i])
		}
	}
	if ch := got[2].Changes; len(ch) != 1 || ch[0] != (audit.Change{Field: "Nome", Before: "Nova Net", After: "Nova Net Fibra"}) {
		t.Errorf("rename recorded as %+v", ch)
	}
}

var tokenPattern = regexp.MustCompile(`sfa_[A-Za-z0-9_-]{20,}`)

// TestTokens: a token is shown once, works in the admin API's sense, never
// lands in the trail, and is revoked at once.
func TestTokens(t *testing.T) {
	c := newConsole(t)
	code, page := c.post(c.providerPath(), c.providerPath()+"/tokens", url.Values{})
	token := tokenPattern.FindString(page)
	if code != http.StatusOK || token == "" || !strings.Contains(page, "não será mostrado de novo") {
		t.Fatalf("issue: %d\n%s", code, page)
	}
	ctx := context.Background()
	if id, err := c.svc.Authenticate(ctx, token); err != nil || id != c.prov.ID {
		t.Fatalf("the token does not work: %d %v", id, err)
	}
	if _, page := c.do(http.MethodGet, c.providerPath(), nil); strings.Contains(page, token) {
		t.Fatal("the token is shown again")
	}
	tokens, err := c.svc.Tokens(ctx, c.prov.ID)
	must(t, err)
	id := storefront.TokenID(tokens[0])
	if code, _ := c.post(c.providerPath(), c.providerPath()+"/tokens/"+id+"/revogar", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if _, err := c.svc.Authenticate(ctx, token); err == nil {
		t.Fatal("a revoked token still works")
	}
	code, page = c.post(c.providerPath(), c.providerPath()+"/tokens/"+id+"/revogar", url.Values{})
	if code != http.StatusConflict || !strings.Contains(page, "já expirou ou foi revogado") {
		t.Fatalf("revoke twice: %d\n%s", code, page)
	}
	got := c.entries()
	if len(got) != 2 || got[0].Action != "Token de administração revogado" || got[1].Action != "Token de administração emitido" {
		t.Fatalf("trail: %+v", got)
	}
	for _, e := range got {
		for _, ch := range e.Changes {
			if strings.Contains(e.Subject+ch.Before+ch.After, token) || strings.Contains(e.Subject+ch.Before+ch.After, "sfa_") {
				t.Errorf("the trail holds the token: %+v", e)
			}
		}
	}
}

// TestRefused: what the console refuses, and how: no session, another
// realm's user, a form without its token, malformed or unknown input.
func TestRefused(t *testing.T) {
	c := newConsole(t)
	for _, tc := range []struct {
		name         string
		realm        webauth.Realm
		method, path string
		form         url.Values
		want         int
	}{
		{"no session: to the login", "", http.MethodGet, "/admin/provedores", nil, http.StatusSeeOther},
		{"a partner's user", webauth.RealmPartner, http.MethodGet, "/admin/provedores", nil, http.StatusNotFound},
		{"a provider's user", webauth.RealmProvider, http.MethodPost, "/admin/provedores", url.Values{"nome": {"X"}}, http.StatusNotFound},
		{"a form without its token", webauth.RealmOperator, http.MethodPost, "/admin/provedores",
			url.Values{"nome": {"X"}, "origin": {"https://x.example"}}, http.StatusForbidden},
		{"a form with another token", webauth.RealmOperator, http.MethodPost, "/admin/provedores",
			url.Values{"nome": {"X"}, "origin": {"https://x.example"}, "csrf": {"forged"}}, http.StatusForbidden},
		{"an oversized form", webauth.RealmOperator, http.MethodPost, "/admin/provedores",
			url.Values{"nome": {strings.Repeat("x", 70<<10)}}, http.StatusRequestEntityTooLarge},
		{"an unknown provider", webauth.RealmOperator, http.MethodGet, "/admin/provedores/999", nil, http.StatusNotFound},
		{"a provider id that is no number", webauth.RealmOperator, http.MethodGet, "/admin/provedores/abc", nil, http.StatusNotFound},
		{"an unknown plan", webauth.RealmOperator, http.MethodGet, "/admin/provedores/" + strconv.FormatInt(c.prov.ID, 10) + "/planos/999", nil, http.StatusNotFound},
		{"a malformed audit page", webauth.RealmOperator, http.MethodGet, "/admin/auditoria?pagina=-1", nil, http.StatusBadRequest},
		{"an unknown page", webauth.RealmOperator, http.MethodGet, "/admin/nada", nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.realm = tc.realm
			if code, body := c.do(tc.method, tc.path, tc.form); code != tc.want {
				t.Errorf("%s %s: %d, want %d\n%s", tc.method, tc.path, code, tc.want, body)
			}
		})
	}
	if got := c.entries(); len(got) != 0 {
		t.Errorf("refused requests left entries: %+v", got)
	}
	// The trail pages: 50 a page, newest first.
	c.realm = webauth.RealmOperator
	for i := range 51 {
		must(t, c.log.Record(context.Background(), audit.Entry{Actor: operator, Action: "Teste " + strconv.Itoa(i)},
			func(context.Context) error { return nil }))
	}
	_, first := c.do(http.MethodGet, "/admin/auditoria", nil)
	_, second := c.do(http.MethodGet, "/admin/auditoria?pagina=2", nil)
	if !strings.Contains(first, "Teste 50") || strings.Contains(first, "Teste 0<") || !strings.Contains(first, `href="/admin/auditoria?pagina=2"`) ||
		!strings.Contains(second, "Teste 0<") || strings.Contains(second, "Teste 50") {
		t.Errorf("paging:\n%s\n%s", first, second)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
