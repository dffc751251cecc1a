package textnorm_test

import (
	"testing"

	"partnership-service/internal/textnorm"
)

func TestLine(t *testing.T) {
	t.Parallel()
	refused := map[string]string{
		"NUL": "a\x00b", "BEL": "a\x07b", "ESC": "a\x1b[31mb", "tab": "a\tb", "newline": "a\nb", "DEL": "a\x7fb",
		"C1 NEL": "a\u0085b", "RLO": "inv\u202efdp", "LRE": "a\u202ab", "RLI": "a\u2067b", "PDI": "a\u2069b",
		"RLM": "a\u200fb", "ZWSP": "a\u200bb", "ZWJ": "a\u200db", "WJ": "a\u2060b", "BOM": "\ufeffab",
		"LS": "a\u2028b", "PS": "a\u2029b", "invalid UTF-8": "a\xffb", "surrogate": "a\xed\xa0\x80b",
	}
	for name, in := range refused {
		t.Run(name, func(t *testing.T) {
			if _, ok := textnorm.Line(in); ok {
				t.Errorf("Line(%q) accepted", in)
			}
		})
	}
	for _, tc := range []struct{ in, want string }{
		{"São João d'Aliança – Ação", "São João d'Aliança – Ação"},
		{"  Rua 7  ", "Rua 7"},
		{"Sa\u0303o", "São"}, // decomposed → NFC
	} {
		got, ok := textnorm.Line(tc.in)
		if !ok || got != tc.want {
			t.Errorf("Line(%q) = %q, %v; want %q, true", tc.in, got, ok, tc.want)
		}
	}
}

func TestLinesAllowsNewlineOnly(t *testing.T) {
	t.Parallel()
	if got, ok := textnorm.Lines("um\r\ndois"); !ok || got != "um\ndois" {
		t.Errorf("Lines = %q, %v", got, ok)
	}
	for _, in := range []string{"a\x00\nb", "a\u202e\nb", "a\rb"} {
		if _, ok := textnorm.Lines(in); ok {
			t.Errorf("Lines(%q) accepted", in)
		}
	}
}

func TestFileName(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"inv\u202efdp.exe", "a\xff.pdf", "a\x00.pdf", "a\n.pdf"} {
		if _, ok := textnorm.FileName(in); ok {
			t.Errorf("FileName(%q) accepted", in)
		}
	}
	if got, ok := textnorm.FileName("conta de luz – março.pdf"); !ok || got != "conta de luz – março.pdf" {
		t.Errorf("FileName = %q, %v", got, ok)
	}
}
