package storefront_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// storedCount is how many subscriptions the provider's admin sees.
func (f tenantFixture) storedCount(t testing.TB) int {
	t.Helper()
	var list struct {
		Meta struct {
			Total int `json:"total"`
		} `json:"meta"`
	}
	f.admin.Get("/api/v2/admin/subscriptions").Expect(http.StatusOK).Decode(&list)
	return list.Meta.Total
}

func TestCoverageCheckStoresNothing(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		tests := []struct {
			name   string
			planID int64
			sub    map[string]any
			want   bool
		}{
			{"coordinates inside the polygon", h.a.fast, map[string]any{"coordinates": inBatel}, true},
			{"coordinates in the polygon's hole", h.a.fast, map[string]any{"coordinates": inBatelHole}, false},
			{"coordinates outside", h.a.fast, map[string]any{"coordinates": outsideBatel}, false},
			{"CEP in the basic plan's range", h.a.basic, map[string]any{"cep": "80010-500"}, true},
			{"same CEP, a plan the range does not serve", h.a.fast, map[string]any{"cep": "80010-500"}, false},
			{"CEP outside every range", h.a.basic, map[string]any{"cep": "01310-100"}, false},
			{"coordinates outside but CEP covered", h.a.basic, map[string]any{"cep": "80010500", "coordinates": outsideBatel}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Only the address: a coverage check needs nothing else.
				body := map[string]any{"plan_id": tt.planID, "subscription": tt.sub}
				res := h.a.subscribe(t, body)
				if res.Data.ID != nil || res.Data.Type != "subscriptions" || res.Data.Attributes.Coverage != tt.want {
					t.Fatalf("answer = %+v, want id null and coverage %v", res.Data, tt.want)
				}
			})
		}
		if n := h.a.storedCount(t); n != 0 {
			t.Fatalf("coverage checks stored %d subscriptions", n)
		}
		// Provider B has the same polygon; the check is per provider all the same.
		if res := h.b.subscribe(t, map[string]any{"plan_id": h.b.fast, "subscription": map[string]any{"coordinates": inBatel}}); !res.Data.Attributes.Coverage {
			t.Fatal("provider B: not covered")
		}
	})
}

func TestPreSubscriptionIsStored(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		res := h.a.subscribe(t, subscription(h.a.fast, map[string]any{
			"forma_pagamentos_id": h.a.card, "vencimento": "dia 10", "coupon_id": fmt.Sprint(h.a.coupon),
			"is_instalacao_a_vista": false, "taxa_instalacao": "50", "rg_ie": 500793839, "provedor": "Vivo",
		}))
		if res.Data.ID == nil || !res.Data.Attributes.Coverage {
			t.Fatalf("answer = %+v", res.Data)
		}
		var got struct {
			Data struct {
				ID         string         `json:"id"`
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		h.a.admin.Get("/api/v2/admin/subscriptions/" + *res.Data.ID).Expect(http.StatusOK).Decode(&got)
		want := map[string]any{
			"plan_id": float64(h.a.fast), "coupon_id": float64(h.a.coupon), "forma_pagamentos_id": float64(h.a.card),
			"cold_lead": false, "coverage": true, "nome_razao_social": "Jian Rodrigues", "email": "jian@gmail.com",
			"telefone_celular": "(41) 99891-6002", "cpf_cnpj": "458.264.868-13", "rg_ie": "500793839",
			"data_nascimento": "29/08/1998", "vencimento": "dia 10", "is_instalacao_a_vista": false,
			"taxa_instalacao": "50", "rua": "Av. do Batel", "numero": "1200", "cidade": "Curitiba", "cep": "80420-120",
			"provedor": "Vivo", "coordinates": map[string]any{"lat": -25.44, "lng": -49.292},
			"bairro": nil, "complemento": nil,
		}
		for k, v := range want {
			if !reflect.DeepEqual(got.Data.Attributes[k], v) {
				t.Errorf("%s = %#v, want %#v", k, got.Data.Attributes[k], v)
			}
		}
		if c, err := h.store.Coupon(context.Background(), h.a.id, h.a.coupon); err != nil || c.Redemptions != 1 {
			t.Errorf("coupon redemptions = %d (%v), want 1", c.Redemptions, err)
		}
	})
}

