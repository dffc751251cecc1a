package companies_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestIsolationMatrix checks who may list, get, create, update and delete
// the companies of which account: super admin / gestão user / client user
// × own, managed, foreign account.
func TestIsolationMatrix(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		type target struct {
			name    string
			account int64
			company int64
		}
		own := map[string]target{"super": {"gestora", w.gestao, w.gestaoCo}, "manager": {"own", w.gestao, w.gestaoCo},
			"client": {"own", w.cliente, w.clienteCo}}
		managed := map[string]target{"super": {"cliente", w.cliente, w.clienteCo},
			"manager": {"managed", w.cliente, w.clienteCo}, "client": {"its manager's", w.gestao, w.gestaoCo}}
		foreign := target{"foreign", w.alheia, w.alheiaCo}
		personas := map[string]persona{"super": w.super, "manager": w.manager, "client": w.client}
		cases := []struct {
			persona string
			target  target
			allowed bool
		}{
			{"super", own["super"], true},
			{"super", managed["super"], true},
			{"super", foreign, true},
			{"manager", own["manager"], true},
			{"manager", managed["manager"], true},
			{"manager", foreign, false},
			{"client", own["client"], true},
			{"client", managed["client"], false},
			{"client", foreign, false},
		}
		for _, tc := range cases {
			p := personas[tc.persona]
			t.Run(tc.persona+" × "+tc.target.name, func(t *testing.T) {
				ids := listIDs(t, p, "?_limit=100")
				if got := slices.Contains(ids, tc.target.company); got != tc.allowed {
					t.Errorf("list shows company %d: %v, want %v (ids %v)", tc.target.company, got, tc.allowed, ids)
				}
				wantGet := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[tc.allowed]
				p.api.Get(path(tc.target.company)).Expect(wantGet)

				res := p.api.JSON("POST", "/api/v4/companies", company(map[string]any{"name": "Nova", "account_id": tc.target.account}))
				if tc.allowed {
					var c companyBody
					res.Expect(http.StatusCreated).Decode(&c)
					if c.Account.ID != tc.target.account {
						t.Errorf("created in account %d, want %d", c.Account.ID, tc.target.account)
					}
				} else if got := fieldErrors(t, res); got["account_id"][0] != "O campo account id selecionado é inválido." {
					t.Errorf("create errors = %v", got)
				}

				upd := p.api.JSON("PUT", path(tc.target.company), map[string]any{"complement": "Sala " + tc.persona})
				upd.Expect(wantGet)

				victim := w.create(w.super, map[string]any{"name": "Vítima", "account_id": tc.target.account})
				wantDelete := map[bool]int{true: http.StatusNoContent, false: http.StatusNotFound}[tc.allowed]
				p.api.JSON("DELETE", path(victim), nil).Expect(wantDelete)
				stillThere := w.super.api.Get(path(victim)).Status == http.StatusOK
				if stillThere == tc.allowed {
					t.Errorf("after delete, company exists = %v", stillThere)
				}
			})
		}
		t.Run("account_id filter is the super admin's", func(t *testing.T) {
			if ids := listIDs(t, w.super, fmt.Sprintf("?account_id=%d&_limit=100", w.alheia)); !slices.Contains(ids, w.alheiaCo) ||
				slices.Contains(ids, w.clienteCo) {
				t.Errorf("super admin filtered by foreign account: %v", ids)
			}
			if ids := listIDs(t, w.super, fmt.Sprintf("?account_id=%d&account_id=%d&_limit=100", w.gestao, w.cliente)); !slices.Contains(ids, w.gestaoCo) ||
				!slices.Contains(ids, w.clienteCo) || slices.Contains(ids, w.alheiaCo) {
				t.Errorf("super admin filtered by two accounts: %v", ids)
			}
			got := fieldErrors(t, w.super.api.Get("/api/v4/companies?account_id=999999"))
			if got["account_id"][0] != "O campo account id selecionado é inválido." {
				t.Errorf("super admin filtering by an unknown account: %v", got)
			}
			// Everyone else: 422, whether the account is theirs, managed or foreign.
			for _, tc := range []struct {
				p       persona
				account int64
			}{{w.manager, w.gestao}, {w.manager, w.cliente}, {w.manager, w.alheia}, {w.client, w.cliente}, {w.client, w.alheia}} {
				got := fieldErrors(t, tc.p.api.Get(fmt.Sprintf("/api/v4/companies?account_id=%d", tc.account)))
				if got["account_id"][0] != "O campo account id selecionado é inválido." {
					t.Errorf("%s filtering by account %d: %v", tc.p.email, tc.account, got)
				}
			}
		})
	})
}

