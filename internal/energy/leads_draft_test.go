package energy

import (
	"strings"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/geo"
)

// fakeCatalog is a two-utility catalog for rule tests.
type fakeCatalog struct{}

const (
	cpflID = "6f1c2a4e-58a4-4f57-9a0e-0d5b1b0c2a11"
	enelID = "a06dcadc-fe16-44ee-b541-0c4658aad3e0"
)

func (fakeCatalog) UtilityFor(ibge int) (Utility, bool) {
	switch ibge {
	case 3509502: // Campinas
		return Utility{PublicID: cpflID, Name: "CPFL PAULISTA", UF: "SP", Qualified: true}, true
	case 3550308: // São Paulo
		return Utility{PublicID: enelID, Name: "ENEL SP", UF: "SP", Qualified: true}, true
	}
	return Utility{}, false
}

func (c fakeCatalog) PlansOf(id string) (Utility, []Plan, bool) {
	switch id {
	case cpflID:
		u, _ := c.UtilityFor(3509502)
		return u, []Plan{
			{ID: 1, UtilityID: id, Name: "Plano Premium", FidelityMonths: 60, Discount: "0.14", Benefits: []string{"Primeira Fatura Grátis"}},
			{ID: 2, UtilityID: id, Name: "Plano Básico", FidelityMonths: 12, Discount: "0.105"},
		}, true
	case enelID:
		u, _ := c.UtilityFor(3550308)
		return u, []Plan{{ID: 3, UtilityID: id, Name: "Plano Premium", FidelityMonths: 36, Discount: "0.12", Benefits: []string{"Cashback"}}}, true
	}
	return Utility{}, nil, false
}

func ruleService() *LeadService {
	return &LeadService{catalog: fakeCatalog{}, geo: geo.MustLoad(), now: func() time.Time {
		return time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	}}
}

func ptr(s string) *string { return &s }

// naturalDraft is a valid natural lead in Campinas.
func naturalDraft() LeadDraft {
	return LeadDraft{
		FullName: ptr("John Cena"), PersonType: ptr("natural"), EmailAddress: ptr("another@mail.com"),
		MobilePhone: ptr("11999885544"), UtilityBillingValue: ptr("850.15"), IdentificationNumber: ptr("111.444.777-35"),
		Nationality: ptr("Brasileiro"), MaritalStatus: ptr("Solteiro"), Profession: ptr("Mecânico"),
		ZipCode: ptr("13010-000"), State: ptr("sp"), City: ptr("campinas"), Street: ptr("Rua Ladrilhos Dourados"),
		Number: ptr("777"), Neighborhood: ptr("Centro"), Complement: ptr("Quadra 2"),
		Plan: &PlanChoice{PlanName: "Premium", Discount: "14", LoyaltyRequirement: "60", Benefit: "Ganhou_1_Fatura_Gratis"},
	}
}

func juridicalDraft() LeadDraft {
	d := naturalDraft()
	d.PersonType, d.CompanyName, d.IdentificationNumber = ptr("PJ"), ptr("Empresa Social LTDA"), ptr("12.ABC.345/01DE-35")
	d.UtilityBillHolder = ptr("juridical")
	d.Nationality, d.MaritalStatus, d.Profession = nil, nil, nil
	return d
}

func TestApplyNormalizesAValidLead(t *testing.T) {
	t.Parallel()
	var l Lead
	if err := ruleService().apply(&l, naturalDraft(), true); err != nil {
		t.Fatalf("apply: %v", err)
	}
	want := Address{ZipCode: "13010000", State: "SP", City: "Campinas", IBGECode: 3509502,
		Street: "Rua Ladrilhos Dourados", Number: "777", Neighborhood: "Centro", Complement: "Quadra 2"}
	if l.Address != want {
		t.Errorf("address = %+v, want %+v", l.Address, want)
	}
	if l.PersonType != Natural || l.UtilityBillHolder != Natural || l.IdentificationNumber != "11144477735" ||
		l.UtilityBillCents != 85015 || l.MobilePhone != "11999885544" {
		t.Errorf("normalized fields wrong: %+v", l)
	}
	if l.UtilityID != cpflID || l.UtilityName != "CPFL PAULISTA" {
		t.Errorf("utility = %s %s, want CPFL PAULISTA", l.UtilityID, l.UtilityName)
	}
	wantPlan := LeadPlan{ID: 1, Name: "Plano Premium", Discount: "0.14", FidelityMonths: 60, Benefit: "Primeira Fatura Grátis"}
	if l.Plan == nil || *l.Plan != wantPlan {
		t.Errorf("plan = %+v, want %+v", l.Plan, wantPlan)
	}

	var j Lead
	if err := ruleService().apply(&j, juridicalDraft(), true); err != nil {
		t.Fatalf("apply juridical: %v", err)
	}
	if j.PersonType != Juridical || j.IdentificationNumber != "12ABC34501DE35" || j.CompanyName != "Empresa Social LTDA" {
		t.Errorf("juridical lead = %+v", j)
	}
}

func TestApplyRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(d *LeadDraft)
		field  string
		phrase string // part of the message
	}{
		{"missing full name", func(d *LeadDraft) { d.FullName = nil }, "fullName", "obrigatório"},
		{"blank full name", func(d *LeadDraft) { d.FullName = ptr("   ") }, "fullName", "obrigatório"},
		{"unknown person type", func(d *LeadDraft) { d.PersonType = ptr("alien") }, "personType", "natural"},
		{"control characters", func(d *LeadDraft) { d.Street = ptr("Rua\x00A") }, "street", "não permitidos"},
		{"too long", func(d *LeadDraft) { d.FullName = ptr(strings.Repeat("a", 151)) }, "fullName", "150"},
		{"bad CPF check digit", func(d *LeadDraft) { d.IdentificationNumber = ptr("111.444.777-36") }, "identificationNumber", "CPF"},
		{"CNPJ for a natural lead", func(d *LeadDraft) { d.IdentificationNumber = ptr("11.222.333/0001-81") }, "identificationNumber", "CPF"},
		{"bad e-mail", func(d *LeadDraft) { d.EmailAddress = ptr("john@") }, "emailAddress", "e-mail"},
		{"landline", func(d *LeadDraft) { d.MobilePhone = ptr("1133334444") }, "mobilePhone", "celular"},
		{"zero bill", func(d *LeadDraft) { d.UtilityBillingValue = ptr("0") }, "utilityBillingValue", "maior que zero"},
		{"negative bill", func(d *LeadDraft) { d.UtilityBillingValue = ptr("-10") }, "utilityBillingValue", "maior que zero"},
		{"three decimals", func(d *LeadDraft) { d.UtilityBillingValue = ptr("850.155") }, "utilityBillingValue", "duas casas"},
		{"exponent", func(d *LeadDraft) { d.UtilityBillingValue = ptr("8.5e2") }, "utilityBillingValue", "duas casas"},
		{"natural holder needs nationality", func(d *LeadDraft) { d.Nationality = nil }, "nationality", "obrigatório"},
		{"unknown state", func(d *LeadDraft) { d.State = ptr("XX") }, "state", "estado"},
		{"unknown city", func(d *LeadDraft) { d.City = ptr("Gotham") }, "city", "município"},
		{"malformed CEP", func(d *LeadDraft) { d.ZipCode = ptr("1301-0000") }, "zipCode", "99999-999"},
		{"CEP of another state", func(d *LeadDraft) { d.ZipCode = ptr("20040-020") }, "zipCode", "RJ"},
		{"CEP of another city", func(d *LeadDraft) { d.ZipCode = ptr("01310-100") }, "zipCode", "São Paulo"},
		{"birth date in the future", func(d *LeadDraft) { d.BirthDate = ptr("2030-01-01") }, "birthDate", "AAAA-MM-DD"},
		{"plan name not offered", func(d *LeadDraft) { d.Plan.PlanName = "Gold" }, "plan", "Plano Premium"},
		{"plan discount differs", func(d *LeadDraft) { d.Plan.Discount = "10" }, "plan", "planos oferecidos"},
		{"plan discount not a percent", func(d *LeadDraft) { d.Plan.Discount = "0.14abc" }, "plan.discount", "percentual"},
		{"plan loyalty differs", func(d *LeadDraft) { d.Plan.LoyaltyRequirement = "12" }, "plan", "planos oferecidos"},
		{"plan benefit not offered", func(d *LeadDraft) { d.Plan.Benefit = "Cashback" }, "plan.benefit", "Primeira Fatura Grátis"},
		{"plan benefit missing", func(d *LeadDraft) { d.Plan.Benefit = "" }, "plan.benefit", "obrigatório"},
		{"plan in a city without utility", func(d *LeadDraft) {
			d.City, d.ZipCode = ptr("Santos"), ptr("11010-000")
		}, "plan", "nenhuma distribuidora"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := naturalDraft()
			plan := *d.Plan
			d.Plan = &plan
			tt.edit(&d)
			var l Lead
			err := ruleService().apply(&l, d, true)
			e := apperr.As(err)
			if e.Code != apperr.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			msgs, ok := e.Fields[tt.field]
			if !ok {
				t.Fatalf("fields = %v, want %q", e.Fields, tt.field)
			}
			if !strings.Contains(strings.Join(msgs, " "), tt.phrase) {
				t.Fatalf("%s messages %q do not mention %q", tt.field, msgs, tt.phrase)
			}
		})
	}
}

func TestApplyJuridicalRules(t *testing.T) {
	t.Parallel()
	s := ruleService()
	d := juridicalDraft()
	d.CompanyName = nil
	var l Lead
	if e := apperr.As(s.apply(&l, d, true)); e.Fields["companyName"] == nil {
		t.Errorf("juridical without companyName: %v, want companyName required", e)
	}
	d = juridicalDraft()
	d.UtilityBillHolder = ptr("natural")
	l = Lead{}
	if e := apperr.As(s.apply(&l, d, true)); e.Fields["nationality"] == nil || e.Fields["profession"] == nil {
		t.Errorf("natural bill holder without nationality/profession: %v, want both required", e)
	}
}

