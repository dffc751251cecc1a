package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/blob"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/console"
	"partnership-service/internal/energy"
	"partnership-service/internal/energy/energytest"
	"partnership-service/internal/geo"
	"partnership-service/internal/secretbox"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
	"partnership-service/internal/web"
	"partnership-service/internal/web/webtest"
	"partnership-service/internal/webhook"
)

// desk is the console over real services on a fresh SQLite file, with
// Partner A's admin and two sellers, and Partner B's admin. A request
// names its user in a header, standing for the session webauth keeps.
type desk struct {
	t     *testing.T
	url   string // the server's
	leads *energy.LeadService
	a, b  energy.Partner
}

const userHeader = "X-Test-User"

func newDesk(t *testing.T) *desk {
	t.Helper()
	return newDeskOn(t, testdb.SQLite(t))
}

// newDeskOn is newDesk on the stores of an engine.
func newDeskOn(t *testing.T, stores storage.Stores) *desk {
	t.Helper()
	ctx := context.Background()
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	var leads *energy.LeadService
	env := energytest.New(t, stores, energytest.Options{Leads: func(tb testing.TB, e storage.Stores, catalog *energy.CatalogService) *energy.LeadService {
		blobs, err := blob.NewDir(t.TempDir())
		if err != nil {
			tb.Fatal(err)
		}
		leads, err = energy.NewLeadService(energy.LeadConfig{Store: e.EnergyLeads(), Catalog: catalog, Geo: geo.MustLoad(),
			Blobs: blobs, Box: box, PublicURL: energytest.PublicURL})
		if err != nil {
			tb.Fatal(err)
		}
		return leads
	}})
	d := &desk{t: t, leads: leads}
	for name, dst := range map[string]*energy.Partner{"Partner A": &d.a, "Partner B": &d.b} {
		if *dst, err = env.Partners.PartnerByName(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	hooks, err := webhook.NewService(webhook.Config{Store: stores.Webhooks(), Box: box, AllowPrivate: true,
		Poll: 20 * time.Millisecond, Exclusive: true, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	dispatch, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hooks.Run(dispatch); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	users := map[string]console.User{
		"admin": {PartnerID: d.a.ID, Name: "Gestora A"},
		"ana":   {PartnerID: d.a.ID, Name: "Ana Lima", Seller: true},
		"bia":   {PartnerID: d.a.ID, Name: "Bia Reis", Seller: true},
		"other": {PartnerID: d.b.ID, Name: "Gestor B"},
	}
	h, err := console.New(console.Config{Leads: leads, Partners: env.Partners, Catalog: env.Catalog, Webhooks: hooks,
		CSRF: webtest.NewCSRF(), PublicURL: energytest.PublicURL,
		User: func(r *http.Request) (console.User, bool) {
			u, ok := users[r.Header.Get(userHeader)]
			return u, ok
		}})
	if err != nil {
		t.Fatal(err)
	}
	d.url = webtest.Server(t, web.Surface("console", console.Prefixes, h.Routes), web.AssetsSurface()).URL
	return d
}

// browser is one user's browser: its cookies, and the CSRF token of the
// last page it got.
type browser struct {
	*webtest.Browser
	d *desk
}

func (d *desk) as(user string) *browser {
	b := &browser{Browser: webtest.NewBrowser(d.t, d.url), d: d}
	b.Header.Set(userHeader, user)
	return b
}

func (b *browser) do(method, path string, body io.Reader, contentType string) (int, http.Header, string) {
	b.d.t.Helper()
	a := b.Do(method, path, body, contentType)
	return a.Status, a.Header, a.Body
}

func (b *browser) get(path string) (int, string) {
	a := b.Get(path)
	return a.Status, a.Body
}

// post sends a form with the CSRF token of the last page, or of the
// console's home page.
func (b *browser) post(path string, form url.Values) (int, http.Header, string) {
	if b.Token() == "" {
		b.Get("/console/")
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", b.Token())
	}
	a := b.Form(http.MethodPost, path, form)
	return a.Status, a.Header, a.Body
}

// leadForm is a valid natural lead in Campinas (CPFL PAULISTA, which
// energytest qualifies and gives "Plano Premium").
func leadForm(cpf, name string) url.Values {
	return url.Values{"personType": {"natural"}, "fullName": {name}, "emailAddress": {"cliente@example.com"},
		"mobilePhone": {"(11) 99988-5544"}, "utilityBillingValue": {"850,15"}, "identificationNumber": {cpf},
		"nationality": {"Brasileira"}, "maritalStatus": {"Solteira"}, "profession": {"Engenheira"},
		"zipCode": {"13010-000"}, "state": {"SP"}, "city": {"Campinas"}, "street": {"Rua Ladrilhos Dourados"},
		"number": {"777"}, "neighborhood": {"Centro"}}
}

// create makes a lead through the form and returns its id.
func (b *browser) create(cpf, name string) string {
	b.d.t.Helper()
	code, hdr, body := b.post("/console/leads", leadForm(cpf, name))
	loc := hdr.Get("Location")
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/leads/") {
		b.d.t.Fatalf("create lead: %d %s %s", code, loc, body)
	}
	return strings.TrimPrefix(loc, "/console/leads/")
}

// TestConsoleWhoSeesWhat: a seller sees the leads it created, an admin all
// its partner's, and nobody another partner's: their pages, the pipeline,
// the export and the contract are not found.
func TestConsoleWhoSeesWhat(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s storage.Stores) { whoSeesWhat(t, newDeskOn(t, s)) })
}

func whoSeesWhat(t *testing.T, d *desk) {
	ana, bia, admin, other := d.as("ana"), d.as("bia"), d.as("admin"), d.as("other")
	anas := ana.create("111.444.777-35", "Maria Souza")
	bias := bia.create("529.982.247-25", "Joana Prado")

	for _, tt := range []struct {
		name string
		b    *browser
		path string
		want int
	}{
		{"a seller opens its own lead", ana, "/console/leads/" + anas, http.StatusOK},
		{"a seller cannot open another seller's", ana, "/console/leads/" + bias, http.StatusNotFound},
		{"nor edit it", ana, "/console/leads/" + bias + "/editar", http.StatusNotFound},
		{"the admin opens every lead of its partner", admin, "/console/leads/" + bias, http.StatusOK},
		{"another partner cannot open it", other, "/console/leads/" + anas, http.StatusNotFound},
		{"nor its contract", other, "/console/leads/" + anas + "/contrato.pdf", http.StatusNotFound},
		{"a lead id that is no id", admin, "/console/leads/nada", http.StatusNotFound},
		{"a seller has no API keys page", ana, "/console/chaves", http.StatusNotFound},
		{"nor webhooks", ana, "/console/webhooks", http.StatusNotFound},
		{"nobody signed in", d.as("nobody"), "/console/", http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := tt.b.get(tt.path); code != tt.want {
				t.Fatalf("GET %s: %d, want %d: %.300s", tt.path, code, tt.want, body)
			}
		})
	}
	for _, tt := range []struct {
		name      string
		b         *browser
		see, miss []string
	}{
		{"a seller's pipeline", ana, []string{"Maria Souza"}, []string{"Joana Prado"}},
		{"the admin's pipeline", admin, []string{"Maria Souza", "Joana Prado"}, nil},
		{"another partner's pipeline", other, nil, []string{"Maria Souza", "Joana Prado"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, page := tt.b.get("/console/")
			_, csv := tt.b.get("/console/leads.csv")
			for _, s := range tt.see {
				if !strings.Contains(page, s) || !strings.Contains(csv, s) {
					t.Errorf("pipeline or export lacks %s", s)
				}
			}
			for _, s := range tt.miss {
				if strings.Contains(page, s) || strings.Contains(csv, s) {
					t.Errorf("pipeline or export shows %s", s)
				}
			}
		})
	}
	// A post on another seller's lead changes nothing.
	if code, _, _ := ana.post("/console/leads/"+bias, url.Values{"fullName": {"Outro Nome"}}); code != http.StatusNotFound {
		t.Fatalf("a seller's edit of another's lead: %d", code)
	}
}

