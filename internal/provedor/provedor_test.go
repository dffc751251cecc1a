package provedor_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"partnership-service/internal/blob"
	"partnership-service/internal/provedor"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/upload"
	"partnership-service/internal/web"
	"partnership-service/internal/web/webtest"
	"partnership-service/internal/webauth"
)

const password = "senha-do-provedor-1"

// office is the back-office over a real SQLite file, with two providers,
// each with a user, a plan, a coupon and subscriptions.
type office struct {
	t     *testing.T
	url   string // the server's
	svc   *storefront.Service
	a, b  tenant
	users map[string]int64 // e-mail → provider id
}

type tenant struct {
	id, plan, coupon int64
	cold, full, bare string // subscriptions: a cold lead, one with its documents, one without
}

// planPath and couponPath are the pages of the tenant's plan and coupon.
func (tn tenant) planPath() string   { return "/provedor/planos/" + strconv.FormatInt(tn.plan, 10) }
func (tn tenant) couponPath() string { return "/provedor/cupons/" + strconv.FormatInt(tn.coupon, 10) }

func newOffice(t *testing.T) *office {
	t.Helper()
	stores := testdb.SQLite(t)
	blobs, err := blob.NewDir(t.TempDir())
	must(t, err)
	svc := storefront.NewService(stores.Storefront(), blobs, nil, 1<<20)
	csrf := webtest.NewCSRF()
	auth := webauth.NewService(stores.WebAuth(), nil, nil)
	sessions := webauth.NewSessions(auth, csrf, webauth.SessionConfig{Realm: webauth.RealmProvider, Base: provedor.Base})
	h, err := provedor.New(svc, sessions, csrf)
	must(t, err)
	srv := webtest.Server(t, web.Surface("provedor", provedor.Prefixes, h.Routes))
	o := &office{t: t, url: srv.URL, svc: svc, users: map[string]int64{}}
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
	*webtest.Browser
}

func (o *office) signIn(email string) user {
	o.t.Helper()
	u := o.visitor()
	if a := u.post("/provedor/entrar", url.Values{"email": {email}, "password": {password}}); a.Status != http.StatusSeeOther {
		o.t.Fatalf("login of %s: %d %s", email, a.Status, a.Body)
	}
	return u
}

// visitor is a browser signed in as nobody yet.
func (o *office) visitor() user { return user{webtest.NewBrowser(o.t, o.url)} }

// post posts form with the CSRF token of the login page (the visitor's
// token is the same on every page).
func (u user) post(path string, form url.Values) webtest.Answer {
	return u.Submit("/provedor/entrar", path, form)
}

func TestAProviderSeesOnlyItsOwn(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")

	list := ana.Get("/provedor/assinaturas")
	for _, name := range []string{"Frio a", "Completa a", "Pendente a"} {
		if !strings.Contains(list.Body, name) {
			t.Errorf("the list lacks %q", name)
		}
	}
	if strings.Contains(list.Body, " b<") || strings.Contains(list.Body, "Plano b") {
		t.Errorf("the list shows provider B's subscriptions:\n%s", list.Body)
	}
	csv := ana.Get("/provedor/assinaturas.csv")
	if csv.Status != http.StatusOK || !strings.Contains(csv.Body, "Completa a") || strings.Contains(csv.Body, "Completa b") {
		t.Errorf("export: %d\n%s", csv.Status, csv.Body)
	}
	if got := ana.Get("/provedor/assinaturas/" + o.a.full + "/arquivos/selfie"); got.Status != http.StatusOK || !strings.Contains(got.Body, "selfie de a") {
		t.Errorf("her own document: %d %q", got.Status, got.Body)
	}
	for _, path := range []string{
		"/provedor/assinaturas/" + o.b.full,
		"/provedor/assinaturas/" + o.b.full + "/arquivos/selfie",
		o.b.planPath(),
		o.b.couponPath(),
	} {
		if got := ana.Get(path); got.Status != http.StatusNotFound {
			t.Errorf("GET %s of provider B: %d", path, got.Status)
		}
	}
	if got := ana.post(o.b.planPath(), url.Values{"nome": {"Roubado"}, "mensalidade": {"1"}}); got.Status != http.StatusNotFound {
		t.Errorf("saving provider B's plan: %d", got.Status)
	}
	if c, _ := o.svc.Catalog(t.Context(), o.b.id); c.Plans[0].Name != "Plano b" {
		t.Errorf("provider B's plan is now %q", c.Plans[0].Name)
	}
	if got := ana.Get("/provedor/cupons"); strings.Contains(got.Body, "CUPOMB") || !strings.Contains(got.Body, "CUPOMA") {
		t.Errorf("coupons list:\n%s", got.Body)
	}
}