func TestTheSeedsCreateExampleGetsTheSeeds422(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		// The seed's own body, with cold_lead but no name or phone.
		body := fmt.Sprintf(`{"plan_id": %d, "subscription": {"rua": "Av Anitta Garibald", "cep": "82220-370",
			"pre_subscription": true, "provedor": "asdasdas", "cold_lead": true, "cidade": "Teste de cidade",
			"coordinates": {"lat": "-25.3587797", "lng": "-49.2702625"}}}`, h.a.basic)
		res := h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", body).Expect(http.StatusUnprocessableEntity)
		want := `{"errors":{"nome_razao_social":["texto muito curto"],"telefone_celular":["formato deve ser '(XX) XXXX-XXXX'"]}}`
		if string(res.Body) != want {
			t.Fatalf("body = %s\nwant %s", res.Body, want)
		}
	})
}

func TestColdLead(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		// Only name and phone: no plan, no address.
		res := h.a.subscribe(t, map[string]any{"pre_subscription": true, "cold_lead": true, "subscription": map[string]any{
			"nome_razao_social": "Ana Lima", "telefone_celular": "(41) 3333-4444",
		}})
		if res.Data.ID == nil || res.Data.Attributes.Coverage {
			t.Fatalf("cold lead answer = %+v, want stored without coverage", res.Data)
		}
		// Without cold_lead the same body misses the plan and the address.
		errs := errorsOf(t, h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", map[string]any{"subscription": map[string]any{
			"pre_subscription": true, "nome_razao_social": "Ana Lima", "telefone_celular": "(41) 3333-4444",
		}}).Expect(http.StatusUnprocessableEntity))
		for _, f := range []string{"plan_id", "cep", "rua", "cidade"} {
			if !reflect.DeepEqual(errs[f], []string{"não pode ficar em branco"}) {
				t.Errorf("%s: %v", f, errs[f])
			}
		}
		// A cold lead's fields present are still validated.
		errs = errorsOf(t, h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", map[string]any{"subscription": map[string]any{
			"cold_lead": true, "nome_razao_social": "Ana", "telefone_celular": "41 3333-4444", "email": "x",
		}}).Expect(http.StatusUnprocessableEntity))
		if len(errs) != 2 || errs["email"] == nil || errs["telefone_celular"] == nil {
			t.Errorf("errors = %v", errs)
		}
		if n := h.a.storedCount(t); n != 1 {
			t.Fatalf("stored %d, want 1", n)
		}
	})
}

