package geo

import (
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"partnership-service/internal/testkit"
)

func directory(tb testing.TB) *Directory {
	tb.Helper()
	d, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return d
}

func TestLoad(t *testing.T) {
	t.Parallel()
	d := directory(t)
	if again := MustLoad(); again != d {
		t.Error("second Load returned a different directory; want the shared one")
	}
	counts := []struct {
		name      string
		got, want int
	}{
		{"states", len(d.States()), 27},
		{"municipalities", len(d.Municipalities()), 5571},
		{"municipality CEP ranges", len(d.MunicipalityCEPRanges()), 5587},
		{"state CEP ranges", len(d.StateCEPRanges()), 30},
	}
	for _, c := range counts {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.got != c.want {
				t.Errorf("%d %s, want %d", c.got, c.name, c.want)
			}
		})
	}
}

func TestListsAreOrderedCopies(t *testing.T) {
	t.Parallel()
	d := directory(t)
	t.Run("states by UF", func(t *testing.T) {
		t.Parallel()
		s := d.States()
		if !slices.IsSortedFunc(s, func(a, b State) int { return strings.Compare(a.UF, b.UF) }) {
			t.Error("States() not ordered by UF")
		}
		s[0].Name = "changed"
		if d.States()[0].Name == "changed" {
			t.Error("States() exposes the shared slice")
		}
	})
	t.Run("municipalities by code", func(t *testing.T) {
		t.Parallel()
		m := d.Municipalities()
		if !slices.IsSortedFunc(m, func(a, b Municipality) int { return a.IBGECode - b.IBGECode }) {
			t.Error("Municipalities() not ordered by IBGE code")
		}
		m[0].Name = "changed"
		if d.Municipalities()[0].Name == "changed" {
			t.Error("Municipalities() exposes the shared slice")
		}
	})
	for name, ranges := range map[string]func() []CEPRange{
		"municipality ranges": d.MunicipalityCEPRanges,
		"state ranges":        d.StateCEPRanges,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := ranges()
			for i := 1; i < len(r); i++ {
				if r[i].Start <= r[i-1].End {
					t.Errorf("range %v not after %v", r[i], r[i-1])
				}
			}
			r[0].UF = "XX"
			if ranges()[0].UF == "XX" {
				t.Error("ranges exposed as the shared slice")
			}
		})
	}
}

func TestStateLookups(t *testing.T) {
	t.Parallel()
	d := directory(t)
	tests := []struct {
		name   string
		lookup func() (State, bool)
		want   State // zero means not found
	}{
		{"by UF", func() (State, bool) { return d.StateByUF("SP") }, State{35, "SP", "São Paulo"}},
		{"by lower-case UF", func() (State, bool) { return d.StateByUF("df") }, State{53, "DF", "Distrito Federal"}},
		{"by UF with spaces", func() (State, bool) { return d.StateByUF(" Rj ") }, State{33, "RJ", "Rio de Janeiro"}},
		{"by unknown UF", func() (State, bool) { return d.StateByUF("XX") }, State{}},
		{"by empty UF", func() (State, bool) { return d.StateByUF("") }, State{}},
		{"by non-letter UF", func() (State, bool) { return d.StateByUF("S1") }, State{}},
		{"by code", func() (State, bool) { return d.StateByCode(43) }, State{43, "RS", "Rio Grande do Sul"}},
		{"by first code", func() (State, bool) { return d.StateByCode(11) }, State{11, "RO", "Rondônia"}},
		{"by unused code", func() (State, bool) { return d.StateByCode(34) }, State{}},
		{"by negative code", func() (State, bool) { return d.StateByCode(-1) }, State{}},
		{"by large code", func() (State, bool) { return d.StateByCode(3550308) }, State{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.lookup()
			if got != tt.want || ok != (tt.want != State{}) {
				t.Errorf("got %+v, %v; want %+v", got, ok, tt.want)
			}
		})
	}
}

