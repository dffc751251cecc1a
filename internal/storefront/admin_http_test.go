package storefront_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/apperr"
	"partnership-service/internal/testkit"
)

// created decodes the id of an admin resource.
func created(t testing.TB, res interface{ Decode(any) }) int64 {
	t.Helper()
	var body struct {
		Data struct {
			Attributes struct {
				ID int64 `json:"id"`
			} `json:"attributes"`
		} `json:"data"`
	}
	res.Decode(&body)
	if body.Data.Attributes.ID == 0 {
		t.Fatal("no id in the answer")
	}
	return body.Data.Attributes.ID
}

func TestAdminAuthentication(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		for _, auth := range []string{"", "Bearer ", "Bearer sfa_nottherealtoken", "Basic " + h.a.token, h.a.token,
			"Bearer " + strings.Repeat("x", 5000)} {
			c := h.api
			if auth != "" {
				c = c.With("Authorization", auth)
			}
			res := c.Get("/api/v2/admin/plans").Expect(http.StatusUnauthorized)
			if errs := errorsOf(t, res); errs["token"] == nil || res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%q: %v, WWW-Authenticate %q", auth, errs, res.Header.Get("WWW-Authenticate"))
			}
		}
		// The storefront Origin is no credential for the admin API.
		h.a.client.Get("/api/v2/admin/plans").Expect(http.StatusUnauthorized)
	})
}

// TestAdminTokensExpireAndRevoke: issue 10 #7. A token works until its
// validity ends, and a revoked one is refused at once.
func TestAdminTokensExpireAndRevoke(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		short, err := h.svc.IssueToken(ctx, originA, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		admin := h.api.With("Authorization", "Bearer "+short)
		admin.Get("/api/v2/admin/plans").Expect(http.StatusOK)
		h.clock.Advance(time.Hour)
		admin.Get("/api/v2/admin/plans").Expect(http.StatusUnauthorized)
		h.a.admin.Get("/api/v2/admin/plans").Expect(http.StatusOK) // issued for DefaultTokenTTL

		if err := h.svc.RevokeToken(ctx, h.a.token); err != nil {
			t.Fatal(err)
		}
		h.a.admin.Get("/api/v2/admin/plans").Expect(http.StatusUnauthorized)
		h.b.admin.Get("/api/v2/admin/plans").Expect(http.StatusOK) // another provider's token lives on
		testkit.WantCode(t, "revoke twice", h.svc.RevokeToken(ctx, h.a.token), apperr.Unauthorized)
	})
}

func TestAdminIsolation(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		// Provider B, with its own token, cannot read, change or delete A's records.
		for _, path := range []string{
			"/api/v2/admin/plans/" + itoa(h.a.basic),
			"/api/v2/admin/categories/" + itoa(h.a.personal),
			"/api/v2/admin/payment_methods/" + itoa(h.a.pix),
			"/api/v2/admin/services/" + itoa(h.a.wifi),
			"/api/v2/admin/coupons/" + itoa(h.a.coupon),
		} {
			h.b.admin.Get(path).Expect(http.StatusNotFound)
			h.b.admin.JSON(http.MethodPut, path, map[string]any{"nome": "x", "name": "x", "mensalidade": "1"}).Expect(http.StatusNotFound)
			h.b.admin.JSON(http.MethodDelete, path, nil).Expect(http.StatusNotFound)
			h.a.admin.Get(path).Expect(http.StatusOK)
		}
		// Nor link them into its own plan or coupon.
		errs := errorsOf(t, h.b.admin.JSON(http.MethodPost, "/api/v2/admin/plans", map[string]any{
			"nome": "Roubado", "mensalidade": "10", "category_ids": []int64{h.a.personal}, "payment_method_ids": []int64{h.a.pix},
		}).Expect(http.StatusUnprocessableEntity))
		if errs["category_ids"] == nil || errs["payment_method_ids"] == nil {
			t.Errorf("errors = %v", errs)
		}
		errorsOf(t, h.b.admin.JSON(http.MethodPost, "/api/v2/admin/coupons", map[string]any{
			"name": "X", "plan_ids": []int64{h.a.basic},
		}).Expect(http.StatusUnprocessableEntity))
		errorsOf(t, h.b.admin.JSON(http.MethodPost, "/api/v2/admin/coverage_areas", map[string]any{
			"plan_id": h.a.basic, "cep_inicio": "80000-000", "cep_fim": "80000-999",
		}).Expect(http.StatusUnprocessableEntity))
		// A's subscriptions are not in B's list.
		h.a.subscribe(t, subscription(h.a.fast, nil))
		if n := h.b.storedCount(t); n != 0 {
			t.Fatalf("provider B sees %d subscriptions", n)
		}
	})
}