func TestSubscriptionValidation(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		expired := h.coupon(storefront.Coupon{Name: "VELHO", ValidUntil: h.clock.Now().Add(-time.Hour)})
		future := h.coupon(storefront.Coupon{Name: "FUTURO", ValidFrom: h.clock.Now().Add(time.Hour)})
		zero := 0
		usedUp := h.coupon(storefront.Coupon{Name: "ESGOTADO", MaxRedemptions: &zero})
		tests := []struct {
			name   string
			planID any
			fields map[string]any
			want   map[string]string
		}{
			{"blank name", h.a.fast, map[string]any{"nome_razao_social": "  "}, map[string]string{"nome_razao_social": "texto muito curto"}},
			{"short name", h.a.fast, map[string]any{"nome_razao_social": "Jo"}, map[string]string{"nome_razao_social": "texto muito curto"}},
			{"long name", h.a.fast, map[string]any{"nome_razao_social": strings.Repeat("a", 201)}, map[string]string{"nome_razao_social": "texto muito longo"}},
			{"phone without mask", h.a.fast, map[string]any{"telefone_celular": "41998916002"}, map[string]string{"telefone_celular": "formato deve ser '(XX) XXXX-XXXX'"}},
			{"phone with a DDD that does not exist", h.a.fast, map[string]any{"telefone_celular": "(20) 99891-6002"}, map[string]string{"telefone_celular": "DDD inválido"}},
			{"CEP", h.a.fast, map[string]any{"cep": "80420-12"}, map[string]string{"cep": "formato deve ser '99999-999'"}},
			{"CPF check digits", h.a.fast, map[string]any{"cpf_cnpj": "458.264.868-14"}, map[string]string{"cpf_cnpj": "não é válido"}},
			{"CNPJ check digits", h.a.fast, map[string]any{"cpf_cnpj": "11.222.333/0001-82"}, map[string]string{"cpf_cnpj": "não é válido"}},
			{"e-mail", h.a.fast, map[string]any{"email": "jian@"}, map[string]string{"email": "não é válido"}},
			{"birth date format", h.a.fast, map[string]any{"data_nascimento": "1998-08-29"}, map[string]string{"data_nascimento": "formato deve ser 'dd/mm/aaaa'"}},
			{"birth date that does not exist", h.a.fast, map[string]any{"data_nascimento": "31/02/1998"}, map[string]string{"data_nascimento": "não é uma data válida"}},
			{"birth date in the future", h.a.fast, map[string]any{"data_nascimento": "01/01/2030"}, map[string]string{"data_nascimento": "não é uma data válida"}},
			{"under 18", h.a.fast, map[string]any{"data_nascimento": "16/06/2008"}, map[string]string{"data_nascimento": "idade mínima é 18 anos"}},
			{"due day format", h.a.fast, map[string]any{"vencimento": "quinto dia útil"}, map[string]string{"vencimento": "formato deve ser 'dia N'"}},
			{"due day the provider does not offer", h.a.fast, map[string]any{"vencimento": "dia 7"}, map[string]string{"vencimento": "não está entre os dias de vencimento do provedor"}},
			{"payment method the plan does not take", h.a.basic, map[string]any{"forma_pagamentos_id": h.a.card}, map[string]string{"forma_pagamentos_id": "não está disponível para o plano"}},
			{"payment method of another provider", h.a.fast, map[string]any{"forma_pagamentos_id": h.b.pix}, map[string]string{"forma_pagamentos_id": "não encontrado"}},
			{"coupon for other plans", h.a.enterprise, map[string]any{"coupon_id": h.a.coupon}, map[string]string{"coupon_id": "não encontrado"}},
			{"coupon of another provider", h.a.fast, map[string]any{"coupon_id": h.b.coupon}, map[string]string{"coupon_id": "não encontrado"}},
			{"expired coupon", h.a.fast, map[string]any{"coupon_id": expired.ID}, map[string]string{"coupon_id": "expirado"}},
			{"coupon not yet valid", h.a.fast, map[string]any{"coupon_id": future.ID}, map[string]string{"coupon_id": "expirado"}},
			{"used-up coupon", h.a.fast, map[string]any{"coupon_id": usedUp.ID}, map[string]string{"coupon_id": "esgotado"}},
			{"plan of another provider", h.b.fast, nil, map[string]string{"plan_id": "não encontrado"}},
			{"no plan", nil, nil, map[string]string{"plan_id": "não pode ficar em branco"}},
			{"plan id not a number", "abc", nil, map[string]string{"plan_id": "não é um número"}},
			{"plan id negative", -1, nil, map[string]string{"plan_id": "não é um número"}},
			{"coordinates of the wrong type", h.a.fast, map[string]any{"coordinates": map[string]any{"lat": map[string]any{}, "lng": "-49.2"}}, map[string]string{"coordinates": "lat deve ser um número entre -90 e 90"}},
			{"coordinates out of range", h.a.fast, map[string]any{"coordinates": map[string]any{"lat": "-25.4", "lng": 200}}, map[string]string{"coordinates": "lng deve ser um número entre -180 e 180"}},
			{"coordinates not an object", h.a.fast, map[string]any{"coordinates": "-25.4,-49.2"}, map[string]string{"coordinates": "deve ser um objeto com lat e lng"}},
			{"name of the wrong type", h.a.fast, map[string]any{"nome_razao_social": []string{"a"}}, map[string]string{"nome_razao_social": "deve ser um texto"}},
			{"flag of the wrong type", h.a.fast, map[string]any{"is_instalacao_a_vista": "sim"}, map[string]string{"is_instalacao_a_vista": "deve ser verdadeiro ou falso"}},
			{"pre_subscription of the wrong type", h.a.fast, map[string]any{"pre_subscription": 1}, map[string]string{"pre_subscription": "deve ser verdadeiro ou falso"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", subscription(tt.planID, tt.fields)).Expect(http.StatusUnprocessableEntity)
				errs := errorsOf(t, res)
				if len(errs) != len(tt.want) {
					t.Errorf("errors = %v, want only %v", errs, tt.want)
				}
				for field, msg := range tt.want {
					if !reflect.DeepEqual(errs[field], []string{msg}) {
						t.Errorf("%s = %v, want [%q]", field, errs[field], msg)
					}
				}
			})
		}
		if n := h.a.storedCount(t); n != 0 {
			t.Fatalf("invalid requests stored %d subscriptions", n)
		}
		for _, ok := range []map[string]any{
			{"cpf_cnpj": "11.222.333/0001-81", "data_nascimento": "01/01/2020"}, // a company has no age
			{"cpf_cnpj": "12.ABC.345/01DE-35"},                                  // alphanumeric CNPJ
			{"data_nascimento": "15/06/2008"},                                   // 18 today
			{"telefone_celular": "(41) 3333-4444", "vencimento": 20},
			{"coupon_id": "promo10"}, // not an id: refused below
		} {
			status := http.StatusOK
			if _, isCode := ok["coupon_id"]; isCode {
				status = http.StatusUnprocessableEntity
			}
			h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", subscription(h.a.fast, ok)).Expect(status)
		}
	})
}