func TestCompanyRules(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {

		t.Run("create shape and normalization", func(t *testing.T) {
			var c companyBody
			w.client.api.JSON("POST", "/api/v4/companies", map[string]any{
				"name": "Padaria Pão Quente", "city_id": campinas, "state_id": sp, "cnpj": 11222333000181,
				"cnae": "4721-1/02", "zip_code": "13010000", "code_ibge": campinas, "contact_email": "a@b.com.br",
				"parent_id": w.clienteCo, "energy_demands_peak": []any{map[string]any{"value_kw": 120.5, "start_date": "2026-01-01"}},
			}).Expect(http.StatusCreated).Decode(&c)
			if c.Account.ID != w.cliente || c.Account.Name != "Conta Cliente" {
				t.Errorf("account = %+v", c.Account)
			}
			if c.City.Name != "Campinas" || c.State.Name != "São Paulo" || c.State.ID != sp {
				t.Errorf("city/state = %+v %+v", c.City, c.State)
			}
			if c.Parent == nil || c.Parent.ID != w.clienteCo || c.Parent.Name != "Empresa Cliente" {
				t.Errorf("parent = %+v", c.Parent)
			}
			if *c.CNPJ != validCNPJ || *c.CNAE != "4721102" || *c.ZipCode != "13010-000" || *c.CodeIBGE != campinas {
				t.Errorf("normalized fields: cnpj %v cnae %v zip %v ibge %v", *c.CNPJ, *c.CNAE, *c.ZipCode, *c.CodeIBGE)
			}
			if len(c.EnergyDemandsPeak) != 1 || c.EnergyDemandsPeak[0].ValueKW != 120.5 {
				t.Errorf("demands = %+v", c.EnergyDemandsPeak)
			}
			// CNPJ as a number loses leading zeros; they come back.
			var z companyBody
			w.client.api.JSON("POST", "/api/v4/companies", company(map[string]any{"name": "Zero", "cnpj": json.Number("191")})).
				Expect(http.StatusCreated).Decode(&z)
			if *z.CNPJ != "00000000000191" {
				t.Errorf("numeric cnpj stored as %q", *z.CNPJ)
			}
			// Alphanumeric CNPJ.
			w.client.api.JSON("POST", "/api/v4/companies", company(map[string]any{"name": "Alfa", "cnpj": "12.ABC.345/01DE-35"})).
				Expect(http.StatusCreated)
		})

		t.Run("required fields and account_id", func(t *testing.T) {
			got := fieldErrors(t, w.client.api.JSON("POST", "/api/v4/companies", map[string]any{}))
			for field, msg := range map[string]string{"name": "O campo name é obrigatório.",
				"city_id": "O campo city id é obrigatório.", "state_id": "O campo state id é obrigatório."} {
				if len(got[field]) == 0 || got[field][0] != msg {
					t.Errorf("%s: %v", field, got[field])
				}
			}
			if _, ok := got["account_id"]; ok {
				t.Errorf("client users need no account_id: %v", got)
			}
			for _, p := range []persona{w.super, w.manager} {
				got := fieldErrors(t, p.api.JSON("POST", "/api/v4/companies", company(map[string]any{"name": "X"})))
				if got["account_id"][0] != "O campo account id é obrigatório." {
					t.Errorf("%s without account_id: %v", p.email, got)
				}
			}
		})

		t.Run("field validation", func(t *testing.T) {
			cases := []struct {
				name  string
				body  map[string]any
				field string
			}{
				{"bad cnpj", map[string]any{"cnpj": "11.222.333/0001-80"}, "cnpj"},
				{"cnpj object", map[string]any{"cnpj": map[string]any{}}, "cnpj"},
				{"name not string", map[string]any{"name": 5}, "name"},
				{"cnae short", map[string]any{"cnae": "123456"}, "cnae"},
				{"zip", map[string]any{"zip_code": "123"}, "zip_code"},
				{"email", map[string]any{"contact_email": "nope"}, "contact_email"},
				{"code_ibge", map[string]any{"code_ibge": 123456789}, "code_ibge"},
				{"city of other state", map[string]any{"city_id": rio, "state_id": sp}, "city_id"},
				{"unknown city", map[string]any{"city_id": 3550309}, "city_id"},
				{"unknown state", map[string]any{"state_id": 99}, "state_id"},
				{"city_id string", map[string]any{"city_id": "abc"}, "city_id"},
				{"demand value", map[string]any{"energy_demands_peak": []any{map[string]any{"value_kw": -1, "start_date": "2026-01-01"}}}, "energy_demands_peak.0.value_kw"},
				{"demand date", map[string]any{"energy_demands_off_peak": []any{map[string]any{"value_kw": 1, "start_date": "01/01/2026"}}}, "energy_demands_off_peak.0.start_date"},
				{"demands not list", map[string]any{"energy_demands_peak": "x"}, "energy_demands_peak"},
				{"long name", map[string]any{"name": strings.Repeat("a", 256)}, "name"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					body := company(map[string]any{"name": "Empresa"})
					for k, v := range tc.body {
						body[k] = v
					}
					got := fieldErrors(t, w.client.api.JSON("POST", "/api/v4/companies", body))
					if len(got[tc.field]) == 0 {
						t.Errorf("no error for %s: %v", tc.field, got)
					}
				})
			}
		})

		t.Run("parent in another account", func(t *testing.T) {
			want := "Permissões insuficientes para essa conta"
			got := fieldErrors(t, w.super.api.JSON("POST", "/api/v4/companies",
				company(map[string]any{"name": "X", "account_id": w.gestao, "parent_id": w.clienteCo})))
			if got["parent_id"][0] != want {
				t.Errorf("create: %v", got)
			}
			got = fieldErrors(t, w.manager.api.JSON("PUT", path(w.gestaoCo), map[string]any{"parent_id": w.clienteCo}))
			if got["parent_id"][0] != want {
				t.Errorf("update: %v", got)
			}
			got = fieldErrors(t, w.client.api.Get(fmt.Sprintf("/api/v4/companies?parent_id=%d", w.alheiaCo)))
			if got["parent_id"][0] != want {
				t.Errorf("list filter: %v", got)
			}
		})

		t.Run("no parent cycles", func(t *testing.T) {
			a := w.create(w.client, map[string]any{"name": "A"})
			b := w.create(w.client, map[string]any{"name": "B", "parent_id": a})
			c := w.create(w.client, map[string]any{"name": "C", "parent_id": b})
			for _, tc := range []struct {
				id, parent int64
			}{{a, a}, {a, c}, {a, b}} {
				got := fieldErrors(t, w.client.api.JSON("PUT", path(tc.id), map[string]any{"parent_id": tc.parent}))
				if len(got["parent_id"]) == 0 {
					t.Errorf("parent %d of %d: %v", tc.parent, tc.id, got)
				}
			}
			// Clearing a parent is allowed.
			var cb companyBody
			w.client.api.JSON("PUT", path(c), map[string]any{"parent_id": nil}).Expect(http.StatusOK).Decode(&cb)
			if cb.Parent != nil {
				t.Errorf("parent not cleared: %+v", cb.Parent)
			}
		})

		t.Run("no account change", func(t *testing.T) {
			got := messages(t, w.super.api.JSON("PUT", path(w.clienteCo), map[string]any{"account_id": w.alheia}), http.StatusForbidden)
			if !slices.Equal(got, []string{"Não é permitido trocar a conta."}) {
				t.Errorf("body = %v", got)
			}
			// The same account is no change.
			w.super.api.JSON("PUT", path(w.clienteCo), map[string]any{"account_id": w.cliente}).Expect(http.StatusOK)
		})

		t.Run("company with children", func(t *testing.T) {
			parent := w.create(w.manager, map[string]any{"name": "Pai", "account_id": w.gestao})
			child := w.create(w.manager, map[string]any{"name": "Filha", "account_id": w.gestao, "parent_id": parent})
			got := fieldErrors(t, w.manager.api.JSON("DELETE", "/api/v3/companies/"+fmt.Sprint(parent), nil))
			if got["id"][0] != "A empresa possui empresas filhas." {
				t.Errorf("body = %v", got)
			}
			w.manager.api.JSON("DELETE", path(child), nil).Expect(http.StatusNoContent)
			w.manager.api.JSON("DELETE", "/api/v3/companies/"+fmt.Sprint(parent), nil).Expect(http.StatusNoContent)
			w.manager.api.Get(path(parent)).Expect(http.StatusNotFound)
		})

		t.Run("update keeps absent fields", func(t *testing.T) {
			id := w.create(w.client, map[string]any{"name": "Original", "cnae": "4721102"})
			var c companyBody
			w.client.api.JSON("PUT", path(id), map[string]any{"name": "Renomeada"}).Expect(http.StatusOK).Decode(&c)
			if c.Name != "Renomeada" || c.CNAE == nil || *c.CNAE != "4721102" {
				t.Errorf("after update: %+v", c)
			}
			fieldErrors(t, w.client.api.JSON("PUT", path(id), map[string]any{"name": ""}))
		})

		t.Run("authentication", func(t *testing.T) {
			for _, hdr := range []string{"", "Bearer", "Bearer nope", "Basic abc"} {
				c := w.anon
				if hdr != "" {
					c = c.With("Authorization", hdr)
				}
				got := messages(t, c.Get("/api/v4/companies"), http.StatusUnauthorized)
				if got[0] != "Não autenticado." {
					t.Errorf("%q: %v", hdr, got)
				}
			}
		})
	})
}

