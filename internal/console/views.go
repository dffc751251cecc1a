package console

import (
	"html/template"

	"partnership-service/internal/brdoc"
	"partnership-service/internal/energy"
	"partnership-service/internal/web"
)

var funcs = template.FuncMap{
	"statusLabel": func(s energy.LeadStatus) string { return statusLabels[s] },
	"add":         func(a, b int) int { return a + b },
	"rep":         rep,
	"num":         web.Number,
	"phone":       brdoc.FormatMobile,
	"cep":         brdoc.FormatCEP,
	"delivery":    deliveryState,
	"dict":        dict,
	"planOptions": func(ps []planOption) [][2]string {
		out := [][2]string{{"", "Escolha um plano"}}
		for _, p := range ps {
			out = append(out, [2]string{p.Value, p.Label})
		}
		return out
	},
	"statusOptions": func() [][2]string {
		out := [][2]string{{"", "Todos"}}
		for _, s := range statusOrder {
			out = append(out, [2]string{string(s), statusLabels[s]})
		}
		return out
	},
	"personOptions": func() [][2]string {
		return [][2]string{{"natural", "Pessoa física (PF)"}, {"juridical", "Pessoa jurídica (PJ)"}}
	},
	"holderOptions": func() [][2]string {
		return [][2]string{{"", "O próprio cliente"}, {"natural", "Pessoa física"}, {"juridical", "Pessoa jurídica"}}
	},
}

// statusOrder is the journey's order, as the pipeline shows it.
var statusOrder = []energy.LeadStatus{energy.StatusIndicado, energy.StatusNegociacao, energy.StatusAssinado, energy.StatusDesqualificado}

var statusLabels = map[energy.LeadStatus]string{
	energy.StatusIndicado:       "Indicado",
	energy.StatusNegociacao:     "Em negociação",
	energy.StatusAssinado:       "Assinado",
	energy.StatusDesqualificado: "Desqualificado",
}

// labels name the API's fields the way a partner's user reads them; the
// forms' inputs carry the API's names (CreateLeadDTO, the filters' keys),
// so the service's message for a field lands next to it.
var labels = map[string]string{
	"customer":                     "Cliente (nome, CPF ou CNPJ)",
	"seller_name":                  "Vendedor",
	"created_at":                   "Criado em",
	"status":                       "Status",
	"filters":                      "Filtros",
	"page":                         "Página",
	"personType":                   "Tipo de cliente",
	"fullName":                     "Nome completo",
	"companyName":                  "Razão social",
	"emailAddress":                 "E-mail",
	"mobilePhone":                  "Celular com DDD",
	"utilityBillHolder":            "Titular da conta de luz",
	"utilityBillingValue":          "Valor médio da conta de luz (R$)",
	"identificationNumber":         "CPF ou CNPJ",
	"cpf":                          "CPF do contato",
	"nationality":                  "Nacionalidade",
	"maritalStatus":                "Estado civil",
	"profession":                   "Profissão",
	"installationNumber":           "Número da instalação",
	"birthDate":                    "Data de nascimento",
	"zipCode":                      "CEP",
	"state":                        "UF",
	"city":                         "Cidade",
	"street":                       "Rua",
	"number":                       "Número",
	"neighborhood":                 "Bairro",
	"complement":                   "Complemento",
	"plan":                         "Plano",
	"legalRepresentatives":         "Representante legal",
	"id":                           "Lead",
	"legalRepresentatives[0].name": "Nome do representante",
	"legalRepresentatives[0].identificationNumber": "CPF do representante",
	"legalRepresentatives[0].email":                "E-mail do representante",
	"legalRepresentatives[0].cellphone":            "Celular do representante",
	"legalRepresentatives[0].nationality":          "Nacionalidade do representante",
	"legalRepresentatives[0].profession":           "Profissão do representante",
	"legalRepresentatives[0].maritalStatus":        "Estado civil do representante",
	"legalRepresentatives[0].address.street":       "Rua",
	"legalRepresentatives[0].address.number":       "Número",
	"legalRepresentatives[0].address.complement":   "Complemento",
	"legalRepresentatives[0].address.neighborhood": "Bairro",
	"legalRepresentatives[0].address.zipCode":      "CEP",
	"legalRepresentatives[0].address.city":         "Cidade",
	"legalRepresentatives[0].address.state":        "UF",
	"seller":                                       "Vendedor",
	"url":                                          "URL",
	"description":                                  "Descrição",
	"events":                                       "Eventos",
}

// formatDocument shows a CPF or a CNPJ with its punctuation.
func formatDocument(doc string) string {
	if len(doc) == 11 {
		return brdoc.FormatCPF(doc)
	}
	return brdoc.FormatCNPJ(doc)
}

// dict builds a map from key, value pairs: arguments for a partial.
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}
