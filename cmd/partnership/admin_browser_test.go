package main

import (
	"net/http"
	"strings"
	"testing"
)

// operatorJourney (e2e/admin.mjs): a provider's back-office user is
// refused at the operator console's login, and its back-office session
// opens nothing there; the operator signs in, gets
// the admin API's message for a bad price, changes the demo's Fibra 300
// to R$ 119,90, and the storefront (/loja/{slug}) shows it; the audit
// trail's page shows the change, before and after; the GD catalog's areas
// import reports a CSV's refused lines; a partner's key is issued, shown
// once and revoked. Afterwards the storefront API serves the new price,
// and the energy API refuses the revoked key.
var operatorJourney = browserJourney{name: "operator console", script: "admin.mjs", prepare: prepareOperator}

func prepareOperator(t *testing.T, d *liveDemo) ([]string, func(scriptResult)) {
	const email, password = "operacao@example.com", "senha-do-operador-1"
	const provider, providerPassword = "provedor@example.com", "senha-do-provedor-1"
	for _, args := range [][]string{
		{"operator", "create", "--email", email, "--password", password},
		{"provider", "user", "create", "--provider", "1", "--email", provider, "--password", providerPassword},
	} {
		env, stdout, stderr := testEnv(nil)
		if err := run(t.Context(), env, append([]string{"--data-dir", d.dataDir}, args...)); err != nil {
			t.Fatalf("%s: %v\n%s%s", strings.Join(args[:2], " "), err, stdout, stderr)
		}
	}
	env := []string{"SLUG=" + demoSlug, "OPERATOR_EMAIL=" + email, "OPERATOR_PASSWORD=" + password,
		"OTHER_EMAIL=" + provider, "OTHER_PASSWORD=" + providerPassword}
	return env, func(result scriptResult) {
		if result.Price != "R$ 119,90" {
			t.Fatalf("admin.mjs reported %+v", result)
		}
		code, plans := d.call(t, http.MethodGet, "/api/v2/providers/plans", demoOrigin, nil)
		if code != http.StatusOK || !strings.Contains(string(plans), `"mensalidade":"119.9"`) {
			t.Errorf("the storefront API's plans after the change: %d %s", code, plans)
		}
		// The key the console revoked is refused by the energy API.
		if code, b := liveCall(t, http.MethodGet, d.base+"/sales-conversion/leads", nil, "Authorization", "Bearer "+result.Key); code != http.StatusUnauthorized {
			t.Errorf("a revoked key: %d %s", code, b)
		}
	}
}