func TestListFilters(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		names := []string{"Açaí do Norte", "Beta Energia", "acai Sul", "Gama"}
		ids := make([]int64, len(names))
		for i, n := range names {
			ids[i] = w.create(w.client, map[string]any{"name": n, "external_id": fmt.Sprintf("EXT-%d", i), "parent_id": w.clienteCo})
		}
		cases := []struct {
			name  string
			query string
			want  []int64
		}{
			{"default: id desc, own account only", "", []int64{ids[3], ids[2], ids[1], ids[0], w.clienteCo}},
			{"q folds case and accents", "?_q=ACAI&_sort=id&_order=asc", []int64{ids[0], ids[2]}},
			{"q as id", fmt.Sprintf("?_q=%d", ids[1]), []int64{ids[1]}},
			{"sort by nome asc", "?_sort=nome&_order=asc&parent_id=" + fmt.Sprint(w.clienteCo), []int64{ids[0], ids[2], ids[1], ids[3]}},
			{"external ids repeated", "?external_id=EXT-1&external_id=EXT-3", []int64{ids[3], ids[1]}},
			{"limit and page", "?_limit=2&_page=2", []int64{ids[1], ids[0]}},
			{"q with LIKE wildcard matches literally", "?_q=%25", nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if got := listIDs(t, w.client, tc.query); !slices.Equal(got, tc.want) {
					t.Errorf("ids = %v, want %v", got, tc.want)
				}
			})
		}
		t.Run("envelope", func(t *testing.T) {
			var page pageBody
			w.client.api.Get("/api/v4/companies?_limit=2&_page=2").Expect(http.StatusOK).Decode(&page)
			if page.Total != 5 || page.PerPage != 2 || page.CurrentPage != 2 {
				t.Errorf("envelope = total %d per_page %d current_page %d", page.Total, page.PerPage, page.CurrentPage)
			}
			res := w.client.api.Get("/api/v4/companies?_page=9")
			if res.Expect(http.StatusNoContent); len(res.Body) != 0 {
				t.Errorf("204 with body %q", res.Body)
			}
		})
	})
}

