package companies_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/companies"
	"partnership-service/internal/geo"
	"partnership-service/internal/server"
	"partnership-service/internal/storage"
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

// persona is a signed-in user of the world.
type persona struct {
	email string
	api   *apitest.Client
}

// world: a management account managing one client account, a foreign
// client account, a user of each, and a super admin, each with a company.
type world struct {
	t       testing.TB
	svc     *companies.Service
	clock   *testkit.Clock
	handler http.Handler
	anon    *apitest.Client

	super, manager, client, foreign persona
	// Accounts.
	gestao, cliente, alheia int64
	// One company per account.
	gestaoCo, clienteCo, alheiaCo int64
}

func newWorld(t testing.TB, e storage.Stores) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, clock: testkit.NewClock(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))}
	w.svc = companies.NewService(e.Companies(), geo.MustLoad(), w.clock.Now)
	srv, err := server.New(server.Config{
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Surfaces: []server.Surface{{Name: "companies", Prefixes: companies.Prefixes, Render: companies.Render,
			Routes: companies.NewHandler(w.svc).Routes}},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.handler = srv
	w.anon = apitest.New(t, srv)
	account := func(name string, typ companies.AccountType, manager string) int64 {
		a, err := w.svc.CreateAccount(ctx, name, typ, manager)
		w.must(err)
		return a.ID
	}
	w.gestao = account("Gestora", companies.Management, "")
	w.cliente = account("Conta Cliente", companies.Client, "Gestora")
	w.alheia = account("Conta Alheia", companies.Client, "")
	w.super = w.user("admin@example.com", "")
	w.manager = w.user("gestor@example.com", "Gestora")
	w.client = w.user("cliente@example.com", "Conta Cliente")
	w.foreign = w.user("alheio@example.com", "Conta Alheia")
	w.gestaoCo = w.create(w.super, map[string]any{"name": "Empresa Gestora", "account_id": w.gestao})
	w.clienteCo = w.create(w.super, map[string]any{"name": "Empresa Cliente", "account_id": w.cliente})
	w.alheiaCo = w.create(w.super, map[string]any{"name": "Empresa Alheia", "account_id": w.alheia})
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// user creates a user (account "" → super admin) and signs it in.
func (w *world) user(email, account string) persona {
	w.t.Helper()
	_, err := w.svc.CreateUser(context.Background(), email, password, account, account == "")
	w.must(err)
	token, _, err := w.svc.IssueToken(context.Background(), email, time.Hour)
	w.must(err)
	return persona{email: email, api: w.anon.With("Authorization", "Bearer "+token)}
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