// TestAdminProviderSlug: issue 15. The slug names the storefront pages; a
// PUT without it keeps it, a taken or malformed one is a 422 on "slug".
func TestAdminProviderSlug(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		put := func(admin *apitest.Client, body map[string]any, want int) *apitest.Response {
			t.Helper()
			return admin.JSON(http.MethodPut, "/api/v2/admin/provider", body).Expect(want)
		}
		if res := put(h.a.admin, map[string]any{"nome": "Fibra A", "slug": "fibra-a"}, http.StatusOK); !contains(res.Body, `"slug":"fibra-a"`) {
			t.Errorf("provider = %s", res.Body)
		}
		if res := put(h.a.admin, map[string]any{"nome": "Fibra A+"}, http.StatusOK); !contains(res.Body, `"slug":"fibra-a"`) {
			t.Errorf("a PUT without slug lost it: %s", res.Body)
		}
		if c, err := h.svc.CatalogBySlug(ctx, "fibra-a"); err != nil || c.Provider.Name != "Fibra A+" {
			t.Errorf("CatalogBySlug = %v, %v", c, err)
		}
		for _, tc := range []struct {
			slug, want string
		}{
			{"fibra-a", "já está em uso"},
			{"Fibra-B", "deve ter até 63 letras minúsculas, números ou hífens, sem hífen no início ou no fim"},
			{"-b", "deve ter até 63 letras minúsculas, números ou hífens, sem hífen no início ou no fim"},
			{strings.Repeat("b", 64), "deve ter até 63 letras minúsculas, números ou hífens, sem hífen no início ou no fim"},
		} {
			errs := errorsOf(t, put(h.b.admin, map[string]any{"nome": "Fibra B", "slug": tc.slug}, http.StatusUnprocessableEntity))
			if got := errs["slug"]; len(got) != 1 || got[0] != tc.want {
				t.Errorf("slug %q: errors = %v", tc.slug, errs)
			}
		}
		if res := put(h.a.admin, map[string]any{"nome": "Fibra A", "slug": ""}, http.StatusOK); !contains(res.Body, `"slug":null`) {
			t.Errorf("slug not removed: %s", res.Body)
		}
		testkit.WantCode(t, "removed slug", errOf(h.svc.CatalogBySlug(ctx, "fibra-a")), apperr.NotFound)
		_, err := h.svc.CreateProvider(ctx, "Fibra C", "https://c.example", "fibra-b")
		if err != nil {
			t.Fatal(err)
		}
		_, err = h.svc.CreateProvider(ctx, "Fibra D", "https://d.example", "fibra-b")
		if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Fields["slug"] == nil {
			t.Errorf("taken slug on create = %v", err)
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

func TestAdminProviderAndOrigins(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		body := map[string]any{"nome": "Fibra A+", "cor_navbar": "#000000", "logo": "https://cdn.fibra-a.com.br/logo.svg",
			"dias_vencimento": []int{20, 5, 5}}
		res := h.a.admin.JSON(http.MethodPut, "/api/v2/admin/provider", body).Expect(http.StatusOK)
		if !contains(res.Body, `"dias_vencimento":[5,20]`) {
			t.Errorf("provider = %s", res.Body)
		}
		doc := h.a.client.Get("/api/v2/providers").Expect(http.StatusOK).Body
		if !contains(doc, `"nome":"Fibra A+"`) || !contains(doc, `"logo":"https://cdn.fibra-a.com.br/logo.svg"`) {
			t.Errorf("storefront not refreshed: %s", doc)
		}
		// Now only days 5 and 20 may be chosen.
		h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", subscription(h.a.fast, map[string]any{"vencimento": "dia 10"})).
			Expect(http.StatusUnprocessableEntity)
		errs := errorsOf(t, h.a.admin.JSON(http.MethodPut, "/api/v2/admin/provider", map[string]any{"nome": "", "dias_vencimento": []int{32}}).
			Expect(http.StatusUnprocessableEntity))
		if errs["nome"] == nil || errs["dias_vencimento"] == nil {
			t.Errorf("errors = %v", errs)
		}
		h.a.admin.JSON(http.MethodPut, "/api/v2/admin/provider", map[string]any{"nome": "x", "dias_vencimento": "5"}).Expect(http.StatusBadRequest)

		// Origins: a new one works at once, in normalized form.
		newOrigin := created(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/origins", map[string]any{"url": "HTTPS://Planos.Fibra-A.com.br/"}).
			Expect(http.StatusCreated))
		h.api.With("Origin", "https://planos.fibra-a.com.br").Get("/api/v2/providers").Expect(http.StatusOK)
		for _, url := range []string{originB, "https://planos.fibra-a.com.br", "not a url", "https://x.com/path"} {
			errorsOf(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/origins", map[string]any{"url": url}).Expect(http.StatusUnprocessableEntity))
		}
		h.b.admin.JSON(http.MethodDelete, "/api/v2/admin/origins/"+itoa(newOrigin), nil).Expect(http.StatusNotFound)
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/origins/"+itoa(newOrigin), nil).Expect(http.StatusNoContent)
		h.api.With("Origin", "https://planos.fibra-a.com.br").Get("/api/v2/providers").Expect(http.StatusNotFound)
		// The last origin stays.
		var list struct {
			Data []struct {
				Attributes struct {
					ID  int64  `json:"id"`
					URL string `json:"url"`
				} `json:"attributes"`
			} `json:"data"`
		}
		h.a.admin.Get("/api/v2/admin/origins").Expect(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].Attributes.URL != originA {
			t.Fatalf("origins = %+v", list.Data)
		}
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/origins/"+itoa(list.Data[0].Attributes.ID), nil).Expect(http.StatusConflict)
	})
}

func TestAdminItems(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		for _, kind := range []string{"categories", "payment_methods", "services"} {
			t.Run(kind, func(t *testing.T) {
				base := "/api/v2/admin/" + kind
				id := created(t, h.a.admin.JSON(http.MethodPost, base, map[string]any{"nome": "Novo", "ordenacao": 0}).Expect(http.StatusCreated))
				res := h.a.admin.JSON(http.MethodPut, base+"/"+itoa(id), map[string]any{"nome": "Renomeado"}).Expect(http.StatusOK)
				if !contains(res.Body, `"nome":"Renomeado"`) || !contains(res.Body, `"ordenacao":null`) {
					t.Errorf("PUT answered %s", res.Body)
				}
				h.a.admin.Get(base + "/" + itoa(id)).Expect(http.StatusOK)
				errorsOf(t, h.a.admin.JSON(http.MethodPost, base, map[string]any{"nome": " "}).Expect(http.StatusUnprocessableEntity))
				errorsOf(t, h.a.admin.JSON(http.MethodPost, base, map[string]any{"nome": 12}).Expect(http.StatusBadRequest))
				errorsOf(t, h.a.admin.JSON(http.MethodPost, base, `{"nome":`).Expect(http.StatusBadRequest))
				h.a.admin.JSON(http.MethodDelete, base+"/"+itoa(id), nil).Expect(http.StatusNoContent)
				h.a.admin.Get(base + "/" + itoa(id)).Expect(http.StatusNotFound)
				h.a.admin.Get(base + "/abc").Expect(http.StatusNotFound)
			})
		}
		// Deleting a category takes it off its plans.
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/categories/"+itoa(h.a.business), nil).Expect(http.StatusNoContent)
		if doc := h.a.client.Get("/api/v2/providers").Body; contains(doc, "Plano Business") {
			t.Fatalf("deleted category still served: %s", doc)
		}
		// A payment method a subscription chose cannot be deleted.
		h.a.subscribe(t, subscription(h.a.fast, map[string]any{"forma_pagamentos_id": h.a.card}))
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/payment_methods/"+itoa(h.a.card), nil).Expect(http.StatusConflict)
	})
}

