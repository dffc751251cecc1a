package energy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/energy"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
)

// The lead rules the LeadService decides inside the store's transaction,
// tested without HTTP on every engine: one open lead per customer and
// partner, and the per-status totals following every status change.

func ptr(s string) *string { return &s }

// draft is a valid natural lead in Campinas with the given CPF, choosing
// energytest's "Plano Premium".
func draft(cpf string) energy.LeadDraft {
	return energy.LeadDraft{
		FullName: ptr("John Cena"), PersonType: ptr("natural"), EmailAddress: ptr("another@mail.com"),
		MobilePhone: ptr("11999885544"), UtilityBillingValue: ptr("850.15"), IdentificationNumber: ptr(cpf),
		Nationality: ptr("Brasileiro"), MaritalStatus: ptr("Solteiro"), Profession: ptr("Mecânico"),
		ZipCode: ptr("13010-000"), State: ptr("SP"), City: ptr("Campinas"), Street: ptr("Rua Ladrilhos Dourados"),
		Number: ptr("777"), Neighborhood: ptr("Centro"),
		Plan: &energy.PlanChoice{PlanName: "Premium", Discount: "14", LoyaltyRequirement: "60", Benefit: "Ganhou_1_Fatura_Gratis"},
	}
}

// ruleEnv is a lead service on a fresh database and its two partners.
type ruleEnv struct {
	leads  *energy.LeadService
	stores storage.Stores
	a, b   energy.Principal
}

func newRuleEnv(t *testing.T, s storage.Stores) ruleEnv {
	t.Helper()
	env := newLeadEnv(t, s)
	return ruleEnv{
		leads:  env.Leads,
		stores: s,
		a:      energy.Principal{PartnerID: env.PartnerA, PartnerName: "Partner A", SellerName: "Seller A"},
		b:      energy.Principal{PartnerID: env.PartnerB, PartnerName: "Partner B", SellerName: "Seller B"},
	}
}

// eachRuleEnv runs test as a subtest per engine, each on a fresh rule env.
func eachRuleEnv(t *testing.T, test func(t *testing.T, env ruleEnv)) {
	t.Helper()
	testdb.Each(t, func(t *testing.T, s storage.Stores) { test(t, newRuleEnv(t, s)) })
}

// wantOpenLeadConflict checks err is the duplicate answer naming existing.
func wantOpenLeadConflict(t *testing.T, err error, existing string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Conflict || e.Meta["id"] != existing ||
		e.Message != "Já existe um lead em aberto com este identificationNumber." {
		t.Fatalf("err = %v (meta %v), want the open-lead conflict naming %s", err, e, existing)
	}
}

