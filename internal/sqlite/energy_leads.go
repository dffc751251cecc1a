package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyLeadStore keeps the energy surface's leads.
type EnergyLeadStore struct {
	db *DB

	// Reader statements.
	lead, docs, history, signatures, leadBySignRef, countAll, countStatus *sql.Stmt
	// Writer statements, bound to the write transaction with tx.StmtContext.
	wLead, wDocs, wHistory, wSignatures, wOpenLead                                        *sql.Stmt
	insertLead, updateLead, insertDoc, insertHistory, insertSignature, countUp, countDown *sql.Stmt

	// lists caches the prepared list statements: one per combination of
	// filters, so a handful at most.
	listMu sync.Mutex
	lists  map[string]*sql.Stmt
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// newEnergyLeadStore prepares the store's statements.
func newEnergyLeadStore(db *DB) (*EnergyLeadStore, error) {
	s := &EnergyLeadStore{db: db, lists: map[string]*sql.Stmt{}}
	selectLead := `SELECT ` + storesql.LeadColumns + ` FROM energy_leads WHERE partner_id = ? AND id = ?`
	selectDocs := `SELECT ` + storesql.DocumentColumns + ` FROM energy_lead_documents WHERE lead_id = ? ORDER BY uploaded_at, kind`
	selectHistory := `SELECT ` + storesql.HistoryColumns + ` FROM energy_lead_status_history WHERE lead_id = ? ORDER BY id`
	selectSignatures := `SELECT ` + storesql.SignatureColumns + ` FROM energy_lead_signatures WHERE lead_id = ? ORDER BY signed_at, signer_cpf`
	sets := make([]string, len(storesql.LeadMutable))
	for i, c := range storesql.LeadMutable {
		sets[i] = c + " = ?"
	}
	stmts := []struct {
		dst  **sql.Stmt
		pool *sql.DB
		sql  string
	}{
		{&s.lead, db.Reader(), selectLead},
		{&s.docs, db.Reader(), selectDocs},
		{&s.history, db.Reader(), selectHistory},
		{&s.signatures, db.Reader(), selectSignatures},
		{&s.leadBySignRef, db.Reader(), `SELECT ` + storesql.LeadColumns + ` FROM energy_leads WHERE sign_reference = ?`},
		{&s.countAll, db.Reader(), `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = ?`},
		{&s.countStatus, db.Reader(), `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = ? AND status = ?`},
		{&s.wLead, db.Writer(), selectLead},
		{&s.wDocs, db.Writer(), selectDocs},
		{&s.wHistory, db.Writer(), selectHistory},
		{&s.wSignatures, db.Writer(), selectSignatures},
		{&s.wOpenLead, db.Writer(), `SELECT id FROM energy_leads
			WHERE partner_id = ? AND identification_number = ? AND status IN ('indicado', 'negociacao') AND id <> ?`},
		{&s.insertLead, db.Writer(), `INSERT INTO energy_leads (id, partner_id, created_at, ` + strings.Join(storesql.LeadMutable, ", ") +
			`) VALUES (?, ?, ?` + strings.Repeat(", ?", len(storesql.LeadMutable)) + `)`},
		{&s.updateLead, db.Writer(), `UPDATE energy_leads SET ` + strings.Join(sets, ", ") + ` WHERE partner_id = ? AND id = ?`},
		{&s.insertDoc, db.Writer(), `INSERT INTO energy_lead_documents (lead_id, ` + storesql.DocumentColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.insertHistory, db.Writer(), `INSERT INTO energy_lead_status_history (lead_id, ` + storesql.HistoryColumns + `) VALUES (?, ?, ?, ?)`},
		{&s.insertSignature, db.Writer(), `INSERT INTO energy_lead_signatures (lead_id, ` + storesql.SignatureColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.countUp, db.Writer(), `INSERT INTO energy_lead_counts (partner_id, status, leads) VALUES (?, ?, ?)
			ON CONFLICT (partner_id, status) DO UPDATE SET leads = leads + excluded.leads`},
		{&s.countDown, db.Writer(), `UPDATE energy_lead_counts SET leads = leads + ? WHERE partner_id = ? AND status = ?`},
	}
	for _, st := range stmts {
		p, err := st.pool.Prepare(st.sql)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: prepare energy lead statement: %w", err)
		}
		*st.dst = p
	}
	return s, nil
}

// Close releases the prepared statements.
func (s *EnergyLeadStore) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.lead, s.docs, s.history, s.signatures, s.leadBySignRef, s.countAll, s.countStatus,
		s.wLead, s.wDocs, s.wHistory, s.wSignatures, s.wOpenLead,
		s.insertLead, s.updateLead, s.insertDoc, s.insertHistory, s.insertSignature, s.countUp, s.countDown} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	s.listMu.Lock()
	for _, st := range s.lists {
		errs = append(errs, st.Close())
	}
	s.listMu.Unlock()
	return errors.Join(errs...)
}

// sqliteTime binds a time as SQLite stores it.
func sqliteTime(t time.Time) any { return storesql.Time{T: t} }

