package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
)

func TestEnergyAdminCommands(t *testing.T) {
	t.Parallel()
	cli := newTestCLI(t, t.TempDir(), "")
	id := cli.run("partner", "create", "--name", "Solar Parceiros")
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(id) {
		t.Fatalf("partner create printed %q, want the id alone", id)
	}
	key := cli.run("apikey", "create", "--partner", "Solar Parceiros", "--seller", "Ana")
	if !regexp.MustCompile(`^pk_[a-z2-7]{8}_[a-z2-7]{52}$`).MatchString(key) {
		t.Fatalf("apikey create printed %q, want the key alone", key)
	}
	prefix := strings.Join(strings.Split(key, "_")[:2], "_")
	if out := cli.run("apikey", "revoke", prefix); !strings.Contains(out, "revoked") {
		t.Fatalf("revoke printed %q", out)
	}
	if _, err := cli.try("apikey", "revoke", prefix); err == nil {
		t.Fatal("revoking twice succeeded")
	}
	if _, err := cli.try("apikey", "create", "--partner", "Nobody"); err == nil {
		t.Fatal("a key for an unknown partner was issued")
	}

	csv := filepath.Join(t.TempDir(), "areas.csv")
	os.WriteFile(csv, []byte("utility_name,ibge_code\nCPFL PAULISTA,3509502\nCPFL PAULISTA,3552205\ncemig-d,3106200\nNOPE,3550308\nENEL SP,12\n\nLIGHT\n"), 0o600)
	env, stdout, stderr := testEnv(nil)
	if err := run(context.Background(), env, []string{"catalog", "import-areas", "--data-dir", cli.dir, csv}); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if first := stdout.String(); !strings.Contains(first, "1 areas added, 2 already known, 3 rows skipped") {
		t.Fatalf("first import: %q", first)
	}
	for _, bad := range []string{`linha 5: distribuidora desconhecida "NOPE"`, `linha 6: "12" não é`, `linha 8: "" não é`, "NOPE: 1 linhas (a primeira: 5)"} {
		if !strings.Contains(stderr.String(), bad) {
			t.Errorf("import report lacks %q:\n%s", bad, stderr)
		}
	}
	wrong := filepath.Join(t.TempDir(), "wrong.csv")
	os.WriteFile(wrong, []byte("utility,ibge\nLIGHT,3304557\n"), 0o600)
	if _, err := cli.try("catalog", "import-areas", wrong); err == nil || !strings.Contains(err.Error(), "falta a coluna do código IBGE") {
		t.Fatalf("a file without the columns: err = %v", err)
	}
	if again := cli.run("catalog", "import-areas", csv); !strings.Contains(again, "0 areas added, 3 already known") {
		t.Fatalf("re-import is not idempotent: %q", again)
	}
	// An ANEEL file checked first: the report, nothing written.
	aneel := filepath.Join(t.TempDir(), "empreendimento-geracao-distribuida.csv")
	os.WriteFile(aneel, []byte("\"NumCNPJDistribuidora\";\"SigAgente\";\"CodMunicipioIbge\"\r\n\"06981180000116\";\"CEMIG-D\";\"3136702\"\r\n"), 0o600)
	if dry := cli.run("catalog", "import-areas", "--dry-run", aneel); !strings.Contains(dry, "1 areas would be added (dry run, nothing written), 0 already known, 0 rows skipped") {
		t.Fatalf("dry run: %q", dry)
	}
	if real := cli.run("catalog", "import-areas", aneel); !strings.Contains(real, "1 areas added, 0 already known") {
		t.Fatalf("import after the dry run: %q", real)
	}
}

