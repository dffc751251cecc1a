package energy

import (
	"reflect"
	"testing"
	"time"

	"partnership-service/internal/apperr"
)

func TestParseLeadQuery(t *testing.T) {
	t.Parallel()
	day := func(y, m, d int) (time.Time, time.Time) {
		from := time.Date(y, time.Month(m), d, 0, 0, 0, 0, saoPaulo)
		return from.UTC(), from.AddDate(0, 0, 1).UTC()
	}
	from, to := day(2024, 7, 1)
	tests := []struct {
		name                 string
		page, limit, filters string
		want                 LeadQuery
	}{
		{"defaults", "", "", "", LeadQuery{Page: 1, Limit: 10}},
		{"page and limit", "3", "100", "", LeadQuery{Page: 3, Limit: 100}},
		{"the seed's example", "1", "10", "customer:18.928.199/0001-88,seller_name:John Cena,created_at:2024-07-01,status:negociação",
			LeadQuery{Page: 1, Limit: 10, Customer: &CustomerFilter{ByDocument: true, Prefix: "18928199000188"},
				SellerName: "john cena", CreatedFrom: from, CreatedTo: to, Status: StatusNegociacao}},
		{"values with commas and colons", "", "", "customer:Silva, Souza & Cia: filial 2,seller_name:Loja: centro, 2",
			LeadQuery{Page: 1, Limit: 10, Customer: &CustomerFilter{Prefix: "silva, souza & cia: filial 2"}, SellerName: "loja: centro, 2"}},
		{"spaces after the comma and key case", "", "", "status:ASSINADO, Seller_Name:Ana",
			LeadQuery{Page: 1, Limit: 10, Status: StatusAssinado, SellerName: "ana"}},
		{"partial CPF", "", "", "customer:111.444", LeadQuery{Page: 1, Limit: 10, Customer: &CustomerFilter{ByDocument: true, Prefix: "111444"}}},
		{"alphanumeric CNPJ", "", "", "customer:12.abc.345/01de-35", LeadQuery{Page: 1, Limit: 10, Customer: &CustomerFilter{ByDocument: true, Prefix: "12ABC34501DE35"}}},
		{"name with accents", "", "", "customer:  JOSÉ Antônio ", LeadQuery{Page: 1, Limit: 10, Customer: &CustomerFilter{Prefix: "jose antonio"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseLeadQuery(tt.page, tt.limit, tt.filters)
			if err != nil {
				t.Fatalf("ParseLeadQuery: %v", err)
			}
			tt.want.TotalCap = LeadTotalCap // every list counts a customer filter up to the cap
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v (customer %+v)\nwant %+v (customer %+v)", got, got.Customer, tt.want, tt.want.Customer)
			}
		})
	}
}

func TestParseLeadQueryRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, page, limit, filters, field string
	}{
		{"page zero", "0", "", "", "page"},
		{"page not a number", "um", "", "", "page"},
		{"limit over 100", "", "101", "", "limit"},
		{"limit negative", "", "-1", "", "limit"},
		{"unknown key", "", "", "cliente:Ana", "filters"},
		{"no key", "", "", "Ana", "filters"},
		{"unknown key after a bad value", "", "", "status:indicado,foo:bar", "filters"},
		{"repeated key", "", "", "status:indicado,status:assinado", "filters"},
		{"empty value", "", "", "status:", "filters"},
		{"unknown status", "", "", "status:fechado", "filters"},
		{"bad date", "", "", "created_at:01/07/2024", "filters"},
		{"impossible date", "", "", "created_at:2024-02-30", "filters"},
		{"customer of punctuation only", "", "", "customer:. -", "filters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseLeadQuery(tt.page, tt.limit, tt.filters)
			e := apperr.As(err)
			if e.Code != apperr.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if _, ok := e.Fields[tt.field]; !ok {
				t.Fatalf("fields = %v, want %q", e.Fields, tt.field)
			}
		})
	}
}
