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

func TestReadAreasCSV(t *testing.T) {
	rows, err := ReadAreasCSV(strings.NewReader("\ufeffibge_code,utility_name,extra\n3509502, CPFL PAULISTA ,x\n3550308\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []AreaRow{{Line: 2, Utility: "CPFL PAULISTA", IBGECode: "3509502"}, {Line: 3, IBGECode: "3550308"}}
	if len(rows) != len(want) || rows[0] != want[0] || rows[1] != want[1] {
		t.Fatalf("rows = %+v, want %+v", rows, want)
	}
	if _, err := ReadAreasCSV(strings.NewReader("utility_name\nX\n")); err == nil {
		t.Fatal("a file without ibge_code: want an error")
	}
}
