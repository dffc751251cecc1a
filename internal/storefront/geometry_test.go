package storefront

import (
	"strings"
	"testing"
)

// batelWithHole is Batel (Curitiba) with a square hole in it.
const batelWithHole = `{"type":"Polygon","coordinates":[
	[[-49.2985,-25.4390],[-49.2890,-25.4345],[-49.2790,-25.4370],[-49.2780,-25.4440],[-49.2860,-25.4500],[-49.2960,-25.4480],[-49.2985,-25.4390]],
	[[-49.2900,-25.4420],[-49.2860,-25.4420],[-49.2860,-25.4450],[-49.2900,-25.4450],[-49.2900,-25.4420]]]}`

func TestGeometryContains(t *testing.T) {
	t.Parallel()
	square := func(x0, y0, x1, y1 string) string {
		return "[[" + x0 + "," + y0 + "],[" + x1 + "," + y0 + "],[" + x1 + "," + y1 + "],[" + x0 + "," + y1 + "],[" + x0 + "," + y0 + "]]"
	}
	multi := `{"type":"MultiPolygon","coordinates":[[` + square("0", "0", "1", "1") + `],[` + square("10", "10", "12", "12") + `,` + square("10.5", "10.5", "11", "11") + `]]}`
	feature := `{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[` + square("0", "0", "1", "1") + `]}}`
	tests := []struct {
		name     string
		geometry string
		pt       Point
		want     bool
	}{
		{"Batel: inside", batelWithHole, Point{Lat: -25.4400, Lng: -49.2920}, true},
		{"Batel: in the hole", batelWithHole, Point{Lat: -25.4435, Lng: -49.2880}, false},
		{"Batel: Bacacheri, outside", batelWithHole, Point{Lat: -25.3587797, Lng: -49.2702625}, false},
		{"Batel: lat and lng swapped", batelWithHole, Point{Lat: -49.2920, Lng: -25.4400}, false},
		{"multi: first polygon", multi, Point{Lat: 0.5, Lng: 0.5}, true},
		{"multi: second polygon", multi, Point{Lat: 11.5, Lng: 11.5}, true},
		{"multi: hole of the second", multi, Point{Lat: 10.7, Lng: 10.7}, false},
		{"multi: between them", multi, Point{Lat: 5, Lng: 5}, false},
		{"feature", feature, Point{Lat: 0.5, Lng: 0.5}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := ParseGeometry([]byte(tt.geometry))
			if err != nil {
				t.Fatal(err)
			}
			if got := g.Contains(tt.pt); got != tt.want {
				t.Fatalf("Contains(%+v) = %v, want %v", tt.pt, got, tt.want)
			}
		})
	}
}

func TestParseGeometryRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, geometry, want string
	}{
		{"not JSON", `{`, "inválido"},
		{"point", `{"type":"Point","coordinates":[0,0]}`, "Polygon ou MultiPolygon"},
		{"open ring", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "terminar"},
		{"too few positions", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "4 posições"},
		{"latitude out of range", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}`, "latitude"},
		{"no rings", `{"type":"Polygon","coordinates":[]}`, "polígono"},
		{"coordinates of the wrong shape", `{"type":"Polygon","coordinates":[[0,0]]}`, "inválidas"},
		{"feature in a feature", `{"type":"Feature","geometry":{"type":"Feature","geometry":{}}}`, "Polygon"},
		{"feature without geometry", `{"type":"Feature","geometry":null}`, "sem geometria"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseGeometry([]byte(tt.geometry))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestCoverageAreaCovers(t *testing.T) {
	t.Parallel()
	cep := CoverageArea{CEPStart: 80010000, CEPEnd: 80010999}
	if !cep.Covers(nil, 80010500) || cep.Covers(nil, 80011000) || cep.Covers(&Point{}, 0) {
		t.Fatal("CEP range: wrong answer")
	}
}

func TestNormalizeOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"http://localhost:8080", "http://localhost:8080", true},
		{"HTTP://LocalHost:8080/", "http://localhost:8080", true},
		{"https://loja.provedor.com.br:443", "https://loja.provedor.com.br", true},
		{"http://loja.provedor.com.br:80/", "http://loja.provedor.com.br", true},
		{"https://loja.provedor.com.br:8443", "https://loja.provedor.com.br:8443", true},
		{"http://[::1]:8080", "http://[::1]:8080", true},
		{"https://loja.provedor.com.br/planos", "", false},
		{"https://user:pw@loja.provedor.com.br", "", false},
		{"ftp://loja.provedor.com.br", "", false},
		{"null", "", false},
		{"", "", false},
		{"https://", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeOrigin(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPrices(t *testing.T) {
	t.Parallel()
	for cents, want := range map[int64]string{2990: "29.9", 10000: "100.0", 2999: "29.99", 5: "0.05", 0: "0.0"} {
		if got := FormatPrice(cents); got != want {
			t.Errorf("FormatPrice(%d) = %q, want %q", cents, got, want)
		}
	}
	for in, want := range map[string]int64{"29.9": 2990, "29,90": 2990, "100": 10000, "0.05": 5} {
		if got, ok := ParsePrice(in); !ok || got != want {
			t.Errorf("ParsePrice(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "29.999", "1e3", "29.", ".5", "abc", "1234567890"} {
		if _, ok := ParsePrice(in); ok {
			t.Errorf("ParsePrice(%q) accepted", in)
		}
	}
}

func TestParseDueDay(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"dia 5": 5, "Dia 05": 5, "10": 10, "dia31": 31} {
		if got, ok := parseDueDay(in); !ok || got != want {
			t.Errorf("parseDueDay(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"dia 0", "32", "dia", "cinco", "dia -1"} {
		if _, ok := parseDueDay(in); ok {
			t.Errorf("parseDueDay(%q) accepted", in)
		}
	}
}
