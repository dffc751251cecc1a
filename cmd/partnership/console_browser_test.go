package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// partnerJourney (e2e/console.mjs): the demo partner's admin signs in,
// creates a lead (its qualification shown as the bill value is typed),
// filters the pipeline down to it, opens it, creates its contract and sees
// the status change; the seller "Vendedor 1" cannot open another seller's
// lead, nor another partner's admin the partner's. The lead is then in
// the API as the console left it.
var partnerJourney = browserJourney{name: "partner console", script: "console.mjs", prepare: preparePartner}

func preparePartner(t *testing.T, d *liveDemo) ([]string, func(scriptResult)) {
	env := []string{"PASSWORD=" + demoConsolePassword, "ADMIN_EMAIL=" + demoConsoleUsers[0].Email,
		"SELLER_EMAIL=" + demoConsoleUsers[1].Email, "OTHER_EMAIL=" + demoConsoleUsers[2].Email}
	return env, func(result scriptResult) {
		if result.Lead == "" {
			t.Fatalf("console.mjs reported no lead: %+v", result)
		}
		t.Logf("lead %s", result.Lead)
		key := cliOutput(t, d, "apikey", "create", "--partner", demoPartner)
		code, body := liveCall(t, http.MethodGet, d.base+"/sales-conversion/leads/"+result.Lead, nil, "Authorization", "Bearer "+key)
		for _, want := range []string{`"status":"negociacao"`, `"sellerName":"Gestora Demo"`, `"fullName":"Helena Prado"`, `"utilityBillingValue":900.15`} {
			if code != http.StatusOK || !strings.Contains(string(body), want) {
				t.Errorf("the API's lead lacks %s: %d %s", want, code, body)
			}
		}
	}
}

// cliOutput runs a command on the demo's data directory and returns what
// it printed, trimmed.
func cliOutput(t *testing.T, d *liveDemo, args ...string) string {
	t.Helper()
	env, stdout, stderr := testEnv(nil)
	if err := run(t.Context(), env, append([]string{"--data-dir", d.dataDir}, args...)); err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(args, " "), err, stdout, stderr)
	}
	return regexp.MustCompile(`\s+`).ReplaceAllString(stdout.String(), "")
}
