package energy_test

import (
	"context"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
)

// TestLeadServiceSellerOnly: a seller-only caller (a console seller) sees,
// lists, counts, exports and changes only the leads of its seller; its
// partner's other leads are not found, as another partner's are.
func TestLeadServiceSellerOnly(t *testing.T) {
	eachRuleEnv(t, func(t *testing.T, env ruleEnv) {
		ctx := context.Background()
		ana := energy.Principal{PartnerID: env.a.PartnerID, PartnerName: "Partner A", SellerName: "Ana Lima", SellerOnly: true}
		bia := energy.Principal{PartnerID: env.a.PartnerID, PartnerName: "Partner A", SellerName: "Bia Reis", SellerOnly: true}
		admin := energy.Principal{PartnerID: env.a.PartnerID, PartnerName: "Partner A", SellerName: "Gestora"}
		anas, err := env.leads.Create(ctx, ana, draft("11144477735"))
		if err != nil {
			t.Fatal(err)
		}
		bias, err := env.leads.Create(ctx, bia, draft("52998224725"))
		if err != nil {
			t.Fatal(err)
		}
		// Accents and case aside, the seller is the same.
		if _, err := env.leads.Get(ctx, energy.Principal{PartnerID: ana.PartnerID, SellerName: "ANA LIMA", SellerOnly: true}, anas.ID); err != nil {
			t.Fatalf("Ana's own lead: %v", err)
		}
		for name, call := range map[string]func() error{
			"get": func() error { _, err := env.leads.Get(ctx, ana, bias.ID); return err },
			"update": func() error {
				_, err := env.leads.Update(ctx, ana, bias.ID, energy.LeadDraft{FullName: ptr("Outro Nome")})
				return err
			},
			"credentials": func() error {
				_, err := env.leads.SetCredentials(ctx, ana, bias.ID, energy.UtilityCredentials{Login: "x", Password: "y"})
				return err
			},
			"contract": func() error {
				_, err := env.leads.CreateContract(ctx, ana, bias.ID, energy.ContractDraft{})
				return err
			},
		} {
			if err := call(); apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s of another seller's lead: %v, want not found", name, err)
			}
		}
		list := func(p energy.Principal, filters string) []string {
			t.Helper()
			q, err := energy.ParseLeadQuery("", "", filters)
			if err != nil {
				t.Fatal(err)
			}
			leads, total, err := env.leads.List(ctx, p, q)
			if err != nil || total.Count != len(leads) {
				t.Fatalf("list: %v, total %+v for %d", err, total, len(leads))
			}
			var ids []string
			for _, l := range leads {
				ids = append(ids, l.ID)
			}
			return ids
		}
		for _, tt := range []struct {
			name    string
			p       energy.Principal
			filters string
			want    int
		}{
			{"a seller lists its own", ana, "", 1},
			{"a seller asking for another seller gets nothing", ana, "seller_name:Bia Reis", 0},
			{"an admin lists all", admin, "", 2},
			{"an admin filters by seller", admin, "seller_name:bia reis", 1},
		} {
			if got := list(tt.p, tt.filters); len(got) != tt.want {
				t.Errorf("%s: %v, want %d leads", tt.name, got, tt.want)
			}
		}
		var exported []string
		if err := env.leads.Export(ctx, bia, energy.LeadQuery{}, func(l energy.Lead) error {
			exported = append(exported, l.ID)
			return nil
		}); err != nil || len(exported) != 1 || exported[0] != bias.ID {
			t.Errorf("Bia's export = %v, %v", exported, err)
		}
		for _, tt := range []struct {
			p    energy.Principal
			want int
		}{{ana, 1}, {admin, 2}} {
			r, err := env.leads.Report(ctx, tt.p)
			if err != nil || r.Total != tt.want || r.ByStatus[energy.StatusIndicado] != tt.want || len(r.Days) != energy.ReportDays ||
				r.Days[len(r.Days)-1].Leads != tt.want || r.Funnel[0].Leads != tt.want || r.Funnel[1].Leads != 0 {
				t.Errorf("report of %s = %+v, %v; want %d leads today", tt.p.SellerName, r, err, tt.want)
			}
		}
	})
}