// TestConsoleBadInput: every bad input is a 4xx page (never a 5xx), with
// the API's message next to its field where there is one.
func TestConsoleBadInput(t *testing.T) {
	d := newDesk(t)
	admin := d.as("admin")
	id := admin.create("111.444.777-35", "Maria Souza")
	badCPF := leadForm("111.444.777-00", "Maria Souza")
	for _, tt := range []struct {
		name   string
		method string
		path   string
		form   url.Values
		want   int
		says   string
	}{
		{"a post without the CSRF token", http.MethodPost, "/console/leads", url.Values{"csrf": {"forjado"}}, http.StatusForbidden, "Formulário expirado"},
		{"a wrong CPF", http.MethodPost, "/console/leads", badCPF, http.StatusBadRequest, "identificationNumber"},
		{"the same customer again", http.MethodPost, "/console/leads", leadForm("111.444.777-35", "Maria Souza"), http.StatusConflict, "Já existe um lead em aberto"},
		{"a bad date filter", http.MethodGet, "/console/?created_at=ontem", nil, http.StatusBadRequest, "created_at deve ser uma data"},
		{"a bad status filter", http.MethodGet, "/console/leads.csv?status=perdido", nil, http.StatusBadRequest, ""},
		{"a page out of range", http.MethodGet, "/console/?page=0", nil, http.StatusBadRequest, "page deve ser"},
		{"an oversized form", http.MethodPost, "/console/leads", url.Values{"fullName": {strings.Repeat("a", 70<<10)}}, http.StatusRequestEntityTooLarge, ""},
		{"a contract without a plan", http.MethodPost, "/console/leads/" + id + "/contrato", url.Values{"plan": {"9"}}, http.StatusBadRequest, "plan é obrigatório"},
		{"a resend without a contract", http.MethodPost, "/console/leads/" + id + "/reenviar", url.Values{}, http.StatusConflict, ""},
		{"revoking a key that is not the partner's", http.MethodPost, "/console/chaves/abcdefgh/revogar", url.Values{}, http.StatusNotFound, ""},
		{"a webhook to nowhere", http.MethodPost, "/console/webhooks", url.Values{"url": {"ftp://x"}}, http.StatusUnprocessableEntity, "url "},
		{"a webhook event that does not exist", http.MethodPost, "/console/webhooks", url.Values{"url": {"http://127.0.0.1:9/h"}, "events": {"lead.exploded"}}, http.StatusUnprocessableEntity, "evento desconhecido"},
		{"a retry of a delivery of no endpoint", http.MethodPost, "/console/webhooks/nada/entregas/nada/reenviar", url.Values{}, http.StatusNotFound, ""},
		{"an unknown page", http.MethodGet, "/console/nada", nil, http.StatusNotFound, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var code int
			var body string
			if tt.method == http.MethodGet {
				code, body = admin.get(tt.path)
			} else {
				code, _, body = admin.post(tt.path, tt.form)
			}
			if code != tt.want || !strings.Contains(body, tt.says) {
				t.Fatalf("%s %s: %d, want %d with %q: %.500s", tt.method, tt.path, code, tt.want, tt.says, body)
			}
		})
	}
	// The message shown is the API's own, next to its field.
	_, err := d.leads.Create(context.Background(), energy.Principal{PartnerID: d.a.ID}, energy.LeadDraft{PersonType: ptr("natural"), IdentificationNumber: ptr("11144477700")})
	_, _, body := admin.post("/console/leads", badCPF)
	var msg string
	for _, m := range errFields(err)["identificationNumber"] {
		msg = m
	}
	if msg == "" || !strings.Contains(body, `<p class="error" id="f-identificationNumber-erro">`+htmlEscape(msg)) {
		t.Fatalf("the form lacks the API's message %q next to the field:\n%s", msg, body)
	}
}