func TestMunicipality(t *testing.T) {
	t.Parallel()
	d := directory(t)
	tests := []struct {
		code     int
		name, uf string
	}{
		{3550308, "São Paulo", "SP"},
		{3509502, "Campinas", "SP"},
		{5300108, "Brasília", "DF"},
		{1100015, "Alta Floresta D'Oeste", "RO"},  // first row
		{5101837, "Boa Esperança do Norte", "MT"}, // installed in 2025
		{5222302, "Vila Propício", "GO"},          // last row
		{2201919, "Bom Princípio do Piauí", "PI"}, // check-digit exception
		{3550309, "", ""}, {0, "", ""}, {9999999, "", ""}, {-1, "", ""},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			t.Parallel()
			m, ok := d.Municipality(tt.code)
			if ok != (tt.name != "") || m.Name != tt.name || m.UF != tt.uf {
				t.Errorf("Municipality(%d) = %+v, %v; want %q/%s", tt.code, m, ok, tt.name, tt.uf)
			}
			if ok && m.IBGECode != tt.code {
				t.Errorf("Municipality(%d).IBGECode = %d", tt.code, m.IBGECode)
			}
		})
	}
	t.Run("coordinates", func(t *testing.T) {
		t.Parallel()
		m, _ := d.Municipality(3550308)
		// São Paulo's seat is near 23.5°S 46.6°W.
		if m.Lat < -24 || m.Lat > -23 || m.Lon < -47 || m.Lon > -46 {
			t.Errorf("São Paulo at %v,%v", m.Lat, m.Lon)
		}
	})
}

func TestMunicipalityByName(t *testing.T) {
	t.Parallel()
	d := directory(t)
	tests := []struct {
		uf, name string
		want     int // 0 means not found
	}{
		{"SP", "São Paulo", 3550308},
		{"SP", "sao paulo", 3550308},
		{"sp", " SÃO  PAULO ", 3550308},
		{"SP", "Sa\u0303o Paulo", 3550308}, // decomposed (NFD) input
		{" SP ", "São Paulo", 3550308},
		{"RO", "Alta Floresta d Oeste", 1100015},
		{"RO", "Alta Floresta D'Oeste", 1100015},
		{"ro", "alta floresta d’oeste", 1100015}, // typographic apostrophe
		{"RO", "Alta-Floresta-D-Oeste", 1100015},
		{"SP", "Santa Bárbara d'Oeste", 3545803},
		{"SP", "SANTA BARBARA D OESTE", 3545803},
		{"GO", "São João d'Aliança", 5220009},
		{"MA", "Pindaré Mirim", 2108504},
		{"RN", "Augusto Severo (Campo Grande)", 2401305},
		{"MT", "Boa Esperança do Norte", 5101837},
		// Same name, different states.
		{"RS", "Bom Jesus", 4302303},
		{"PI", "Bom Jesus", 2201903},
		{"MS", "Campo Grande", 5002704},
		{"AL", "Campo Grande", 2701506},
		// Correios spellings from the CEP data.
		{"RN", "Campo Grande", 2401305},
		{"TO", "Couto de Magalhães", 1706001},
		{"TO", "Couto Magalhães", 1706001},
		{"PE", "São Caitano", 2613107},
		// Not found.
		{"RJ", "São Paulo", 0},
		{"XX", "São Paulo", 0},
		{"", "São Paulo", 0},
		{"SP", "", 0},
		{"SP", "São", 0}, // no prefix matching
		{"SP", "São Paulo do Norte", 0},
	}
	for _, tt := range tests {
		t.Run(tt.uf+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			m, ok := d.MunicipalityByName(tt.uf, tt.name)
			if ok != (tt.want != 0) || m.IBGECode != tt.want {
				t.Errorf("MunicipalityByName(%q, %q) = %d, %v; want %d", tt.uf, tt.name, m.IBGECode, ok, tt.want)
			}
		})
	}
}

