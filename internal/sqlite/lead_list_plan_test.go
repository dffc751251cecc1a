package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/sqlite"
	"partnership-service/internal/storesql"
	"partnership-service/internal/testdb"
)

// planRecorder runs the lead list's queries on the reader pool and keeps
// each one's EXPLAIN QUERY PLAN.
type planRecorder struct {
	storesql.DB
	reader *sql.DB
	plans  *[]string
}

func (p planRecorder) explain(query string, args []any) {
	rows, err := p.reader.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		*p.plans = append(*p.plans, "EXPLAIN failed: "+err.Error())
		return
	}
	defer rows.Close()
	// Each line is indented under its parent, as the sqlite3 shell shows
	// the plan.
	var lines []string
	depth := map[int]int{}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			*p.plans = append(*p.plans, "EXPLAIN failed: "+err.Error())
			return
		}
		depth[id] = depth[parent] + 1
		lines = append(lines, strings.Repeat("  ", depth[id]-1)+detail)
	}
	*p.plans = append(*p.plans, strings.Join(lines, "\n"))
}

func (p planRecorder) QueryRow(ctx context.Context, query string, args ...any) storesql.Row {
	p.explain(query, args)
	return p.DB.QueryRow(ctx, query, args...)
}

func (p planRecorder) Query(ctx context.Context, query string, args ...any) (storesql.Rows, error) {
	p.explain(query, args)
	return p.DB.Query(ctx, query, args...)
}

