package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
)

// energyLeadHarness is a lead store on a fresh database, and the partner
// store that adds the partners leads belong to.
type energyLeadHarness struct {
	Store    energy.LeadStore
	Partners energy.PartnerStore
}

// runEnergyLeads checks a lead store's primitives: round trips of every
// field, partner isolation, the open-lead lookup and the unique index under
// it, atomic writes, appended children, counts, and the list's order,
// pagination, total and filters. The rules built on them (one open lead per
// customer, counts following the status) are the energy package's, tested
// there on both engines.
func runEnergyLeads(t *testing.T, open func(t *testing.T) energyLeadHarness) {
	ctx := context.Background()
	base := time.Date(2024, 7, 1, 12, 0, 0, 123456000, time.UTC)

	cpfs := []string{"11144477735", "52998224725", "39053344705"}
	// setup opens a fresh store holding the two partners and leads.
	setup := func(t *testing.T, leads ...energy.Lead) energy.LeadStore {
		h := open(t)
		for id, name := range map[string]string{"partner-a": "Parceiro A", "partner-b": "Parceiro B"} {
			addPartner(t, h.Partners, id, name, base)
		}
		for _, l := range leads {
			mustCreate(t, h.Store, l)
		}
		return h.Store
	}

	t.Run("round trip of every field", func(t *testing.T) {
		t.Parallel()
		l := fullLead("partner-a", "00000000-0000-7000-8000-000000000001", base)
		s := setup(t, l)
		got, err := s.Lead(ctx, "partner-a", l.ID)
		if err != nil {
			t.Fatalf("Lead: %v", err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, l)
		}
		var inTx energy.Lead
		mustWrite(t, s, func(tx energy.LeadTx) (err error) {
			inTx, err = tx.Lead("partner-a", l.ID)
			return err
		})
		if !reflect.DeepEqual(inTx, l) {
			t.Fatalf("LeadTx.Lead differs:\n got %+v\nwant %+v", inTx, l)
		}
		byRef, err := s.LeadBySignReference(ctx, l.Contract.SignReference)
		if err != nil || byRef.ID != l.ID {
			t.Fatalf("LeadBySignReference = %v, %v; want the lead", byRef.ID, err)
		}
		if _, err := s.LeadBySignReference(ctx, "unknown"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown reference: err = %v, want not_found", err)
		}
	})

	t.Run("another partner's lead is not found", func(t *testing.T) {
		t.Parallel()
		l := newLead("partner-a", "00000000-0000-7000-8000-000000000002", "11144477735", base)
		s := setup(t, l)
		if _, err := s.Lead(ctx, "partner-b", l.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Lead by partner-b: err = %v, want not_found", err)
		}
		err := s.WriteLeads(ctx, func(tx energy.LeadTx) error {
			_, err := tx.Lead("partner-b", l.ID)
			return err
		})
		if !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("LeadTx.Lead by partner-b: err = %v; want not_found", err)
		}
		leads, total, err := s.ListLeads(ctx, "partner-b", energy.LeadQuery{Page: 1, Limit: 10})
		if err != nil || total != (energy.LeadTotal{}) || len(leads) != 0 {
			t.Fatalf("ListLeads partner-b = %d leads, total %+v, %v; want none", len(leads), total, err)
		}
	})

	t.Run("open lead lookup and the unique backstop", func(t *testing.T) {
		t.Parallel()
		first := newLead("partner-a", "00000000-0000-7000-8000-000000000003", "11144477735", base)
		s := setup(t, first)
		openLead := func(partnerID, doc, except string) string {
			t.Helper()
			var id string
			mustWrite(t, s, func(tx energy.LeadTx) (err error) {
				id, err = tx.OpenLeadWith(partnerID, doc, except)
				return err
			})
			return id
		}
		for _, tt := range []struct {
			name, partner, doc, except, want string
		}{
			{"same partner and document", "partner-a", "11144477735", "", first.ID},
			{"the lead itself is excepted", "partner-a", "11144477735", first.ID, ""},
			{"another document", "partner-a", "52998224725", "", ""},
			{"another partner", "partner-b", "11144477735", "", ""},
		} {
			if got := openLead(tt.partner, tt.doc, tt.except); got != tt.want {
				t.Errorf("%s: OpenLeadWith = %q, want %q", tt.name, got, tt.want)
			}
		}
		// Written past the check, a second open lead is refused by the
		// partial unique index, and nothing of it stays.
		second := newLead("partner-a", "00000000-0000-7000-8000-000000000004", "11144477735", base.Add(time.Second))
		err := s.WriteLeads(ctx, func(tx energy.LeadTx) error { return tx.Insert(second) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second open lead past the check: err = %v, want conflict", err)
		}
		if _, err := s.Lead(ctx, "partner-a", second.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("refused lead was stored: %v", err)
		}
		// Another partner may have the same customer.
		mustCreate(t, s, newLead("partner-b", "00000000-0000-7000-8000-000000000005", "11144477735", base))
		// Once the first is closed, it is no longer open, and a new one may open.
		closed := first
		closed.Status = energy.StatusAssinado
		mustWrite(t, s, func(tx energy.LeadTx) error { return tx.Save(closed) })
		if got := openLead("partner-a", "11144477735", ""); got != "" {
			t.Fatalf("closed lead still open: OpenLeadWith = %q", got)
		}
		mustCreate(t, s, second)
		// Saving a lead into a duplicate of an open one is refused too.
		other := newLead("partner-a", "00000000-0000-7000-8000-000000000006", "52998224725", base)
		mustCreate(t, s, other)
		other.IdentificationNumber = "11144477735"
		if got := openLead("partner-a", other.IdentificationNumber, other.ID); got != second.ID {
			t.Fatalf("OpenLeadWith for the changed lead = %q, want %s", got, second.ID)
		}
		err = s.WriteLeads(ctx, func(tx energy.LeadTx) error { return tx.Save(other) })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("save into duplicate past the check: err = %v, want conflict", err)
		}
	})

	t.Run("a write is atomic and appends children", func(t *testing.T) {
		t.Parallel()
		l := newLead("partner-a", "00000000-0000-7000-8000-000000000007", "11144477735", base)
		s := setup(t, l)
		boom := errors.New("refused")
		err := s.WriteLeads(ctx, func(tx energy.LeadTx) error {
			changed := l
			changed.FullName = "Changed"
			if err := tx.Save(changed); err != nil {
				return err
			}
			if err := tx.AppendHistory(l.ID, energy.StatusChange{Status: energy.StatusNegociacao, Details: "x", At: base}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("fn error: got %v, want it returned", err)
		}
		got, _ := s.Lead(ctx, "partner-a", l.ID)
		if got.FullName != l.FullName || len(got.History) != 1 {
			t.Fatalf("refused write was saved: name %q, %d history entries", got.FullName, len(got.History))
		}

		later := base.Add(time.Hour)
		doc := energy.Document{Kind: energy.DocUtilityBill, Key: "ab/" + fmt.Sprint(1), FileName: "conta.pdf",
			ContentType: "application/pdf", Size: 10, SHA256: "00", UploadedAt: later}
		sig := energy.Signature{SignerName: "Maria", SignerCPF: "11144477735", SignedAt: later,
			IP: "192.0.2.1", UserAgent: "test", ContractSHA256: "ff", Reference: "r"}
		change := energy.StatusChange{Status: energy.StatusNegociacao, Details: "contrato", At: later}
		want := l
		want.FullName = "Maria Souza"
		want.Status, want.StatusDetails = energy.StatusNegociacao, "contrato"
		want.History = append(append([]energy.StatusChange(nil), l.History...), change)
		want.Documents = []energy.Document{doc}
		want.Signatures = []energy.Signature{sig}
		want.UpdatedAt = later
		mustWrite(t, s, func(tx energy.LeadTx) error {
			return errors.Join(tx.Save(want), tx.AppendHistory(l.ID, change), tx.AppendDocument(l.ID, doc), tx.AppendSignature(l.ID, sig))
		})
		got, err = s.Lead(ctx, "partner-a", l.ID)
		if err != nil {
			t.Fatalf("Lead: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("stored lead differs from written:\n got %+v\nwant %+v", got, want)
		}
		// The same document kind twice is a conflict and saves nothing.
		err = s.WriteLeads(ctx, func(tx energy.LeadTx) error {
			changed := want
			changed.FullName = "Should not stay"
			if err := tx.Save(changed); err != nil {
				return err
			}
			d := doc
			d.Key = "ab/2"
			return tx.AppendDocument(l.ID, d)
		})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second utility bill: err = %v, want conflict", err)
		}
		if got, _ := s.Lead(ctx, "partner-a", l.ID); got.FullName != "Maria Souza" {
			t.Fatalf("failed write left a change: %q", got.FullName)
		}
	})

	t.Run("list order, pages, total and filters", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		cpfs := []string{"11144477735", "52998224725", "39053344705", "15350946056", "71428793860"}
		saoPaulo, _ := time.LoadLocation("America/Sao_Paulo")
		// Leads 0-2 on 2024-07-01 in São Paulo, lead 3 on the 2nd; lead 4
		// at 02:30 UTC on the 2nd, which is still 23:30 on the 1st there.
		times := []time.Time{
			time.Date(2024, 7, 1, 10, 0, 0, 0, saoPaulo), time.Date(2024, 7, 1, 11, 0, 0, 0, saoPaulo),
			time.Date(2024, 7, 1, 12, 0, 0, 0, saoPaulo), time.Date(2024, 7, 2, 9, 0, 0, 0, saoPaulo),
			time.Date(2024, 7, 2, 2, 30, 0, 0, time.UTC),
		}
		var ids []string
		for i, cpf := range cpfs {
			l := newLead("partner-a", fmt.Sprintf("00000000-0000-7000-8000-0000000001%02d", i), cpf, times[i].UTC())
			l.FullName = []string{"Ana Lima", "Bruno Alves", "Ana Paula Reis", "Carla Dias", "Davi Souza"}[i]
			l.SellerName = []string{"João Vendedor", "joao vendedor", "Outro", "Outro", "Outro"}[i]
			if i == 3 {
				l.PersonType, l.CompanyName, l.IdentificationNumber = energy.Juridical, "Anápolis Energia LTDA", "11222333000181"
			}
			if i == 2 {
				l.Status = energy.StatusNegociacao
			}
			mustCreate(t, s, l)
			ids = append(ids, l.ID)
		}
		mustCreate(t, s, newLead("partner-b", "00000000-0000-7000-8000-000000000199", "11144477735", base))

		// The domain's day filter: 2024-07-01 in São Paulo.
		day, err := energy.ParseLeadQuery("", "", "created_at:2024-07-01")
		if err != nil {
			t.Fatal(err)
		}
		from1, to1 := day.CreatedFrom, day.CreatedTo
		tests := []struct {
			name   string
			q      energy.LeadQuery
			want   []int // indexes into ids, in order
			total  int
			capped bool
		}{
			{"all, newest first", energy.LeadQuery{Page: 1, Limit: 10}, []int{3, 4, 2, 1, 0}, 5, false},
			{"first page", energy.LeadQuery{Page: 1, Limit: 2}, []int{3, 4}, 5, false},
			{"last page", energy.LeadQuery{Page: 3, Limit: 2}, []int{0}, 5, false},
			{"beyond the end", energy.LeadQuery{Page: 4, Limit: 2}, []int{}, 5, false},
			{"status", energy.LeadQuery{Page: 1, Limit: 10, Status: energy.StatusNegociacao}, []int{2}, 1, false},
			{"seller folded", energy.LeadQuery{Page: 1, Limit: 10, SellerName: "joao vendedor"}, []int{1, 0}, 2, false},
			{"created_at day in São Paulo", energy.LeadQuery{Page: 1, Limit: 10, CreatedFrom: from1, CreatedTo: to1}, []int{4, 2, 1, 0}, 4, false},
			{"customer document prefix", energy.LeadQuery{Page: 1, Limit: 10, Customer: &energy.CustomerFilter{ByDocument: true, Prefix: "5299"}}, []int{1}, 1, false},
			{"customer full CNPJ", energy.LeadQuery{Page: 1, Limit: 10, Customer: &energy.CustomerFilter{ByDocument: true, Prefix: "11222333000181"}}, []int{3}, 1, false},
			{"customer name prefix", energy.LeadQuery{Page: 1, Limit: 10, Customer: &energy.CustomerFilter{Prefix: "ana"}}, []int{3, 2, 0}, 3, false},
			{"customer company name", energy.LeadQuery{Page: 1, Limit: 10, Customer: &energy.CustomerFilter{Prefix: "anapolis"}}, []int{3}, 1, false},
			{"filters combine", energy.LeadQuery{Page: 1, Limit: 10, Customer: &energy.CustomerFilter{Prefix: "ana"}, CreatedFrom: from1, CreatedTo: to1}, []int{2, 0}, 2, false},
			{"nothing matches", energy.LeadQuery{Page: 1, Limit: 10, Status: energy.StatusAssinado}, []int{}, 0, false},
			{"seller and status", energy.LeadQuery{Page: 1, Limit: 10, SellerName: "outro", Status: energy.StatusNegociacao}, []int{2}, 1, false},
			{"seller and day", energy.LeadQuery{Page: 1, Limit: 10, SellerName: "outro", CreatedFrom: from1, CreatedTo: to1}, []int{4, 2}, 2, false},
			{"seller, day and status", energy.LeadQuery{Page: 1, Limit: 10, SellerName: "outro", CreatedFrom: from1, CreatedTo: to1, Status: energy.StatusIndicado}, []int{4}, 1, false},
			// A customer filter counts its matches up to TotalCap: "ana"
			// matches leads 0, 2 and 3 (by its company name).
			{"customer at the cap: exact", energy.LeadQuery{Page: 1, Limit: 10, TotalCap: 3, Customer: &energy.CustomerFilter{Prefix: "ana"}}, []int{3, 2, 0}, 3, false},
			{"customer over the cap", energy.LeadQuery{Page: 1, Limit: 10, TotalCap: 2, Customer: &energy.CustomerFilter{Prefix: "ana"}}, []int{3, 2, 0}, 2, true},
			{"a page past a capped total", energy.LeadQuery{Page: 2, Limit: 2, TotalCap: 2, Customer: &energy.CustomerFilter{Prefix: "ana"}}, []int{0}, 2, true},
			{"customer and a day, over the cap", energy.LeadQuery{Page: 1, Limit: 10, TotalCap: 1, Customer: &energy.CustomerFilter{Prefix: "ana"}, CreatedFrom: from1, CreatedTo: to1}, []int{2, 0}, 1, true},
			{"customer and a narrower status: exact", energy.LeadQuery{Page: 1, Limit: 10, TotalCap: 1, Customer: &energy.CustomerFilter{Prefix: "ana"}, Status: energy.StatusNegociacao}, []int{2}, 1, false},
			{"customer and a seller, under the cap", energy.LeadQuery{Page: 1, Limit: 10, TotalCap: 10, Customer: &energy.CustomerFilter{Prefix: "ana"}, SellerName: "outro"}, []int{3, 2}, 2, false},
			{"customer document over the cap", energy.LeadQuery{Page: 1, Limit: 10, TotalCap: 1, Customer: &energy.CustomerFilter{ByDocument: true, Prefix: "1"}}, []int{3, 0}, 1, true},
		}
		for _, tt := range tests {
			leads, total, err := s.ListLeads(ctx, "partner-a", tt.q)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got := make([]string, len(leads))
			for i, l := range leads {
				got[i] = l.ID
			}
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = ids[w]
			}
			if total != (energy.LeadTotal{Count: tt.total, Capped: tt.capped}) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: got %v (total %+v), want %v (total %d, capped %v)", tt.name, got, total, want, tt.total, tt.capped)
			}
		}
	})

	t.Run("totals follow the counts", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		var first energy.Lead
		for i, cpf := range []string{"11144477735", "52998224725", "39053344705"} {
			l := newLead("partner-a", fmt.Sprintf("00000000-0000-7000-8000-0000000003%02d", i), cpf, base.Add(time.Duration(i)*time.Second))
			mustCreate(t, s, l)
			if i == 0 {
				first = l
			}
		}
		mustCreate(t, s, newLead("partner-b", "00000000-0000-7000-8000-000000000399", "11144477735", base))
		mustWrite(t, s, func(tx energy.LeadTx) error {
			return errors.Join(tx.AdjustCount(first, energy.StatusIndicado, -1), tx.AdjustCount(first, energy.StatusAssinado, 1))
		})
		// A refused write must not move the counts either.
		_ = s.WriteLeads(ctx, func(tx energy.LeadTx) error {
			if err := tx.AdjustCount(first, energy.StatusNegociacao, 1); err != nil {
				return err
			}
			return errors.New("refused")
		})
		day, err := energy.ParseLeadQuery("", "", "created_at:2024-07-01")
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			status energy.LeadStatus
			want   int
		}{{"", 3}, {energy.StatusIndicado, 2}, {energy.StatusAssinado, 1}, {energy.StatusNegociacao, 0}} {
			_, total, err := s.ListLeads(ctx, "partner-a", energy.LeadQuery{Page: 1, Limit: 10, Status: tt.status})
			if err != nil || total != (energy.LeadTotal{Count: tt.want}) {
				t.Errorf("status %q: total %+v, %v; want %d", tt.status, total, err, tt.want)
			}
			// The tallies of the seller and day move with the same counts.
			_, total, err = s.ListLeads(ctx, "partner-a", energy.LeadQuery{Page: 1, Limit: 10, Status: tt.status,
				SellerName: "vendedor", CreatedFrom: day.CreatedFrom, CreatedTo: day.CreatedTo})
			if err != nil || total != (energy.LeadTotal{Count: tt.want}) {
				t.Errorf("seller, day and status %q: total %+v, %v; want %d", tt.status, total, err, tt.want)
			}
		}
	})

	t.Run("tallies per status and day, per seller", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		// Two days apart in São Paulo (base is 09:00 there), two sellers.
		for i, tt := range []struct {
			seller string
			at     time.Time
			status energy.LeadStatus
		}{{"Vendedor", base, energy.StatusIndicado}, {"Vendedor", base, energy.StatusAssinado},
			{"Outra Vendedora", base.Add(48 * time.Hour), energy.StatusIndicado}} {
			l := newLead("partner-a", fmt.Sprintf("00000000-0000-7000-8000-0000000005%02d", i), cpfs[i], tt.at)
			l.SellerName, l.Status = tt.seller, tt.status
			mustCreate(t, s, l)
		}
		mustCreate(t, s, newLead("partner-b", "00000000-0000-7000-8000-000000000599", "11144477735", base))
		tally := func(day string, status energy.LeadStatus) energy.DayTally {
			return energy.DayTally{Day: day, Status: status, Leads: 1}
		}
		for _, tt := range []struct {
			name, seller, since string
			status              map[energy.LeadStatus]int
			days                []energy.DayTally
		}{
			{"the partner's", "", "2024-07-01", map[energy.LeadStatus]int{energy.StatusIndicado: 2, energy.StatusAssinado: 1},
				[]energy.DayTally{tally("2024-07-01", energy.StatusAssinado), tally("2024-07-01", energy.StatusIndicado), tally("2024-07-03", energy.StatusIndicado)}},
			{"from a later day", "", "2024-07-02", map[energy.LeadStatus]int{energy.StatusIndicado: 2, energy.StatusAssinado: 1},
				[]energy.DayTally{tally("2024-07-03", energy.StatusIndicado)}},
			{"a seller's", "outra vendedora", "2024-06-01", map[energy.LeadStatus]int{energy.StatusIndicado: 1},
				[]energy.DayTally{tally("2024-07-03", energy.StatusIndicado)}},
		} {
			got, err := s.LeadTallies(ctx, "partner-a", tt.seller, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range got.ByStatus { // a status once counted may stay at 0
				if v == 0 {
					delete(got.ByStatus, k)
				}
			}
			if !reflect.DeepEqual(got.ByStatus, tt.status) || !reflect.DeepEqual(got.ByDay, tt.days) {
				t.Errorf("%s tallies = %+v, want %v %v", tt.name, got, tt.status, tt.days)
			}
		}
	})

	t.Run("export streams every match in list order", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		for i, seller := range []string{"Vendedor", "Outro", "Vendedor"} {
			l := newLead("partner-a", fmt.Sprintf("00000000-0000-7000-8000-0000000006%02d", i), cpfs[i], base.Add(time.Duration(i)*time.Second))
			l.SellerName = seller
			mustCreate(t, s, l)
		}
		mustCreate(t, s, newLead("partner-b", "00000000-0000-7000-8000-000000000699", "11144477735", base))
		var ids []string
		err := s.ExportLeads(ctx, "partner-a", energy.LeadQuery{SellerName: "vendedor"}, func(l energy.Lead) error {
			ids = append(ids, l.ID)
			return nil
		})
		want := []string{"00000000-0000-7000-8000-000000000602", "00000000-0000-7000-8000-000000000600"}
		if err != nil || !reflect.DeepEqual(ids, want) {
			t.Fatalf("export = %v, %v; want %v", ids, err, want)
		}
		stop := errors.New("stop")
		n := 0
		if err := s.ExportLeads(ctx, "partner-a", energy.LeadQuery{}, func(energy.Lead) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("a stopped export: %d leads, %v", n, err)
		}
	})

	t.Run("list carries documents", func(t *testing.T) {
		t.Parallel()
		l := newLead("partner-a", "00000000-0000-7000-8000-000000000201", "11144477735", base)
		s := setup(t, l)
		mustWrite(t, s, func(tx energy.LeadTx) error {
			return tx.AppendDocument(l.ID, energy.Document{Kind: energy.DocIDFront, Key: "cd/1", FileName: "rg.png",
				ContentType: "image/png", Size: 3, SHA256: "aa", UploadedAt: base})
		})
		leads, _, err := s.ListLeads(ctx, "partner-a", energy.LeadQuery{Page: 1, Limit: 10})
		if err != nil || len(leads) != 1 || len(leads[0].Documents) != 1 || leads[0].Documents[0].Kind != energy.DocIDFront {
			t.Fatalf("ListLeads = %+v, %v; want the lead with its document", leads, err)
		}
	})
	t.Run("documents dropped, history redacted", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		l := fullLead("partner-a", "00000000-0000-7000-8000-000000000301", base)
		other := fullLead("partner-a", "00000000-0000-7000-8000-000000000302", base)
		other.Documents[0].Key, other.Contract.SignReference, other.IdentificationNumber = "aa/other", "ref-other", "47526391000146"
		mustCreate(t, s, l)
		mustCreate(t, s, other)
		mustWrite(t, s, func(tx energy.LeadTx) error {
			return errors.Join(tx.DeleteDocuments(l.ID), tx.RedactHistory(l.ID, "removido"))
		})
		got, err := s.Lead(ctx, "partner-a", l.ID)
		if err != nil || len(got.Documents) != 0 || len(got.History) != 2 || got.History[0].Details != "removido" || got.History[1].Details != "removido" {
			t.Fatalf("after DeleteDocuments and RedactHistory: %+v, %v", got, err)
		}
		if o, err := s.Lead(ctx, "partner-a", other.ID); err != nil || len(o.Documents) != 1 || o.History[0].Details != "novo" {
			t.Fatalf("another lead changed: %+v, %v", o, err)
		}
	})

	t.Run("leads past retention", func(t *testing.T) {
		t.Parallel()
		s := setup(t)
		withFile := newLead("partner-a", "00000000-0000-7000-8000-000000000401", "11144477735", base)
		withFile.Documents = []energy.Document{{Kind: energy.DocUtilityBill, Key: "ret/1", FileName: "c.pdf", ContentType: "application/pdf", Size: 1, SHA256: "a", UploadedAt: base}}
		withLogin := newLead("partner-b", "00000000-0000-7000-8000-000000000402", "52998224725", base.Add(time.Hour))
		withLogin.Credentials = []byte{1}
		bare := newLead("partner-a", "00000000-0000-7000-8000-000000000403", "60738456004", base)
		signed := newLead("partner-a", "00000000-0000-7000-8000-000000000404", "39053344705", base)
		signed.Status, signed.Credentials = energy.StatusAssinado, []byte{1}
		recent := newLead("partner-a", "00000000-0000-7000-8000-000000000405", "86288366757", base.Add(48*time.Hour))
		recent.Credentials = []byte{1}
		for _, l := range []energy.Lead{withFile, withLogin, bare, signed, recent} {
			mustCreate(t, s, l)
		}
		refs, err := s.LeadsPastRetention(ctx, base.Add(24*time.Hour), 10)
		want := []energy.LeadRef{{PartnerID: "partner-a", ID: withFile.ID}, {PartnerID: "partner-b", ID: withLogin.ID}}
		if err != nil || !reflect.DeepEqual(refs, want) {
			t.Fatalf("LeadsPastRetention = %+v, %v; want %+v (oldest change first)", refs, err, want)
		}
		if refs, err := s.LeadsPastRetention(ctx, base.Add(24*time.Hour), 1); err != nil || len(refs) != 1 {
			t.Fatalf("LeadsPastRetention with limit 1 = %+v, %v", refs, err)
		}
	})
}