// TestConsoleLeadJourney: the admin creates a lead, sees its
// qualification, generates its contract, sees the status change and the
// signer link, resends the mail and downloads the PDF.
func TestConsoleLeadJourney(t *testing.T) {
	d := newDesk(t)
	admin := d.as("admin")
	// The qualification as the bill value is typed, and on the form.
	q := url.Values{"utilityBillingValue": {"850,15"}, "personType": {"natural"}, "state": {"SP"}, "city": {"Campinas"}}
	_, body := admin.get("/console/qualificacao?" + q.Encode())
	var answer struct {
		Text      string `json:"text"`
		Qualified bool   `json:"qualified"`
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil || !answer.Qualified || answer.Text != "Qualificado para Geração Distribuída." {
		t.Fatalf("qualification: %s", body)
	}
	if _, body := admin.get("/console/qualificacao?utilityBillingValue=10&personType=natural&state=SP&city=Campinas"); !strings.Contains(body, "Não qualificado") {
		t.Fatalf("a small bill: %s", body)
	}
	id := admin.create("111.444.777-35", "Maria Souza")
	_, page := admin.get("/console/leads/" + id)
	for _, want := range []string{"Indicado", "Lead cadastrado pelo parceiro.", "Não cadastradas", "Nenhum contrato gerado", "Plano Premium"} {
		if !strings.Contains(page, want) {
			t.Errorf("lead page lacks %q", want)
		}
	}
	code, hdr, body := admin.post("/console/leads/"+id+"/contrato", url.Values{"plan": {"0"}})
	if code != http.StatusSeeOther {
		t.Fatalf("contract: %d %s", code, body)
	}
	_, page = admin.get(hdr.Get("Location"))
	for _, want := range []string{"Contrato gerado e enviado para assinatura.", `id="status-atual">Em negociação`,
		"/console/leads/" + id + "/contrato.pdf", energytest.PublicURL + "/sales-conversion/sign/", "Reenviar e-mail"} {
		if !strings.Contains(page, want) {
			t.Errorf("lead page after the contract lacks %q", want)
		}
	}
	if code, _, _ := admin.post("/console/leads/"+id+"/reenviar", url.Values{}); code != http.StatusSeeOther {
		t.Errorf("resend: %d", code)
	}
	code, h, pdf := admin.do(http.MethodGet, "/console/leads/"+id+"/contrato.pdf", nil, "")
	if code != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Errorf("contract PDF: %d %s", code, h.Get("Content-Type"))
	}
	// An edit goes through the API's rules: the contract awaiting
	// signature is cancelled.
	if code, _, body := admin.post("/console/leads/"+id, leadForm("111.444.777-35", "Maria Souza Lima")); code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", code, body)
	}
	if _, page = admin.get("/console/leads/" + id); !strings.Contains(page, "Maria Souza Lima") || !strings.Contains(page, "o contrato enviado foi cancelado") {
		t.Errorf("after the edit: %.2000s", page)
	}
}