func TestApplyUpdateMergesAndRevalidates(t *testing.T) {
	t.Parallel()
	s := ruleService()
	var l Lead
	if err := s.apply(&l, naturalDraft(), true); err != nil {
		t.Fatal(err)
	}
	t.Run("fields absent are kept", func(t *testing.T) {
		c := l
		if err := s.apply(&c, LeadDraft{FullName: ptr("John Felix Cena")}, false); err != nil {
			t.Fatal(err)
		}
		if c.FullName != "John Felix Cena" || c.Email != l.Email || c.Plan == nil {
			t.Fatalf("merged lead = %+v", c)
		}
	})
	t.Run("cpf of a natural lead is its identification", func(t *testing.T) {
		c := l
		if err := s.apply(&c, LeadDraft{CPF: ptr("529.982.247-25")}, false); err != nil {
			t.Fatal(err)
		}
		if c.IdentificationNumber != "52998224725" {
			t.Fatalf("identificationNumber = %s", c.IdentificationNumber)
		}
	})
	t.Run("cnpj on a natural lead is refused", func(t *testing.T) {
		c := l
		if e := apperr.As(s.apply(&c, LeadDraft{CNPJ: ptr("11.222.333/0001-81")}, false)); e.Fields["cnpj"] == nil {
			t.Fatalf("err = %v, want cnpj refused", e)
		}
	})
	t.Run("becoming juridical needs a CNPJ and a company", func(t *testing.T) {
		c := l
		e := apperr.As(s.apply(&c, LeadDraft{PersonType: ptr("juridical")}, false))
		if e.Fields["identificationNumber"] == nil || e.Fields["companyName"] == nil {
			t.Fatalf("err = %v, want identificationNumber and companyName", e)
		}
		c = l
		err := s.apply(&c, LeadDraft{PersonType: ptr("juridical"), CNPJ: ptr("11.222.333/0001-81"), CPF: ptr("52998224725"),
			CompanyName: ptr("ACME")}, false)
		if err != nil || c.IdentificationNumber != "11222333000181" || c.PersonCPF != "52998224725" {
			t.Fatalf("apply = %v, lead %+v", err, c)
		}
	})
	t.Run("cnpj and billingData.identificationNumber must agree", func(t *testing.T) {
		c := l
		e := apperr.As(s.apply(&c, LeadDraft{PersonType: ptr("PJ"), CompanyName: ptr("ACME"),
			CNPJ: ptr("11222333000181"), IdentificationNumber: ptr("12ABC34501DE35")}, false))
		if e.Fields["cnpj"] == nil {
			t.Fatalf("err = %v, want cnpj to disagree", e)
		}
	})
	t.Run("moving to another utility's city needs a plan of it", func(t *testing.T) {
		c := l
		e := apperr.As(s.apply(&c, LeadDraft{City: ptr("São Paulo"), ZipCode: ptr("01310-100")}, false))
		if e.Fields["plan"] == nil {
			t.Fatalf("err = %v, want plan refused", e)
		}
		c = l
		err := s.apply(&c, LeadDraft{City: ptr("São Paulo"), ZipCode: ptr("01310-100"),
			Plan: &PlanChoice{PlanName: "plano premium", Discount: "12%", LoyaltyRequirement: "36", Benefit: "cashback"}}, false)
		if err != nil || c.UtilityName != "ENEL SP" || c.Plan.ID != 3 {
			t.Fatalf("apply = %v, lead utility %s plan %+v", err, c.UtilityName, c.Plan)
		}
	})
}

func TestPlanUnits(t *testing.T) {
	t.Parallel()
	for fraction, percent := range map[string]string{"0.14": "14", "0.105": "10.5", "0.1": "10", "1": "100", "0.0725": "7.25"} {
		if got := discountPercent(fraction); got != percent {
			t.Errorf("discountPercent(%s) = %s, want %s", fraction, got, percent)
		}
	}
	for _, pair := range [][2]string{
		{"Ganhou_1_Fatura_Gratis", "Primeira Fatura Grátis"},
		{"PRIMEIRA_FATURA_GRATIS", "Primeira Fatura Grátis"},
		{"ganhe 2 faturas gratis", "Segunda Faturas Grátis"},
	} {
		if benefitKey(pair[0]) != benefitKey(pair[1]) {
			t.Errorf("benefitKey(%q) = %q, benefitKey(%q) = %q; want equal", pair[0], benefitKey(pair[0]), pair[1], benefitKey(pair[1]))
		}
	}
	if benefitKey("Cashback") == benefitKey("Primeira Fatura Grátis") {
		t.Error("different benefits share a key")
	}
}
