package loja_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"partnership-service/internal/blob"
	"partnership-service/internal/loja"
	"partnership-service/internal/server"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/web"
	"partnership-service/internal/web/webtest"
)

// site is a provider with a plan, a coupon and CEP coverage, served by the
// real handler (API and pages) over a real SQLite file.
type site struct {
	t       *testing.T
	url     string // the server's
	svc     *storefront.Service
	browser *webtest.Browser
	plan    int64
	base    string
}

const origin = "http://fibra.example"

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteOn(t, testdb.SQLite(t))
}

// newSiteOn is newSite on the stores of an engine.
func newSiteOn(t *testing.T, stores storage.Stores) *site {
	t.Helper()
	ctx := context.Background()
	blobs, err := blob.NewDir(t.TempDir())
	must(t, err)
	svc := storefront.NewService(stores.Storefront(), blobs, nil, 1<<20)
	pages, err := loja.New(svc, webtest.NewCSRF(), nil)
	must(t, err)
	api := storefront.NewHandler(svc, 0)
	srv := webtest.Server(t,
		server.Surface{Name: "storefront", Prefixes: storefront.Prefixes, Render: storefront.Render, Routes: api.Routes},
		web.Surface("loja", loja.Prefixes, pages.Routes), web.AssetsSurface())
	s := &site{t: t, url: srv.URL, svc: svc, browser: webtest.NewBrowser(t, srv.URL), base: "/loja/fibra"}

	p, err := svc.CreateProvider(ctx, "Fibra Exemplo", origin, "fibra")
	must(t, err)
	p.DueDays = []int{5, 10}
	_, err = svc.UpdateProvider(ctx, p)
	must(t, err)
	cat, err := svc.SaveItem(ctx, storefront.Categories, p.ID, storefront.Item{Name: "Residencial"})
	must(t, err)
	pix, err := svc.SaveItem(ctx, storefront.PaymentMethods, p.ID, storefront.Item{Name: "Pix"})
	must(t, err)
	plan, err := svc.SavePlan(ctx, p.ID, storefront.Plan{Name: "Fibra 300", MonthlyPriceCents: 123456, DownloadSpeed: 300,
		InstallationFeeUpfront: "100", CategoryIDs: []int64{cat.ID}, PaymentMethodIDs: []int64{pix.ID}})
	must(t, err)
	s.plan = plan.ID
	_, err = svc.SaveCoupon(ctx, p.ID, storefront.Coupon{Name: "BEMVINDO", Description: "Primeiro mês grátis"})
	must(t, err)
	_, err = svc.SaveCoverageArea(ctx, p.ID, storefront.CoverageArea{CEPStart: 80420000, CEPEnd: 80440999})
	must(t, err)
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get gets path as the visitor and returns the status and the body, or
// the Location of a redirect.
func (s *site) get(path string) (int, string) {
	s.t.Helper()
	return s.browser.Get(path).Page()
}

// post submits a form as a browser does from the page at from: with the
// token that page carries. It returns the status and the Location or body.
func (s *site) post(from, path string, fields url.Values) (int, string) {
	s.t.Helper()
	return s.browser.Submit(from, path, fields).Page()
}

// postRaw posts fields as they are, token or none.
func (s *site) postRaw(path string, fields url.Values) (int, string) {
	s.t.Helper()
	return s.browser.Form(http.MethodPost, path, fields).Page()
}

// apiErrors is what the API answers to the same subscription.
func (s *site) apiErrors(fields map[string]any) map[string][]string {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"plan_id": s.plan, "subscription": fields})
	req, _ := http.NewRequest(http.MethodPost, s.url+"/api/v2/subscriptions", bytes.NewReader(body))
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	must(s.t, err)
	defer res.Body.Close()
	var out struct {
		Errors map[string][]string `json:"errors"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return out.Errors
}

func TestSignUpThroughThePages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, stores storage.Stores) { signUpThroughThePages(t, newSiteOn(t, stores)) })
}

func signUpThroughThePages(t *testing.T, s *site) {
	planPath := s.base + "/planos/" + itoa(s.plan)

	code, home := s.get(s.base)
	for _, want := range []string{"Residencial", "Fibra 300", "R$ 1.234,56", "Instalação à vista: R$ 100,00", `href="` + planPath + `"`} {
		if !strings.Contains(home, want) {
			t.Errorf("home (%d) lacks %q", code, want)
		}
	}

	// A coupon the plan does not have gets the API's message; one it has
	// goes on in the URL.
	code, body := s.post(planPath, planPath+"/cupom", url.Values{"cupom": {"NADA"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "não encontrado") {
		t.Errorf("unknown coupon: %d", code)
	}
	code, loc := s.post(planPath, planPath+"/cupom", url.Values{"cupom": {"bemvindo"}})
	if code != http.StatusSeeOther || !strings.Contains(loc, "cupom=BEMVINDO") {
		t.Fatalf("coupon: %d %s", code, loc)
	}
	if _, body := s.get(loc); !strings.Contains(body, "Primeiro mês grátis") {
		t.Error("applied coupon not shown")
	}

	// Coverage: a CEP out of range leads to the cold-lead form, one in
	// range to the sign-up form with the address carried along.
	address := url.Values{"cep": {"80420-090"}, "rua": {"Av. do Batel"}, "numero": {"1200"}, "bairro": {"Batel"},
		"cidade": {"Curitiba"}, "cupom": {"BEMVINDO"}}
	code, loc = s.post(planPath, planPath+"/cobertura", url.Values{"cep": {"01310-100"}, "cidade": {"São Paulo"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, s.base+"/sem-cobertura?") {
		t.Fatalf("no coverage: %d %s", code, loc)
	}
	code, loc = s.post(loc, s.base+"/sem-cobertura", url.Values{"nome_razao_social": {"Ana Lima"},
		"telefone_celular": {"(11) 98888-7777"}, "plano": {itoa(s.plan)}, "cep": {"01310-100"}})
	if code != http.StatusSeeOther || loc != s.base+"/sem-cobertura/obrigado" {
		t.Fatalf("cold lead: %d %s", code, loc)
	}
	code, body = s.post(planPath, planPath+"/cobertura", url.Values{"cep": {"8042"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "formato deve ser &#39;99999-999&#39;") {
		t.Errorf("bad CEP: %d", code)
	}
	code, loc = s.post(planPath, planPath+"/cobertura", address)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, planPath+"/cadastro?") || !strings.Contains(loc, "rua=Av.+do+Batel") {
		t.Fatalf("coverage: %d %s", code, loc)
	}

	// The sign-up form with a wrong CPF shows the API's own message for it.
	signUp := url.Values{"nome_razao_social": {"Maria Souza"}, "telefone_celular": {"(41) 99891-6002"},
		"cpf_cnpj": {"111.444.777-00"}, "email": {"maria@example.com"}, "data_nascimento": {"09/07/1990"},
		"vencimento": {"10"}, "is_instalacao_a_vista": {"sim"}}
	for k, v := range address {
		signUp[k] = v
	}
	apiMsg := s.apiErrors(map[string]any{"cpf_cnpj": "111.444.777-00"})["cpf_cnpj"]
	if len(apiMsg) != 1 {
		t.Fatalf("API errors for the CPF: %v", apiMsg)
	}
	code, body = s.post(loc, planPath+"/cadastro", signUp)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error" id="f-cpf-cnpj-erro">`+apiMsg[0]+`</p>`) {
		t.Fatalf("wrong CPF: %d, API says %q\n%s", code, apiMsg[0], body)
	}
	if !strings.Contains(body, `value="Maria Souza"`) {
		t.Error("the form lost what was typed")
	}
	signUp.Set("cpf_cnpj", "111.444.777-35")
	code, loc = s.post(loc, planPath+"/cadastro", signUp)
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "/documentos") {
		t.Fatalf("sign-up: %d %s", code, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, s.base+"/assinaturas/"), "/documentos")
	cat, err := s.svc.CatalogBySlug(context.Background(), "fibra")
	must(t, err)
	sub, err := s.svc.Subscription(context.Background(), cat.Provider.ID, id)
	must(t, err)
	if sub.Name != "Maria Souza" || sub.CouponID == 0 || sub.DueDay != 10 || !sub.Coverage || sub.UpfrontInstallation == nil || !*sub.UpfrontInstallation {
		t.Errorf("stored = %+v", sub)
	}

	// The documents: a text file is refused with the API's message; three
	// images lead to the confirmation.
	_, page := s.get(loc)
	action := regexp.MustCompile(`action="([^"]+)" enctype`).FindStringSubmatch(page)
	if action == nil {
		t.Fatal("no upload form")
	}
	to := strings.ReplaceAll(action[1], "&amp;", "&")
	code, body = s.upload(to, map[string][]byte{"files[selfie]": []byte("just text")})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "tipo de arquivo não permitido") {
		t.Errorf("text upload: %d", code)
	}
	img := pngBytes(t)
	code, body = s.upload(to, map[string][]byte{"files[comprovante_res]": img, "files[comprovante_rg]": img, "files[selfie]": img})
	if code != http.StatusSeeOther || body != s.base+"/assinaturas/"+id {
		t.Fatalf("upload: %d %s", code, body)
	}
	if _, body := s.get(body); !strings.Contains(body, `<strong id="referencia">`+id+`</strong>`) || strings.Contains(body, "Ainda faltam") {
		t.Errorf("confirmation:\n%s", body)
	}
	// Without the token of the visitor's cookie, the upload is refused
	// before anything is read.
	if code, _ := s.upload(s.base+"/assinaturas/"+id+"/documentos?csrf=forged", map[string][]byte{"files[selfie]": img}); code != http.StatusForbidden {
		t.Errorf("forged upload token: %d", code)
	}
}

