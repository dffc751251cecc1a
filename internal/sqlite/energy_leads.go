package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyLeadStore keeps the energy surface's leads: the shared reads and
// write primitives (storesql.EnergyLeads, storesql.EnergyLeadTx) on
// statements prepared once, the reads on the reader pool and the writes on
// the writer, bound to its transaction with tx.StmtContext.
type EnergyLeadStore struct {
	storesql.EnergyLeads
	db *DB

	reads, writes statements // storesql.LeadReadSQL, storesql.LeadWriteSQL

	// lists caches the prepared list statements: one per combination of
	// filters, so a handful at most.
	listMu sync.Mutex
	lists  map[string]*sql.Stmt
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// newEnergyLeadStore prepares the store's statements.
func newEnergyLeadStore(db *DB) (*EnergyLeadStore, error) {
	s := &EnergyLeadStore{db: db, lists: map[string]*sql.Stmt{}}
	var err error
	if s.reads, err = prepareAll(context.Background(), db.reader, storesql.LeadReadSQL); err != nil {
		return nil, fmt.Errorf("sqlite: prepare energy lead statement: %w", err)
	}
	if s.writes, err = prepareAll(context.Background(), db.writer, storesql.LeadWriteSQL); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: prepare energy lead statement: %w", err), s.reads.Close())
	}
	s.EnergyLeads = storesql.NewEnergyLeads(db.Shared(), preparedDB{DB: db.Shared(), db: db, reads: s.reads, writes: s.writes})
	return s, nil
}

// Close releases the prepared statements.
func (s *EnergyLeadStore) Close() error {
	errs := []error{s.reads.Close(), s.writes.Close()}
	s.listMu.Lock()
	for _, st := range s.lists {
		errs = append(errs, st.Close())
	}
	s.listMu.Unlock()
	return errors.Join(errs...)
}

// WriteLeads implements energy.LeadStore. fn runs on the writer goroutine
// inside the shared write transaction, which is what makes a
// read-modify-write atomic (and the open-lead check exact: no other writer
// runs meanwhile, so the lead's select needs no lock).
func (s *EnergyLeadStore) WriteLeads(ctx context.Context, fn func(energy.LeadTx) error) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		return fn(storesql.EnergyLeadTx{Ctx: ctx, Tx: preparedTx{tx: tx, stmts: s.writes}})
	}))
}

// ListLeads implements energy.LeadStore.
func (s *EnergyLeadStore) ListLeads(ctx context.Context, partnerID string, q energy.LeadQuery) ([]energy.Lead, int, error) {
	where, args := listWhere(partnerID, q)
	var count *sql.Row
	switch {
	case !storesql.TotalFromCounts(q):
		countStmt, err := s.listStmt(`SELECT count(*) FROM energy_leads WHERE ` + where)
		if err != nil {
			return nil, 0, err
		}
		count = countStmt.QueryRowContext(ctx, args...)
	case q.Status != "":
		count = s.reads[storesql.CountStatusSQL].QueryRowContext(ctx, partnerID, string(q.Status))
	default:
		count = s.reads[storesql.CountAllSQL].QueryRowContext(ctx, partnerID)
	}
	var total int
	if err := count.Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	if total <= q.Offset() {
		return []energy.Lead{}, total, nil
	}
	pageStmt, err := s.listStmt(`SELECT ` + storesql.LeadColumns + ` FROM energy_leads WHERE ` + where +
		storesql.LeadOrder(q) + ` LIMIT ? OFFSET ?`)
	if err != nil {
		return nil, 0, err
	}
	rows, err := pageStmt.QueryContext(ctx, append(args, q.Limit, q.Offset())...)
	leads, err := collect(rows, err, storesql.ScanLead)
	if err != nil {
		return nil, 0, MapError(err)
	}
	page := storesql.NewLeadPage(leads)
	return page.Leads, total, MapError(s.listDocuments(ctx, page))
}

// listWhere builds the filter from fixed fragments; values are only ever
// bound, never spliced.
func listWhere(partnerID string, q energy.LeadQuery) (string, []any) {
	// When a name prefix is the only narrow filter, the matching names must
	// drive the query: the unary "+" keeps SQLite from walking the
	// partner's (or status') index in created_at order instead, which it
	// prefers without statistics and which visits every lead of the
	// partner. The subquery still confines the names to the partner.
	c := q.Customer
	byName := c != nil && !c.ByDocument && q.SellerName == "" && q.CreatedFrom.IsZero() && q.UpdatedSince.IsZero()
	plus := ""
	if byName {
		plus = "+"
	}
	where := []string{plus + "partner_id = ?"}
	args := []any{partnerID}
	if q.Status != "" {
		where = append(where, plus+"status = ?")
		args = append(args, string(q.Status))
	}
	if q.SellerName != "" {
		where = append(where, "seller_name_folded = ?")
		args = append(args, q.SellerName)
	}
	if !q.CreatedFrom.IsZero() {
		where = append(where, "created_at >= ? AND created_at < ?")
		args = append(args, storesql.LeadTime(q.CreatedFrom), storesql.LeadTime(q.CreatedTo))
	}
	if !q.UpdatedSince.IsZero() {
		where = append(where, "updated_at > ?")
		args = append(args, storesql.LeadTime(q.UpdatedSince))
	}
	if c != nil {
		end := energy.PrefixEnd(c.Prefix)
		switch {
		case c.ByDocument:
			where = append(where, "identification_number >= ? AND identification_number < ?")
			args = append(args, c.Prefix, end)
		case byName:
			// Two index range scans joined, where an OR would be answered
			// with a scan of the partner's leads.
			where = append(where, `id IN (
				SELECT id FROM energy_leads WHERE partner_id = ? AND full_name_folded >= ? AND full_name_folded < ?
				UNION ALL
				SELECT id FROM energy_leads WHERE partner_id = ? AND company_name_folded <> '' AND company_name_folded >= ? AND company_name_folded < ?)`)
			args = append(args, partnerID, c.Prefix, end, partnerID, c.Prefix, end)
		default:
			// A seller or a day narrows the leads more than a name prefix
			// can: test the names on the rows their index finds.
			where = append(where, `(full_name_folded >= ? AND full_name_folded < ? OR company_name_folded >= ? AND company_name_folded < ?)`)
			args = append(args, c.Prefix, end, c.Prefix, end)
		}
	}
	return strings.Join(where, " AND "), args
}

func (s *EnergyLeadStore) listStmt(query string) (*sql.Stmt, error) {
	s.listMu.Lock()
	defer s.listMu.Unlock()
	if st, ok := s.lists[query]; ok {
		return st, nil
	}
	st, err := s.db.Reader().Prepare(query)
	if err != nil {
		return nil, MapError(err)
	}
	s.lists[query] = st
	return st, nil
}

// listDocuments loads the documents of a page of leads in one query.
func (s *EnergyLeadStore) listDocuments(ctx context.Context, page storesql.LeadPage) error {
	ids := page.IDs()
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT lead_id, `+storesql.DocumentColumns+` FROM energy_lead_documents
		WHERE lead_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY uploaded_at, kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return storesql.EachRow(rows, page.ScanDocument)
}