// TestLeadListPlans: every filter of the list, alone and combined, is
// answered from an index range, never a scan of the partner's leads or a
// sort of all their matches. SQLite has no statistics here (the service
// never runs ANALYZE), so its plans depend on the schema and the query
// alone: what this test sees on a few leads is what a million get.
func TestLeadListPlans(t *testing.T) {
	t.Parallel()
	db, day := newPlanDB(t)
	ctx := context.Background()
	maria := &energy.CustomerFilter{Prefix: "maria"}
	doc := &energy.CustomerFilter{ByDocument: true, Prefix: "11144477735"}
	const (
		counts   = "SEARCH energy_lead_counts USING"
		tallies  = "SEARCH energy_lead_tallies USING"
		byName   = "USING COVERING INDEX energy_leads_partner_full_name (partner_id=? AND full_name_folded>? AND full_name_folded<?)"
		byCo     = "USING COVERING INDEX energy_leads_partner_company_name (partner_id=? AND company_name_folded>? AND company_name_folded<?)"
		byDoc    = "USING COVERING INDEX energy_leads_partner_document (partner_id=? AND identification_number>? AND identification_number<?)"
		ordered  = "USING COVERING INDEX energy_leads_partner_created (partner_id=?)"
		page     = "SEARCH energy_leads USING INDEX sqlite_autoindex_energy_leads_1 (id=?)"
		sorted   = "USE TEMP B-TREE FOR ORDER BY"
		docsRead = "SEARCH energy_lead_documents USING INDEX"
	)
	for _, tt := range []struct {
		name string
		q    energy.LeadQuery
		// want are the plan lines expected, in order over all queries;
		// sorts says how many sorts may appear (of a customer's matches,
		// at most TotalCap of them).
		want  []string
		sorts int
	}{
		{"no filter", energy.LeadQuery{}, []string{counts, page, ordered, docsRead}, 0},
		{"deep page", energy.LeadQuery{Page: 1000, Limit: 1}, []string{counts}, 0},
		{"status", energy.LeadQuery{Status: energy.StatusIndicado},
			[]string{counts, page, "USING COVERING INDEX energy_leads_partner_status (partner_id=? AND status=?)"}, 0},
		{"seller", energy.LeadQuery{SellerName: "vendedor demo"},
			[]string{tallies, page, "USING COVERING INDEX energy_leads_partner_seller (partner_id=? AND seller_name_folded=?)"}, 0},
		{"day", energy.LeadQuery{CreatedFrom: day.CreatedFrom, CreatedTo: day.CreatedTo},
			[]string{tallies + " INDEX energy_lead_tallies_day", page, "USING COVERING INDEX energy_leads_partner_created (partner_id=? AND created_at>? AND created_at<?)"}, 0},
		{"seller and status", energy.LeadQuery{SellerName: "vendedor demo", Status: energy.StatusIndicado},
			[]string{tallies, page, "USING COVERING INDEX energy_leads_partner_seller_status (partner_id=? AND seller_name_folded=? AND status=?)"}, 0},
		{"seller, day and status", energy.LeadQuery{SellerName: "vendedor demo", Status: energy.StatusIndicado, CreatedFrom: day.CreatedFrom, CreatedTo: day.CreatedTo},
			[]string{tallies, page, "USING COVERING INDEX energy_leads_partner_seller_status (partner_id=? AND seller_name_folded=? AND status=? AND created_at>? AND created_at<?)"}, 0},
		{"customer name, few", energy.LeadQuery{Customer: maria}, []string{counts, byName, byCo, page, byName, byCo}, 1},
		{"customer name, over the cap", energy.LeadQuery{Customer: maria, TotalCap: 1}, []string{counts, byName, byCo, page, "USING INDEX energy_leads_partner_created (partner_id=?)"}, 0},
		{"customer document", energy.LeadQuery{Customer: doc}, []string{counts, byDoc, page, byDoc}, 1},
		{"customer name and seller, over the cap", energy.LeadQuery{Customer: maria, SellerName: "vendedor demo", TotalCap: 1},
			[]string{tallies, byName, byCo, page, "USING INDEX energy_leads_partner_seller (partner_id=? AND seller_name_folded=?)"}, 0},
		{"customer name and day, few", energy.LeadQuery{Customer: maria, CreatedFrom: day.CreatedFrom, CreatedTo: day.CreatedTo},
			[]string{tallies, byName, byCo, byName, byCo, page, byName, byCo}, 1},
		{"customer name and a narrower status", energy.LeadQuery{Customer: maria, Status: energy.StatusNegociacao, TotalCap: 1},
			[]string{counts, byName, byCo, "USING INDEX energy_leads_partner_status (partner_id=? AND status=?)", page, "USING INDEX energy_leads_partner_status (partner_id=? AND status=?)"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			leads, plans := db.recordedLeads()
			q := tt.q
			q.Page, q.Limit = max(q.Page, 1), max(q.Limit, 10)
			if q.TotalCap == 0 {
				q.TotalCap = energy.LeadTotalCap
			}
			if _, _, err := leads.ListLeads(ctx, "p", q); err != nil {
				t.Fatal(err)
			}
			all := strings.Join(*plans, "\n")
			rest := all
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("plan lacks %q (in order); plans:\n%s", w, all)
				}
				rest = rest[i+len(w):]
			}
			for _, line := range strings.Split(all, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "SCAN energy_leads") {
					t.Errorf("a scan of every lead: %q; plans:\n%s", line, all)
				}
			}
			// A sort at the top of a query orders the page's rows (or
			// documents); one inside a subquery orders the matches.
			if n := strings.Count(all, "  "+sorted); n > tt.sorts {
				t.Errorf("%d sorts, want at most %d; plans:\n%s", n, tt.sorts, all)
			}
		})
	}
}

// planDB is a fresh SQLite database holding three leads of partner "p"
// named Maria, by one seller on one day, one of them in negociacao.
type planDB struct{ stores *sqlite.Stores }

// newPlanDB returns the database and the leads' day (created_at:2024-07-01).
func newPlanDB(t *testing.T) (planDB, energy.LeadQuery) {
	t.Helper()
	day, err := energy.ParseLeadQuery("", "", "created_at:2024-07-01")
	if err != nil {
		t.Fatal(err)
	}
	db := planDB{testdb.SQLite(t)}
	db.seed(t, day.CreatedFrom)
	return db, day
}

// recordedLeads reads the leads through a planRecorder; plans grows by
// the plan of each query it runs.
func (db planDB) recordedLeads() (leads storesql.EnergyLeads, plans *[]string) {
	plans = new([]string)
	shared := db.stores.DB.Shared()
	return storesql.NewEnergyLeads(shared, planRecorder{DB: shared, reader: db.stores.DB.Reader(), plans: plans}, "+"), plans
}