func TestAdminPlans(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		body := map[string]any{
			"nome": "Fibra 1 Giga", "ordenacao": 2, "mensalidade": 199.9, "taxa_instalacao_a_vista": "0",
			"velocidade_download": 1000, "velocidade_upload": 500, "detalhes_linha1": "Wi-Fi 6",
			"category_ids": []int64{h.a.business, h.a.business}, "payment_method_ids": []int64{h.a.pix}, "service_ids": []int64{h.a.wifi},
		}
		res := h.a.admin.JSON(http.MethodPost, "/api/v2/admin/plans", body).Expect(http.StatusCreated)
		id := created(t, res)
		if !contains(res.Body, `"mensalidade":"199.9"`) || !contains(res.Body, `"category_ids":[`+itoa(h.a.business)+`]`) {
			t.Errorf("created plan = %s", res.Body)
		}
		plans := h.a.client.Get("/api/v2/providers/plans").Body
		if !contains(plans, `"nome":"Fibra 1 Giga","ordenacao":2,"mensalidade":"199.9"`) {
			t.Errorf("storefront plans = %s", plans)
		}
		// What GET answers can be sent back with PUT.
		var got struct {
			Data struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		h.a.admin.Get("/api/v2/admin/plans/" + itoa(id)).Expect(http.StatusOK).Decode(&got)
		again := h.a.admin.JSON(http.MethodPut, "/api/v2/admin/plans/"+itoa(id), got.Data.Attributes).Expect(http.StatusOK)
		var after struct {
			Data struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		again.Decode(&after)
		if !reflect.DeepEqual(got.Data.Attributes, after.Data.Attributes) {
			t.Errorf("round trip changed the plan:\n%v\n%v", got.Data.Attributes, after.Data.Attributes)
		}
		for _, bad := range []map[string]any{
			{"nome": "", "mensalidade": "10"},
			{"nome": "x", "mensalidade": "dez reais"},
			{"nome": "x", "mensalidade": "10.999"},
			{"nome": "x", "mensalidade": "-1"},
			{"nome": "x"},
			{"nome": "x", "mensalidade": "10", "velocidade_upload": -1},
			{"nome": "x", "mensalidade": "10", "service_ids": []int64{987654}},
			{"nome": "x", "mensalidade": "10", "html": strings.Repeat("<p>", 4000)},
		} {
			errorsOf(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/plans", bad).Expect(http.StatusUnprocessableEntity))
		}
		h.a.admin.JSON(http.MethodPost, "/api/v2/admin/plans", map[string]any{"nome": "x", "mensalidade": "1", "category_ids": "1"}).
			Expect(http.StatusBadRequest)
		h.a.admin.JSON(http.MethodPut, "/api/v2/admin/plans/987654", body).Expect(http.StatusNotFound)

		// A plan with subscriptions cannot be deleted; one without can.
		h.a.subscribe(t, subscription(h.a.basic, nil))
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/plans/"+itoa(h.a.basic), nil).Expect(http.StatusConflict)
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/plans/"+itoa(id), nil).Expect(http.StatusNoContent)
		if contains(h.a.client.Get("/api/v2/providers/plans").Body, "Fibra 1 Giga") {
			t.Fatal("deleted plan still served")
		}
	})
}

func TestAdminCoupons(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		body := map[string]any{"name": "Natal", "description": "Natal 2026", "plan_ids": []int64{h.a.fast},
			"valid_from": "2026-06-01T00:00:00-03:00", "valid_until": "2026-12-31T23:59:59-03:00", "max_redemptions": 10}
		res := h.a.admin.JSON(http.MethodPost, "/api/v2/admin/coupons", body).Expect(http.StatusCreated)
		id := created(t, res)
		if !contains(res.Body, `"redemptions":0`) || !contains(res.Body, `"valid_until":"2027-01-01T02:59:59Z"`) {
			t.Errorf("coupon = %s", res.Body)
		}
		h.a.client.Get("/api/v2/providers/check_coupon_availability?name=natal&plan_id=" + itoa(h.a.fast)).Expect(http.StatusOK)
		// Names are unique per provider without regard to case; another provider may reuse one.
		for _, name := range []string{"NATAL", " natal ", "promo10"} {
			errs := errorsOf(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/coupons", map[string]any{"name": name}).
				Expect(http.StatusUnprocessableEntity))
			if !reflect.DeepEqual(errs["name"], []string{"já está em uso"}) {
				t.Errorf("%q: %v", name, errs)
			}
		}
		h.b.admin.JSON(http.MethodPost, "/api/v2/admin/coupons", map[string]any{"name": "natal"}).Expect(http.StatusCreated)
		// Renaming onto another coupon's name is refused too.
		h.a.admin.JSON(http.MethodPut, "/api/v2/admin/coupons/"+itoa(id), map[string]any{"name": "Promo10"}).Expect(http.StatusUnprocessableEntity)
		for _, bad := range []map[string]any{
			{"name": "x", "valid_until": "31/12/2026"},
			{"name": "x", "valid_from": "2026-12-31T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"},
			{"name": "x", "max_redemptions": -1},
			{"name": ""},
		} {
			errorsOf(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/coupons", bad).Expect(http.StatusUnprocessableEntity))
		}
		// Used by a subscription: cannot be deleted; the admin sees the count.
		h.a.subscribe(t, subscription(h.a.fast, map[string]any{"coupon_id": id}))
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/coupons/"+itoa(id), nil).Expect(http.StatusConflict)
		if !contains(h.a.admin.Get("/api/v2/admin/coupons/"+itoa(id)).Body, `"redemptions":1`) {
			t.Error("redemption not shown")
		}
		// Lowering the limit below the count makes it used up, without touching the count.
		h.a.admin.JSON(http.MethodPut, "/api/v2/admin/coupons/"+itoa(id), map[string]any{"name": "Natal", "max_redemptions": 1}).Expect(http.StatusOK)
		h.a.client.Get("/api/v2/providers/check_coupon_availability?name=natal").Expect(http.StatusUnprocessableEntity)
		unused := created(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/coupons", map[string]any{"name": "Sobra"}).Expect(http.StatusCreated))
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/coupons/"+itoa(unused), nil).Expect(http.StatusNoContent)
	})
}

func TestAdminCoverageAreas(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := map[string]any{"plan_id": h.a.enterprise, "subscription": map[string]any{"cep": "01310-100"}}
		if h.a.subscribe(t, ctx).Data.Attributes.Coverage {
			t.Fatal("Paulista covered before the area exists")
		}
		id := created(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/coverage_areas", map[string]any{
			"nome": "Paulista", "plan_id": h.a.enterprise, "cep_inicio": "01310-000", "cep_fim": "01310999",
		}).Expect(http.StatusCreated))
		if !h.a.subscribe(t, ctx).Data.Attributes.Coverage {
			t.Fatal("new area not applied at once")
		}
		res := h.a.admin.Get("/api/v2/admin/coverage_areas/" + itoa(id)).Expect(http.StatusOK)
		if !contains(res.Body, `"cep_inicio":"01310-000"`) || !contains(res.Body, `"geojson":null`) {
			t.Errorf("area = %s", res.Body)
		}
		// Replace it with a polygon (a Feature, as map tools export them).
		h.a.admin.JSON(http.MethodPut, "/api/v2/admin/coverage_areas/"+itoa(id), map[string]any{
			"nome": "Quadrado", "geojson": map[string]any{"type": "Feature", "properties": map[string]any{}, "geometry": map[string]any{
				"type": "Polygon", "coordinates": [][][]float64{{{-46.66, -23.57}, {-46.64, -23.57}, {-46.64, -23.55}, {-46.66, -23.55}, {-46.66, -23.57}}},
			}},
		}).Expect(http.StatusOK)
		if h.a.subscribe(t, ctx).Data.Attributes.Coverage {
			t.Fatal("CEP range still applied after the replacement")
		}
		in := map[string]any{"plan_id": h.a.enterprise, "subscription": map[string]any{"coordinates": map[string]any{"lat": -23.56, "lng": -46.65}}}
		if !h.a.subscribe(t, in).Data.Attributes.Coverage {
			t.Fatal("polygon not applied")
		}
		for _, bad := range []map[string]any{
			{"nome": "nada"},
			{"cep_inicio": "80000-000"},
			{"cep_inicio": "80000-999", "cep_fim": "80000-000"},
			{"cep_inicio": "8000-000", "cep_fim": "80000-999"},
			{"cep_inicio": "80000-000", "cep_fim": "80000-999", "geojson": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}},
			{"geojson": map[string]any{"type": "Point", "coordinates": []float64{0, 0}}},
			{"geojson": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0, 0}, {1, 0}, {1, 1}}}}},
			{"geojson": map[string]any{"type": "Polygon", "coordinates": "x"}},
			{"plan_id": 987654, "cep_inicio": "80000-000", "cep_fim": "80000-999"},
		} {
			errorsOf(t, h.a.admin.JSON(http.MethodPost, "/api/v2/admin/coverage_areas", bad).Expect(http.StatusUnprocessableEntity))
		}
		h.b.admin.JSON(http.MethodDelete, "/api/v2/admin/coverage_areas/"+itoa(id), nil).Expect(http.StatusNotFound)
		h.a.admin.JSON(http.MethodDelete, "/api/v2/admin/coverage_areas/"+itoa(id), nil).Expect(http.StatusNoContent)
		if h.a.subscribe(t, in).Data.Attributes.Coverage {
			t.Fatal("deleted area still applied")
		}
	})
}