func TestLeadServiceOneOpenLeadPerCustomer(t *testing.T) {
	eachRuleEnv(t, func(t *testing.T, env ruleEnv) {
		ctx := context.Background()
		first, err := env.leads.Create(ctx, env.a, draft("111.444.777-35"))
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			caller   energy.Principal
			cpf      string
			conflict bool
		}{
			{"same partner, same CPF", env.a, "111.444.777-35", true},
			{"same CPF without punctuation", env.a, "11144477735", true},
			{"another partner may have the customer", env.b, "111.444.777-35", false},
			{"another customer", env.a, "529.982.247-25", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				l, err := env.leads.Create(ctx, tt.caller, draft(tt.cpf))
				if tt.conflict {
					wantOpenLeadConflict(t, err, first.ID)
					return
				}
				if err != nil {
					t.Fatalf("Create: %v", err)
				}
				if l.Status != energy.StatusIndicado {
					t.Fatalf("status = %s, want indicado", l.Status)
				}
			})
		}

		t.Run("an update into a duplicate is refused", func(t *testing.T) {
			other, err := env.leads.Create(ctx, env.a, draft("390.533.447-05"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = env.leads.Update(ctx, env.a, other.ID, energy.LeadDraft{IdentificationNumber: ptr("111.444.777-35")})
			wantOpenLeadConflict(t, err, first.ID)
			if got, _ := env.leads.Get(ctx, env.a, other.ID); got.IdentificationNumber != "39053344705" {
				t.Fatalf("refused update was saved: %s", got.IdentificationNumber)
			}
		})

		t.Run("a closed lead does not count", func(t *testing.T) {
			// The back office disqualifies the first lead.
			if err := env.stores.EnergyLeads().WriteLeads(ctx, func(tx energy.LeadTx) error {
				l, err := tx.Lead(env.a.PartnerID, first.ID)
				if err != nil {
					return err
				}
				l.Status = energy.StatusDesqualificado
				return tx.Save(l)
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := env.leads.Create(ctx, env.a, draft("111.444.777-35")); err != nil {
				t.Fatalf("Create after the first closed: %v", err)
			}
		})
	})
}

// TestLeadServiceConcurrentDuplicates races creates of one customer: one
// wins, and every other is answered with the winner's id, also where the
// unique index (not the check) refuses the loser (PostgreSQL).
func TestLeadServiceConcurrentDuplicates(t *testing.T) {
	eachRuleEnv(t, func(t *testing.T, env ruleEnv) {
		ctx := context.Background()
		const n = 8
		var wg sync.WaitGroup
		leads, errs := make([]energy.Lead, n), make([]error, n)
		for i := range n {
			wg.Go(func() { leads[i], errs[i] = env.leads.Create(ctx, env.a, draft("111.444.777-35")) })
		}
		wg.Wait()
		winner := ""
		for i, err := range errs {
			if err == nil {
				if winner != "" {
					t.Fatalf("two open leads for one customer: %s and %s", winner, leads[i].ID)
				}
				winner = leads[i].ID
			}
		}
		if winner == "" {
			t.Fatalf("no create succeeded: %v", errs)
		}
		for _, err := range errs {
			if err != nil {
				wantOpenLeadConflict(t, err, winner)
			}
		}
		_, total, err := env.leads.List(ctx, env.a, energy.LeadQuery{Page: 1, Limit: 10, Status: energy.StatusIndicado})
		if err != nil || total != (energy.LeadTotal{Count: 1}) {
			t.Fatalf("indicado total = %+v, %v; want 1", total, err)
		}
	})
}

func TestLeadServiceTotalsFollowTheStatus(t *testing.T) {
	eachRuleEnv(t, func(t *testing.T, env ruleEnv) {
		ctx := context.Background()
		var ids []string
		for _, cpf := range []string{"111.444.777-35", "529.982.247-25", "390.533.447-05"} {
			l, err := env.leads.Create(ctx, env.a, draft(cpf))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		if _, err := env.leads.Create(ctx, env.b, draft("111.444.777-35")); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name string
			do   func() error
			// totals of partner A: all, indicado, negociacao
			all, indicado, negociacao int
		}{
			{"three created", func() error { return nil }, 3, 3, 0},
			{"a refused duplicate moves nothing", func() error {
				_, err := env.leads.Create(ctx, env.a, draft("111.444.777-35"))
				if apperr.Is(err, apperr.Conflict) {
					return nil
				}
				return err
			}, 3, 3, 0},
			{"a contract moves a lead to negociacao", func() error {
				_, err := env.leads.CreateContract(ctx, env.a, ids[0], energy.ContractDraft{})
				return err
			}, 3, 2, 1},
			{"a second contract keeps it there", func() error {
				_, err := env.leads.CreateContract(ctx, env.a, ids[0], energy.ContractDraft{})
				return err
			}, 3, 2, 1},
			{"a change cancels the contract: back to indicado", func() error {
				_, err := env.leads.Update(ctx, env.a, ids[0], energy.LeadDraft{Street: ptr("Rua Nova")})
				return err
			}, 3, 3, 0},
			{"a change of an indicado lead moves nothing", func() error {
				_, err := env.leads.Update(ctx, env.a, ids[1], energy.LeadDraft{Street: ptr("Rua Nova")})
				return err
			}, 3, 3, 0},
		}
		for _, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			for _, want := range []struct {
				status energy.LeadStatus
				total  int
			}{{"", st.all}, {energy.StatusIndicado, st.indicado}, {energy.StatusNegociacao, st.negociacao}} {
				leads, total, err := env.leads.List(ctx, env.a, energy.LeadQuery{Page: 1, Limit: 10, Status: want.status})
				if err != nil || total != (energy.LeadTotal{Count: want.total}) || len(leads) != want.total {
					t.Errorf("%s: status %q: %d leads, total %+v, %v; want %d", st.name, want.status, len(leads), total, err, want.total)
				}
			}
		}
	})
}

// TestLeadServiceConcurrentMovesKeepTheTotals races status changes of one
// partner's leads in both directions (a contract moves a lead to
// negociacao, a change of it back to indicado). On PostgreSQL the counts
// are spread over shards by lead id and every move of a lead must land on
// its own shard (a wrong one fails the counts' check), and two opposite
// moves in one shard must not deadlock: every write succeeds, and the
// totals match the leads.
func TestLeadServiceConcurrentMovesKeepTheTotals(t *testing.T) {
	eachRuleEnv(t, func(t *testing.T, env ruleEnv) {
		ctx := context.Background()
		const n = 24
		ids := make([]string, n)
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				l, err := env.leads.Create(ctx, env.a, draft(brdoc.CompleteCPF(fmt.Sprintf("%09d", 100000000+i*7919))))
				ids[i], errs[i] = l.ID, err
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("creates: %v", err)
		}
		// Every lead to negociacao; the even ones, once there, back.
		for i, id := range ids {
			wg.Go(func() {
				if _, errs[i] = env.leads.CreateContract(ctx, env.a, id, energy.ContractDraft{}); errs[i] != nil || i%2 == 1 {
					return
				}
				_, errs[i] = env.leads.Update(ctx, env.a, id, energy.LeadDraft{Street: ptr("Rua Nova")})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("moves: %v", err)
		}
		for _, want := range []struct {
			status energy.LeadStatus
			total  int
		}{{"", n}, {energy.StatusIndicado, n / 2}, {energy.StatusNegociacao, n / 2}} {
			// The partner's counts, and the tallies of its seller.
			for _, filters := range []string{"", "seller_name:Seller A"} {
				q, err := energy.ParseLeadQuery("1", "100", filters)
				if err != nil {
					t.Fatal(err)
				}
				q.Status = want.status
				leads, total, err := env.leads.List(ctx, env.a, q)
				if err != nil || total != (energy.LeadTotal{Count: want.total}) || len(leads) != want.total {
					t.Errorf("status %q, filters %q: %d leads, total %+v, %v; want %d", want.status, filters, len(leads), total, err, want.total)
				}
			}
		}
	})
}
