package storefront_test

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/blob/blobtest"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/server"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// Two tenants, so every test can check isolation.
const (
	originA = "https://loja.fibra-a.com.br"
	originB = "https://loja.fibra-b.com.br"
)

// maxFileBytes is small so size-limit tests send small bodies.
const maxFileBytes = 64 << 10

// harness is the real handler (real middleware, real store of the engine)
// with two seeded providers.
type harness struct {
	t     testing.TB
	store storefront.Store
	svc   *storefront.Service
	clock *testkit.Clock
	// blobDir holds the stored files.
	blobDir string
	// handler is the whole service handler; api validates what it answers.
	handler http.Handler
	api     *apitest.Client
	a, b    tenantFixture
}

// tenantFixture names what seedTenant created.
type tenantFixture struct {
	id                      int64
	origin                  string
	token                   string
	client                  *apitest.Client // sends the tenant's Origin
	admin                   *apitest.Client // sends the tenant's admin token
	personal, business      int64           // categories
	pix, card               int64           // payment methods
	wifi                    int64           // service
	basic, fast, enterprise int64           // plans
	coupon                  int64           // "PROMO10", limit 3, plans basic and fast
}

// eachHarness runs fn on every engine (testdb.Each) with a fresh harness
// of default options.
func eachHarness(t *testing.T, fn func(t *testing.T, h *harness)) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) { fn(t, newHarness(t, e)) })
}

// harnessOptions customise newHarness.
type harnessOptions struct {
	// guardPerMinute > 0 puts the handler behind the guard serve wires
	// (that many requests a minute per credential, Idempotency-Key
	// records in the test's database), on the harness's clock.
	guardPerMinute int
	// publicWritesPerMinute > 0 limits the storefront's writes per client
	// address and Origin to that many a minute; 0: out of reach.
	publicWritesPerMinute int
}