// TestConsolePipeline: counts per status, filters, paging, the charts and
// a CSV whose cells cannot be formulas.
func TestConsolePipeline(t *testing.T) {
	d := newDesk(t)
	admin := d.as("admin")
	for i, cpf := range []string{"111.444.777-35", "529.982.247-25", "390.533.447-05"} {
		name := []string{"Maria Souza", "Joana Prado", "=HYPERLINK(1)"}[i]
		admin.create(cpf, name)
	}
	_, page := admin.get("/console/")
	for _, want := range []string{`<span class="tile-n">3</span> <span>Indicado</span>`, "<svg", "Leads por dia", "Funil de conversão", "3 leads"} {
		if !strings.Contains(page, want) {
			t.Errorf("pipeline lacks %q", want)
		}
	}
	if _, page = admin.get("/console/?customer=joana"); !strings.Contains(page, "Joana Prado") || strings.Contains(page, "Maria Souza") {
		t.Errorf("the customer filter: %.3000s", page)
	}
	if _, page = admin.get("/console/?status=assinado"); !strings.Contains(page, "Nenhum lead com esses filtros") {
		t.Errorf("the status filter lists leads")
	}
	// Paging: 20 a page, the filters kept in the links.
	for i := range 20 {
		cpf := brdoc.CompleteCPF(fmt.Sprintf("%09d", 200_000_000+i))
		if _, err := d.leads.Create(context.Background(), energy.Principal{PartnerID: d.a.ID, SellerName: "Vendedor 9"},
			energy.LeadDraft{PersonType: ptr("natural"), FullName: ptr(fmt.Sprintf("Cliente %02d", i)), EmailAddress: ptr("c@example.com"),
				MobilePhone: ptr("11999885544"), UtilityBillingValue: ptr("850.15"), IdentificationNumber: ptr(cpf),
				Nationality: ptr("Brasileira"), MaritalStatus: ptr("Solteira"), Profession: ptr("Engenheira"), ZipCode: ptr("13010-000"),
				State: ptr("SP"), City: ptr("Campinas"), Street: ptr("Rua A"), Number: ptr("1"), Neighborhood: ptr("Centro")}); err != nil {
			t.Fatal(err)
		}
	}
	_, page = admin.get("/console/?status=indicado")
	next := regexp.MustCompile(`href="(/console/\?page=2&amp;status=indicado)" rel="next"`).FindStringSubmatch(page)
	if next == nil || !strings.Contains(page, "23 leads, página 1.") || strings.Contains(page, `rel="prev"`) {
		t.Fatalf("page 1: %.4000s", page)
	}
	_, page = admin.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if strings.Count(page, `<tr><td><a href="/console/leads/`) != 3 || !strings.Contains(page, `rel="prev"`) || strings.Contains(page, `rel="next"`) {
		t.Fatalf("page 2: %.4000s", page)
	}

	code, h, csv := admin.do(http.MethodGet, "/console/leads.csv?seller_name=Gestora+A", nil, "")
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || len(lines) != 4 ||
		!strings.Contains(csv, ";'=HYPERLINK(1);") || !strings.Contains(csv, ";850,15;") {
		t.Fatalf("CSV: %d %s\n%s", code, h.Get("Content-Type"), csv)
	}
}

