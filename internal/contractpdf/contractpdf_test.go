package contractpdf

import (
	"bytes"
	"testing"
	"time"
)

func TestRenderIsAPDFWithItsMetadata(t *testing.T) {
	t.Parallel()
	pdf, err := Render(Document{
		MetaTitle: "Contrato", Author: "teste", Title: "Contrato de Adesão", Subtitle: "Emitido hoje", Footer: "Lead 1",
		Sections: []Section{{Heading: "1. Cliente", Lines: []Line{{Label: "Nome:", Value: "Ana"}, {Label: "Vazio:"}},
			Paragraphs: []string{"Condição."}}},
		Signers:   []string{"Ana - CPF 111.444.777-35"},
		CreatedAt: time.Date(2025, 3, 10, 15, 4, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	if !bytes.Contains(pdf, []byte("/Author")) || !bytes.Contains(pdf, []byte("/CreationDate (D:20250310150400")) {
		t.Errorf("metadata missing from the PDF")
	}
}
