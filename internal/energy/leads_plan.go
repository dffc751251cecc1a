package energy

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/geo"
)

// PlanChoice is the lead-side plan object (PlanDTO), which names a catalog
// plan in the seed's own units:
//
//   - PlanName is the plan's name, compared without regard to case, accents
//     and a leading "Plano" ("Premium" names "Plano Premium");
//   - Discount is in percent ("14", "14.5", "14%"), the catalog's fraction
//     times 100 ("0.14");
//   - LoyaltyRequirement is fidelityMonths as a string ("60");
//   - Benefit is one of the plan's benefits: its description, or a code such
//     as "Ganhou_1_Fatura_Gratis" (see benefitKey).
type PlanChoice struct {
	PlanName           string
	Discount           string
	LoyaltyRequirement string
	Benefit            string
}

var percentPattern = regexp.MustCompile(`^[0-9]{1,3}([.,][0-9]{1,6})?%?$`)

// choosePlan finds the catalog plan of utilityID that c names.
func (s *LeadService) choosePlan(utilityID string, c PlanChoice) (*LeadPlan, error) {
	var f apperr.Fields
	name := strings.TrimSpace(c.PlanName)
	if name == "" {
		f.Add("plan.planName", "plan.planName é obrigatório")
	}
	discount, ok := parsePercent(c.Discount)
	if !ok {
		f.Add("plan.discount", "plan.discount deve ser o desconto em percentual, por exemplo \"14\"")
	}
	months, err := strconv.Atoi(strings.TrimSpace(c.LoyaltyRequirement))
	if err != nil || months < 0 {
		f.Add("plan.loyaltyRequirement", "plan.loyaltyRequirement deve ser a fidelidade em meses, por exemplo \"60\"")
	}
	if err := f.Err(apperr.Invalid); err != nil {
		return nil, err
	}
	if utilityID == "" {
		return nil, apperr.Field(apperr.Invalid, "plan", "nenhuma distribuidora atende a cidade do lead, então não há plano a escolher")
	}
	u, plans, ok := s.catalog.PlansOf(utilityID)
	if ok && !u.Qualified {
		return nil, apperr.Field(apperr.Invalid, "plan", fmt.Sprintf("a distribuidora %s não está habilitada para geração distribuída", u.Name))
	}
	if !ok || len(plans) == 0 {
		return nil, apperr.Field(apperr.Invalid, "plan", fmt.Sprintf("a distribuidora %s não oferece planos de geração distribuída", u.Name))
	}
	key := planNameKey(name)
	var offered []string
	for _, p := range plans {
		offered = append(offered, fmt.Sprintf("%s (%s%%, %d meses)", p.Name, discountPercent(p.Discount), p.FidelityMonths))
		frac, ok := new(big.Rat).SetString(p.Discount)
		if !ok || planNameKey(p.Name) != key || p.FidelityMonths != months ||
			new(big.Rat).Mul(frac, big.NewRat(100, 1)).Cmp(discount) != 0 {
			continue
		}
		benefit, err := chooseBenefit(p, c.Benefit)
		if err != nil {
			return nil, err
		}
		return &LeadPlan{ID: p.ID, Name: p.Name, Discount: p.Discount, FidelityMonths: p.FidelityMonths, Benefit: benefit}, nil
	}
	return nil, apperr.Field(apperr.Invalid, "plan", fmt.Sprintf("plan não corresponde a um plano da distribuidora %s; planos oferecidos: %s",
		u.Name, strings.Join(offered, "; ")))
}

// chooseBenefit returns the catalog description of the benefit named by
// given. A plan with benefits needs one chosen; a plan without accepts none.
func chooseBenefit(p Plan, given string) (string, error) {
	given = strings.TrimSpace(given)
	if len(p.Benefits) == 0 {
		if given != "" {
			return "", apperr.Field(apperr.Invalid, "plan.benefit", fmt.Sprintf("o plano %s não oferece benefícios", p.Name))
		}
		return "", nil
	}
	if given == "" {
		return "", apperr.Field(apperr.Invalid, "plan.benefit", "plan.benefit é obrigatório")
	}
	key := benefitKey(given)
	for _, b := range p.Benefits {
		if benefitKey(b) == key {
			return b, nil
		}
	}
	return "", apperr.Field(apperr.Invalid, "plan.benefit", fmt.Sprintf("plan.benefit não é um benefício do plano %s (%s)",
		p.Name, strings.Join(p.Benefits, "; ")))
}

// planNameKey folds a plan name and drops a leading "plano".
func planNameKey(s string) string {
	k := geo.Fold(s)
	if rest, ok := strings.CutPrefix(k, "plano "); ok {
		return rest
	}
	return k
}

// benefitKey makes a benefit's description and the codes partners send for
// it compare equal: underscores are spaces, case and accents are folded, a
// leading "ganhou"/"ganhe"/"ganha" is dropped and ordinal words become
// numbers, so "Ganhou_1_Fatura_Gratis" and "Primeira Fatura Grátis" are both
// "1 fatura gratis".
func benefitKey(s string) string {
	words := strings.Fields(geo.Fold(strings.ReplaceAll(s, "_", " ")))
	if len(words) > 0 {
		switch words[0] {
		case "ganhou", "ganhe", "ganha":
			words = words[1:]
		}
	}
	for i, w := range words {
		if n, ok := ordinals[w]; ok {
			words[i] = n
		}
	}
	return strings.Join(words, " ")
}

var ordinals = map[string]string{
	"primeira": "1", "primeiro": "1", "segunda": "2", "segundo": "2",
	"terceira": "3", "terceiro": "3", "quarta": "4", "quarto": "4",
}

// parsePercent reads "14", "14.5", "14,5" or "14%" as an exact rational.
func parsePercent(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if !percentPattern.MatchString(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strings.ReplaceAll(strings.TrimSuffix(s, "%"), ",", "."))
	if !ok || r.Cmp(big.NewRat(100, 1)) > 0 {
		return nil, false
	}
	return r, true
}

// discountPercent turns the catalog's fraction into the lead's percent:
// "0.14" → "14", "0.145" → "14.5".
func discountPercent(fraction string) string {
	r, ok := new(big.Rat).SetString(fraction)
	if !ok {
		return fraction
	}
	r.Mul(r, big.NewRat(100, 1))
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimRight(r.FloatString(6), "0")
}

// ChoiceOf is the PlanChoice naming catalog plan p with its benefit (""
// when p has none): what a page offering the catalog's plans posts.
func ChoiceOf(p Plan, benefit string) PlanChoice {
	return PlanChoice{PlanName: p.Name, Discount: discountPercent(p.Discount), LoyaltyRequirement: strconv.Itoa(p.FidelityMonths), Benefit: benefit}
}