func TestHostileInput(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		api := w.client.api
		cases := []struct {
			name   string
			method string
			path   string
			body   any
			status int
		}{
			{"malformed JSON", "POST", "/api/v4/companies", `{"name":`, http.StatusBadRequest},
			{"array body", "POST", "/api/v4/companies", `[1,2]`, http.StatusBadRequest},
			{"two values", "POST", "/api/v4/companies", `{} {}`, http.StatusBadRequest},
			{"cnpj object", "POST", "/api/v4/companies", `{"name":"x","city_id":3550308,"state_id":35,"cnpj":{}}`, http.StatusUnprocessableEntity},
			{"name number", "POST", "/api/v4/companies", `{"name":5,"city_id":3550308,"state_id":35}`, http.StatusUnprocessableEntity},
			{"huge city_id", "POST", "/api/v4/companies", `{"name":"x","city_id":1e300,"state_id":35}`, http.StatusUnprocessableEntity},
			{"malformed update", "PUT", path(w.clienteCo), `nope`, http.StatusBadRequest},
			{"huge _limit", "GET", "/api/v4/companies?_limit=1000000000000", nil, http.StatusUnprocessableEntity},
			{"negative _page", "GET", "/api/v4/companies?_page=-1", nil, http.StatusUnprocessableEntity},
			{"_page zero", "GET", "/api/v4/companies?_page=0", nil, http.StatusUnprocessableEntity},
			{"_limit text", "GET", "/api/v4/companies?_limit=ten", nil, http.StatusUnprocessableEntity},
			{"_sort injection", "GET", "/api/v4/companies?_sort=drop%20table", nil, http.StatusUnprocessableEntity},
			{"_order bad", "GET", "/api/v4/companies?_order=sideways", nil, http.StatusUnprocessableEntity},
			{"parent_id text", "GET", "/api/v4/companies?parent_id=abc", nil, http.StatusUnprocessableEntity},
			{"too many parent_id", "GET", "/api/v4/companies?" + strings.Repeat("parent_id=1&", 101), nil, http.StatusUnprocessableEntity},
			{"too many external_id", "GET", "/api/v4/companies?" + strings.Repeat("external_id=x&", 101), nil, http.StatusUnprocessableEntity},
			{"non-numeric id", "GET", "/api/v4/companies/abc", nil, http.StatusNotFound},
			{"negative id", "GET", "/api/v4/companies/-1", nil, http.StatusNotFound},
			{"overflowing id", "DELETE", "/api/v3/companies/99999999999999999999", nil, http.StatusNotFound},
			{"unknown id", "PUT", "/api/v4/companies/987654", `{"name":"x"}`, http.StatusNotFound},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := api.JSON(tc.method, tc.path, tc.body)
				res.Expect(tc.status)
				if len(res.Body) == 0 || (res.Body[0] != '[' && res.Body[0] != '{') {
					t.Errorf("body is not the envelope: %s", res.Body)
				}
			})
		}
		t.Run("parameter names in messages", func(t *testing.T) {
			got := fieldErrors(t, api.Get("/api/v4/companies?_sort=drop%20table&_order=x"))
			if got["_sort"][0] != "O campo _sort selecionado é inválido." || got["_order"][0] != "O campo _order selecionado é inválido." {
				t.Errorf("errors = %v", got)
			}
		})
		t.Run("wrong content type", func(t *testing.T) {
			req := api.NewRequest("POST", "/api/v4/companies", strings.NewReader(`{}`), "text/plain")
			api.Do(req).Expect(http.StatusUnsupportedMediaType)
		})
		t.Run("nothing half-written", func(t *testing.T) {
			before := listIDs(t, w.client, "?_limit=100")
			api.JSON("POST", "/api/v4/companies", `{"name":"x","city_id":3550308,"state_id":35,"cnpj":{}}`)
			if after := listIDs(t, w.client, "?_limit=100"); !slices.Equal(before, after) {
				t.Errorf("a rejected create changed the list: %v → %v", before, after)
			}
		})
	})
}