func (s *site) upload(path string, files map[string][]byte) (int, string) {
	s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for field, b := range files {
		fw, _ := mw.CreateFormFile(field, "doc.png")
		_, _ = fw.Write(b)
	}
	_ = mw.Close()
	return s.browser.Do(http.MethodPost, path, &buf, mw.FormDataContentType()).Page()
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	must(t, png.Encode(&b, img))
	return b.Bytes()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFormsNeedTheVisitorsToken(t *testing.T) {
	s := newSite(t)
	planPath := s.base + "/planos/" + itoa(s.plan)
	s.get(planPath) // the visitor has a cookie now
	for _, token := range []string{"", "forged"} {
		if code, _ := s.postRaw(planPath+"/cupom", url.Values{"csrf": {token}, "cupom": {"BEMVINDO"}}); code != http.StatusForbidden {
			t.Errorf("token %q: %d", token, code)
		}
	}
}

func TestPagesOfUnknownThingsAre404(t *testing.T) {
	s := newSite(t)
	for _, path := range []string{"/loja/nada", "/loja/Fibra", s.base + "/planos/999", s.base + "/planos/x",
		s.base + "/assinaturas/00000000-0000-4000-8000-000000000000", s.base + "/assinaturas/not-a-uuid/documentos", s.base + "/nada"} {
		code, body := s.get(path)
		if code != http.StatusNotFound || !strings.Contains(body, "<html") {
			t.Errorf("GET %s: %d", path, code)
		}
	}
}

// TestCustomDomain: a provider's own domain, registered as an origin,
// shows its home page at /; any other host keeps the plain 404.
func TestCustomDomain(t *testing.T) {
	s := newSite(t)
	req := s.browser.NewRequest(http.MethodGet, "/", nil)
	req.Host = "fibra.example"
	if code, body := s.browser.Send(req).Page(); code != http.StatusOK || !strings.Contains(body, "Fibra 300") || !strings.Contains(body, `href="/loja/fibra/planos/`) {
		t.Errorf("custom domain: %d", code)
	}
	if code, body := s.get("/"); code != http.StatusNotFound || !strings.Contains(body, `"route not found"`) {
		t.Errorf("service's own host: %d %s", code, body)
	}
}

// TestFirstLoadWeight: issue 15 caps the storefront's first load (HTML,
// CSS, JS) at 150 KB.
func TestFirstLoadWeight(t *testing.T) {
	s := newSite(t)
	_, html := s.get(s.base)
	total := len(html)
	for _, m := range regexp.MustCompile(`(?:href|src)="(/(?:assets|loja)/[^"]+\.(?:css|js)[^"]*)"`).FindAllStringSubmatch(html, -1) {
		_, body := s.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		total += len(body)
	}
	if total > 150_000 || total < 1000 {
		t.Errorf("first load = %d bytes", total)
	}
	t.Logf("first load: %d bytes", total)
}

// TestHomeFollowsTheCatalog: the home page is kept rendered per catalog,
// so a change of a plan's price shows on the next visit, and the page,
// which has no form, gives a visitor no cookie.
func TestHomeFollowsTheCatalog(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if _, body := s.get(s.base); !strings.Contains(body, "R$ 1.234,56") {
		t.Fatal("home page without the plan's price")
	}
	cat, err := s.svc.CatalogBySlug(ctx, "fibra")
	must(t, err)
	plan := cat.Plans[0]
	plan.MonthlyPriceCents = 99900
	_, err = s.svc.SavePlan(ctx, cat.Provider.ID, plan)
	must(t, err)
	home := webtest.NewBrowser(t, s.url).Get(s.base) // a new visitor
	if !strings.Contains(home.Body, "R$ 999,00") || strings.Contains(home.Body, "R$ 1.234,56") {
		t.Errorf("home page after the price change:\n%s", home.Body)
	}
	if c := home.Header.Values("Set-Cookie"); len(c) != 0 {
		t.Errorf("home page set cookies %q", c)
	}
}