// TestConsoleKeysAndWebhooks: a key is shown once and revoked; an
// endpoint is created (its secret shown once), listed with its delivery
// log and deleted.
func TestConsoleKeysAndWebhooks(t *testing.T) {
	d := newDesk(t)
	admin, other := d.as("admin"), d.as("other")
	code, _, page := admin.post("/console/chaves", url.Values{"seller": {"Carla"}})
	key := regexp.MustCompile(`pk_[a-z2-7]{8}_[a-z2-7]{52}`).FindString(page)
	if code != http.StatusCreated || key == "" {
		t.Fatalf("issue: %d %.500s", code, page)
	}
	prefix := key[3:11]
	if _, page = admin.get("/console/chaves"); strings.Contains(page, key) || !strings.Contains(page, "pk_"+prefix) {
		t.Fatalf("the key list shows the key, or not its prefix")
	}
	if code, _, _ := other.post("/console/chaves/"+prefix+"/revogar", url.Values{}); code != http.StatusNotFound {
		t.Fatalf("another partner revoked the key: %d", code)
	}
	if code, _, _ := admin.post("/console/chaves/"+prefix+"/revogar", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if _, page = admin.get("/console/chaves"); !strings.Contains(page, "Revogada em") {
		t.Fatalf("the revoked key is not shown as such")
	}

	// A receiver that fails: the delivery log shows it, and its retry.
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(receiver.Close)
	code, _, page = admin.post("/console/webhooks", url.Values{"url": {receiver.URL + "/ganchos"}, "events": {"lead.created"}})
	if code != http.StatusCreated || !regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`).MatchString(page) {
		t.Fatalf("create endpoint: %d %.800s", code, page)
	}
	id := regexp.MustCompile(`/console/webhooks/([0-9a-f-]{36})`).FindStringSubmatch(page)
	if id == nil {
		t.Fatalf("no endpoint link: %.800s", page)
	}
	if code, page := admin.get("/console/webhooks/" + id[1]); code != http.StatusOK || !strings.Contains(page, "Nenhuma entrega ainda") {
		t.Fatalf("delivery log: %d", code)
	}
	admin.create("111.444.777-35", "Maria Souza")
	retry := regexp.MustCompile(`/console/webhooks/[0-9a-f-]{36}/entregas/[0-9a-f-]{36}/reenviar`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, page = admin.get("/console/webhooks/" + id[1])
		if strings.Contains(page, "Pendente (HTTP 503)") && retry.MatchString(page) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed delivery in the log: %.3000s", page)
		}
	}
	if code, hdr, _ := admin.post(retry.FindString(page), url.Values{}); code != http.StatusSeeOther || hdr.Get("Location") != "/console/webhooks/"+id[1] {
		t.Fatalf("retry: %d %s", code, hdr.Get("Location"))
	}
	if code, _ := other.get("/console/webhooks/" + id[1]); code != http.StatusNotFound {
		t.Fatalf("another partner's delivery log: %d", code)
	}
	if code, _, _ := admin.post("/console/webhooks/"+id[1]+"/excluir", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("delete: %d", code)
	}
	if _, page = admin.get("/console/webhooks"); strings.Contains(page, receiver.URL) {
		t.Fatalf("the deleted endpoint is listed")
	}
}