func TestLogin(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		login := func(email, pw string) *struct {
			status int
			token  string
			body   []byte
		} {
			res := w.anon.JSON("POST", "/api/v4/auth/login", map[string]any{"email": email, "password": pw})
			var out struct {
				Token     string
				ExpiresAt time.Time `json:"expires_at"`
			}
			if res.Status == http.StatusOK {
				res.Decode(&out)
			}
			return &struct {
				status int
				token  string
				body   []byte
			}{res.Status, out.Token, res.Body}
		}
		t.Run("success gives a working token", func(t *testing.T) {
			r := login("CLIENTE@example.com ", password)
			if r.status != http.StatusOK || r.token == "" {
				t.Fatalf("login: %d %s", r.status, r.body)
			}
			w.anon.With("Authorization", "Bearer "+r.token).Get(path(w.clienteCo)).Expect(http.StatusOK)
		})
		t.Run("wrong e-mail and wrong password look alike", func(t *testing.T) {
			a, b := login("cliente@example.com", "errada-123"), login("ninguem@example.com", password)
			if a.status != http.StatusUnauthorized || string(a.body) != string(b.body) || a.status != b.status {
				t.Errorf("wrong password %d %s; wrong e-mail %d %s", a.status, a.body, b.status, b.body)
			}
		})
		t.Run("missing fields", func(t *testing.T) {
			got := fieldErrors(t, w.anon.JSON("POST", "/api/v4/auth/login", map[string]any{"email": 5}))
			if len(got["email"]) == 0 || len(got["password"]) == 0 {
				t.Errorf("errors = %v", got)
			}
		})
		t.Run("rate limit per e-mail, then the window ends", func(t *testing.T) {
			for range 5 {
				if r := login("gestor@example.com", "errada-123"); r.status != http.StatusUnauthorized {
					t.Fatalf("failure answered %d", r.status)
				}
			}
			res := w.anon.JSON("POST", "/api/v4/auth/login", map[string]any{"email": "gestor@example.com", "password": password})
			res.Expect(http.StatusTooManyRequests)
			if res.Header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			w.clock.Advance(16 * time.Minute)
			if r := login("gestor@example.com", password); r.status != http.StatusOK {
				t.Errorf("after the window: %d %s", r.status, r.body)
			}
		})
		t.Run("expired and revoked tokens", func(t *testing.T) {
			r := login("alheio@example.com", password)
			c := w.anon.With("Authorization", "Bearer "+r.token)
			c.Get("/api/v4/companies").Expect(http.StatusOK)
			w.must(w.svc.RevokeToken(t.Context(), r.token))
			c.Get("/api/v4/companies").Expect(http.StatusUnauthorized)

			r = login("alheio@example.com", password)
			c = w.anon.With("Authorization", "Bearer "+r.token)
			w.clock.Advance(25 * time.Hour)
			c.Get("/api/v4/companies").Expect(http.StatusUnauthorized)
		})
	})
}

