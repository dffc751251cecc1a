package brdoc

import (
	"cmp"
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

// TestNormalizers: each normalizer accepts its valid spellings, answering
// the canonical form, and refuses the rest; where an Is predicate exists it
// agrees with the normalizer.
func TestNormalizers(t *testing.T) {
	t.Parallel()
	type tc struct{ name, in, want string } // name "" is the input; want "" means invalid
	tests := []struct {
		name      string
		normalize func(string) (string, bool)
		is        func(string) bool
		cases     []tc
	}{
		{"CPF", NormalizeCPF, IsCPF, []tc{
			{"formatted", "123.456.789-09", "12345678909"},
			{"digits", "12345678909", "12345678909"},
			{"another valid", "529.982.247-25", "52998224725"},
			{"leading zeros", "000.000.001-91", "00000000191"},
			{"spaces ignored", " 529 982 247 25 ", "52998224725"},
			{"wrong first check digit", "123.456.789-19", ""},
			{"wrong second check digit", "123.456.789-08", ""},
			{"all same digits", "111.111.111-11", ""},
			{"all zeros", "00000000000", ""},
			{"too short", "1234567890", ""},
			{"too long", "123456789090", ""},
			{"letters", "123.456.789-0A", ""},
			{"slash not allowed", "123/456/789-09", ""},
			{"empty", "", ""},
		}},
		{"CNPJ", NormalizeCNPJ, IsCNPJ, []tc{
			{"numeric formatted", "11.222.333/0001-81", "11222333000181"},
			{"numeric digits", "11222333000181", "11222333000181"},
			{"official alphanumeric example", "12.ABC.345/01DE-35", "12ABC34501DE35"},
			{"alphanumeric unformatted", "12ABC34501DE35", "12ABC34501DE35"},
			{"lower case accepted", "12.abc.345/01de-35", "12ABC34501DE35"},
			{"all letters in base", "ZZZZZZZZZZZZ62", "ZZZZZZZZZZZZ62"},
			{"spaces ignored", "12 ABC 345 01DE 35", "12ABC34501DE35"},
			{"official invalid example", "12ABC34501DE00", ""},
			{"wrong numeric check digit", "11.222.333/0001-82", ""},
			{"letter in first check position", "12ABC34501DEA5", ""},
			{"letter in second check position", "12ABC34501DE3A", ""},
			{"all zeros", "00000000000000", ""},
			{"all same digits", "11.111.111/1111-11", ""},
			{"too short", "1122233300018", ""},
			{"too long", "112223330001810", ""},
			{"non-ASCII letter", "12ÇBC34501DE35", ""},
			{"symbol", "12*BC34501DE35", ""},
			{"empty", "", ""},
		}},
		{"CEP", NormalizeCEP, nil, []tc{
			{"", "01310-100", "01310100"},
			{"", "01310100", "01310100"},
			{"", "99999-999", "99999999"},
			{"", "0131-0100", ""},
			{"", "01310--100", ""},
			{"", "01310.100", ""},
			{"", " 01310100", ""},
			{"", "0131010", ""},
			{"", "013101000", ""},
			{"", "0131010a", ""},
			{"", "", ""},
		}},
		{"Mobile", NormalizeMobile, nil, []tc{
			{"", "11912345678", "11912345678"},
			{"", "(11) 91234-5678", "11912345678"},
			{"", "+55 (11) 91234-5678", "11912345678"},
			{"", "5511912345678", "11912345678"},
			{"", "55 91234-5678", "55912345678"}, // DDD 55 (RS), not a country code
			{"", "(99) 99999-9999", "99999999999"},
			{"", "(11) 81234-5678", ""},    // third digit must be 9
			{"", "(11) 3123-4567", ""},     // landline, 10 digits
			{"", "(20) 91234-5678", ""},    // DDD 20 does not exist
			{"", "(10) 91234-5678", ""},    // second DDD digit zero
			{"", "(01) 91234-5678", ""},    // first DDD digit zero
			{"", "4411912345678", ""},      // 13 digits but not +55
			{"", "+55 11 912345678 9", ""}, // 14 digits
			{"", "0 11 91234-5678", ""},    // trunk prefix is not stripped
			{"", "", ""},
		}},
		{"UF", NormalizeUF, nil, []tc{
			{"", "SP", "SP"},
			{"", "sp", "SP"},
			{"", " rj ", "RJ"},
			{"", "Df", "DF"},
			{"", "TO", "TO"},
			{"", "AC", "AC"},
			{"", "XX", ""},
			{"", "S P", ""},
			{"", "SPA", ""},
			{"", "", ""},
		}},
	}
	for _, tt := range tests {
		for _, c := range tt.cases {
			t.Run(tt.name+"/"+cmp.Or(c.name, c.in), func(t *testing.T) {
				t.Parallel()
				got, ok := tt.normalize(c.in)
				if ok != (c.want != "") || got != c.want {
					t.Errorf("Normalize%s(%q) = %q, %v; want %q", tt.name, c.in, got, ok, c.want)
				}
				if tt.is != nil && tt.is(c.in) != ok {
					t.Errorf("Is%s(%q) = %v, disagrees with Normalize%s", tt.name, c.in, !ok, tt.name)
				}
			})
		}
	}
}

// TestRewrites: the functions from string to string (the digits of a
// value, the formatters), case by case.
func TestRewrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rewrite func(string) string
		in      string
		want    string
	}{
		{"digits of empty", OnlyDigits, "", ""},
		{"digits of digits", OnlyDigits, "12345678909", "12345678909"},
		{"digits of cpf", OnlyDigits, "123.456.789-09", "12345678909"},
		{"digits of phone", OnlyDigits, "+55 (11) 91234-5678", "5511912345678"},
		{"digits of letters", OnlyDigits, "abc", ""},
		{"digits are ASCII", OnlyDigits, "ção1٣2", "12"}, // non-ASCII digits (Arabic-Indic three) are not 0-9
		{"cpf", FormatCPF, "12345678909", "123.456.789-09"},
		{"cpf wrong length unchanged", FormatCPF, "1234567890", "1234567890"},
		{"cnpj alphanumeric", FormatCNPJ, "12ABC34501DE35", "12.ABC.345/01DE-35"},
		{"cnpj numeric", FormatCNPJ, "11222333000181", "11.222.333/0001-81"},
		{"cnpj wrong length unchanged", FormatCNPJ, "11.222.333/0001-81", "11.222.333/0001-81"},
		{"cep", FormatCEP, "01310100", "01310-100"},
		{"cep wrong length unchanged", FormatCEP, "01310-100", "01310-100"},
		{"mobile", FormatMobile, "11912345678", "(11) 91234-5678"},
		{"mobile wrong length unchanged", FormatMobile, "1191234567", "1191234567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.rewrite(tt.in); got != tt.want {
				t.Errorf("%s: rewrite(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
			}
		})
	}
}