func TestSubscriptionPages(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")

	for _, tt := range []struct{ status, want string }{
		{"sem_cobertura", "Frio a"}, {"aguardando_documentos", "Pendente a"}, {"completa", "Completa a"},
	} {
		body := ana.Get("/provedor/assinaturas?situacao=" + tt.status).Body
		for _, name := range []string{"Frio a", "Pendente a", "Completa a"} {
			if strings.Contains(body, name) != (name == tt.want) {
				t.Errorf("status %s: shows %q: %v", tt.status, name, !(name == tt.want))
			}
		}
	}

	detail := ana.Get("/provedor/assinaturas/" + o.a.full)
	for _, want := range []string{"Completa a", "Situação:</strong> Completa", "/arquivos/comprovante_res", "/arquivos/selfie", "Plano a"} {
		if !strings.Contains(detail.Body, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
	bare := ana.Get("/provedor/assinaturas/" + o.a.bare)
	if !strings.Contains(bare.Body, "Aguardando documentos") || strings.Contains(bare.Body, "/arquivos/") || !strings.Contains(bare.Body, "pendente") {
		t.Errorf("a subscription without documents:\n%s", bare.Body)
	}

	// Paging: 25 a page, newest first, the filter kept.
	for i := range 25 {
		o.subscribe(o.a.id, o.a.plan, fmt.Sprintf("Lote %02d", i), false)
	}
	first := ana.Get("/provedor/assinaturas?situacao=aguardando_documentos")
	if !strings.Contains(first.Body, "26 assinaturas · página 1 de 2") || !strings.Contains(first.Body, "Lote 24") || strings.Contains(first.Body, "Pendente a") {
		t.Errorf("page 1:\n%s", first.Body)
	}
	next := "/provedor/assinaturas?pagina=2&amp;situacao=aguardando_documentos"
	if !strings.Contains(first.Body, next) {
		t.Errorf("page 1 has no link to %s", next)
	}
	if second := ana.Get("/provedor/assinaturas?pagina=2&situacao=aguardando_documentos"); !strings.Contains(second.Body, "Pendente a") || strings.Contains(second.Body, "Lote 24") {
		t.Errorf("page 2:\n%s", second.Body)
	}
}

func TestBadInputGets4xxPages(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")
	plan := o.a.planPath()
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
			got := ana.Do(tt.method, tt.path, tt.body, ct)
			if got.Status != tt.want || !strings.HasPrefix(got.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s %s: %d %s, want %d and a page", tt.method, tt.path, got.Status, got.Header.Get("Content-Type"), tt.want)
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
	anon := o.visitor()
	got := anon.Get("/provedor/assinaturas/" + o.a.full)
	if got.Status != http.StatusSeeOther || got.Location != "/provedor/entrar?next="+url.QueryEscape("/provedor/assinaturas/"+o.a.full) {
		t.Errorf("signed out: %d %q", got.Status, got.Location)
	}
	// Another console's realm is not a provider user.
	if a := anon.post("/provedor/entrar", url.Values{"email": {"ana@fibra-a.example"}, "password": {"errada-123"}}); a.Status != http.StatusUnauthorized {
		t.Errorf("a wrong password: %d", a.Status)
	}
}

func TestPlanForm(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")
	plan := o.a.planPath()
	form := func(changes url.Values) url.Values {
		f := url.Values{"nome": {"Plano a"}, "mensalidade": {"99,90"}, "velocidade_download": {"300"}}
		for k, v := range changes {
			f[k] = v
		}
		return f
	}
	page := ana.Get(plan)
	for _, want := range []string{`value="Plano a"`, `value="99,90"`, `value="300"`, "Residencial a"} {
		if !strings.Contains(page.Body, want) {
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
			if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, next) {
				t.Errorf("got %d, want 422 with %q:\n%s", got.Status, next, got.Body)
			}
		})
	}
	if c, _ := o.svc.Catalog(t.Context(), o.a.id); c.Plans[0].MonthlyPriceCents != 9990 {
		t.Errorf("a refused form changed the price: %d", c.Plans[0].MonthlyPriceCents)
	}

	got := ana.post(plan, form(url.Values{"mensalidade": {"R$ 149,90"}}))
	if got.Status != http.StatusSeeOther || got.Location != plan+"?salvo=1" {
		t.Fatalf("save: %d %q %s", got.Status, got.Location, got.Body)
	}
	c, _ := o.svc.Catalog(t.Context(), o.a.id)
	if p := c.Plans[0]; p.MonthlyPriceCents != 14990 || len(p.PaymentMethodIDs) != 0 {
		t.Errorf("saved plan: %+v", p)
	}
	if list := ana.Get("/provedor/planos"); !strings.Contains(list.Body, "R$ 149,90") {
		t.Errorf("the list does not show the new price")
	}

	got = ana.post("/provedor/planos/novo", url.Values{"nome": {"Plano novo"}, "mensalidade": {"59"}})
	if got.Status != http.StatusSeeOther || !strings.HasPrefix(got.Location, "/provedor/planos/") {
		t.Fatalf("create: %d %q %s", got.Status, got.Location, got.Body)
	}
	if c, _ := o.svc.Catalog(t.Context(), o.a.id); len(c.Plans) != 2 {
		t.Errorf("plans after create: %d", len(c.Plans))
	}
}

func TestDeletePlansAndCoupons(t *testing.T) {
	t.Parallel()
	o := newOffice(t)
	ana := o.signIn("ana@fibra-a.example")

	if page := ana.Get(o.a.planPath()); !strings.Contains(page.Body, `action="`+o.a.planPath()+`/excluir"`) {
		t.Error("the plan's page has no delete form")
	}
	if page := ana.Get("/provedor/planos/novo"); strings.Contains(page.Body, "/excluir") {
		t.Error("a new plan's page offers to delete it")
	}
	// Subscriptions chose plan a: the service refuses, the form says why.
	got := ana.post(o.a.planPath()+"/excluir", url.Values{})
	if got.Status != http.StatusConflict || !strings.Contains(got.Body, "Plano: está em uso por assinaturas") ||
		!strings.Contains(got.Body, `action="`+o.a.planPath()+`"`) {
		t.Errorf("deleting a plan in use: %d\n%s", got.Status, got.Body)
	}
	for _, path := range []string{o.b.planPath() + "/excluir", "/provedor/planos/novo/excluir",
		o.b.couponPath() + "/excluir"} {
		if got := ana.post(path, url.Values{}); got.Status != http.StatusNotFound {
			t.Errorf("POST %s: %d", path, got.Status)
		}
	}
	if got := ana.post(o.a.couponPath()+"/excluir", url.Values{}); got.Status != http.StatusSeeOther || got.Location != "/provedor/cupons?excluido=1" {
		t.Fatalf("deleting an unused coupon: %d %q", got.Status, got.Location)
	}
	if list := ana.Get("/provedor/cupons"); strings.Contains(list.Body, "CUPOMA") {
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
			if got.Status != http.StatusUnprocessableEntity || !strings.Contains(got.Body, next) || !strings.Contains(got.Body, tt.msg) {
				t.Errorf("got %d, want 422 with %q at %s:\n%s", got.Status, tt.msg, tt.field, got.Body)
			}
		})
	}
	got := ana.post("/provedor/cupons/novo", url.Values{"name": {"NATAL"}, "valid_from": {"01/12/2026"}, "valid_until": {"31/12/2026"},
		"max_redemptions": {"50"}, "plan_ids": {strconv.FormatInt(o.a.plan, 10)}})
	if got.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", got.Status, got.Body)
	}
	page := ana.Get(got.Location)
	for _, want := range []string{`value="NATAL"`, `value="01/12/2026"`, `value="31/12/2026"`, `value="50"`, "Cupom salvo."} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the saved coupon's form lacks %s", want)
		}
	}
}
