package energy

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestContractPDFCarriesTheLead renders a juridical lead's contract and
// reads the text back from the PDF's page streams: the parties, plan and
// representatives are there, with Portuguese accents in the fonts' cp1252.
func TestContractPDFCarriesTheLead(t *testing.T) {
	t.Parallel()
	var l Lead
	if err := ruleService().apply(&l, juridicalDraft(), true); err != nil {
		t.Fatal(err)
	}
	l.ID = "0190a0b0-0000-7000-8000-000000000000"
	l.LegalRepresentatives = []LegalRepresentative{{Name: "João Ávila", CPF: "60738456004", Email: "joao@example.com",
		Cellphone: "11999885544", Nationality: "Brasileiro", Profession: "Diretor", MaritalStatus: "Casado", Address: l.Address}}
	pdf, err := renderContract(l, "Parceiro Ação", time.Date(2025, 3, 10, 15, 4, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Contrato de Adesão à Geração Distribuída Compartilhada", "Emitido em 10/03/2025 às 12:04",
		"Empresa Social LTDA", "12.ABC.345/01DE-35", "CPFL PAULISTA", "R$ 850,15",
		"Plano Premium", "14% sobre a tarifa de energia", "60 meses", "Primeira Fatura Grátis",
		"João Ávila", "607.384.560-04", "Adesão intermediada por Parceiro Ação",
	} {
		if !bytes.Contains(text, cp1252(t, want)) {
			t.Errorf("contract text lacks %q", want)
		}
	}
}

var (
	streamRE = regexp.MustCompile(`(?s)/Length (\d+)>>\nstream\n`)
	showRE   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// pdfText joins the strings the page streams show, unescaped.
func pdfText(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var out []byte
	for _, m := range streamRE.FindAllSubmatchIndex(pdf, -1) {
		n, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
		if err != nil {
			continue // not a compressed content stream
		}
		content, err := io.ReadAll(zr)
		if err != nil {
			continue
		}
		for _, s := range showRE.FindAllSubmatch(content, -1) {
			out = append(out, strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(s[1]))...)
			out = append(out, ' ')
		}
	}
	return out
}

// cp1252 encodes the Latin-1 subset the test strings use.
func cp1252(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	for _, r := range s {
		if r > 0xff {
			t.Fatalf("%q is outside Latin-1", r)
		}
		b = append(b, byte(r))
	}
	return b
}
