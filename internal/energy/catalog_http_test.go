package energy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/energy/energytest"
)

func TestCatalogHTTP(t *testing.T) {
	energytest.Each(t, energytest.Options{}, func(t *testing.T, env *energytest.Env) {
		c := apitest.New(t, env.Handler).With("Authorization", "Bearer "+env.KeyA)
		enelSP := "0422f604-1046-561a-9106-f35774e72df3" // stable: derived from the name

		t.Run("operation areas", func(t *testing.T) {
			tests := []struct {
				name, query string
				status      int
				contains    []string
			}{
				{"state and city, any case and accents", "state=sp&city=sao%20paulo", 200, []string{`"energyUtilityName":"ENEL SP"`, `"ibgeCode":"3550308"`, `"city":"São Paulo"`, enelSP}},
				{"spaces and accents in the city", "state=SP&city=%20%20S%C3%83O%20%20PAULO%20", 200, []string{`"ibgeCode":"3550308"`}},
				{"ibge code alone", "ibge_code=3509502", 200, []string{`"energyUtilityName":"CPFL PAULISTA"`, `"energyUtilityQualified":true`}},
				{"correct spelling alias", "ibge_code=3509502", 200, []string{"CPFL PAULISTA"}},
				{"known city without utility", "state=SP&city=Ubatuba", 200, nil},
				{"neither", "", 400, []string{"informe state e city, ou ibge_code"}},
				{"state without city", "state=SP", 400, []string{"city é obrigatório"}},
				{"city without state", "city=Campinas", 400, []string{"state é obrigatório"}},
				{"ibge code with city", "ibge_code=3509502&state=SP&city=Campinas", 400, []string{"sozinho"}},
				{"malformed ibge code", "ibge_code=35095", 400, []string{"7 dígitos"}},
				{"unknown ibge code", "ibge_code=9999999", 400, []string{"não corresponde"}},
				{"unknown state", "state=XX&city=Campinas", 400, []string{"UF"}},
				{"unknown city", "state=SP&city=Gotham", 400, []string{"não é um município de SP"}},
				{"hostile city", "state=SP&city=" + url.QueryEscape("'; DROP TABLE energy_utilities; --"), 400, nil},
				{"huge city", "state=SP&city=" + strings.Repeat("a", 20000), 400, nil},
				{"control characters", "state=SP&city=S%00o%0APaulo", 400, nil},
				{"bad escape", "state=SP&city=%zz", 400, nil},
				{"full-width digits", "ibge_code=" + url.QueryEscape("３５５０３０８"), 400, []string{"7 dígitos"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					base := "/distribuited-generation"
					if strings.Contains(tt.name, "alias") {
						base = "/distributed-generation"
					}
					res := c.Get(base + "/operation-areas?" + tt.query).Expect(tt.status)
					if tt.name == "known city without utility" && string(res.Body) != "[]" {
						t.Fatalf("body = %s, want []", res.Body)
					}
					for _, want := range tt.contains {
						if !strings.Contains(string(res.Body), want) {
							t.Errorf("body %s lacks %s", res.Body, want)
						}
					}
					if tt.status == 400 && !strings.Contains(string(res.Body), `"statusCode":400`) {
						t.Errorf("error not in the NestJS envelope: %s", res.Body)
					}
				})
			}
		})

		t.Run("plans", func(t *testing.T) {
			tests := []struct {
				name, query string
				status      int
				contains    []string
			}{
				{"by utility", "energy_utility_public_id=" + env.Utility.PublicID, 200, []string{`"energyUtilityName":"CPFL PAULISTA"`, `"name":"Plano Premium"`, `"fidelityMonths":60`, `"discount":"0.14"`, `"description":"Primeira Fatura Grátis"`}},
				{"uuid wins over city", "energy_utility_public_id=" + env.Utility.PublicID + "&state=SP&city=S%C3%A3o%20Paulo", 200, []string{"CPFL PAULISTA"}},
				{"upper-case uuid", "energy_utility_public_id=" + strings.ToUpper(env.Utility.PublicID), 200, []string{"CPFL PAULISTA"}},
				{"by city", "state=sp&city=campinas", 200, []string{"Plano Premium"}},
				{"utility without plans", "energy_utility_public_id=" + enelSP, 200, []string{`"energyUtilityName":"ENEL SP","plans":[]`}},
				{"malformed uuid", "energy_utility_public_id=123", 400, []string{"UUID válido"}},
				{"unknown uuid", "energy_utility_public_id=123e4567-e89b-12d3-a456-426614174000", 404, []string{`"statusCode":404`}},
				{"nothing", "", 400, nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res := c.Get("/distribuited-generation/plans?" + tt.query).Expect(tt.status)
					for _, want := range tt.contains {
						if !strings.Contains(string(res.Body), want) {
							t.Errorf("body %s lacks %s", res.Body, want)
						}
					}
				})
			}
		})

		t.Run("etag gives 304 until the catalog changes", func(t *testing.T) {
			path := "/distribuited-generation/plans?energy_utility_public_id=" + env.Utility.PublicID
			etag := c.Get(path).Expect(200).Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			c.With("If-None-Match", etag).Get(path).Expect(http.StatusNotModified)
			admin := c.With("Authorization", "Bearer "+env.AdminKey)
			admin.JSON(http.MethodPost, "/admin/energy/utilities/"+env.Utility.PublicID+"/plans",
				map[string]any{"name": "Plano Flex", "fidelityMonths": 12, "discount": "0.08"}).Expect(http.StatusCreated)
			res := c.With("If-None-Match", etag).Get(path).Expect(200)
			if !strings.Contains(string(res.Body), "Plano Flex") || res.Header.Get("ETag") == etag {
				t.Fatalf("catalog change not served: %s", res.Body)
			}
		})

		t.Run("qualification", func(t *testing.T) {
			tests := []struct {
				name, query string
				status      int
				want        string
			}{
				{"natural above GD minimum", "city=Campinas&state=SP&personType=natural&utilityBillingValue=815", 200, `{"product":"Geração Distribuída","qualification":true}`},
				{"comma decimals", "city=Campinas&state=SP&personType=natural&utilityBillingValue=815,50", 200, `{"product":"Geração Distribuída","qualification":true}`},
				{"dot decimals", "city=Campinas&state=SP&personType=PF&utilityBillingValue=815.5", 200, `{"product":"Geração Distribuída","qualification":true}`},
				{"natural below GD minimum", "city=Campinas&state=SP&personType=natural&utilityBillingValue=199.99", 200, `{"product":"Geração Distribuída","qualification":false}`},
				{"juridical at GD minimum", "city=Campinas&state=SP&personType=juridical&utilityBillingValue=300", 200, `{"product":"Geração Distribuída","qualification":true}`},
				{"juridical below GD minimum", "city=Campinas&state=SP&personType=PJ&utilityBillingValue=250", 200, `{"product":"Geração Distribuída","qualification":false}`},
				{"juridical free market", "city=Campinas&state=SP&personType=juridical&utilityBillingValue=10000", 200, `{"product":"Mercado Livre","qualification":true}`},
				{"natural never free market", "city=Campinas&state=SP&personType=natural&utilityBillingValue=50000", 200, `{"product":"Geração Distribuída","qualification":true}`},
				{"utility does not sell GD", "city=S%C3%A3o%20Paulo&state=SP&personType=natural&utilityBillingValue=815", 200, `{"product":"Geração Distribuída","qualification":false}`},
				{"negative", "city=Campinas&state=SP&personType=natural&utilityBillingValue=-815", 400, ""},
				{"zero", "city=Campinas&state=SP&personType=natural&utilityBillingValue=0", 400, ""},
				{"not a number", "city=Campinas&state=SP&personType=natural&utilityBillingValue=abc", 400, ""},
				{"thousands separator", "city=Campinas&state=SP&personType=natural&utilityBillingValue=1.234,56", 400, ""},
				{"unknown person type", "city=Campinas&state=SP&personType=alien&utilityBillingValue=815", 400, ""},
				{"missing everything", "", 400, ""},
				{"unknown city", "city=Gotham&state=SP&personType=natural&utilityBillingValue=815", 400, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res := c.Get("/sales-conversion/leads/qualification?" + tt.query).Expect(tt.status)
					if tt.want != "" && string(res.Body) != tt.want {
						t.Fatalf("body = %s, want %s", res.Body, tt.want)
					}
				})
			}
		})

		t.Run("keys", func(t *testing.T) {
			anon := apitest.New(t, env.Handler)
			unknown := "pk_" + strings.Repeat("a", 8) + "_" + strings.Repeat("b", 52) // well formed, never issued
			for _, auth := range []string{"", "Bearer", "Bearer pk_nope_nope", "Bearer " + unknown, "Bearer " + strings.ToUpper(env.KeyA), "Basic " + env.KeyA, env.KeyA} {
				res := anon.With("Authorization", auth).Get("/distribuited-generation/plans?ibge_code=3509502").Expect(http.StatusUnauthorized)
				if !strings.Contains(string(res.Body), `"statusCode":401`) {
					t.Errorf("401 not in envelope: %s", res.Body)
				}
				if got := res.Header.Get("WWW-Authenticate"); got != `Bearer realm="energy"` {
					t.Errorf("WWW-Authenticate = %q, want the Bearer scheme", got)
				}
			}
			key, k, err := env.Partners.CreateKey(t.Context(), "Partner A", "temp", false)
			if err != nil {
				t.Fatal(err)
			}
			withKey := anon.With("Authorization", "Bearer "+key)
			withKey.Get("/distribuited-generation/plans?ibge_code=3509502").Expect(200)
			if err := env.Partners.RevokeKey(t.Context(), "pk_"+k.Prefix); err != nil {
				t.Fatal(err)
			}
			withKey.Get("/distribuited-generation/plans?ibge_code=3509502").Expect(http.StatusUnauthorized)
		})

		t.Run("admin", func(t *testing.T) {
			admin := c.With("Authorization", "Bearer "+env.AdminKey)
			c.Get("/admin/energy/utilities").Expect(http.StatusForbidden)
			list := admin.Get("/admin/energy/utilities").Expect(200)
			var utilities []map[string]any
			list.Decode(&utilities)
			if len(utilities) != 105 {
				t.Fatalf("%d utilities, want the 105 ANEEL ones", len(utilities))
			}
			for _, u := range utilities {
				if u["energyUtilityPublicId"] != env.Utility.PublicID {
					continue
				}
				areas, _ := json.Marshal(u["operationAreas"])
				plans, _ := json.Marshal(u["plans"])
				if !strings.Contains(string(areas), `"3509502"`) || !strings.Contains(string(plans), "Plano Premium") {
					t.Fatalf("CPFL PAULISTA as the admin sees it: areas %s, plans %s", areas, plans)
				}
			}
			// Qualify ENEL SP with a juridical minimum, then qualification follows.
			admin.JSON(http.MethodPut, "/admin/energy/utilities/"+enelSP, map[string]any{
				"energyUtilityName": "ENEL SP", "state": "SP", "energyUtilityQualified": true,
				"gdMinimumBill": map[string]string{"natural": "150", "juridical": "400"},
			}).Expect(200)
			q := "/sales-conversion/leads/qualification?city=S%C3%A3o%20Paulo&state=SP&utilityBillingValue=160&personType="
			if body := string(c.Get(q + "natural").Expect(200).Body); !strings.Contains(body, "true") {
				t.Errorf("natural R$160 with minimum R$150: %s", body)
			}
			if body := string(c.Get(q + "juridical").Expect(200).Body); !strings.Contains(body, "false") {
				t.Errorf("juridical R$160 with minimum R$400: %s", body)
			}
			// Areas: add Ubatuba to ENEL SP, then it is listed there; remove it again.
			admin.Do(admin.NewRequest(http.MethodPut, "/admin/energy/utilities/"+enelSP+"/operation-areas/3555406", nil, "")).Expect(200)
			if body := string(c.Get("/distribuited-generation/operation-areas?ibge_code=3555406").Expect(200).Body); !strings.Contains(body, "ENEL SP") {
				t.Errorf("new area not served: %s", body)
			}
			admin.Do(admin.NewRequest(http.MethodDelete, "/admin/energy/utilities/"+enelSP+"/operation-areas/3555406", nil, "")).Expect(http.StatusNoContent)
			if body := string(c.Get("/distribuited-generation/operation-areas?ibge_code=3555406").Expect(200).Body); body != "[]" {
				t.Errorf("removed area still served: %s", body)
			}
			// Free-market threshold.
			admin.JSON(http.MethodPut, "/admin/energy/thresholds", map[string]string{"freeMarketMinimumBill": "5000"}).Expect(200)
			if body := string(c.Get("/sales-conversion/leads/qualification?city=Campinas&state=SP&personType=PJ&utilityBillingValue=6000").Expect(200).Body); !strings.Contains(body, "Mercado Livre") {
				t.Errorf("threshold not applied: %s", body)
			}
			// Plans: update and delete.
			p := admin.JSON(http.MethodPost, "/admin/energy/utilities/"+enelSP+"/plans", map[string]any{
				"name": "Plano Sol", "fidelityMonths": 24, "discount": "0.1", "offeredBenefits": []map[string]string{{"description": "Brinde"}},
			}).Expect(201).Map()
			path := fmt.Sprintf("/admin/energy/plans/%d", int64(p["id"].(float64)))
			admin.JSON(http.MethodPut, path, map[string]any{"name": "Plano Sol", "fidelityMonths": 36, "discount": "0.12"}).Expect(200)
			admin.Do(admin.NewRequest(http.MethodDelete, path, nil, "")).Expect(http.StatusNoContent)
			admin.Do(admin.NewRequest(http.MethodDelete, path, nil, "")).Expect(http.StatusNotFound)
		})

		t.Run("admin refuses bad input", func(t *testing.T) {
			admin := c.With("Authorization", "Bearer "+env.AdminKey)
			plans := "/admin/energy/utilities/" + env.Utility.PublicID + "/plans"
			tests := []struct {
				name   string
				method string
				path   string
				body   any
				status int
			}{
				{"malformed JSON", http.MethodPost, plans, `{"name":`, 400},
				{"wrong type", http.MethodPost, plans, `{"name":"X","fidelityMonths":"sixty","discount":"0.1"}`, 400},
				{"discount as percent", http.MethodPost, plans, map[string]any{"name": "X", "fidelityMonths": 12, "discount": "14"}, 400},
				{"discount exponent", http.MethodPost, plans, map[string]any{"name": "X", "fidelityMonths": 12, "discount": "1e-1"}, 400},
				{"negative fidelity", http.MethodPost, plans, map[string]any{"name": "X", "fidelityMonths": -1, "discount": "0.1"}, 400},
				{"duplicate plan name", http.MethodPost, plans, map[string]any{"name": "Plano Premium", "fidelityMonths": 12, "discount": "0.1"}, 409},
				{"unknown utility", http.MethodPost, "/admin/energy/utilities/123e4567-e89b-12d3-a456-426614174000/plans", map[string]any{"name": "X", "fidelityMonths": 12, "discount": "0.1"}, 404},
				{"bad plan id", http.MethodPut, "/admin/energy/plans/abc", map[string]any{"name": "X", "fidelityMonths": 12, "discount": "0.1"}, 400},
				{"bad UF", http.MethodPost, "/admin/energy/utilities", map[string]any{"energyUtilityName": "Nova", "state": "ZZ"}, 400},
				{"duplicate utility", http.MethodPost, "/admin/energy/utilities", map[string]any{"energyUtilityName": "ENEL SP", "state": "SP"}, 409},
				{"bad minimum", http.MethodPut, "/admin/energy/utilities/" + env.Utility.PublicID, map[string]any{"energyUtilityName": "CPFL PAULISTA", "state": "SP", "gdMinimumBill": map[string]string{"natural": "-1"}}, 400},
				{"area not a municipality", http.MethodPut, "/admin/energy/utilities/" + env.Utility.PublicID + "/operation-areas/1234567", nil, 400},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					var res *apitest.Response
					if tt.body == nil {
						res = admin.Do(admin.NewRequest(tt.method, tt.path, nil, ""))
					} else {
						res = admin.JSON(tt.method, tt.path, tt.body)
					}
					res.Expect(tt.status)
					if !strings.Contains(string(res.Body), `"statusCode"`) {
						t.Errorf("not in envelope: %s", res.Body)
					}
				})
			}
			res := admin.Do(admin.NewRequest(http.MethodPost, plans, strings.NewReader(`{"name":"X"}`), "text/plain"))
			res.Expect(http.StatusUnsupportedMediaType)
		})
	})
}
