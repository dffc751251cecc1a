package companies_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
)

// TestCompanyTextRefusesControlsAndBidi replays issue 10 #11 on the
// companies surface: NUL, ESC, BEL, bidi overrides, zero-width characters,
// BOM and U+2028 in any text field answer 422 {"campo":["O campo … contém
// caracteres não permitidos."]}, so none reaches the CSV export; accented
// Portuguese is kept unchanged.
func TestCompanyTextRefusesControlsAndBidi(t *testing.T) {
	t.Parallel()
	hostile := map[string]string{
		"NUL": "Acme\x00", "ESC": "Acme\x1b[2J", "BEL": "Ac\x07me", "RLO": "Ac\u202eme", "ZWSP": "Ac\u200bme",
		"BOM": "\ufeffAcme", "LS": "Ac\u2028me", "newline": "Ac\nme", "PDI": "Ac\u2069me",
	}
	fields := []string{"name", "external_id", "unit_code", "corporate_name", "address", "number", "complement",
		"district", "contact_name", "contact_telephone", "contact_cellphone", "zip_code", "cnae", "contact_email"}
	for _, field := range fields {
		for name, bad := range hostile {
			t.Run(field+"/"+name, func(t *testing.T) {
				raw, _ := json.Marshal(bad)
				_, err := companies.ParseCompanyInput(map[string]json.RawMessage{field: raw})
				e := apperr.As(err)
				want := "O campo " + strings.ReplaceAll(field, "_", " ") + " contém caracteres não permitidos."
				if e == nil || e.Code != apperr.Unprocessable || !slices.Contains(e.Fields[field], want) {
					t.Errorf("ParseCompanyInput(%s=%q) = %v", field, bad, err)
				}
			})
		}
	}
	const s = "São João d'Aliança – Ação"
	raw, _ := json.Marshal(s)
	if _, err := companies.ParseCompanyInput(map[string]json.RawMessage{"name": raw, "address": raw}); err != nil {
		t.Fatalf("accented Portuguese refused: %v", err)
	}
}