func newHarness(t testing.TB, e storage.Stores, opts ...harnessOptions) *harness {
	t.Helper()
	o := testkit.Option(opts)
	blobs, dir := blobtest.NewDir(t)
	h := &harness{t: t, store: e.Storefront(), blobDir: dir, clock: testkit.NewClock(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))}
	h.svc = storefront.NewService(h.store, blobs, h.clock.Now, maxFileBytes)
	// The harness's clock stands still, so the public write limit is set
	// out of reach unless asked for; TestPublicWritesAreRateLimited tests it.
	handler := storefront.NewHandler(h.svc, cmp.Or(o.publicWritesPerMinute, 1_000_000))
	var keys *idempotency.Keys
	if o.guardPerMinute > 0 {
		handler.Guard, keys = testdb.Guard(e, o.guardPerMinute, h.clock.Now)
	}
	srv, err := server.New(server.Config{
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Surfaces: []server.Surface{{
			Name: "storefront", Prefixes: storefront.Prefixes, Render: storefront.Render, Routes: handler.Routes,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.handler = srv
	if keys != nil {
		keys.ServeResourcesWith(srv)
	}
	h.api = apitest.New(t, srv)
	h.a = h.seedTenant("Fibra A", originA)
	h.b = h.seedTenant("Fibra B", originB)
	return h
}

// batelPolygon surrounds Batel (Curitiba) and has a hole around Praça do
// Japão's block, lng/lat as GeoJSON orders them.
const batelPolygon = `{"type":"Polygon","coordinates":[
	[[-49.2985,-25.4390],[-49.2890,-25.4345],[-49.2790,-25.4370],[-49.2780,-25.4440],[-49.2860,-25.4500],[-49.2960,-25.4480],[-49.2985,-25.4390]],
	[[-49.2900,-25.4420],[-49.2860,-25.4420],[-49.2860,-25.4450],[-49.2900,-25.4450],[-49.2900,-25.4420]]]}`

// Points for coverage tests.
var (
	inBatel      = map[string]any{"lat": "-25.4400", "lng": "-49.2920"}
	inBatelHole  = map[string]any{"lat": -25.4435, "lng": -49.2880}
	outsideBatel = map[string]any{"lat": "-25.3587797", "lng": "-49.2702625"}
)

// coupon saves a coupon of provider A.
func (h *harness) coupon(c storefront.Coupon) storefront.Coupon {
	h.t.Helper()
	c, err := h.svc.SaveCoupon(context.Background(), h.a.id, c)
	h.must(err)
	return c
}

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) seedTenant(name, origin string) tenantFixture {
	h.t.Helper()
	ctx := context.Background()
	p, err := h.svc.CreateProvider(ctx, name, origin, "")
	h.must(err)
	f := tenantFixture{id: p.ID, origin: origin}
	p.DueDays = []int{5, 10, 20}
	p.Branding.NavbarColor = "#3f89ff"
	_, err = h.svc.UpdateProvider(ctx, p)
	h.must(err)
	item := func(kind storefront.ItemKind, name string, order *int) int64 {
		it, err := h.svc.SaveItem(ctx, kind, p.ID, storefront.Item{Name: name, SortOrder: order})
		h.must(err)
		return it.ID
	}
	one := 1
	f.business = item(storefront.Categories, "Plano Business", nil)
	f.personal = item(storefront.Categories, "Plano Pessoal", &one)
	f.pix = item(storefront.PaymentMethods, "Pix", nil)
	f.card = item(storefront.PaymentMethods, "Cartão", nil)
	f.wifi = item(storefront.Services, "Wi-Fi grátis", nil)
	plan := func(pl storefront.Plan) int64 {
		saved, err := h.svc.SavePlan(ctx, p.ID, pl)
		h.must(err)
		return saved.ID
	}
	f.basic = plan(storefront.Plan{Name: "Plano 1", MonthlyPriceCents: 2990, InstallationFeeUpfront: "100",
		InstallationFeeInstallments: "2x R$ 60,00", CategoryIDs: []int64{f.personal}, PaymentMethodIDs: []int64{f.pix}})
	f.fast = plan(storefront.Plan{Name: "Plano 2", MonthlyPriceCents: 10000, DownloadSpeed: 150, DetailLine1: "Wifi Gratis",
		CategoryIDs: []int64{f.personal, f.business}, PaymentMethodIDs: []int64{f.pix, f.card}, ServiceIDs: []int64{f.wifi}})
	f.enterprise = plan(storefront.Plan{Name: "Empresa", MonthlyPriceCents: 29999, SortOrder: &one,
		CategoryIDs: []int64{f.business}, PaymentMethodIDs: []int64{f.card}})
	limit := 3
	c, err := h.svc.SaveCoupon(ctx, p.ID, storefront.Coupon{Name: "PROMO10", Description: "Desconto na mensalidade",
		PlanIDs: []int64{f.basic, f.fast}, MaxRedemptions: &limit})
	h.must(err)
	f.coupon = c.ID
	g, err := storefront.ParseGeometry([]byte(batelPolygon))
	h.must(err)
	_, err = h.svc.SaveCoverageArea(ctx, p.ID, storefront.CoverageArea{Name: "Batel", Geometry: g})
	h.must(err)
	// 80010-000..80010-999 (Centro) is covered by CEP, for the basic plan only.
	_, err = h.svc.SaveCoverageArea(ctx, p.ID, storefront.CoverageArea{Name: "Centro", PlanID: f.basic, CEPStart: 80010000, CEPEnd: 80010999})
	h.must(err)
	f.token, err = h.svc.IssueToken(ctx, origin, storefront.DefaultTokenTTL)
	h.must(err)
	f.client = h.api.With("Origin", origin)
	f.admin = h.api.With("Authorization", "Bearer "+f.token)
	return f
}

// subscription builds a create body: plan, the seed's field names, and
// fields overriding or adding to a complete, valid, covered subscription.
func subscription(planID any, fields map[string]any) map[string]any {
	sub := map[string]any{
		"pre_subscription":  true,
		"nome_razao_social": "Jian Rodrigues",
		"email":             "jian@gmail.com",
		"telefone_celular":  "(41) 99891-6002",
		"rua":               "Av. do Batel",
		"numero":            "1200",
		"cep":               "80420-120",
		"cidade":            "Curitiba",
		"cpf_cnpj":          "458.264.868-13",
		"data_nascimento":   "29/08/1998",
		"coordinates":       inBatel,
	}
	for k, v := range fields {
		if v == nil {
			delete(sub, k)
			continue
		}
		sub[k] = v
	}
	return map[string]any{"plan_id": planID, "subscription": sub}
}

// subscribeResult is the seed's answer to create, update and files.
type subscribeResult struct {
	Data struct {
		ID         *string `json:"id"`
		Type       string  `json:"type"`
		Attributes struct {
			Coverage bool `json:"coverage"`
		} `json:"attributes"`
	} `json:"data"`
}

func (f tenantFixture) subscribe(t testing.TB, body any) subscribeResult {
	t.Helper()
	var res subscribeResult
	f.client.JSON(http.MethodPost, "/api/v2/subscriptions", body).Expect(http.StatusOK).Decode(&res)
	return res
}

// errorsOf decodes a {"errors":{…}} body.
func errorsOf(t testing.TB, res *apitest.Response) map[string][]string {
	t.Helper()
	var body struct {
		Errors map[string][]string `json:"errors"`
	}
	res.Decode(&body)
	if len(body.Errors) == 0 {
		t.Fatalf("no errors in %s", res.Body)
	}
	return body.Errors
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func contains(body []byte, s string) bool { return bytes.Contains(body, []byte(s)) }