// TestEveryMunicipalityFindableByName also proves that no two municipalities
// of a state share a folded name: a collision would return the other code.
func TestEveryMunicipalityFindableByName(t *testing.T) {
	t.Parallel()
	d := directory(t)
	for _, m := range d.Municipalities() {
		for _, variant := range []string{m.Name, strings.ToUpper(m.Name), strings.ReplaceAll(m.Name, "'", " ")} {
			got, ok := d.MunicipalityByName(strings.ToLower(m.UF), variant)
			if !ok || got.IBGECode != m.IBGECode {
				t.Errorf("MunicipalityByName(%s, %q) = %d, %v; want %d", m.UF, variant, got.IBGECode, ok, m.IBGECode)
			}
		}
	}
}

// TestCorreiosSpellingsFindable checks every name in the CEP file, which uses
// Correios spelling, against the code it is listed with.
func TestCorreiosSpellingsFindable(t *testing.T) {
	t.Parallel()
	d := directory(t)
	rows := readDataCSV(t, "data/cep_ranges_municipalities.csv")
	for _, r := range rows {
		code, _ := strconv.Atoi(r[0])
		got, ok := d.MunicipalityByName(r[2], r[1])
		if !ok || got.IBGECode != code {
			t.Errorf("MunicipalityByName(%s, %q) = %d, %v; want %d", r[2], r[1], got.IBGECode, ok, code)
		}
	}
}

func readDataCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return rows[1:]
}

func TestSearchMunicipalities(t *testing.T) {
	t.Parallel()
	d := directory(t)
	codes := func(ms []Municipality) []int {
		out := make([]int, len(ms))
		for i, m := range ms {
			out[i] = m.IBGECode
		}
		return out
	}
	t.Run("campinas in SP", func(t *testing.T) {
		t.Parallel()
		got := d.SearchMunicipalities("SP", "campinas", 10)
		if !slices.Contains(codes(got), 3509502) {
			t.Errorf("got %v, want Campinas 3509502 among them", got)
		}
		for _, m := range got {
			if m.UF != "SP" || !strings.Contains(Fold(m.Name), "campinas") {
				t.Errorf("unexpected match %+v", m)
			}
		}
	})
	t.Run("accent-insensitive query", func(t *testing.T) {
		t.Parallel()
		got := d.SearchMunicipalities("sp", "SÃO PAULO", 0)
		if want := []int{3550308}; !slices.Equal(codes(got), want) {
			t.Errorf("got %v, want %v", codes(got), want)
		}
	})
	t.Run("campinas in every state", func(t *testing.T) {
		t.Parallel()
		got := d.SearchMunicipalities("", "campinas", 0)
		var names []string
		for _, m := range got {
			names = append(names, m.Name+"/"+m.UF)
		}
		if want := []string{"Campinas/SP", "Campinas do Piauí/PI", "Campinas do Sul/RS"}; !slices.Equal(names, want) {
			t.Errorf("got %v, want %v", names, want)
		}
	})
	t.Run("limit", func(t *testing.T) {
		t.Parallel()
		if got := d.SearchMunicipalities("", "sao", 5); len(got) != 5 {
			t.Errorf("got %d results, want 5", len(got))
		}
	})
	t.Run("everything ordered by name", func(t *testing.T) {
		t.Parallel()
		got := d.SearchMunicipalities("", "", 0)
		if len(got) != 5571 {
			t.Fatalf("got %d results, want 5571", len(got))
		}
		if !slices.IsSortedFunc(got, func(a, b Municipality) int { return strings.Compare(Fold(a.Name), Fold(b.Name)) }) {
			t.Error("results not ordered by folded name")
		}
		// A byte-wise order would put "Água Boa" after "Zortéa"; folded, it
		// is among the first hundred.
		first, last := got[0].Name, got[len(got)-1].Name
		i := slices.IndexFunc(got, func(m Municipality) bool { return m.Name == "Água Boa" })
		if first != "Abadia de Goiás" || last != "Zortéa" || i < 0 || i > 100 {
			t.Errorf("first %q, last %q, Água Boa at %d", first, last, i)
		}
	})
	t.Run("same name across states ordered by UF", func(t *testing.T) {
		t.Parallel()
		got := d.SearchMunicipalities("", "bom jesus", 0)
		var ufs []string
		for _, m := range got {
			if m.Name == "Bom Jesus" {
				ufs = append(ufs, m.UF)
			}
		}
		if want := []string{"PB", "PI", "RN", "RS", "SC"}; !slices.Equal(ufs, want) {
			t.Errorf("Bom Jesus UFs %v, want %v", ufs, want)
		}
	})
	t.Run("all of a state", func(t *testing.T) {
		t.Parallel()
		if got := d.SearchMunicipalities("DF", "", 0); len(got) != 1 || got[0].IBGECode != 5300108 {
			t.Errorf("DF: got %v, want only Brasília", got)
		}
	})
	t.Run("no match is empty, not nil", func(t *testing.T) {
		t.Parallel()
		for _, got := range [][]Municipality{
			d.SearchMunicipalities("SP", "zzz", 0),
			d.SearchMunicipalities("XX", "", 0),
		} {
			if got == nil || len(got) != 0 {
				t.Errorf("got %#v, want empty non-nil", got)
			}
		}
	})
}

