package storefront_test

import (
	"net/http"
	"testing"
)

func TestProviderDocumentFollowsTheSeed(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		var doc struct {
			Data struct {
				ID         string `json:"id"`
				Type       string `json:"type"`
				Attributes struct {
					Nome           string  `json:"nome"`
					CorNavbar      *string `json:"cor_navbar"`
					Logo           *string `json:"logo"`
					DiasVencimento []int   `json:"dias_vencimento"`
					Categories     []struct {
						Nome  string `json:"nome"`
						ID    int64  `json:"id"`
						Plans []struct {
							ID                   int64   `json:"id"`
							Nome                 string  `json:"nome"`
							MensalidadeReais     int64   `json:"mensalidade_reais"`
							MensalidadeCentavos  string  `json:"mensalidade_centavos"`
							TaxaInstalacaoAVista *string `json:"taxa_instalacao_a_vista"`
							Services             []struct {
								ID   int64  `json:"id"`
								Name string `json:"name"`
							} `json:"services"`
							PaymentMethods []struct {
								ID   int64  `json:"id"`
								Name string `json:"name"`
							} `json:"payment_methods"`
						} `json:"plans"`
					} `json:"categories"`
				} `json:"attributes"`
			} `json:"data"`
		}
		h.a.client.Get("/api/v2/providers").Expect(http.StatusOK).Decode(&doc)
		a := doc.Data.Attributes
		if doc.Data.Type != "provedors" || doc.Data.ID == "" || a.Nome != "Fibra A" {
			t.Fatalf("provider = %+v", doc.Data)
		}
		if a.CorNavbar == nil || *a.CorNavbar != "#3f89ff" || a.Logo != nil {
			t.Errorf("branding: navbar %v logo %v; want #3f89ff and null", a.CorNavbar, a.Logo)
		}
		if len(a.DiasVencimento) != 3 || a.DiasVencimento[0] != 5 {
			t.Errorf("dias_vencimento = %v", a.DiasVencimento)
		}
		// Ordered by ordenacao, nulls last: Pessoal (1) before Business (null).
		if len(a.Categories) != 2 || a.Categories[0].Nome != "Plano Pessoal" || a.Categories[1].Nome != "Plano Business" {
			t.Fatalf("categories = %+v", a.Categories)
		}
		personal, business := a.Categories[0].Plans, a.Categories[1].Plans
		if len(personal) != 2 || len(business) != 2 {
			t.Fatalf("plans per category: %d and %d, want 2 and 2 (a plan may be in both)", len(personal), len(business))
		}
		basic := personal[0]
		if basic.Nome != "Plano 1" || basic.MensalidadeReais != 29 || basic.MensalidadeCentavos != "90" ||
			basic.TaxaInstalacaoAVista == nil || *basic.TaxaInstalacaoAVista != "100" {
			t.Errorf("basic plan = %+v", basic)
		}
		if fast := personal[1]; fast.MensalidadeReais != 100 || fast.MensalidadeCentavos != "00" ||
			len(fast.Services) != 1 || fast.Services[0].Name != "Wi-Fi grátis" || len(fast.PaymentMethods) != 2 {
			t.Errorf("fast plan = %+v", fast)
		}
		// Empresa has ordenacao 1, so it comes before Plano 2 (null) in Business.
		if business[0].Nome != "Empresa" || business[1].Nome != "Plano 2" {
			t.Errorf("business plans = %s, %s", business[0].Nome, business[1].Nome)
		}
	})
}

func TestPlansAndCategoriesFollowTheSeed(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		var plans struct {
			Data []struct {
				ID         string `json:"id"`
				Type       string `json:"type"`
				Attributes struct {
					Nome        string `json:"nome"`
					Mensalidade string `json:"mensalidade"`
				} `json:"attributes"`
			} `json:"data"`
		}
		h.a.client.Get("/api/v2/providers/plans").Expect(http.StatusOK).Decode(&plans)
		got := map[string]string{}
		for _, p := range plans.Data {
			if p.Type != "planos" {
				t.Errorf("type = %q", p.Type)
			}
			got[p.Attributes.Nome] = p.Attributes.Mensalidade
		}
		want := map[string]string{"Plano 1": "29.9", "Plano 2": "100.0", "Empresa": "299.99"}
		if len(got) != len(want) || plans.Data[0].Attributes.Nome != "Empresa" {
			t.Fatalf("plans = %v (first %q), want %v with Empresa first", got, plans.Data[0].Attributes.Nome, want)
		}
		for name, price := range want {
			if got[name] != price {
				t.Errorf("%s mensalidade = %q, want %q", name, got[name], price)
			}
		}
		var cats struct {
			Data []struct {
				ID         string `json:"id"`
				Type       string `json:"type"`
				Attributes struct {
					Nome      string `json:"nome"`
					ID        int64  `json:"id"`
					Ordenacao *int   `json:"ordenacao"`
				} `json:"attributes"`
			} `json:"data"`
		}
		h.b.client.Get("/api/v2/providers/categories").Expect(http.StatusOK).Decode(&cats)
		if len(cats.Data) != 2 || cats.Data[0].Type != "categories" || cats.Data[0].Attributes.ID != h.b.personal ||
			cats.Data[0].ID == "" || cats.Data[1].Attributes.Ordenacao != nil {
			t.Fatalf("categories = %+v", cats.Data)
		}
	})
}

