package energyref

import (
	"strings"
	"testing"

	"partnership-service/internal/testkit"
)

func TestCatalog(t *testing.T) {
	utilities, areas, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(utilities) != 105 {
		t.Errorf("%d utilities, want ANEEL's 105", len(utilities))
	}
	known := map[string]bool{}
	for _, u := range utilities {
		if u.PublicID != UtilityPublicID(strings.ToLower(u.ANEELName)) {
			t.Errorf("%s: public id %s is not stable across spellings", u.ANEELName, u.PublicID)
		}
		known[u.PublicID] = true
	}
	if len(areas) == 0 {
		t.Fatal("no areas")
	}
	for _, a := range areas {
		if !known[a.UtilityID] || a.IBGECode < 1000000 || a.IBGECode > 9999999 {
			t.Fatalf("area %+v: unknown utility or bad IBGE code", a)
		}
	}
}

// TestAliases: a utility renamed since ANEEL's 2021 list shows its current
// name and keeps its id, and every name it was known by leads to it.
func TestAliases(t *testing.T) {
	utilities, _, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]Utility{}
	for _, u := range utilities {
		byID[u.PublicID] = u
	}
	named := map[string]string{} // name → utility id
	for _, u := range utilities {
		named[u.Name] = u.PublicID
	}
	for _, a := range Aliases() {
		if _, ok := byID[a.UtilityID]; !ok {
			t.Errorf("alias %q names no utility", a.Name)
		}
		named[a.Name] = a.UtilityID
	}
	for _, tt := range []struct {
		aneel, current string
		others         []string
	}{
		{"ENEL GO", "EQUATORIAL GO", []string{"ENEL GO", "CELG-D", "CELG DISTRIBUIÇÃO S.A."}},
		{"CEB-DIS", "NEOENERGIA BRASÍLIA", []string{"CEB-DIS", "CEB-D", "CEB DISTRIBUIÇÃO S.A."}},
		{"CEEE-D", "CEEE EQUATORIAL", []string{"CEEE-D"}},
		{"CEMAR", "EQUATORIAL MA", []string{"CEMAR", "COMPANHIA ENERGÉTICA DO MARANHÃO"}},
		{"ENEL SP", "ENEL SP", []string{"ELETROPAULO"}},
	} {
		id := UtilityPublicID(tt.aneel)
		if u := byID[id]; u.Name != tt.current || u.ANEELName != tt.aneel {
			t.Errorf("utility %s: name %q (ANEEL %q), want %q", id, u.Name, u.ANEELName, tt.current)
		}
		for _, n := range tt.others {
			if named[n] != id {
				t.Errorf("%q leads to %q, want %s's id %s", n, named[n], tt.aneel, id)
			}
		}
	}
}

func TestCNPJDigits(t *testing.T) {
	testkit.Strings(t, "CNPJDigits", CNPJDigits, map[string]string{
		"04.065.033/0001-70": "04065033000170",
		"4065033000170":      "04065033000170",
		"04065033000170":     "04065033000170",
		"":                   "",
		"abc":                "abc",
		"123456789012345":    "123456789012345",
	})
}