func TestMunicipalityByCEP(t *testing.T) {
	t.Parallel()
	d := directory(t)
	tests := []struct {
		cep  string
		want int
	}{
		{"01310-100", 3550308}, // Av. Paulista, São Paulo
		{"01310100", 3550308},
		{"01.310-100", 3550308},
		{"08499-999", 3550308}, // end of São Paulo's second range
		{"13010-000", 3509502}, // Campinas
		{"20040-020", 3304557}, // Rio de Janeiro
		{"70040-010", 5300108}, // Brasília
		{"73000-001", 5300108}, // Brasília's second range
		{"90010-000", 4314902}, // Porto Alegre
		{"99999-999", 4312625}, // last range: Muliterno/RS
		{"00500-000", 0},       // unassigned
		{"01000-000", 0},       // gap: São Paulo starts at 01000-001
		{"78950-000", 0},       // unassigned in the source
		{"0131010", 0},         // 7 digits
		{"013101000", 0},       // 9 digits
		{"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.cep, func(t *testing.T) {
			t.Parallel()
			m, ok := d.MunicipalityByCEP(tt.cep)
			if ok != (tt.want != 0) || m.IBGECode != tt.want {
				t.Errorf("MunicipalityByCEP(%q) = %d (%s), %v; want %d", tt.cep, m.IBGECode, m.Name, ok, tt.want)
			}
		})
	}
}

// TestMunicipalityRangesMatchStates checks both ends of every municipality
// range against the municipality lookup and the state ranges.
func TestMunicipalityRangesMatchStates(t *testing.T) {
	t.Parallel()
	d := directory(t)
	withoutRange := make(map[int]bool)
	for _, m := range d.Municipalities() {
		withoutRange[m.IBGECode] = true
	}
	for _, r := range d.MunicipalityCEPRanges() {
		delete(withoutRange, r.IBGECode)
		for _, n := range []int{r.Start, r.End} {
			cep := strconv.Itoa(n + 100000000)[1:] // zero-padded to 8 digits
			if m, ok := d.MunicipalityByCEP(cep); !ok || m.IBGECode != r.IBGECode || m.UF != r.UF {
				t.Errorf("MunicipalityByCEP(%s) = %d, %v; want %d", cep, m.IBGECode, ok, r.IBGECode)
			}
			if s, ok := d.StateByCEP(cep); !ok || s.UF != r.UF {
				t.Errorf("StateByCEP(%s) = %s, %v; want %s", cep, s.UF, ok, r.UF)
			}
		}
	}
	if want := map[int]bool{5101837: true}; len(withoutRange) != 1 || !withoutRange[5101837] {
		t.Errorf("municipalities without a CEP range: %v, want %v", withoutRange, want)
	}
}