// mustWrite runs fn in one write transaction of s.
func mustWrite(t *testing.T, s energy.LeadStore, fn func(energy.LeadTx) error) {
	t.Helper()
	if err := s.WriteLeads(context.Background(), fn); err != nil {
		t.Fatalf("WriteLeads: %v", err)
	}
}

// mustCreate stores l with its children and counts it, through the
// primitives.
func mustCreate(t *testing.T, s energy.LeadStore, l energy.Lead) {
	t.Helper()
	mustWrite(t, s, func(tx energy.LeadTx) error {
		errs := []error{tx.Insert(l), tx.AdjustCount(l, l.Status, 1)}
		for _, h := range l.History {
			errs = append(errs, tx.AppendHistory(l.ID, h))
		}
		for _, d := range l.Documents {
			errs = append(errs, tx.AppendDocument(l.ID, d))
		}
		for _, sg := range l.Signatures {
			errs = append(errs, tx.AppendSignature(l.ID, sg))
		}
		return errors.Join(errs...)
	})
}

// newLead is a minimal valid natural lead in São Paulo.
func newLead(partnerID, id, cpf string, at time.Time) energy.Lead {
	return energy.Lead{
		ID: id, PartnerID: partnerID, SellerName: "Vendedor", PersonType: energy.Natural,
		FullName: "Cliente Teste", Email: "cliente@example.com", MobilePhone: "11999885544",
		UtilityBillHolder: energy.Natural, UtilityBillCents: 85015, IdentificationNumber: cpf,
		Nationality: "Brasileira", MaritalStatus: "Solteira", Profession: "Engenheira",
		Address: energy.Address{ZipCode: "01310100", State: "SP", City: "São Paulo", IBGECode: 3550308,
			Street: "Avenida Paulista", Number: "1000", Neighborhood: "Bela Vista"},
		Status: energy.StatusIndicado, StatusDetails: "novo",
		History:   []energy.StatusChange{{Status: energy.StatusIndicado, Details: "novo", At: at}},
		CreatedAt: at, UpdatedAt: at,
	}
}