func TestUpdateSubscription(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		created := h.a.subscribe(t, map[string]any{"plan_id": h.a.basic, "subscription": map[string]any{
			"pre_subscription": true, "nome_razao_social": "Jian", "telefone_celular": "(41) 99891-6002",
			"rua": "asdasd", "cep": "01310-100", "cidade": "São Paulo",
		}})
		id := *created.Data.ID
		if created.Data.Attributes.Coverage {
			t.Fatal("São Paulo is covered")
		}
		// The seed's update body: moves the address into coverage, adds the rest.
		seedBody := fmt.Sprintf(`{"plan_id": %d, "subscription": {"rua": "asdasd", "cep": "80420-120", "provedor": "asdasdas",
			"nome_razao_social": "Jian Rodrigues", "email": "jian@gmail.com", "telefone_celular": "(41) 99891-6002",
			"forma_pagamentos_id": %d, "vencimento": "dia 5", "is_instalacao_a_vista": false, "taxa_instalacao": "50",
			"rg_ie": "500793839", "cpf_cnpj": "45826486813", "coupon_id": %d, "cidade": "Teste de cidade",
			"data_nascimento": "29/08/1998", "coordinates": {"lat": "-25.4400", "lng": "-49.2920"}}}`, h.a.basic, h.a.pix, h.a.coupon)
		var res subscribeResult
		h.a.client.JSON(http.MethodPut, "/api/v2/subscriptions/"+id, seedBody).Expect(http.StatusOK).Decode(&res)
		if res.Data.ID == nil || *res.Data.ID != id || !res.Data.Attributes.Coverage {
			t.Fatalf("update answer = %+v", res.Data)
		}
		// Fields absent are kept; null clears.
		h.a.client.JSON(http.MethodPut, "/api/v2/subscriptions/"+strings.ToUpper(id), map[string]any{"subscription": map[string]any{
			"email": nil, "numero": "42",
		}}).Expect(http.StatusOK)
		sub, err := h.svc.Subscription(context.Background(), h.a.id, id)
		h.must(err)
		if sub.Email != "" || sub.Number != "42" || sub.Name != "Jian Rodrigues" || sub.DueDay != 5 || sub.CouponID != h.a.coupon {
			t.Fatalf("after partial update: %+v", sub)
		}
		// The merged result is validated: the name cannot be cleared.
		errs := errorsOf(t, h.a.client.JSON(http.MethodPut, "/api/v2/subscriptions/"+id, map[string]any{"subscription": map[string]any{
			"nome_razao_social": nil,
		}}).Expect(http.StatusUnprocessableEntity))
		if !reflect.DeepEqual(errs, map[string][]string{"nome_razao_social": {"texto muito curto"}}) {
			t.Fatalf("errors = %v", errs)
		}
		// Another provider, an unknown id and a malformed id are all 404.
		for _, tt := range []struct {
			name string
			as   tenantFixture
			path string
		}{
			{"another provider's subscription", h.b, "/api/v2/subscriptions/" + id},
			{"unknown id", h.a, "/api/v2/subscriptions/35f6ebd8-79ac-42c5-b260-e10ff12a37a0"},
			{"malformed id", h.a, "/api/v2/subscriptions/not-a-uuid"},
			{"SQL in the id", h.a, "/api/v2/subscriptions/1'%20OR%20'1'='1"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res := tt.as.client.JSON(http.MethodPut, tt.path, subscription(h.a.basic, nil)).Expect(http.StatusNotFound)
				if errs := errorsOf(t, res); !reflect.DeepEqual(errs, map[string][]string{"subscription": {"não encontrada"}}) {
					t.Errorf("errors = %v", errs)
				}
			})
		}
		// Provider B's attempt changed nothing.
		after, err := h.svc.Subscription(context.Background(), h.a.id, id)
		h.must(err)
		if after.Street != "asdasd" || after.PlanID != h.a.basic {
			t.Fatalf("another provider's PUT changed the subscription: %+v", after)
		}
	})
}

