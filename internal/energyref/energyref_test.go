package energyref

import (
	"strings"
	"testing"
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
		if u.PublicID != UtilityPublicID(strings.ToLower(u.Name)) {
			t.Errorf("%s: public id %s is not stable across spellings", u.Name, u.PublicID)
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

func TestCNPJDigits(t *testing.T) {
	for in, want := range map[string]string{
		"04.065.033/0001-70": "04065033000170",
		"4065033000170":      "04065033000170",
		"04065033000170":     "04065033000170",
		"":                   "",
		"abc":                "abc",
		"123456789012345":    "123456789012345",
	} {
		if got := CNPJDigits(in); got != want {
			t.Errorf("CNPJDigits(%q) = %q, want %q", in, got, want)
		}
	}
}
