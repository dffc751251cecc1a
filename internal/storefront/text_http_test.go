package storefront_test

import (
	"net/http"
	"slices"
	"testing"

	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
)

// TestSubscriptionTextRefusesControlsAndBidi replays issue 10 #11 on the
// storefront: NUL, ESC, BEL, bidi overrides, zero-width characters, BOM and
// U+2028 in a free-text field answer 422 {"errors":{campo:["contém
// caracteres não permitidos"]}}, so none reaches the CSV export.
func TestSubscriptionTextRefusesControlsAndBidi(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		h := newHarness(t, e)
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