func TestCatalogETagAndRefresh(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		for _, path := range []string{"/api/v2/providers", "/api/v2/providers/categories", "/api/v2/providers/plans"} {
			first := h.a.client.Get(path).Expect(http.StatusOK)
			etag := first.Header.Get("ETag")
			if etag == "" {
				t.Fatalf("%s: no ETag", path)
			}
			res := h.a.client.With("If-None-Match", etag).Get(path).Expect(http.StatusNotModified)
			if len(res.Body) != 0 {
				t.Errorf("%s: 304 with a body", path)
			}
			h.a.client.With("If-None-Match", `"stale"`).Get(path).Expect(http.StatusOK)
			if other := h.b.client.Get(path).Header.Get("ETag"); other == etag {
				t.Errorf("%s: two providers share an ETag", path)
			}
		}

		// A change through the admin API is served at once, under a new ETag.
		before := h.a.client.Get("/api/v2/providers/plans").Expect(http.StatusOK)
		h.a.admin.JSON(http.MethodPut, "/api/v2/admin/plans/"+itoa(h.a.basic), map[string]any{
			"nome": "Plano 1 Turbo", "mensalidade": "39,90", "category_ids": []int64{h.a.personal},
		}).Expect(http.StatusOK)
		after := h.a.client.With("If-None-Match", before.Header.Get("ETag")).Get("/api/v2/providers/plans").Expect(http.StatusOK)
		if after.Header.Get("ETag") == before.Header.Get("ETag") {
			t.Fatal("ETag unchanged after a plan change")
		}
		if !contains(after.Body, `"nome":"Plano 1 Turbo"`) || !contains(after.Body, `"mensalidade":"39.9"`) {
			t.Fatalf("plans after the change: %s", after.Body)
		}
		// The other provider's catalog did not change.
		if contains(h.b.client.Get("/api/v2/providers/plans").Body, "Turbo") {
			t.Fatal("provider B sees provider A's plan")
		}
	})
}

func TestOriginSelectsTheProvider(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		for _, tt := range []struct {
			name, origin string
			want         int
		}{
			{"registered", originA, http.StatusOK},
			{"different case and a trailing slash", "HTTPS://Loja.Fibra-A.com.br/", http.StatusOK},
			{"default port", "https://loja.fibra-a.com.br:443", http.StatusOK},
			{"other port", "https://loja.fibra-a.com.br:8443", http.StatusNotFound},
			{"other scheme", "http://loja.fibra-a.com.br", http.StatusNotFound},
			{"unknown", "https://evil.example", http.StatusNotFound},
			{"null", "null", http.StatusNotFound},
			{"garbage", "::::", http.StatusNotFound},
			{"missing", "", http.StatusNotFound},
		} {
			t.Run(tt.name, func(t *testing.T) {
				c := h.api
				if tt.origin != "" {
					c = c.With("Origin", tt.origin)
				}
				res := c.Get("/api/v2/providers").Expect(tt.want)
				acao := res.Header.Get("Access-Control-Allow-Origin")
				if tt.want == http.StatusOK {
					// The registered origin, whatever spelling the client sent.
					if acao != originA {
						t.Errorf("Access-Control-Allow-Origin = %q, want the registered %q", acao, originA)
					}
					return
				}
				if acao != "" {
					t.Errorf("Access-Control-Allow-Origin = %q for an unregistered origin", acao)
				}
				if errs := errorsOf(t, res); len(errs["origin"]) != 1 || errs["origin"][0] != "provedor não encontrado" {
					t.Errorf("errors = %v", errs)
				}
			})
		}
		if res := h.a.client.Get("/api/v2/providers"); res.Header.Get("Vary") != "Origin" {
			t.Errorf("Vary = %q, want Origin", res.Header.Get("Vary"))
		}
	})
}

func TestCORSPreflight(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		paths := map[string]string{
			"/api/v2/providers":                                                "GET",
			"/api/v2/providers/plans":                                          "GET",
			"/api/v2/providers/check_coupon_availability":                      "GET",
			"/api/v2/subscriptions":                                            "POST",
			"/api/v2/subscriptions/35f6ebd8-79ac-42c5-b260-e10ff12a37a0":       "PUT",
			"/api/v2/subscriptions/35f6ebd8-79ac-42c5-b260-e10ff12a37a0/files": "POST",
		}
		for path, method := range paths {
			req := h.a.client.NewRequest(http.MethodOptions, path, nil, "")
			req.Header.Set("Access-Control-Request-Method", method)
			req.Header.Set("Access-Control-Request-Headers", "content-type")
			res := h.a.client.Do(req).Expect(http.StatusNoContent)
			if res.Header.Get("Access-Control-Allow-Origin") != originA ||
				!contains([]byte(res.Header.Get("Access-Control-Allow-Methods")), method) ||
				!contains([]byte(res.Header.Get("Access-Control-Allow-Headers")), "Content-Type") {
				t.Errorf("OPTIONS %s: headers %v", path, res.Header)
			}

			evil := h.api.With("Origin", "https://evil.example")
			req = evil.NewRequest(http.MethodOptions, path, nil, "")
			req.Header.Set("Access-Control-Request-Method", method)
			res = evil.Do(req).Expect(http.StatusNotFound)
			if res.Header.Get("Access-Control-Allow-Origin") != "" || res.Header.Get("Access-Control-Allow-Methods") != "" {
				t.Errorf("OPTIONS %s from an unregistered origin allowed: %v", path, res.Header)
			}
		}
	})
}