// fullLead sets every field a lead can have.
func fullLead(partnerID, id string, at time.Time) energy.Lead {
	l := newLead(partnerID, id, "11222333000181", at)
	l.PersonType, l.CompanyName, l.PersonCPF = energy.Juridical, "Empresa Social LTDA", "11144477735"
	l.InstallationNumber, l.BirthDate = "4324234432", "1995-05-10"
	l.Address.Complement = "Conjunto 2"
	l.UtilityID, l.UtilityName = "a06dcadc-fe16-44ee-b541-0c4658aad3e0", "ENEL SP"
	l.Plan = &energy.LeadPlan{ID: 7, Name: "Plano Premium", Discount: "0.14", FidelityMonths: 60, Benefit: "Primeira Fatura Grátis"}
	l.Status, l.StatusDetails = energy.StatusNegociacao, "Contrato enviado"
	l.History = append(l.History, energy.StatusChange{Status: energy.StatusNegociacao, Details: "Contrato enviado", At: at.Add(time.Minute)})
	l.Credentials = []byte{1, 2, 3, 0, 255}
	l.Documents = []energy.Document{{Kind: energy.DocUtilityBill, Key: "aa/0123", FileName: "conta de luz.pdf",
		ContentType: "application/pdf", Size: 1234, SHA256: "abcd", UploadedAt: at.Add(time.Second)}}
	l.LegalRepresentatives = []energy.LegalRepresentative{{Name: "John Doe", CPF: "60738456004", Email: "john@example.com",
		Cellphone: "11999885544", Nationality: "Brasileiro", Profession: "Diretor", MaritalStatus: "Casado",
		Address: energy.Address{ZipCode: "13010000", State: "SP", City: "Campinas", IBGECode: 3509502, Street: "Rua A", Number: "1", Neighborhood: "Centro"}}}
	l.Contract = &energy.Contract{Key: "bb/4567", SHA256: "ef01", Size: 4321, CreatedAt: at.Add(time.Minute),
		SignProvider: "pagina", SignReference: "ref-" + id, SignLink: []byte{9, 8, 7}, SignExpiresAt: at.Add(7 * 24 * time.Hour),
		Codes: []energy.SignCode{{CPF: "60738456004", MAC: []byte{4, 5, 6}, ExpiresAt: at.Add(10 * time.Minute), SentAt: at, Sends: 1, Failures: 2}}}
	l.Signatures = []energy.Signature{{SignerName: "John Doe", SignerCPF: "60738456004", SignedAt: at.Add(2 * time.Minute),
		IP: "192.0.2.10", ForwardedFor: "198.51.100.1", UserAgent: "Mozilla/5.0", ContractSHA256: "ef01", Reference: "ref-" + id}}
	l.UpdatedAt = at.Add(2 * time.Minute)
	return l
}