func TestCouponCountedOncePerSubscription(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		other, err := h.svc.SaveCoupon(ctx, h.a.id, storefront.Coupon{Name: "OUTRO"})
		h.must(err)
		redemptions := func(id int64) int {
			c, err := h.store.Coupon(ctx, h.a.id, id)
			h.must(err)
			return c.Redemptions
		}
		res := h.a.subscribe(t, subscription(h.a.fast, map[string]any{"coupon_id": h.a.coupon}))
		id := *res.Data.ID
		// Saving again with the same coupon does not count it again.
		for range 2 {
			h.a.client.JSON(http.MethodPut, "/api/v2/subscriptions/"+id, subscription(h.a.fast, map[string]any{"coupon_id": h.a.coupon})).Expect(http.StatusOK)
		}
		if n := redemptions(h.a.coupon); n != 1 {
			t.Fatalf("redemptions after re-saves = %d, want 1", n)
		}
		// Switching coupons moves the redemption.
		h.a.client.JSON(http.MethodPut, "/api/v2/subscriptions/"+id, subscription(h.a.fast, map[string]any{"coupon_id": other.ID})).Expect(http.StatusOK)
		if a, b := redemptions(h.a.coupon), redemptions(other.ID); a != 0 || b != 1 {
			t.Fatalf("after switching: %d and %d, want 0 and 1", a, b)
		}
		// A coupon check is not a redemption.
		h.a.client.Get("/api/v2/providers/check_coupon_availability?name=promo10&plan_id=" + itoa(h.a.fast)).Expect(http.StatusOK)
		h.a.subscribe(t, map[string]any{"plan_id": h.a.fast, "subscription": map[string]any{"coordinates": inBatel, "coupon_id": h.a.coupon}})
		if n := redemptions(h.a.coupon); n != 0 {
			t.Fatalf("checks counted %d redemptions", n)
		}
	})
}