func (db planDB) seed(t *testing.T, day time.Time) {
	t.Helper()
	ctx := context.Background()
	partners, store := db.stores.EnergyPartners(), db.stores.EnergyLeads()
	if err := partners.CreatePartner(ctx, energy.Partner{ID: "p", Name: "P", CreatedAt: day}); err != nil {
		t.Fatal(err)
	}
	for i, cpf := range []string{"11144477735", "52998224725", "39053344705"} {
		at := day.Add(time.Duration(i+1) * time.Hour)
		l := energy.Lead{ID: fmt.Sprintf("00000000-0000-7000-8000-00000000000%d", i), PartnerID: "p", SellerName: "Vendedor Demo",
			PersonType: energy.Natural, FullName: "Maria da Silva", UtilityBillHolder: energy.Natural, UtilityBillCents: 100,
			IdentificationNumber: cpf, Address: energy.Address{State: "SP", IBGECode: 3550308},
			Status: energy.StatusIndicado, CreatedAt: at, UpdatedAt: at}
		if i == 2 {
			l.Status = energy.StatusNegociacao
		}
		if err := store.WriteLeads(ctx, func(tx energy.LeadTx) error {
			return errors.Join(tx.Insert(l), tx.AdjustCount(l, l.Status, 1))
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPipelineTallyPlans: the console's figures (per status, and per day
// over the last 30 days, of the partner or of one seller) are read from
// the tallies' indexes, never a scan of the leads or of the tallies.
func TestPipelineTallyPlans(t *testing.T) {
	t.Parallel()
	db, _ := newPlanDB(t)
	for _, tt := range []struct {
		name, seller string
		want         []string
	}{
		{"the partner's", "", []string{"SEARCH energy_lead_counts USING", "SEARCH energy_lead_tallies USING INDEX energy_lead_tallies_day (partner_id=? AND created_day>?)"}},
		{"a seller's", "vendedor demo", []string{"SEARCH energy_lead_tallies USING INDEX sqlite_autoindex_energy_lead_tallies_1 (partner_id=? AND seller_name_folded=?)",
			"SEARCH energy_lead_tallies USING INDEX sqlite_autoindex_energy_lead_tallies_1 (partner_id=? AND seller_name_folded=? AND created_day>?)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			leads, plans := db.recordedLeads()
			got, err := leads.LeadTallies(context.Background(), "p", tt.seller, "2024-06-02")
			if err != nil || len(got.ByDay) == 0 {
				t.Fatalf("tallies %+v, %v", got, err)
			}
			all := strings.Join(*plans, "\n")
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("plan lacks %q; plans:\n%s", w, all)
				}
			}
			if strings.Contains(all, "SCAN ") {
				t.Errorf("a scan; plans:\n%s", all)
			}
		})
	}
}

// TestLeadExportPlans: the CSV export walks an index in list order (no
// sort of the matches, which would hold them all before the first row),
// the other filters' index when there is one.
func TestLeadExportPlans(t *testing.T) {
	t.Parallel()
	db, _ := newPlanDB(t)
	for _, tt := range []struct {
		name string
		q    energy.LeadQuery
		want string
	}{
		{"every lead", energy.LeadQuery{}, "USING INDEX energy_leads_partner_created (partner_id=?)"},
		{"a seller's", energy.LeadQuery{SellerName: "vendedor demo"}, "USING INDEX energy_leads_partner_seller (partner_id=? AND seller_name_folded=?)"},
		{"a status", energy.LeadQuery{Status: energy.StatusIndicado}, "USING INDEX energy_leads_partner_status (partner_id=? AND status=?)"},
		{"a customer", energy.LeadQuery{Customer: &energy.CustomerFilter{Prefix: "maria"}}, "USING INDEX energy_leads_partner_created (partner_id=?)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			leads, plans := db.recordedLeads()
			n := 0
			if err := leads.ExportLeads(context.Background(), "p", tt.q, func(energy.Lead) error { n++; return nil }); err != nil || n == 0 {
				t.Fatalf("exported %d, %v", n, err)
			}
			all := strings.Join(*plans, "\n")
			if !strings.Contains(all, tt.want) || strings.Contains(all, "TEMP B-TREE") {
				t.Errorf("plan lacks %q or sorts; plans:\n%s", tt.want, all)
			}
		})
	}
}