func TestAuditLog(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		id := w.create(w.client, map[string]any{"name": "Auditada"})
		w.client.api.JSON("PUT", path(id), map[string]any{"name": "Auditada 2", "district": "Centro"}).Expect(http.StatusOK)
		w.client.api.JSON("PUT", path(id), map[string]any{"name": "Auditada 2"}).Expect(http.StatusOK) // no change
		w.client.api.JSON("DELETE", path(id), nil).Expect(http.StatusNoContent)

		messages(t, w.client.api.Get(fmt.Sprintf("/api/v4/audit-log?company_id=%d", id)), http.StatusForbidden)
		var page struct {
			Items []struct {
				Action  string
				User    struct{ Email string }
				Changes map[string]struct{ From, To any }
			}
			Total int
		}
		w.super.api.Get(fmt.Sprintf("/api/v4/audit-log?company_id=%d", id)).Expect(http.StatusOK).Decode(&page)
		if page.Total != 3 || len(page.Items) != 3 {
			t.Fatalf("entries = %d (%+v)", page.Total, page.Items)
		}
		del, upd, cre := page.Items[0], page.Items[1], page.Items[2]
		if del.Action != "delete" || upd.Action != "update" || cre.Action != "create" {
			t.Errorf("actions = %s %s %s", del.Action, upd.Action, cre.Action)
		}
		if cre.User.Email != "cliente@example.com" || cre.Changes["name"].To != "Auditada" {
			t.Errorf("create entry = %+v", cre)
		}
		if len(upd.Changes) != 2 || upd.Changes["name"].From != "Auditada" || upd.Changes["district"].To != "Centro" {
			t.Errorf("update changes = %+v", upd.Changes)
		}
		if del.Changes["name"].To != nil || del.Changes["name"].From != "Auditada 2" {
			t.Errorf("delete changes = %+v", del.Changes)
		}
	})
}

func TestReferenceData(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		var states struct {
			Items []struct {
				ID   int
				UF   string
				Name string
			}
		}
		w.anon.Get("/api/v4/states").Expect(http.StatusOK).Decode(&states)
		if len(states.Items) != 27 {
			t.Errorf("states = %d", len(states.Items))
		}
		var cities struct {
			Items []struct {
				ID      int
				Name    string
				StateID int `json:"state_id"`
			}
			Total int
		}
		w.anon.Get("/api/v4/cities?state_id=35&_q=sao%20bernardo").Expect(http.StatusOK).Decode(&cities)
		if len(cities.Items) != 1 || cities.Items[0].ID != 3548708 || cities.Items[0].StateID != sp {
			t.Errorf("cities = %+v", cities.Items)
		}
		w.anon.Get("/api/v4/cities?state_id=35&_q=zzzz").Expect(http.StatusNoContent)
		fieldErrors(t, w.anon.Get("/api/v4/cities?state_id=99"))
		fieldErrors(t, w.anon.Get("/api/v4/cities?state_id=x"))
	})
}