func TestCouponLimitUnderConcurrency(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		const attempts, limit = 24, 5
		l := limit
		c, err := h.svc.SaveCoupon(context.Background(), h.a.id, storefront.Coupon{Name: "RELAMPAGO", MaxRedemptions: &l})
		h.must(err)
		statuses := testkit.Burst(attempts, func(int) int {
			res := h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", subscription(h.a.fast, map[string]any{"coupon_id": c.ID}))
			if res.Status == http.StatusUnprocessableEntity && !contains(res.Body, `"coupon_id":["esgotado"]`) {
				t.Errorf("422 for another reason: %s", res.Body)
			}
			return res.Status
		})
		if statuses[http.StatusOK] != limit || statuses[http.StatusUnprocessableEntity] != attempts-limit {
			t.Fatalf("statuses = %v, want %d × 200 and %d × 422", statuses, limit, attempts-limit)
		}
		got, err := h.store.Coupon(context.Background(), h.a.id, c.ID)
		h.must(err)
		if got.Redemptions != limit {
			t.Fatalf("redemptions = %d, want %d", got.Redemptions, limit)
		}
		if n := h.a.storedCount(t); n != limit {
			t.Fatalf("stored %d subscriptions, want %d: a refused coupon must store nothing", n, limit)
		}
	})
}

func TestCheckCouponAvailability(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.coupon(storefront.Coupon{Name: "VELHO", ValidUntil: h.clock.Now().Add(-time.Minute)})
		zero := 0
		h.coupon(storefront.Coupon{Name: "ESGOTADO", MaxRedemptions: &zero})
		var found struct {
			Data struct {
				ID         string `json:"id"`
				Type       string `json:"type"`
				Attributes struct {
					Description string `json:"description"`
					ID          int64  `json:"id"`
					Name        string `json:"name"`
				} `json:"attributes"`
			} `json:"data"`
		}
		h.a.client.Get("/api/v2/providers/check_coupon_availability?name=Promo10&plan_id=" + itoa(h.a.basic)).Expect(http.StatusOK).Decode(&found)
		if found.Data.Type != "cupom" || found.Data.Attributes.ID != h.a.coupon || found.Data.Attributes.Name != "PROMO10" ||
			found.Data.Attributes.Description != "Desconto na mensalidade" || found.Data.ID != itoa(h.a.coupon) {
			t.Fatalf("coupon = %+v", found.Data)
		}
		h.a.client.Get("/api/v2/providers/check_coupon_availability?name=PROMO10").Expect(http.StatusOK)
		for _, q := range []string{
			"name=PROMO10&plan_id=" + itoa(h.a.enterprise), // not for this plan
			"name=PROMO10&plan_id=" + itoa(h.b.basic),      // another provider's plan
			"name=NADA&plan_id=" + itoa(h.a.basic),
			"name=VELHO",
			"name=ESGOTADO",
			"name=",
			"name=PROMO10&plan_id=abc",
		} {
			res := h.a.client.Get("/api/v2/providers/check_coupon_availability?" + q).Expect(http.StatusUnprocessableEntity)
			if string(res.Body) != `{"errors":{"coupon":"não encontrado"}}` {
				t.Errorf("%s: body = %s", q, res.Body)
			}
		}
		// Provider B has its own PROMO10: the name is per provider.
		var b struct {
			Data struct {
				Attributes struct {
					ID int64 `json:"id"`
				} `json:"attributes"`
			} `json:"data"`
		}
		h.b.client.Get("/api/v2/providers/check_coupon_availability?name=promo10").Expect(http.StatusOK).Decode(&b)
		if b.Data.Attributes.ID != h.b.coupon {
			t.Fatalf("provider B got coupon %d, want its own %d", b.Data.Attributes.ID, h.b.coupon)
		}
	})
}

