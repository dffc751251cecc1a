package companies_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/companies"
	"partnership-service/internal/geo"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/server"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// Places used by the tests (IBGE codes).
const (
	sp        = 35
	saoPaulo  = 3550308
	campinas  = 3509502
	rj        = 33
	rio       = 3304557
	password  = "senha-forte-123"
	validCNPJ = "11222333000181"
)

// fixture is the world as the service sees it: a management account
// managing one client account, a foreign client account, a user of each,
// and a super admin, each account with a company.
type fixture struct {
	t     testing.TB
	svc   *companies.Service
	clock *testkit.Clock

	// Signed-in users: the super admin, the gestão user, the user of the
	// managed client account and the user of the foreign one.
	superSess, managerSess, clientSess, foreignSess *companies.Session
	// tokens are the users' bearer tokens, by e-mail.
	tokens map[string]string
	// Accounts.
	gestao, cliente, alheia int64
	// One company per account.
	gestaoCo, clienteCo, alheiaCo int64
}

// eachFixture runs fn on every engine (testdb.Each) with a fresh fixture.
func eachFixture(t *testing.T, fn func(t *testing.T, f *fixture)) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) { fn(t, newFixture(t, e)) })
}

func newFixture(t testing.TB, e storage.Stores) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, clock: testkit.NewClock(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)), tokens: map[string]string{}}
	f.svc = companies.NewService(e.Companies(), geo.MustLoad(), f.clock.Now)
	account := func(name string, typ companies.AccountType, manager string) int64 {
		a, err := f.svc.CreateAccount(ctx, name, typ, manager)
		f.must(err)
		return a.ID
	}
	f.gestao = account("Gestora", companies.Management, "")
	f.cliente = account("Conta Cliente", companies.Client, "Gestora")
	f.alheia = account("Conta Alheia", companies.Client, "")
	f.superSess = f.user("admin@example.com", "")
	f.managerSess = f.user("gestor@example.com", "Gestora")
	f.clientSess = f.user("cliente@example.com", "Conta Cliente")
	f.foreignSess = f.user("alheio@example.com", "Conta Alheia")
	f.gestaoCo = f.mustCreate(f.superSess, map[string]any{"name": "Empresa Gestora", "account_id": f.gestao}).ID
	f.clienteCo = f.mustCreate(f.superSess, map[string]any{"name": "Empresa Cliente", "account_id": f.cliente}).ID
	f.alheiaCo = f.mustCreate(f.superSess, map[string]any{"name": "Empresa Alheia", "account_id": f.alheia}).ID
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// user creates a user (account "" → super admin), signs it in and returns
// its session.
func (f *fixture) user(email, account string) *companies.Session {
	f.t.Helper()
	ctx := context.Background()
	_, err := f.svc.CreateUser(ctx, email, password, account, account == "")
	f.must(err)
	token, _, err := f.svc.IssueToken(ctx, email, time.Hour)
	f.must(err)
	f.tokens[email] = token
	sess, err := f.svc.Authenticate(ctx, token)
	f.must(err)
	return sess
}

// input is a company body as the handler would parse it.
func (f *fixture) input(fields map[string]any) companies.CompanyInput {
	f.t.Helper()
	body := map[string]json.RawMessage{}
	for k, v := range fields {
		raw, err := json.Marshal(v)
		f.must(err)
		body[k] = raw
	}
	in, err := companies.ParseCompanyInput(body)
	f.must(err)
	return in
}

// mustCreate creates a company (with the required places filled) as sess.
func (f *fixture) mustCreate(sess *companies.Session, fields map[string]any) companies.Company {
	f.t.Helper()
	c, err := f.svc.CreateCompany(context.Background(), sess, f.input(company(fields)))
	f.must(err)
	return c
}

// persona is a signed-in user of the world.
type persona struct {
	email string
	api   *apitest.Client
}

// world is the fixture behind the real HTTP handler.
type world struct {
	*fixture
	handler http.Handler
	anon    *apitest.Client

	super, manager, client, foreign persona
}

// eachWorld runs fn on every engine (testdb.Each) with a fresh world
// without a guard.
func eachWorld(t *testing.T, fn func(t *testing.T, w *world)) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) { fn(t, newWorld(t, e)) })
}

// newWorld builds the world; a guardPerMinute puts the handler behind the
// guard serve wires (that many requests a minute per token,
// Idempotency-Key records in e), on the fixture's clock.
func newWorld(t testing.TB, e storage.Stores, guardPerMinute ...int) *world {
	t.Helper()
	w := &world{fixture: newFixture(t, e)}
	h := companies.NewHandler(w.svc)
	var keys *idempotency.Keys
	if len(guardPerMinute) > 0 {
		h.Guard, keys = testdb.Guard(e, guardPerMinute[0], w.clock.Now)
	}
	srv, err := server.New(server.Config{
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Surfaces: []server.Surface{{Name: "companies", Prefixes: companies.Prefixes, Render: companies.Render,
			Routes: h.Routes}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if keys != nil {
		keys.ServeResourcesWith(srv)
	}
	w.handler = srv
	w.anon = apitest.New(t, srv)
	persona := func(email string) persona {
		return persona{email: email, api: w.anon.With("Authorization", "Bearer "+w.tokens[email])}
	}
	w.super = persona("admin@example.com")
	w.manager = persona("gestor@example.com")
	w.client = persona("cliente@example.com")
	w.foreign = persona("alheio@example.com")
	return w
}

// company fills the required fields of a company body.
func company(fields map[string]any) map[string]any {
	body := map[string]any{"city_id": saoPaulo, "state_id": sp}
	for k, v := range fields {
		body[k] = v
	}
	return body
}

// create creates a company as p and returns its id.
func (w *world) create(p persona, fields map[string]any) int64 {
	w.t.Helper()
	var c struct{ ID int64 }
	p.api.JSON("POST", "/api/v4/companies", company(fields)).Expect(http.StatusCreated).Decode(&c)
	return c.ID
}

func path(id int64) string { return fmt.Sprintf("/api/v4/companies/%d", id) }

// companyBody is the part of a company response the tests read.
type companyBody struct {
	ID      int64
	Name    string
	CNPJ    *string
	CNAE    *string
	ZipCode *string `json:"zip_code"`
	Parent  *struct {
		ID   int64
		Name string
	}
	City, State, Account struct {
		ID   int64
		Name string
	}
	CodeIBGE          *int64 `json:"code_ibge"`
	EnergyDemandsPeak []struct {
		ValueKW   float64 `json:"value_kw"`
		StartDate string  `json:"start_date"`
	} `json:"energy_demands_peak"`
}

type pageBody struct {
	Items       []companyBody
	Total       int
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
}

// listIDs lists with query as p and returns the ids in order.
func listIDs(t testing.TB, p persona, query string) []int64 {
	t.Helper()
	res := p.api.Get("/api/v4/companies" + query)
	if res.Status == http.StatusNoContent {
		return nil
	}
	var page pageBody
	res.Expect(http.StatusOK).Decode(&page)
	ids := make([]int64, len(page.Items))
	for i, c := range page.Items {
		ids[i] = c.ID
	}
	return ids
}

// fieldErrors decodes a 422 body.
func fieldErrors(t testing.TB, res *apitest.Response) map[string][]string {
	t.Helper()
	var m map[string][]string
	res.Expect(http.StatusUnprocessableEntity).Decode(&m)
	return m
}

// messages decodes a list-of-messages body.
func messages(t testing.TB, res *apitest.Response, status int) []string {
	t.Helper()
	var m []string
	res.Expect(status).Decode(&m)
	return m
}