func TestIsValidDDD(t *testing.T) {
	t.Parallel()
	// The full ANATEL list, written out independently of the table in phone.go.
	const anatel = "11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 " +
		"41 42 43 44 45 46 47 48 49 51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 " +
		"81 82 83 84 85 86 87 88 89 91 92 93 94 95 96 97 98 99"
	want := make(map[string]bool)
	for _, d := range strings.Fields(anatel) {
		want[d] = true
	}
	if len(want) != 67 {
		t.Fatalf("test list has %d DDDs, want 67", len(want))
	}
	for n := range 100 {
		ddd := string([]byte{byte('0' + n/10), byte('0' + n%10)})
		t.Run(ddd, func(t *testing.T) {
			t.Parallel()
			if got := IsValidDDD(ddd); got != want[ddd] {
				t.Errorf("IsValidDDD(%q) = %v, want %v", ddd, got, want[ddd])
			}
		})
	}
	for _, bad := range []string{"", "1", "111", "1a", " 11", "１１"} {
		t.Run("malformed "+bad, func(t *testing.T) {
			t.Parallel()
			if IsValidDDD(bad) {
				t.Errorf("IsValidDDD(%q) = true, want false", bad)
			}
		})
	}
}

func TestUFsAreTwentySevenDistinct(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for _, uf := range ufs {
		seen[uf] = true
	}
	if len(seen) != 27 {
		t.Errorf("%d distinct UFs, want 27", len(seen))
	}
}

