package storefront_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/storefront"
	"partnership-service/internal/textnorm"
)

// TestSubscriptionTextRefusesControlsAndBidi replays issue 10 #11 on the
// storefront: NUL, ESC, BEL, bidi overrides, zero-width characters, BOM and
// U+2028 in a free-text field answer 422 {"errors":{campo:["contém
// caracteres não permitidos"]}}, so none reaches the CSV export.
func TestSubscriptionTextRefusesControlsAndBidi(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		hostile := map[string]string{
			"NUL": "Jian\x00", "ESC": "Jian\x1b[2J", "BEL": "Ji\x07an", "RLO": "Ji\u202ean", "ZWSP": "Ji\u200ban",
			"BOM": "\ufeffJian", "LS": "Ji\u2028an", "newline": "Ji\nan",
		}
		for _, field := range []string{"nome_razao_social", "email", "rua", "numero", "complemento", "bairro", "cidade", "provedor", "rg_ie"} {
			for name, bad := range hostile {
				t.Run(field+"/"+name, func(t *testing.T) {
					res := h.a.client.JSON(http.MethodPost, "/api/v2/subscriptions", subscription(h.a.fast, map[string]any{field: bad})).
						Expect(http.StatusUnprocessableEntity)
					if got := errorsOf(t, res)[field]; !slices.Contains(got, "contém caracteres não permitidos") {
						t.Errorf("errors[%s] = %v", field, got)
					}
				})
			}
		}
		t.Run("accented Portuguese accepted", func(t *testing.T) {
			res := h.a.subscribe(t, subscription(h.a.fast, map[string]any{"complemento": "São João d'Aliança – Ação", "bairro": "São João d'Aliança – Ação"}))
			if res.Data.ID == nil {
				t.Fatalf("not created: %+v", res)
			}
		})
	})
}

// TestAdminTextRefusesControlsAndBidi: coupon names and descriptions and
// category names saved by a provider's admin refuse the same characters
// with a 422 on the field (issue 10 #11); accented Portuguese is saved.
func TestAdminTextRefusesControlsAndBidi(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		for name, bad := range map[string]string{"NUL": "PROMO\x00", "ESC": "PRO\x1bMO", "RLO": "PRO\u202eMO", "BOM": "\ufeffPROMO", "invalid UTF-8": "PRO\xffMO"} {
			t.Run("coupon name/"+name, func(t *testing.T) {
				_, err := h.svc.SaveCoupon(ctx, h.a.id, storefront.Coupon{Name: bad, Description: "ok"})
				if e := apperr.As(err); e == nil || e.Code != apperr.Unprocessable || !slices.Contains(e.Fields["name"], textnorm.Message) {
					t.Errorf("SaveCoupon(%q) = %v, want 422 on name", bad, err)
				}
			})
			t.Run("coupon description/"+name, func(t *testing.T) {
				_, err := h.svc.SaveCoupon(ctx, h.a.id, storefront.Coupon{Name: "OK", Description: bad})
				if e := apperr.As(err); e == nil || e.Code != apperr.Unprocessable || !slices.Contains(e.Fields["description"], textnorm.Message) {
					t.Errorf("SaveCoupon description %q = %v, want 422 on description", bad, err)
				}
			})
		}
	})
}
