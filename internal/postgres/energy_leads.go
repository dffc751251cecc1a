package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyLeadStore keeps the energy surface's leads: the shared reads and
// write primitives (storesql.EnergyLeads, storesql.EnergyLeadTx), whose
// statements pgx prepares and caches.
type EnergyLeadStore struct {
	storesql.EnergyLeads
	db *DB
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// newEnergyLeadStore returns the store.
func newEnergyLeadStore(db *DB) *EnergyLeadStore {
	return &EnergyLeadStore{EnergyLeads: storesql.NewEnergyLeads(db.Shared(), db.Shared()), db: db}
}

// WriteLeads implements energy.LeadStore.
func (s *EnergyLeadStore) WriteLeads(ctx context.Context, fn func(energy.LeadTx) error) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		return fn(energyLeadTx{storesql.EnergyLeadTx{Ctx: ctx, Tx: txQuerier{tx}, Lock: " FOR UPDATE"}})
	}))
}

// energyLeadTx is the shared primitives with the lead locked (FOR UPDATE)
// until the commit, so concurrent changes of one lead apply one after the
// other, and the open-lead index's violations marked.
type energyLeadTx struct{ storesql.EnergyLeadTx }

func (t energyLeadTx) Insert(l energy.Lead) error { return openLeadTaken(t.EnergyLeadTx.Insert(l)) }

func (t energyLeadTx) Save(l energy.Lead) error { return openLeadTaken(t.EnergyLeadTx.Save(l)) }

// openLeadTaken marks the open-lead index's violation: a concurrent
// transaction opened a lead for the customer after this one checked.
func openLeadTaken(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "energy_leads_open_document" {
		return fmt.Errorf("%w: %w", energy.ErrOpenLeadTaken, err)
	}
	return err
}

// ListLeads implements energy.LeadStore.
func (s *EnergyLeadStore) ListLeads(ctx context.Context, partnerID string, q energy.LeadQuery) ([]energy.Lead, int, error) {
	where, args := listWhere(partnerID, q)
	var count storesql.Row
	switch {
	case !storesql.TotalFromCounts(q):
		count = s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM energy_leads WHERE `+where, args...)
	case q.Status != "":
		count = s.db.Shared().QueryRow(ctx, storesql.CountStatusSQL, partnerID, string(q.Status))
	default:
		count = s.db.Shared().QueryRow(ctx, storesql.CountAllSQL, partnerID)
	}
	var total int
	if err := count.Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	if total <= q.Offset() {
		return []energy.Lead{}, total, nil
	}
	n := len(args)
	rows, err := s.db.Pool.Query(ctx, fmt.Sprintf(`SELECT `+storesql.LeadColumns+` FROM energy_leads WHERE %s`+
		storesql.LeadOrder(q)+` LIMIT $%d OFFSET $%d`, where, n+1, n+2), append(args, q.Limit, q.Offset())...)
	if err != nil {
		return nil, 0, MapError(err)
	}
	defer rows.Close()
	leads, err := storesql.CollectAll(rows, storesql.ScanLead)
	if err != nil {
		return nil, 0, MapError(err)
	}
	page := storesql.NewLeadPage(leads)
	docs, err := s.db.Pool.Query(ctx, `SELECT lead_id, `+storesql.DocumentColumns+` FROM energy_lead_documents
		WHERE lead_id = ANY($1) ORDER BY uploaded_at, kind`, page.IDs())
	if err != nil {
		return nil, 0, MapError(err)
	}
	defer docs.Close()
	return page.Leads, total, MapError(storesql.EachRow(docs, page.ScanDocument))
}

// listWhere builds the filter from fixed fragments; values are only ever
// bound, never spliced.
func listWhere(partnerID string, q energy.LeadQuery) (string, []any) {
	args := []any{partnerID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where := []string{"partner_id = $1"}
	if q.Status != "" {
		where = append(where, "status = "+arg(string(q.Status)))
	}
	if q.SellerName != "" {
		where = append(where, "seller_name_folded = "+arg(q.SellerName))
	}
	if !q.CreatedFrom.IsZero() {
		where = append(where, "created_at >= "+arg(q.CreatedFrom)+" AND created_at < "+arg(q.CreatedTo))
	}
	if !q.UpdatedSince.IsZero() {
		where = append(where, "updated_at > "+arg(q.UpdatedSince))
	}
	if c := q.Customer; c != nil {
		lo, hi := arg(c.Prefix), arg(energy.PrefixEnd(c.Prefix))
		switch {
		case c.ByDocument:
			where = append(where, "identification_number >= "+lo+" AND identification_number < "+hi)
		case q.SellerName != "" || !q.CreatedFrom.IsZero() || !q.UpdatedSince.IsZero():
			// A seller or a day narrows the leads more than a name prefix
			// can: test the names on the rows their index finds.
			where = append(where, `(full_name_folded >= `+lo+` AND full_name_folded < `+hi+
				` OR company_name_folded >= `+lo+` AND company_name_folded < `+hi+`)`)
		default:
			// The names drive: two index range scans joined, where an OR
			// may be answered with a scan of the partner's leads.
			where = append(where, `id IN (
				SELECT id FROM energy_leads WHERE partner_id = $1 AND full_name_folded >= `+lo+` AND full_name_folded < `+hi+`
				UNION ALL
				SELECT id FROM energy_leads WHERE partner_id = $1 AND company_name_folded <> '' AND company_name_folded >= `+lo+` AND company_name_folded < `+hi+`)`)
		}
	}
	return strings.Join(where, " AND "), args
}
