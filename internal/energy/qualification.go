package energy

import (
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
)

// Products a lead can qualify for.
const (
	ProductGD          = "Geração Distribuída"
	ProductFreeMarket  = "Mercado Livre"
	qualificationField = "utilityBillingValue"
)

// Qualification is the answer of GET /sales-conversion/leads/qualification.
type Qualification struct {
	Product   string
	Qualified bool
}

// QualificationQuery is what a partner asks about.
type QualificationQuery struct {
	Place      Place
	PersonType string
	BillValue  string // as sent: "815", "815.5", "815,50"
}

// ParseBRL reads a positive amount of reais with at most two decimals and
// either decimal separator ("815", "815.5", "815,50") into cents. Thousands
// separators are refused: "1.234" would be ambiguous.
func ParseBRL(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 12 || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, false
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
	}
	reais, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	cents := reais * 100
	if hasFrac {
		f, _ := strconv.ParseInt((frac + "0")[:2], 10, 64)
		cents += f
	}
	return cents, cents > 0
}

// Qualify applies the rules: a juridical person billed at least the
// free-market threshold is a "Mercado Livre" candidate; everyone else is
// judged for GD, which needs a utility where GD is sold in that city and a
// bill at or above that utility's minimum for the person type.
func (c *CatalogService) Qualify(q QualificationQuery) (Qualification, error) {
	var f apperr.Fields
	person, ok := ParsePersonType(q.PersonType)
	if !ok {
		f.Add("personType", "personType deve ser natural ou juridical")
	}
	cents, ok := ParseBRL(q.BillValue)
	if !ok {
		f.Add(qualificationField, "utilityBillingValue deve ser um valor positivo, como 815, 815.5 ou 815,50")
	}
	if q.Place.IBGECode == "" && (q.Place.UF == "" || q.Place.City == "") {
		if q.Place.City == "" {
			f.Add("city", "city é obrigatório")
		}
		if q.Place.UF == "" {
			f.Add("state", "state é obrigatório")
		}
	}
	if err := f.Err(apperr.Invalid); err != nil {
		return Qualification{}, err
	}
	m, err := c.resolve(q.Place)
	if err != nil {
		return Qualification{}, err
	}
	s := c.snap.Load()
	threshold := s.data.Thresholds.FreeMarketMinCents
	if threshold <= 0 {
		threshold = DefaultFreeMarketMinCents
	}
	if person == Juridical && cents >= threshold {
		return Qualification{Product: ProductFreeMarket, Qualified: true}, nil
	}
	for _, u := range s.atCity[m.IBGECode] {
		if u.Qualified && cents >= u.gdMinimum(person) {
			return Qualification{Product: ProductGD, Qualified: true}, nil
		}
	}
	return Qualification{Product: ProductGD, Qualified: false}, nil
}

func (u Utility) gdMinimum(person PersonType) int64 {
	if person == Juridical {
		if u.GDMinJuridicalCents > 0 {
			return u.GDMinJuridicalCents
		}
		return DefaultGDMinJuridicalCents
	}
	if u.GDMinNaturalCents > 0 {
		return u.GDMinNaturalCents
	}
	return DefaultGDMinNaturalCents
}