// TestPredicates: the yes/no validators, case by case.
func TestPredicates(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com" // 254 bytes
	type tc struct {
		name, in string // name "" is the input
		want     bool
	}
	tests := []struct {
		name  string
		is    func(string) bool
		cases []tc
	}{
		{"IBGECode", IsIBGECode, []tc{
			{"", "3550308", true}, // São Paulo
			{"", "3509502", true}, // Campinas
			{"", "5300108", true}, // Brasília
			{"", "1100015", true}, // Alta Floresta D'Oeste
			{"", "4314902", true}, // Porto Alegre
			{"", "2201919", true}, // Bom Princípio do Piauí, known check-digit exception
			{"", "3550309", false},
			{"", "3550300", false},
			{"", "2201910", false}, // an exception's neighbor follows the normal rule
			{"", "3450308", false}, // 34 is not a state code
			{"", "1000000", false},
			{"", "355030", false},
			{"", "35503080", false},
			{"", "355030a", false},
			{"", "", false},
		}},
		{"Email", IsEmail, []tc{
			{"plain", "joao@example.com", true},
			{"subdomain and plus", "maria.silva+leads@mail.empresa.com.br", true},
			{"non-ASCII local part", "joão@exemplo.com.br", true},
			{"254 bytes", long, true},
			{"255 bytes", "a" + long, false},
			{"display name", "João <joao@example.com>", false},
			{"angle brackets", "<joao@example.com>", false},
			{"comment", "joao@example.com (João)", false},
			{"quoted local part rewritten", `"joao"@example.com`, false},
			{"quoted with space", `"jo ao"@example.com`, false},
			{"two at signs", "a@b@example.com", false},
			{"no at sign", "joao.example.com", false},
			{"no dot in domain", "joao@localhost", false},
			{"domain literal", "joao@[10.0.0.1]", false},
			{"leading space", " joao@example.com", false},
			{"trailing newline", "joao@example.com\n", false},
			{"inner space", "jo ao@example.com", false},
			{"trailing dot", "joao@example.com.", false},
			{"double dot", "joao@example..com", false},
			{"empty", "", false},
		}},
	}
	for _, tt := range tests {
		for _, c := range tt.cases {
			t.Run(tt.name+"/"+cmp.Or(c.name, c.in), func(t *testing.T) {
				t.Parallel()
				if got := tt.is(c.in); got != c.want {
					t.Errorf("Is%s(%q) = %v, want %v", tt.name, c.in, got, c.want)
				}
			})
		}
	}
}

// TestIsIBGECodeAllMunicipalities checks the rule against every real code, and
// that the exception list holds only real codes that the plain rule rejects.
func TestIsIBGECodeAllMunicipalities(t *testing.T) {
	t.Parallel()
	codes := readMunicipalityCodes(t)
	if len(codes) != 5571 {
		t.Fatalf("read %d municipality codes, want 5571", len(codes))
	}
	real := make(map[string]bool, len(codes))
	for _, c := range codes {
		real[c] = true
		if !IsIBGECode(c) {
			t.Errorf("IsIBGECode(%q) = false for a real municipality", c)
		}
	}
	for c := range ibgeCheckDigitExceptions {
		if !real[c] {
			t.Errorf("exception %s is not a real municipality code", c)
		}
		if ibgeCheckDigit(c[:6]) == c[6] {
			t.Errorf("exception %s passes the check digit; it need not be listed", c)
		}
	}
}

