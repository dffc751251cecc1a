package energy_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// hostileText are the strings issue 10 #11 found accepted: each must be
// refused by every surface's free-text fields.
var hostileText = map[string]string{
	"RLO": "Jo\u202eão", "RLI": "Jo\u2067ão", "ZWSP": "Jo\u200bão", "ZWJ": "Jo\u200dão", "WJ": "Jo\u2060ão",
	"BOM": "\ufeffJoão", "LS": "Jo\u2028ão", "PS": "Jo\u2029ão", "NUL": "Jo\x00ão", "ESC": "Jo\x1b[2Jão",
	"BEL": "Jo\x07ão", "newline": "Jo\não", "C1": "Jo\u009bão",
}

// TestLeadTextRefusesControlsAndBidi replays issue 10 #11 on the energy
// surface: each hostile string in each free-text field answers 400 with
// "<campo> contém caracteres não permitidos"; accented Portuguese is kept.
func TestLeadTextRefusesControlsAndBidi(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		fields := []string{"fullName", "nationality", "maritalStatus", "profession", "street", "number", "neighborhood", "complement", "emailAddress", "city"}
		for _, field := range fields {
			for name, bad := range hostileText {
				t.Run(field+"/"+name, func(t *testing.T) {
					body := naturalLead()
					body[field] = bad
					got := env.A.JSON(http.MethodPost, "/sales-conversion/leads", body).Expect(http.StatusBadRequest).Map()
					want := field + " contém caracteres não permitidos"
					if !strings.Contains(fmt.Sprint(got["message"]), want) {
						t.Errorf("message = %v, want it to hold %q", got["message"], want)
					}
				})
			}
		}
		t.Run("accented Portuguese kept", func(t *testing.T) {
			body := naturalLead()
			const s = "São João d'Aliança – Ação"
			body["street"], body["complement"] = s, s
			lead := createLead(t, env.A, body)
			if lead["street"] != s || lead["complement"] != s {
				t.Errorf("street, complement = %v, %v; want %q", lead["street"], lead["complement"], s)
			}
		})
	})
}
