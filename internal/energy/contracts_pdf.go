package energy

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"partnership-service/internal/brdoc"
)

// renderContract writes the lead's GD adhesion contract as a PDF: parties,
// consumer unit, plan, legal representatives, date and signature fields.
// The core fonts are cp1252, which covers Portuguese; text is translated
// from UTF-8 to it, and the few characters cp1252 lacks print as "?".
func renderContract(l Lead, partnerName string, at time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle("Contrato de adesão - Geração Distribuída", true)
	pdf.SetAuthor("partnership-service", true)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 10, tr(fmt.Sprintf("Lead %s - página %d de {nb}", l.ID, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	heading := func(s string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.MultiCell(0, 6, tr(s), "", "L", false)
		pdf.SetFont("Helvetica", "", 10)
	}
	line := func(label, value string) {
		if value == "" {
			return
		}
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(55, 5.5, tr(label), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.MultiCell(0, 5.5, tr(value), "", "L", false)
	}
	para := func(s string) { pdf.MultiCell(0, 5, tr(s), "", "J", false); pdf.Ln(1) }

	pdf.SetFont("Helvetica", "B", 14)
	pdf.MultiCell(0, 8, tr("Contrato de Adesão à Geração Distribuída Compartilhada"), "", "C", false)
	pdf.SetFont("Helvetica", "", 9)
	pdf.MultiCell(0, 5, tr("Emitido em "+at.In(saoPaulo).Format("02/01/2006 às 15:04")+" (horário de Brasília)"), "", "C", false)

	heading("1. Cliente")
	if l.PersonType == Juridical {
		line("Razão social:", l.CompanyName)
		line("CNPJ:", brdoc.FormatCNPJ(l.IdentificationNumber))
		line("Contato:", l.FullName)
		if l.PersonCPF != "" {
			line("CPF do contato:", brdoc.FormatCPF(l.PersonCPF))
		}
	} else {
		line("Nome:", l.FullName)
		line("CPF:", brdoc.FormatCPF(l.IdentificationNumber))
		line("Nacionalidade:", l.Nationality)
		line("Estado civil:", l.MaritalStatus)
		line("Profissão:", l.Profession)
	}
	line("E-mail:", l.Email)
	line("Celular:", formatMobile(l.MobilePhone))

	heading("2. Unidade consumidora")
	line("Endereço:", formatAddress(l.Address))
	line("Distribuidora:", l.UtilityName)
	line("Nº de instalação:", l.InstallationNumber)
	line("Conta média mensal:", "R$ "+strings.Replace(formatAmount(l.UtilityBillCents), ".", ",", 1))

	heading("3. Plano contratado")
	if l.Plan != nil {
		line("Plano:", l.Plan.Name)
		line("Desconto:", discountPercent(l.Plan.Discount)+"% sobre a tarifa de energia")
		line("Fidelidade:", fmt.Sprintf("%d meses", l.Plan.FidelityMonths))
		line("Benefício:", l.Plan.Benefit)
	}

	if len(l.LegalRepresentatives) > 0 {
		heading("4. Representantes legais")
		for i, r := range l.LegalRepresentatives {
			line(fmt.Sprintf("Representante %d:", i+1), r.Name)
			line("CPF:", brdoc.FormatCPF(r.CPF))
			line("Qualificação:", strings.Join(nonEmpty(r.Nationality, r.MaritalStatus, r.Profession), ", "))
			line("E-mail / celular:", r.Email+" / "+formatMobile(r.Cellphone))
			line("Endereço:", formatAddress(r.Address))
			pdf.Ln(1)
		}
	}

	heading("Condições")
	para("O CLIENTE adere ao consórcio de geração distribuída compartilhada, nos termos da Resolução Normativa " +
		"ANEEL nº 1.059/2023, e recebe créditos de energia compensados na fatura da distribuidora acima, com o " +
		"desconto e a fidelidade do plano contratado.")
	para("O desconto incide sobre a parcela de energia compensada. Tributos, iluminação pública e demais " +
		"encargos continuam sendo cobrados pela distribuidora.")
	para("O CLIENTE autoriza o uso dos dados informados para a gestão da adesão junto à distribuidora, " +
		"conforme a Lei nº 13.709/2018 (LGPD).")
	if l.SellerName != "" || partnerName != "" {
		para(fmt.Sprintf("Adesão intermediada por %s%s.", partnerName, sellerSuffix(l.SellerName)))
	}

	heading("Assinatura")
	para("Este contrato é assinado eletronicamente. A assinatura registra nome, CPF, data e hora, endereço IP, " +
		"navegador e o resumo SHA-256 deste documento.")
	for _, s := range l.signers() {
		pdf.Ln(6)
		pdf.CellFormat(0, 5, tr("_______________________________________________"), "", 1, "L", false, 0, "")
		pdf.CellFormat(0, 5, tr(s.Name+" - CPF "+brdoc.FormatCPF(s.CPF)), "", 1, "L", false, 0, "")
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render contract: %w", err)
	}
	return buf.Bytes(), nil
}

func sellerSuffix(seller string) string {
	if seller == "" {
		return ""
	}
	return ", vendedor(a) " + seller
}

func formatAddress(a Address) string {
	parts := nonEmpty(a.Street, a.Number, a.Complement, a.Neighborhood)
	return fmt.Sprintf("%s - %s/%s - CEP %s", strings.Join(parts, ", "), a.City, a.State, brdoc.FormatCEP(a.ZipCode))
}

// formatMobile renders 11 digits as (11) 99988-5544.
func formatMobile(m string) string {
	if len(m) != 11 {
		return m
	}
	return "(" + m[:2] + ") " + m[2:7] + "-" + m[7:]
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
