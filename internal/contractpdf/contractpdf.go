// Package contractpdf lays a contract out as an A4 PDF: a title, sections
// of labelled lines and paragraphs, and a signature field per signer. What
// the contract says is the caller's; this package only typesets it.
//
// The core fonts are cp1252, which covers Portuguese; text is translated
// from UTF-8 to it, and the few characters cp1252 lacks print as "?".
package contractpdf

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
)

// Document is a contract's content.
type Document struct {
	// MetaTitle and Author go into the PDF's metadata.
	MetaTitle, Author string
	Title             string
	Subtitle          string // under the title, small
	// Footer starts every page's footer, followed by "página N de M".
	Footer   string
	Sections []Section
	// Signers are the names under the signature fields, one field each,
	// after the last section.
	Signers   []string
	CreatedAt time.Time
}

// Section is a numbered or titled part of the contract.
type Section struct {
	Heading    string
	Lines      []Line
	Paragraphs []string // after the lines, justified
}

// Line is a labelled value; a line with an empty value is left out.
type Line struct {
	Label, Value string
	// SpaceAfter separates this line from the next, e.g. after the last
	// line of one representative.
	SpaceAfter bool
}

// Render typesets d.
func Render(d Document) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(d.MetaTitle, true)
	pdf.SetAuthor(d.Author, true)
	pdf.SetCreationDate(d.CreatedAt)
	pdf.SetModificationDate(d.CreatedAt)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 10, tr(fmt.Sprintf("%s - página %d de {nb}", d.Footer, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 14)
	pdf.MultiCell(0, 8, tr(d.Title), "", "C", false)
	pdf.SetFont("Helvetica", "", 9)
	pdf.MultiCell(0, 5, tr(d.Subtitle), "", "C", false)

	for _, s := range d.Sections {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.MultiCell(0, 6, tr(s.Heading), "", "L", false)
		pdf.SetFont("Helvetica", "", 10)
		for _, l := range s.Lines {
			if l.Value != "" {
				pdf.SetFont("Helvetica", "B", 10)
				pdf.CellFormat(55, 5.5, tr(l.Label), "", 0, "L", false, 0, "")
				pdf.SetFont("Helvetica", "", 10)
				pdf.MultiCell(0, 5.5, tr(l.Value), "", "L", false)
			}
			if l.SpaceAfter {
				pdf.Ln(1)
			}
		}
		for _, p := range s.Paragraphs {
			pdf.MultiCell(0, 5, tr(p), "", "J", false)
			pdf.Ln(1)
		}
	}
	for _, name := range d.Signers {
		pdf.Ln(6)
		pdf.CellFormat(0, 5, tr("_______________________________________________"), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 5, tr(name), "", 1, "L", false, 0, "")
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("contractpdf: %w", err)
	}
	return buf.Bytes(), nil
}
