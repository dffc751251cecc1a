package provedor_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"partnership-service/internal/blob"
	"partnership-service/internal/provedor"
	"partnership-service/internal/server"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/upload"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

const password = "senha-do-provedor-1"

// office is the back-office over a real SQLite file, with two providers,
// each with a user, a plan, a coupon and subscriptions.
type office struct {
	t     *testing.T
	srv   *httptest.Server
	svc   *storefront.Service
	a, b  tenant
	users map[string]int64 // e-mail → provider id
}

type tenant struct {
	id, plan, coupon int64
	cold, full, bare string // subscriptions: a cold lead, one with its documents, one without
}

func newOffice(t *testing.T) *office {
	t.Helper()
	stores := testdb.SQLite(t)
	blobs, err := blob.NewDir(t.TempDir())
	must(t, err)
	svc := storefront.NewService(stores.Storefront(), blobs, nil, 1<<20)
	csrf := web.NewCSRF([]byte("test key test key test key test!"), false)
	auth := webauth.NewService(stores.WebAuth(), nil, nil)
	sessions := webauth.NewSessions(auth, csrf, webauth.SessionConfig{Realm: webauth.RealmProvider, Base: provedor.Base})
	h, err := provedor.New(svc, sessions, csrf)
	must(t, err)
	handler, err := server.New(server.Config{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Surfaces: []server.Surface{
		{Name: "provedor", Prefixes: provedor.Prefixes, Render: web.Render, Routes: h.Routes},
	}})
	must(t, err)
	o := &office{t: t, srv: httptest.NewServer(handler), svc: svc, users: map[string]int64{}}
	t.Cleanup(o.srv.Close)
	o.a, o.b = o.tenant("Fibra A", "a"), o.tenant("Fibra B", "b")
	for email, pid := range map[string]int64{"ana@fibra-a.example": o.a.id, "beto@fibra-b.example": o.b.id} {
		_, err := auth.CreateUser(t.Context(), webauth.NewUser{Realm: webauth.RealmProvider, OwnerID: pid, Email: email, Password: password})
		must(t, err)
		o.users[email] = pid
	}
	return o
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func opt[T any](v T) storefront.Opt[T] { return storefront.Opt[T]{Set: true, Value: v} }

// tenant creates a provider with a category, Pix, a plan, a coupon and
// three subscriptions named "<Status> <suffix>".
func (o *office) tenant(name, suffix string) tenant {
	t, ctx := o.t, o.t.Context()
	p, err := o.svc.CreateProvider(ctx, name, "https://"+suffix+".example", "")
	must(t, err)
	cat, err := o.svc.SaveItem(ctx, storefront.Categories, p.ID, storefront.Item{Name: "Residencial " + suffix})
	must(t, err)
	pix, err := o.svc.SaveItem(ctx, storefront.PaymentMethods, p.ID, storefront.Item{Name: "Pix"})
	must(t, err)
	plan, err := o.svc.SavePlan(ctx, p.ID, storefront.Plan{Name: "Plano " + suffix, MonthlyPriceCents: 9990, DownloadSpeed: 300,
		CategoryIDs: []int64{cat.ID}, PaymentMethodIDs: []int64{pix.ID}})
	must(t, err)
	coupon, err := o.svc.SaveCoupon(ctx, p.ID, storefront.Coupon{Name: "CUPOM" + strings.ToUpper(suffix)})
	must(t, err)
	tn := tenant{id: p.ID, plan: plan.ID, coupon: coupon.ID}
	tn.cold = o.subscribe(p.ID, plan.ID, "Frio "+suffix, true)
	tn.full = o.subscribe(p.ID, plan.ID, "Completa "+suffix, false)
	tn.bare = o.subscribe(p.ID, plan.ID, "Pendente "+suffix, false)
	files := memSource{}
	for _, k := range storefront.FileKinds {
		files["files["+string(k)+"]"] = []byte("%PDF-1.4\n" + string(k) + " de " + suffix + "\n%%EOF\n")
	}
	_, err = o.svc.AttachFiles(ctx, p.ID, tn.full, files)
	must(t, err)
	return tn
}

func (o *office) subscribe(providerID, planID int64, name string, cold bool) string {
	res, err := o.svc.Subscribe(o.t.Context(), providerID, storefront.SubscriptionInput{PreSubscription: true, ColdLead: opt(cold),
		PlanID: opt(planID), Name: opt(name), MobilePhone: opt("(41) 99891-6002"), Street: opt("Av. do Batel"),
		CEP: opt("80420-090"), City: opt("Curitiba")})
	must(o.t, err)
	return res.ID
}

// memSource is an upload of files held in memory: field → content.
type memSource map[string][]byte

func (m memSource) Receive(ctx context.Context, store blob.Store, p upload.Policy) (upload.Result, error) {
	res := upload.Result{Files: map[string]upload.Stored{}}
	for field, b := range m {
		obj, err := store.Put(ctx, bytes.NewReader(b), blob.Limits{MaxBytes: p.MaxFileBytes})
		if err != nil {
			return res, err
		}
		res.Files[field] = upload.Stored{Field: field, FileName: "doc.pdf", Object: obj}
	}
	return res, nil
}

// user is a browser signed in as one provider user.
type user struct {
	o  *office
	hc *http.Client
}

func (o *office) signIn(email string) *user {
	o.t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &user{o: o, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if a := u.post("/provedor/entrar", url.Values{"email": {email}, "password": {password}}); a.status != http.StatusSeeOther {
		o.t.Fatalf("login of %s: %d %s", email, a.status, a.body)
	}
	return u
}

type answer struct {
	status         int
	location, body string
	header         http.Header
}

func (u *user) do(method, path string, body io.Reader, contentType string) answer {
	u.o.t.Helper()
	req, err := http.NewRequest(method, u.o.srv.URL+path, body)
	must(u.o.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := u.hc.Do(req)
	must(u.o.t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b), header: res.Header}
}

func (u *user) get(path string) answer {
	u.o.t.Helper()
	return u.do(http.MethodGet, path, nil, "")
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post posts form with the CSRF token of the login page (the visitor's
// token is the same on every page).
func (u *user) post(path string, form url.Values) answer {
	u.o.t.Helper()
	m := csrfField.FindStringSubmatch(u.get("/provedor/entrar").body)
	if m == nil {
		u.o.t.Fatal("no CSRF token on the login page")
	}
	form.Set("csrf", m[1])
	return u.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

func TestAProviderSeesOnlyItsOwn(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")

	list := ana.get("/provedor/assinaturas")
	for _, name := range []string{"Frio a", "Completa a", "Pendente a"} {
		if !strings.Contains(list.body, name) {
			t.Errorf("the list lacks %q", name)
		}
	}
	if strings.Contains(list.body, " b<") || strings.Contains(list.body, "Plano b") {
		t.Errorf("the list shows provider B's subscriptions:\n%s", list.body)
	}
	csv := ana.get("/provedor/assinaturas.csv")
	if csv.status != http.StatusOK || !strings.Contains(csv.body, "Completa a") || strings.Contains(csv.body, "Completa b") {
		t.Errorf("export: %d\n%s", csv.status, csv.body)
	}
	if got := ana.get("/provedor/assinaturas/" + o.a.full + "/arquivos/selfie"); got.status != http.StatusOK || !strings.Contains(got.body, "selfie de a") {
		t.Errorf("her own document: %d %q", got.status, got.body)
	}
	for _, path := range []string{
		"/provedor/assinaturas/" + o.b.full,
		"/provedor/assinaturas/" + o.b.full + "/arquivos/selfie",
		"/provedor/planos/" + strconv.FormatInt(o.b.plan, 10),
		"/provedor/cupons/" + strconv.FormatInt(o.b.coupon, 10),
	} {
		if got := ana.get(path); got.status != http.StatusNotFound {
			t.Errorf("GET %s of provider B: %d", path, got.status)
		}
	}
	if got := ana.post("/provedor/planos/"+strconv.FormatInt(o.b.plan, 10), url.Values{"nome": {"Roubado"}, "mensalidade": {"1"}}); got.status != http.StatusNotFound {
		t.Errorf("saving provider B's plan: %d", got.status)
	}
	if c, _ := o.svc.Catalog(t.Context(), o.b.id); c.Plans[0].Name != "Plano b" {
		t.Errorf("provider B's plan is now %q", c.Plans[0].Name)
	}
	if got := ana.get("/provedor/cupons"); strings.Contains(got.body, "CUPOMB") || !strings.Contains(got.body, "CUPOMA") {
		t.Errorf("coupons list:\n%s", got.body)
	}
}

func TestSubscriptionPages(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")

	for _, tt := range []struct{ status, want string }{
		{"sem_cobertura", "Frio a"}, {"aguardando_documentos", "Pendente a"}, {"completa", "Completa a"},
	} {
		body := ana.get("/provedor/assinaturas?situacao=" + tt.status).body
		for _, name := range []string{"Frio a", "Pendente a", "Completa a"} {
			if strings.Contains(body, name) != (name == tt.want) {
				t.Errorf("status %s: shows %q: %v", tt.status, name, !(name == tt.want))
			}
		}
	}

	detail := ana.get("/provedor/assinaturas/" + o.a.full)
	for _, want := range []string{"Completa a", "Situação:</strong> Completa", "/arquivos/comprovante_res", "/arquivos/selfie", "Plano a"} {
		if !strings.Contains(detail.body, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	bare := ana.get("/provedor/assinaturas/" + o.a.bare)
	if !strings.Contains(bare.body, "Aguardando documentos") || strings.Contains(bare.body, "/arquivos/") || !strings.Contains(bare.body, "pendente") {
		t.Errorf("a subscription without documents:\n%s", bare.body)
	}

	// Paging: 25 a page, newest first, the filter kept.
	for i := range 25 {
		o.subscribe(o.a.id, o.a.plan, fmt.Sprintf("Lote %02d", i), false)
	}
	first := ana.get("/provedor/assinaturas?situacao=aguardando_documentos")
	if !strings.Contains(first.body, "26 assinaturas · página 1 de 2") || !strings.Contains(first.body, "Lote 24") || strings.Contains(first.body, "Pendente a") {
		t.Errorf("page 1:\n%s", first.body)
	}
	next := "/provedor/assinaturas?pagina=2&amp;situacao=aguardando_documentos"
	if !strings.Contains(first.body, next) {
		t.Errorf("page 1 has no link to %s", next)
	}
	if second := ana.get("/provedor/assinaturas?pagina=2&situacao=aguardando_documentos"); !strings.Contains(second.body, "Pendente a") || strings.Contains(second.body, "Lote 24") {
		t.Errorf("page 2:\n%s", second.body)
	}
}

func TestBadInputGets4xxPages(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")
	plan := "/provedor/planos/" + strconv.FormatInt(o.a.plan, 10)
	for _, tt := range []struct {
		name, method, path string
		body               io.Reader
		want               int
	}{
		{"a page of 0", "GET", "/provedor/assinaturas?pagina=0", nil, http.StatusBadRequest},
		{"a page not a number", "GET", "/provedor/assinaturas?pagina=dois", nil, http.StatusBadRequest},
		{"a huge page", "GET", "/provedor/assinaturas?pagina=99999999999999999999", nil, http.StatusBadRequest},
		{"an unknown status", "GET", "/provedor/assinaturas?situacao=paga", nil, http.StatusBadRequest},
		{"not a subscription id", "GET", "/provedor/assinaturas/123", nil, http.StatusNotFound},
		{"an unknown document", "GET", "/provedor/assinaturas/" + o.a.full + "/arquivos/selfie%2F..%2F..", nil, http.StatusNotFound},
		{"a document of another kind", "GET", "/provedor/assinaturas/" + o.a.full + "/arquivos/cnh", nil, http.StatusNotFound},
		{"a missing document", "GET", "/provedor/assinaturas/" + o.a.bare + "/arquivos/selfie", nil, http.StatusNotFound},
		{"a plan id not a number", "GET", "/provedor/planos/um", nil, http.StatusNotFound},
		{"a negative plan id", "GET", "/provedor/planos/-1", nil, http.StatusNotFound},
		{"an unknown coupon", "GET", "/provedor/cupons/999999", nil, http.StatusNotFound},
		{"an unknown page", "GET", "/provedor/nada", nil, http.StatusNotFound},
		{"a post without a token", "POST", plan, strings.NewReader("nome=X&mensalidade=1"), http.StatusForbidden},
		{"an oversized post", "POST", plan, strings.NewReader("nome=" + strings.Repeat("x", 70<<10)), http.StatusRequestEntityTooLarge},
		{"a malformed body", "POST", plan, strings.NewReader("nome=%zz"), http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ct := ""
			if tt.body != nil {
				ct = "application/x-www-form-urlencoded"
			}
			got := ana.do(tt.method, tt.path, tt.body, ct)
			if got.status != tt.want || !strings.HasPrefix(got.header.Get("Content-Type"), "text/html") {
				t.Errorf("%s %s: %d %s, want %d and a page", tt.method, tt.path, got.status, got.header.Get("Content-Type"), tt.want)
			}
		})
	}
	if c, _ := o.svc.Catalog(t.Context(), o.a.id); c.Plans[0].Name != "Plano a" {
		t.Errorf("a refused post changed the plan: %q", c.Plans[0].Name)
	}
}

func TestSignedOutGoesToLogin(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	jar, _ := cookiejar.New(nil)
	anon := &user{o: o, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	got := anon.get("/provedor/assinaturas/" + o.a.full)
	if got.status != http.StatusSeeOther || got.location != "/provedor/entrar?next="+url.QueryEscape("/provedor/assinaturas/"+o.a.full) {
		t.Errorf("signed out: %d %q", got.status, got.location)
	}
	// Another console's realm is not a provider user.
	if a := anon.post("/provedor/entrar", url.Values{"email": {"ana@fibra-a.example"}, "password": {"errada-123"}}); a.status != http.StatusUnauthorized {
		t.Errorf("a wrong password: %d", a.status)
	}
}

func TestPlanForm(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")
	plan := "/provedor/planos/" + strconv.FormatInt(o.a.plan, 10)
	form := func(changes url.Values) url.Values {
		f := url.Values{"nome": {"Plano a"}, "mensalidade": {"99,90"}, "velocidade_download": {"300"}}
		for k, v := range changes {
			f[k] = v
		}
		return f
	}
	page := ana.get(plan)
	for _, want := range []string{`value="Plano a"`, `value="99,90"`, `value="300"`, "Residencial a"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}

	for _, tt := range []struct {
		name  string
		form  url.Values
		field string // the input the message is next to
		msg   string
	}{
		// The service's own messages (the admin API answers them too) …
		{"a blank name", form(url.Values{"nome": {"  "}}), "nome", "não pode ficar em branco"},
		{"an unknown category", form(url.Values{"category_ids": {"999999"}}), "category_ids", "999999 não encontrado"},
		{"a negative speed", form(url.Values{"velocidade_upload": {"-5"}}), "velocidade_upload", "não é válido"},
		// … and what the form cannot even read.
		{"a price not a number", form(url.Values{"mensalidade": {"muito"}}), "mensalidade", "deve ser um valor como 29,90"},
		{"a speed not a number", form(url.Values{"velocidade_download": {"rápida"}}), "velocidade_download", "deve ser um número inteiro"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ana.post(plan, tt.form)
			next := `<p class="error" id="f-` + strings.ReplaceAll(tt.field, "_", "-") + `-erro">` + tt.msg
			if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, next) {
				t.Errorf("got %d, want 422 with %q:\n%s", got.status, next, got.body)
			}
		})
	}
	if c, _ := o.svc.Catalog(t.Context(), o.a.id); c.Plans[0].MonthlyPriceCents != 9990 {
		t.Errorf("a refused form changed the price: %d", c.Plans[0].MonthlyPriceCents)
	}

	got := ana.post(plan, form(url.Values{"mensalidade": {"R$ 149,90"}}))
	if got.status != http.StatusSeeOther || got.location != plan+"?salvo=1" {
		t.Fatalf("save: %d %q %s", got.status, got.location, got.body)
	}
	c, _ := o.svc.Catalog(t.Context(), o.a.id)
	if p := c.Plans[0]; p.MonthlyPriceCents != 14990 || len(p.PaymentMethodIDs) != 0 {
		t.Errorf("saved plan: %+v", p)
	}
	if list := ana.get("/provedor/planos"); !strings.Contains(list.body, "R$ 149,90") {
		t.Errorf("the list does not show the new price")
	}

	got = ana.post("/provedor/planos/novo", url.Values{"nome": {"Plano novo"}, "mensalidade": {"59"}})
	if got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/provedor/planos/") {
		t.Fatalf("create: %d %q %s", got.status, got.location, got.body)
	}
	if c, _ := o.svc.Catalog(t.Context(), o.a.id); len(c.Plans) != 2 {
		t.Errorf("plans after create: %d", len(c.Plans))
	}
}

func TestDeletePlansAndCoupons(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")
	id := func(n int64) string { return strconv.FormatInt(n, 10) }

	if page := ana.get("/provedor/planos/" + id(o.a.plan)); !strings.Contains(page.body, `action="/provedor/planos/`+id(o.a.plan)+`/excluir"`) {
		t.Error("the plan's page has no delete form")
	}
	if page := ana.get("/provedor/planos/novo"); strings.Contains(page.body, "/excluir") {
		t.Error("a new plan's page offers to delete it")
	}
	// Subscriptions chose plan a: the service refuses, the form says why.
	got := ana.post("/provedor/planos/"+id(o.a.plan)+"/excluir", url.Values{})
	if got.status != http.StatusConflict || !strings.Contains(got.body, "Plano: está em uso por assinaturas") ||
		!strings.Contains(got.body, `action="/provedor/planos/`+id(o.a.plan)+`"`) {
		t.Errorf("deleting a plan in use: %d\n%s", got.status, got.body)
	}
	for _, path := range []string{"/provedor/planos/" + id(o.b.plan) + "/excluir", "/provedor/planos/novo/excluir",
		"/provedor/cupons/" + id(o.b.coupon) + "/excluir"} {
		if got := ana.post(path, url.Values{}); got.status != http.StatusNotFound {
			t.Errorf("POST %s: %d", path, got.status)
		}
	}
	if got := ana.post("/provedor/cupons/"+id(o.a.coupon)+"/excluir", url.Values{}); got.status != http.StatusSeeOther || got.location != "/provedor/cupons?excluido=1" {
		t.Fatalf("deleting an unused coupon: %d %q", got.status, got.location)
	}
	if list := ana.get("/provedor/cupons"); strings.Contains(list.body, "CUPOMA") {
		t.Errorf("the deleted coupon is still listed")
	}
	if _, err := o.svc.Coupon(t.Context(), o.b.id, o.b.coupon); err != nil {
		t.Errorf("provider B's coupon: %v", err)
	}
}

func TestCouponForm(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")
	for _, tt := range []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"a name taken", url.Values{"name": {"cupoma"}}, "name", "já está em uso"},
		{"an end before the start", url.Values{"name": {"X"}, "valid_from": {"10/12/2026"}, "valid_until": {"01/12/2026"}}, "valid_until", "deve ser depois de valid_from"},
		{"a date not a date", url.Values{"name": {"X"}, "valid_from": {"31/02/2026"}}, "valid_from", "deve ser uma data como 31/12/2026"},
		{"a limit not a number", url.Values{"name": {"X"}, "max_redemptions": {"dez"}}, "max_redemptions", "deve ser um número inteiro"},
		{"another provider's plan", url.Values{"name": {"X"}, "plan_ids": {strconv.FormatInt(o.b.plan, 10)}}, "plan_ids", "não encontrado"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ana.post("/provedor/cupons/novo", tt.form)
			next := `<p class="error" id="f-` + strings.ReplaceAll(tt.field, "_", "-") + `-erro">`
			if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, next) || !strings.Contains(got.body, tt.msg) {
				t.Errorf("got %d, want 422 with %q at %s:\n%s", got.status, tt.msg, tt.field, got.body)
			}
		})
	}
	got := ana.post("/provedor/cupons/novo", url.Values{"name": {"NATAL"}, "valid_from": {"01/12/2026"}, "valid_until": {"31/12/2026"},
		"max_redemptions": {"50"}, "plan_ids": {strconv.FormatInt(o.a.plan, 10)}})
	if got.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", got.status, got.body)
	}
	page := ana.get(got.location)
	for _, want := range []string{`value="NATAL"`, `value="01/12/2026"`, `value="31/12/2026"`, `value="50"`, "Cupom salvo."} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the saved coupon's form lacks %s", want)
		}
	}
}