// TestEnergyDemo loads the demo data twice, as two `serve --demo` starts
// do, and checks with the key it printed what a partner sees: the demo
// utilities qualified with their plans (not duplicated), and every curl
// line it printed answering 200.
func TestEnergyDemo(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	a := testApp(t, ctx, dir)
	var printed bytes.Buffer
	for range 2 {
		printed.Reset()
		if err := a.loadEnergyDemo(ctx, &printed, "http://demo"); err != nil {
			t.Fatal(err)
		}
	}
	m := regexp.MustCompile(`export KEY=(\S+)`).FindStringSubmatch(printed.String())
	if m == nil {
		t.Fatalf("no key in the demo output:\n%s", printed.String())
	}
	h := testHandler(t, ctx, a.energySurface)
	c := apitest.New(t, h).With("Authorization", "Bearer "+m[1])

	type area struct {
		EnergyUtilityPublicID  string `json:"energyUtilityPublicId"`
		EnergyUtilityName      string `json:"energyUtilityName"`
		EnergyUtilityQualified bool   `json:"energyUtilityQualified"`
		IBGECode               string `json:"ibgeCode"`
		State, City            string
	}
	areasAt := func(query string) []area {
		t.Helper()
		var out []area
		c.Get("/distribuited-generation/operation-areas?" + query).Expect(http.StatusOK).Decode(&out)
		return out
	}
	if got := areasAt("state=sp&city=sao%20paulo"); len(got) != 1 || got[0].EnergyUtilityName != "ENEL SP" ||
		got[0].IBGECode != "3550308" || got[0].City != "São Paulo" || !got[0].EnergyUtilityQualified {
		t.Fatalf("São Paulo: %+v, want ENEL SP, qualified, 3550308", got)
	}
	for query, name := range map[string]string{"ibge_code=3106200": "CEMIG-D", "state=RJ&city=rio%20de%20janeiro": "LIGHT"} {
		if got := areasAt(query); len(got) != 1 || got[0].EnergyUtilityName != name || !got[0].EnergyUtilityQualified {
			t.Errorf("%s: %+v, want %s qualified", query, got, name)
		}
	}
	cpfl := areasAt("ibge_code=3509502")
	if len(cpfl) != 1 || cpfl[0].EnergyUtilityName != "CPFL PAULISTA" || !cpfl[0].EnergyUtilityQualified {
		t.Fatalf("Campinas: %+v, want CPFL PAULISTA qualified", cpfl)
	}
	var plans []struct {
		EnergyUtilityName string `json:"energyUtilityName"`
		Plans             []struct {
			Name           string `json:"name"`
			FidelityMonths int    `json:"fidelityMonths"`
			Discount       string `json:"discount"`
		} `json:"plans"`
	}
	c.Get("/distribuited-generation/plans?energy_utility_public_id=" + cpfl[0].EnergyUtilityPublicID).Expect(http.StatusOK).Decode(&plans)
	if len(plans) != 1 || plans[0].EnergyUtilityName != "CPFL PAULISTA" || len(plans[0].Plans) != 2 ||
		plans[0].Plans[0].Name != "Plano Premium" || plans[0].Plans[0].FidelityMonths != 60 || plans[0].Plans[0].Discount != "0.15" {
		t.Fatalf("CPFL PAULISTA plans after two demo loads: %+v, want Plano Premium and Plano Essencial once", plans)
	}

	curls := regexp.MustCompile(`curl .*'http://demo(/[^']+)'`).FindAllStringSubmatch(printed.String(), -1)
	if len(curls) < 4 {
		t.Fatalf("demo printed %d curl lines:\n%s", len(curls), printed.String())
	}
	for _, curl := range curls {
		c.Get(curl[1]).Expect(http.StatusOK)
	}

	// Keys from the CLI: only --admin ones manage the catalog.
	cli := newTestCLI(t, dir, "")
	cli.run("partner", "create", "--name", "Operador")
	admin := cli.run("apikey", "create", "--partner", "Operador", "--admin")
	seller := cli.run("apikey", "create", "--partner", "Operador", "--seller", "Bia")
	var utilities []struct {
		Name      string `json:"energyUtilityName"`
		Qualified bool   `json:"energyUtilityQualified"`
	}
	c.With("Authorization", "Bearer "+admin).Get("/admin/energy/utilities").Expect(http.StatusOK).Decode(&utilities)
	var qualified []string
	for _, u := range utilities {
		if u.Qualified {
			qualified = append(qualified, u.Name)
		}
	}
	if want := []string{"CEMIG-D", "CPFL PAULISTA", "ENEL SP", "LIGHT"}; !slices.Equal(qualified, want) {
		t.Errorf("qualified utilities = %v, want %v", qualified, want)
	}
	c.With("Authorization", "Bearer "+seller).Get("/admin/energy/utilities").Expect(http.StatusForbidden)
}
