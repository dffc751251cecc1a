package energy

import (
	"fmt"
	"strings"
	"time"

	"partnership-service/internal/brdoc"
	"partnership-service/internal/contractpdf"
)

// renderContract writes the lead's GD adhesion contract as a PDF: parties,
// consumer unit, plan, legal representatives, conditions and signature
// fields.
func renderContract(l Lead, partnerName string, at time.Time) ([]byte, error) {
	return contractpdf.Render(contractDocument(l, partnerName, at))
}

// contractDocument is what the contract says.
func contractDocument(l Lead, partnerName string, at time.Time) contractpdf.Document {
	var client []contractpdf.Line
	if l.PersonType == Juridical {
		client = []contractpdf.Line{
			{Label: "Razão social:", Value: l.CompanyName},
			{Label: "CNPJ:", Value: brdoc.FormatCNPJ(l.IdentificationNumber)},
			{Label: "Contato:", Value: l.FullName},
		}
		if l.PersonCPF != "" {
			client = append(client, contractpdf.Line{Label: "CPF do contato:", Value: brdoc.FormatCPF(l.PersonCPF)})
		}
	} else {
		client = []contractpdf.Line{
			{Label: "Nome:", Value: l.FullName},
			{Label: "CPF:", Value: brdoc.FormatCPF(l.IdentificationNumber)},
			{Label: "Nacionalidade:", Value: l.Nationality},
			{Label: "Estado civil:", Value: l.MaritalStatus},
			{Label: "Profissão:", Value: l.Profession},
		}
	}
	client = append(client, contractpdf.Line{Label: "E-mail:", Value: l.Email}, contractpdf.Line{Label: "Celular:", Value: formatMobile(l.MobilePhone)})
	sections := []contractpdf.Section{
		{Heading: "1. Cliente", Lines: client},
		{Heading: "2. Unidade consumidora", Lines: []contractpdf.Line{
			{Label: "Endereço:", Value: formatAddress(l.Address)},
			{Label: "Distribuidora:", Value: l.UtilityName},
			{Label: "Nº de instalação:", Value: l.InstallationNumber},
			{Label: "Conta média mensal:", Value: "R$ " + strings.Replace(formatAmount(l.UtilityBillCents), ".", ",", 1)},
		}},
	}
	plan := contractpdf.Section{Heading: "3. Plano contratado"}
	if p := l.Plan; p != nil {
		plan.Lines = []contractpdf.Line{
			{Label: "Plano:", Value: p.Name},
			{Label: "Desconto:", Value: discountPercent(p.Discount) + "% sobre a tarifa de energia"},
			{Label: "Fidelidade:", Value: fmt.Sprintf("%d meses", p.FidelityMonths)},
			{Label: "Benefício:", Value: p.Benefit},
		}
	}
	sections = append(sections, plan)
	if len(l.LegalRepresentatives) > 0 {
		reps := contractpdf.Section{Heading: "4. Representantes legais"}
		for i, r := range l.LegalRepresentatives {
			reps.Lines = append(reps.Lines,
				contractpdf.Line{Label: fmt.Sprintf("Representante %d:", i+1), Value: r.Name},
				contractpdf.Line{Label: "CPF:", Value: brdoc.FormatCPF(r.CPF)},
				contractpdf.Line{Label: "Qualificação:", Value: strings.Join(nonEmpty(r.Nationality, r.MaritalStatus, r.Profession), ", ")},
				contractpdf.Line{Label: "E-mail / celular:", Value: r.Email + " / " + formatMobile(r.Cellphone)},
				contractpdf.Line{Label: "Endereço:", Value: formatAddress(r.Address), SpaceAfter: true},
			)
		}
		sections = append(sections, reps)
	}
	conditions := []string{
		"O CLIENTE adere ao consórcio de geração distribuída compartilhada, nos termos da Resolução Normativa " +
			"ANEEL nº 1.059/2023, e recebe créditos de energia compensados na fatura da distribuidora acima, com o " +
			"desconto e a fidelidade do plano contratado.",
		"O desconto incide sobre a parcela de energia compensada. Tributos, iluminação pública e demais " +
			"encargos continuam sendo cobrados pela distribuidora.",
		"O CLIENTE autoriza o uso dos dados informados para a gestão da adesão junto à distribuidora, " +
			"conforme a Lei nº 13.709/2018 (LGPD).",
	}
	if l.SellerName != "" || partnerName != "" {
		conditions = append(conditions, fmt.Sprintf("Adesão intermediada por %s%s.", partnerName, sellerSuffix(l.SellerName)))
	}
	sections = append(sections,
		contractpdf.Section{Heading: "Condições", Paragraphs: conditions},
		contractpdf.Section{Heading: "Assinatura", Paragraphs: []string{
			"Este contrato é assinado eletronicamente. A assinatura registra nome, CPF, data e hora, endereço IP, " +
				"navegador e o resumo SHA-256 deste documento.",
		}},
	)
	var signers []string
	for _, s := range l.signers() {
		signers = append(signers, s.Name+" - CPF "+brdoc.FormatCPF(s.CPF))
	}
	return contractpdf.Document{
		MetaTitle: "Contrato de adesão - Geração Distribuída",
		Author:    "partnership-service",
		Title:     "Contrato de Adesão à Geração Distribuída Compartilhada",
		Subtitle:  "Emitido em " + at.In(saoPaulo).Format("02/01/2006 às 15:04") + " (horário de Brasília)",
		Footer:    "Lead " + l.ID,
		Sections:  sections,
		Signers:   signers,
		CreatedAt: at,
	}
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