func TestStateByCEP(t *testing.T) {
	t.Parallel()
	d := directory(t)
	tests := []struct{ cep, want string }{
		{"01310100", "SP"},
		{"01000-000", "SP"},
		{"19999-999", "SP"},
		{"20000-000", "RJ"},
		{"69300-000", "RR"},
		{"69400-000", "AM"}, // AM's second range, after RR
		{"69099-999", "AM"},
		{"73000-000", "DF"}, // DF's second range
		{"72800-000", "GO"},
		{"99999-999", "RS"},
		{"00500-000", ""},
		{"78900-000", ""}, // unassigned in the source
		{"1234", ""},
	}
	for _, tt := range tests {
		t.Run(tt.cep, func(t *testing.T) {
			t.Parallel()
			s, ok := d.StateByCEP(tt.cep)
			if ok != (tt.want != "") || s.UF != tt.want {
				t.Errorf("StateByCEP(%q) = %q, %v; want %q", tt.cep, s.UF, ok, tt.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	folds := map[string]string{
		"  São   João d'Aliança ":       "sao joao d alianca",
		"São Paulo":                     "sao paulo",
		"SÃO PAULO":                     "sao paulo",
		"Sa\u0303o Paulo":               "sao paulo", // NFD
		"Alta Floresta D'Oeste":         "alta floresta d oeste",
		"Alta Floresta D’Oeste":         "alta floresta d oeste",
		"Pindaré-Mirim":                 "pindare mirim",
		"Xangri-lá":                     "xangri la",
		"Olho-d'Água do Borges":         "olho d agua do borges",
		"Augusto Severo (Campo Grande)": "augusto severo (campo grande)",
		"Anhangüera":                    "anhanguera",
		"ÁÀÂÃÄ ÉÈÊË ÍÌÎÏ ÓÒÔÕÖ ÚÙÛÜ Ç Ñ": "aaaaa eeee iiii ooooo uuuu c n",
		"áàâãä éèêë íìîï óòôõö úùûü ç ñ": "aaaaa eeee iiii ooooo uuuu c n",
		"\tSão\u00a0Paulo\n": "sao paulo",
		"St. Louis":          "st louis",
		"Ørsted":             "ørsted", // outside the table: lower-cased only
		"--'..":              "",
		"":                   "",
	}
	testkit.Strings(t, "Fold", Fold, folds)
	for _, want := range folds {
		if again := Fold(want); again != want {
			t.Errorf("Fold is not idempotent: Fold(%q) = %q", want, again)
		}
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	// Not parallel: AllocsPerRun is unreliable with other goroutines running.
	d := directory(t)
	tests := []struct {
		name string
		fn   func()
	}{
		{"MunicipalityByName", func() { d.MunicipalityByName("sp", " SÃO  PAULO ") }},
		{"MunicipalityByCEP", func() { d.MunicipalityByCEP("01310-100") }},
		{"StateByCEP", func() { d.StateByCEP("01310-100") }},
		{"StateByUF", func() { d.StateByUF(" sp ") }},
		{"StateByCode", func() { d.StateByCode(35) }},
		{"Municipality", func() { d.Municipality(3550308) }},
		{"Load", func() { _, _ = Load() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
				t.Errorf("%s allocates %v times per call, want 0", tt.name, n)
			}
		})
	}
}

// validFixture is a tiny but consistent data set; each parse error case
// breaks one file of it.
func validFixture() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		statesFile:         file("ibge_code,uf,name\n35,SP,São Paulo\n33,RJ,Rio de Janeiro\n"),
		municipalitiesFile: file("ibge_code,name,uf,lat,lon\n3550308,São Paulo,SP,-23.5,-46.6\n3304557,Rio de Janeiro,RJ,-22.9,-43.2\n"),
		stateRangesFile:    file("uf,cep_start,cep_end\nSP,01000000,19999999\nRJ,20000000,28999999\n"),
		muniRangesFile:     file("ibge_code,name,uf,cep_start,cep_end\n3550308,Sao Paulo,SP,01000001,05999999\n3304557,Rio de Janeiro,RJ,20000001,23799999\n"),
	}
}

func TestParseFixture(t *testing.T) {
	t.Parallel()
	d, err := parse(validFixture())
	if err != nil {
		t.Fatalf("parse(valid fixture): %v", err)
	}
	if m, ok := d.MunicipalityByCEP("20040-020"); !ok || m.IBGECode != 3304557 {
		t.Errorf("MunicipalityByCEP = %+v, %v", m, ok)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, data, wantErr string
	}{
		{"bad header", statesFile, "code,uf,name\n35,SP,São Paulo\n", "header"},
		{"short row", statesFile, "ibge_code,uf,name\n35,SP\n", "wrong number of fields"},
		{"lower-case uf", statesFile, "ibge_code,uf,name\n35,sp,São Paulo\n33,RJ,Rio\n", "bad uf"},
		{"duplicate state", statesFile, "ibge_code,uf,name\n35,SP,São Paulo\n35,RJ,Rio\n", "duplicate state"},
		{"code outside its state", municipalitiesFile,
			"ibge_code,name,uf,lat,lon\n3550308,São Paulo,RJ,-23.5,-46.6\n", "does not belong"},
		{"short code", municipalitiesFile, "ibge_code,name,uf,lat,lon\n355030,São Paulo,SP,-23.5,-46.6\n", "bad ibge_code"},
		{"bad latitude", municipalitiesFile, "ibge_code,name,uf,lat,lon\n3550308,São Paulo,SP,-123.5,-46.6\n", "bad coordinates"},
		{"duplicate municipality", municipalitiesFile,
			"ibge_code,name,uf,lat,lon\n3550308,São Paulo,SP,-23.5,-46.6\n3550308,São Paulo,SP,-23.5,-46.6\n", "duplicate ibge_code"},
		{"unknown range uf", stateRangesFile, "uf,cep_start,cep_end\nXX,01000000,19999999\n", "unknown uf"},
		{"reversed range", stateRangesFile, "uf,cep_start,cep_end\nSP,19999999,01000000\n", "bad range"},
		{"7-digit CEP", stateRangesFile, "uf,cep_start,cep_end\nSP,1000000,19999999\n", "bad range"},
		{"overlapping state ranges", stateRangesFile,
			"uf,cep_start,cep_end\nSP,01000000,20000000\nRJ,20000000,28999999\n", "overlaps"},
		{"unknown municipality", muniRangesFile,
			"ibge_code,name,uf,cep_start,cep_end\n3509502,Campinas,SP,13000001,13139999\n", "unknown ibge_code"},
		{"range uf mismatch", muniRangesFile,
			"ibge_code,name,uf,cep_start,cep_end\n3550308,São Paulo,RJ,01000001,05999999\n", "but 3550308 is in SP"},
		{"range outside state", muniRangesFile,
			"ibge_code,name,uf,cep_start,cep_end\n3550308,São Paulo,SP,20000001,20099999\n", "outside SP"},
		{"overlapping municipality ranges", muniRangesFile,
			"ibge_code,name,uf,cep_start,cep_end\n3550308,São Paulo,SP,01000001,05999999\n3550308,São Paulo,SP,05000000,05000001\n", "overlaps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := validFixture()
			fsys[tt.file] = &fstest.MapFile{Data: []byte(tt.data)}
			d, err := parse(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parse = %v, %v; want error containing %q", d, err, tt.wantErr)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		fsys := validFixture()
		delete(fsys, muniRangesFile)
		if _, err := parse(fsys); err == nil {
			t.Error("parse without the municipality ranges succeeded")
		}
	})
}

func BenchmarkMunicipalityByName(b *testing.B) {
	d := directory(b)
	for _, bb := range []struct{ name, uf, in string }{
		{"folded", "SP", "sao paulo"},
		{"accented_messy", "sp", "  SÃO   Paulo "},
		{"long_apostrophe", "SP", "Santa Bárbara d'Oeste"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := d.MunicipalityByName(bb.uf, bb.in); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
}

func BenchmarkMunicipalityByCEP(b *testing.B) {
	d := directory(b)
	for _, bb := range []struct{ name, cep string }{
		{"digits", "13010000"},
		{"formatted", "01310-100"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := d.MunicipalityByCEP(bb.cep); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
}