func TestHostileInput(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		big := `{"plan_id":1,"subscription":{"rua":"` + strings.Repeat("a", 70<<10) + `"}}`
		tests := []struct {
			name        string
			body        string
			contentType string
			want        int
			field       string
		}{
			{"malformed JSON", `{"plan_id": 1, "subscription": {`, "application/json", http.StatusBadRequest, "base"},
			{"not an object", `[1, 2]`, "application/json", http.StatusBadRequest, "base"},
			{"subscription not an object", `{"plan_id": 1, "subscription": "x"}`, "application/json", http.StatusBadRequest, "subscription"},
			{"two values", `{} {}`, "application/json", http.StatusBadRequest, "base"},
			{"empty body", ``, "application/json", http.StatusBadRequest, "base"},
			{"oversized body", big, "application/json", http.StatusRequestEntityTooLarge, "base"},
			{"wrong content type", `{"plan_id": 1}`, "text/plain", http.StatusUnsupportedMediaType, "base"},
			{"form instead of JSON", `plan_id=1`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "base"},
			{"plan_id of the wrong type", `{"plan_id": "abc", "subscription": {"cep": "80420-120"}}`, "application/json", http.StatusUnprocessableEntity, "plan_id"},
			{"plan_id an object", `{"plan_id": {}, "subscription": {"cep": "80420-120"}}`, "application/json", http.StatusUnprocessableEntity, "plan_id"},
			{"plan_id too large", `{"plan_id": 99999999999999999999999, "subscription": {"cep": "80420-120"}}`, "application/json", http.StatusUnprocessableEntity, "plan_id"},
			{"lat an object", `{"plan_id": 1, "subscription": {"coordinates": {"lat": {}, "lng": 1}}}`, "application/json", http.StatusUnprocessableEntity, "coordinates"},
			{"lat NaN", `{"plan_id": 1, "subscription": {"coordinates": {"lat": "NaN", "lng": "1"}}}`, "application/json", http.StatusUnprocessableEntity, "coordinates"},
			{"lone surrogates", `{"plan_id": 1, "subscription": {"nome_razao_social": "\udc00\udc00"}}`, "application/json", http.StatusUnprocessableEntity, "nome_razao_social"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := h.a.client.NewRequest(http.MethodPost, "/api/v2/subscriptions", strings.NewReader(tt.body), tt.contentType)
				res := h.a.client.Do(req).Expect(tt.want)
				if errs := errorsOf(t, res); errs[tt.field] == nil {
					t.Errorf("errors = %v, want one on %q", errs, tt.field)
				}
			})
		}
		// Unknown routes and wrong methods answer in the envelope too.
		res := h.a.client.DoUndocumented(h.a.client.NewRequest(http.MethodGet, "/api/v2/providers/nope", nil, "")).Expect(http.StatusNotFound)
		errorsOf(t, res)
		res = h.a.client.DoUndocumented(h.a.client.NewRequest(http.MethodDelete, "/api/v2/subscriptions", nil, "")).Expect(http.StatusMethodNotAllowed)
		if errs := errorsOf(t, res); errs["base"] == nil || res.Header.Get("Allow") == "" {
			t.Errorf("405: %v, Allow %q", errs, res.Header.Get("Allow"))
		}
		if n := h.a.storedCount(t); n != 0 {
			t.Fatalf("hostile requests stored %d subscriptions", n)
		}
	})
}

// TestPublicWritesAreRateLimited: issue 10 #13. Coupon checks and
// subscription writes are limited per client address and Origin: past the
// limit the answer is 429 with Retry-After in the storefront envelope; the
// catalog reads are not limited, another storefront is counted apart, and
// the client may go on once Retry-After has passed.
func TestPublicWritesAreRateLimited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		h := newHarness(t, e, harnessOptions{publicWritesPerMinute: 20})
		a, b := h.a.client, h.b.client
		check := "/api/v2/providers/check_coupon_availability?name=promo10&plan_id=" + itoa(h.a.fast)
		for range 20 {
			a.Get(check).Expect(http.StatusOK)
		}
		res := a.Get(check).Expect(http.StatusTooManyRequests)
		if res.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		if errs := errorsOf(t, res); len(errs["base"]) != 1 {
			t.Errorf("429 body = %s, want the storefront envelope", res.Body)
		}
		a.JSON(http.MethodPost, "/api/v2/subscriptions", subscription(h.a.fast, nil)).Expect(http.StatusTooManyRequests)
		a.Get("/api/v2/providers/plans").Expect(http.StatusOK)
		b.Get("/api/v2/providers/check_coupon_availability?name=promo10&plan_id=" + itoa(h.b.fast)).Expect(http.StatusOK)

		h.clock.Advance(3 * time.Second) // one request's worth at 20 per minute
		a.Get(check).Expect(http.StatusOK)
		a.Get(check).Expect(http.StatusTooManyRequests)
	})
}