func TestAdminSubscriptionsListAndExport(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		start := h.clock.Now()
		var ids []string
		for i, name := range []string{"Ana Lima", "=HYPERLINK(\"http://evil\")", "Carla Dias"} {
			h.clock.Set(start.Add(time.Duration(i) * time.Minute))
			res := h.a.subscribe(t, subscription(h.a.fast, map[string]any{"nome_razao_social": name}))
			ids = append(ids, *res.Data.ID)
		}
		var page struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
			Meta struct {
				Total   int `json:"total"`
				Page    int `json:"page"`
				PerPage int `json:"per_page"`
			} `json:"meta"`
		}
		h.a.admin.Get("/api/v2/admin/subscriptions?page=1&per_page=2").Expect(http.StatusOK).Decode(&page)
		if page.Meta.Total != 3 || page.Meta.PerPage != 2 || len(page.Data) != 2 || page.Data[0].ID != ids[2] || page.Data[1].ID != ids[1] {
			t.Fatalf("page 1 = %+v", page)
		}
		h.a.admin.Get("/api/v2/admin/subscriptions?page=2&per_page=2").Expect(http.StatusOK).Decode(&page)
		if len(page.Data) != 1 || page.Data[0].ID != ids[0] {
			t.Fatalf("page 2 = %+v", page)
		}
		for _, q := range []string{"page=0", "page=abc", "per_page=1000", "per_page=-1"} {
			errorsOf(t, h.a.admin.Get("/api/v2/admin/subscriptions?"+q).Expect(http.StatusBadRequest))
		}

		res := h.a.admin.Get("/api/v2/admin/subscriptions/export").Expect(http.StatusOK)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("headers = %v", res.Header)
		}
		rows, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[0][0] != "id" || rows[1][0] != ids[0] || rows[3][0] != ids[2] {
			t.Fatalf("CSV rows = %v", rows)
		}
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		if got := rows[2][col["nome_razao_social"]]; got != `'=HYPERLINK("http://evil")` {
			t.Errorf("formula not defused: %q", got)
		}
		if rows[1][col["cpf_cnpj"]] != "458.264.868-13" || rows[1][col["lat"]] != "-25.44" || rows[1][col["coverage"]] != "true" {
			t.Errorf("row = %v", rows[1])
		}
		if b := h.b.admin.Get("/api/v2/admin/subscriptions/export").Expect(http.StatusOK).Body; bytes.Count(b, []byte("\n")) != 1 {
			t.Errorf("provider B's export has A's rows: %s", b)
		}
		h.b.admin.Get("/api/v2/admin/subscriptions/" + ids[0]).Expect(http.StatusNotFound)
		h.a.admin.Get("/api/v2/admin/subscriptions/not-a-uuid").Expect(http.StatusNotFound)
	})
}