// Lead implements energy.LeadStore.
func (s *EnergyLeadStore) Lead(ctx context.Context, partnerID, id string) (energy.Lead, error) {
	l, err := storesql.ScanLead(s.lead.QueryRowContext(ctx, partnerID, id))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(loadChildren(ctx, &l, s.docs, s.history, s.signatures))
}

// LeadBySignReference implements energy.LeadStore.
func (s *EnergyLeadStore) LeadBySignReference(ctx context.Context, ref string) (energy.Lead, error) {
	l, err := storesql.ScanLead(s.leadBySignRef.QueryRowContext(ctx, ref))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(loadChildren(ctx, &l, s.docs, s.history, s.signatures))
}

// WriteLeads implements energy.LeadStore. fn runs on the writer goroutine
// inside the shared write transaction, which is what makes a
// read-modify-write atomic (and the open-lead check exact: no other writer
// runs meanwhile).
func (s *EnergyLeadStore) WriteLeads(ctx context.Context, fn func(energy.LeadTx) error) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		return fn(energyLeadTx{ctx: ctx, tx: tx, s: s})
	}))
}

// energyLeadTx is energy.LeadTx on the writer's transaction.
type energyLeadTx struct {
	ctx context.Context
	tx  *sql.Tx
	s   *EnergyLeadStore
}

func (t energyLeadTx) exec(stmt *sql.Stmt, args ...any) error {
	_, err := t.tx.StmtContext(t.ctx, stmt).ExecContext(t.ctx, args...)
	return err
}

func (t energyLeadTx) Lead(partnerID, id string) (energy.Lead, error) {
	l, err := storesql.ScanLead(t.tx.StmtContext(t.ctx, t.s.wLead).QueryRowContext(t.ctx, partnerID, id))
	if err != nil {
		return energy.Lead{}, err
	}
	return l, loadChildren(t.ctx, &l, t.tx.StmtContext(t.ctx, t.s.wDocs), t.tx.StmtContext(t.ctx, t.s.wHistory), t.tx.StmtContext(t.ctx, t.s.wSignatures))
}

func (t energyLeadTx) OpenLeadWith(partnerID, doc, exceptID string) (string, error) {
	var id string
	err := t.tx.StmtContext(t.ctx, t.s.wOpenLead).QueryRowContext(t.ctx, partnerID, doc, exceptID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

func (t energyLeadTx) Insert(l energy.Lead) error {
	return t.exec(t.s.insertLead, append([]any{l.ID, l.PartnerID, sqliteTime(l.CreatedAt)}, storesql.LeadValues(l, sqliteTime)...)...)
}

func (t energyLeadTx) Save(l energy.Lead) error {
	return t.exec(t.s.updateLead, append(storesql.LeadValues(l, sqliteTime), l.PartnerID, l.ID)...)
}

func (t energyLeadTx) AppendHistory(leadID string, h energy.StatusChange) error {
	return t.exec(t.s.insertHistory, storesql.HistoryValues(leadID, h, sqliteTime)...)
}

func (t energyLeadTx) AppendDocument(leadID string, d energy.Document) error {
	return t.exec(t.s.insertDoc, storesql.DocumentValues(leadID, d, sqliteTime)...)
}

func (t energyLeadTx) AppendSignature(leadID string, sg energy.Signature) error {
	return t.exec(t.s.insertSignature, storesql.SignatureValues(leadID, sg, sqliteTime)...)
}

// AdjustCount upserts a rise; a fall updates, since a row proposed with a
// negative count would fail the table's check before the upsert applies.
func (t energyLeadTx) AdjustCount(partnerID string, status energy.LeadStatus, delta int) error {
	if delta < 0 {
		return t.exec(t.s.countDown, delta, partnerID, string(status))
	}
	return t.exec(t.s.countUp, partnerID, string(status), delta)
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
		count = s.countStatus.QueryRowContext(ctx, partnerID, string(q.Status))
	default:
		count = s.countAll.QueryRowContext(ctx, partnerID)
	}
	var total int
	if err := count.Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	if total <= q.Offset() {
		return []energy.Lead{}, total, nil
	}
	pageStmt, err := s.listStmt(`SELECT ` + storesql.LeadColumns + ` FROM energy_leads WHERE ` + where +
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
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
	byName := c != nil && !c.ByDocument && q.SellerName == "" && q.CreatedFrom.IsZero()
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
		args = append(args, sqliteTime(q.CreatedFrom), sqliteTime(q.CreatedTo))
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

// loadChildren reads the lead's documents, history and signatures with the
// given statements (the reader's, or the writer's inside a write).
func loadChildren(ctx context.Context, l *energy.Lead, docs, history, signatures *sql.Stmt) error {
	rows, err := docs.QueryContext(ctx, l.ID)
	if l.Documents, err = collect(rows, err, func(r storesql.Row) (energy.Document, error) { return storesql.ScanDocument(r) }); err != nil {
		return err
	}
	rows, err = history.QueryContext(ctx, l.ID)
	if l.History, err = collect(rows, err, storesql.ScanHistory); err != nil {
		return err
	}
	rows, err = signatures.QueryContext(ctx, l.ID)
	l.Signatures, err = collect(rows, err, storesql.ScanSignature)
	return err
}