func readMunicipalityCodes(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("../geo/data/municipalities.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	if len(rows) == 0 || rows[0][0] != "ibge_code" {
		tb.Fatalf("unexpected header %v", rows[:min(1, len(rows))])
	}
	codes := make([]string, 0, len(rows)-1)
	for _, r := range rows[1:] {
		codes = append(codes, r[0])
	}
	return codes
}

func TestValidatorsDoNotAllocate(t *testing.T) {
	// Not parallel: AllocsPerRun is unreliable with other goroutines running.
	tests := []struct {
		name string
		fn   func()
	}{
		{"IsCPF", func() { IsCPF("123.456.789-09") }},
		{"IsCNPJ", func() { IsCNPJ("12.abc.345/01de-35") }},
		{"NormalizeCNPJ normalized", func() { NormalizeCNPJ("12ABC34501DE35") }},
		{"NormalizeCPF normalized", func() { NormalizeCPF("12345678909") }},
		{"NormalizeUF", func() { NormalizeUF(" sp ") }},
		{"IsIBGECode", func() { IsIBGECode("2201919") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
				t.Errorf("%s allocates %v times per call, want 0", tt.name, n)
			}
		})
	}
}

// document is what the fuzz targets check of one kind of document: its
// normalizer, predicate and formatter, and what a normalized value looks
// like.
type document struct {
	name      string
	normalize func(string) (string, bool)
	is        func(string) bool
	format    func(string) string
	canonical func(string) bool // whether a normalized value has the canonical form
	form      string            // the canonical form, for messages
}

// fuzzDocument checks doc on any input: the predicate agrees with the
// normalizer, whose answer is canonical, validates again and survives a
// round trip through the formatter.
func fuzzDocument(f *testing.F, doc document, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, ok := doc.normalize(s)
		if doc.is(s) != ok {
			t.Fatalf("Is%s(%q) disagrees with Normalize%s", doc.name, s, doc.name)
		}
		if !ok {
			return
		}
		if !doc.canonical(norm) {
			t.Fatalf("Normalize%s(%q) = %q, want %s", doc.name, s, norm, doc.form)
		}
		if !doc.is(norm) {
			t.Fatalf("normalized %q does not re-validate", norm)
		}
		if again, ok := doc.normalize(doc.format(norm)); !ok || again != norm {
			t.Fatalf("Normalize%s(Format%s(%q)) = %q, %v", doc.name, doc.name, norm, again, ok)
		}
	})
}

func FuzzIsCNPJ(f *testing.F) {
	fuzzDocument(f, document{"CNPJ", NormalizeCNPJ, IsCNPJ, FormatCNPJ,
		func(n string) bool { return len(n) == cnpjLen && n == strings.ToUpper(n) }, "14 upper-case chars"},
		"12.ABC.345/01DE-35", "12abc34501de35", "11.222.333/0001-81", "12ABC34501DE00",
		"00000000000000", "", "//..--", "12ABC34501DEA5")
}

func FuzzNormalizeCPF(f *testing.F) {
	fuzzDocument(f, document{"CPF", NormalizeCPF, IsCPF, FormatCPF,
		func(n string) bool { return len(n) == cpfLen && OnlyDigits(n) == n }, "11 digits"},
		"123.456.789-09", "12345678909", "111.111.111-11", "", "...--", "1234567890a")
}

func BenchmarkIsCNPJ(b *testing.B) {
	for _, bb := range []struct{ name, in string }{
		{"numeric", "11.222.333/0001-81"},
		{"alphanumeric", "12.ABC.345/01DE-35"},
		{"lowercase_unformatted", "12abc34501de35"},
	} {
		in := bb.in
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !IsCNPJ(in) {
					b.Fatal("want valid")
				}
			}
		})
	}
}
