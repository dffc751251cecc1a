package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyLeadStore keeps the energy surface's leads.
type EnergyLeadStore struct {
	db *DB
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// newEnergyLeadStore returns the store; pgx prepares and caches statements.
func newEnergyLeadStore(db *DB) *EnergyLeadStore { return &EnergyLeadStore{db: db} }

const (
	selectLeadSQL      = `SELECT ` + storesql.LeadColumns + ` FROM energy_leads WHERE partner_id = $1 AND id = $2`
	selectDocsSQL      = `SELECT ` + storesql.DocumentColumns + ` FROM energy_lead_documents WHERE lead_id = $1 ORDER BY uploaded_at, kind`
	selectHistorySQL   = `SELECT ` + storesql.HistoryColumns + ` FROM energy_lead_status_history WHERE lead_id = $1 ORDER BY id`
	selectSignaturesQL = `SELECT ` + storesql.SignatureColumns + ` FROM energy_lead_signatures WHERE lead_id = $1 ORDER BY signed_at, signer_cpf`
	openLeadSQL        = `SELECT id FROM energy_leads
		WHERE partner_id = $1 AND identification_number = $2 AND status IN ('indicado', 'negociacao') AND id <> $3`
	insertDocSQL       = `INSERT INTO energy_lead_documents (lead_id, ` + storesql.DocumentColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	insertHistorySQL   = `INSERT INTO energy_lead_status_history (lead_id, ` + storesql.HistoryColumns + `) VALUES ($1, $2, $3, $4)`
	insertSignatureSQL = `INSERT INTO energy_lead_signatures (lead_id, ` + storesql.SignatureColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	countUpSQL = `INSERT INTO energy_lead_counts (partner_id, status, leads) VALUES ($1, $2, $3)
		ON CONFLICT (partner_id, status) DO UPDATE SET leads = energy_lead_counts.leads + excluded.leads`
	countDownSQL = `UPDATE energy_lead_counts SET leads = leads + $1 WHERE partner_id = $2 AND status = $3`
)

var (
	insertLeadSQL = func() string {
		marks := make([]string, len(storesql.LeadMutable)+3)
		for i := range marks {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		return `INSERT INTO energy_leads (id, partner_id, created_at, ` + strings.Join(storesql.LeadMutable, ", ") +
			`) VALUES (` + strings.Join(marks, ", ") + `)`
	}()
	updateLeadSQL = func() string {
		sets := make([]string, len(storesql.LeadMutable))
		for i, c := range storesql.LeadMutable {
			sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
		}
		n := len(storesql.LeadMutable)
		return fmt.Sprintf(`UPDATE energy_leads SET %s WHERE partner_id = $%d AND id = $%d`, strings.Join(sets, ", "), n+1, n+2)
	}()
)

// pgTime binds a time as a timestamptz, NULL when zero.
func pgTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// Lead implements energy.LeadStore.
func (s *EnergyLeadStore) Lead(ctx context.Context, partnerID, id string) (energy.Lead, error) {
	l, err := storesql.ScanLead(s.db.Pool.QueryRow(ctx, selectLeadSQL, partnerID, id))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(loadChildren(ctx, s.db.Pool, &l))
}

// LeadBySignReference implements energy.LeadStore.
func (s *EnergyLeadStore) LeadBySignReference(ctx context.Context, ref string) (energy.Lead, error) {
	l, err := storesql.ScanLead(s.db.Pool.QueryRow(ctx, `SELECT `+storesql.LeadColumns+` FROM energy_leads WHERE sign_reference = $1`, ref))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(loadChildren(ctx, s.db.Pool, &l))
}

// WriteLeads implements energy.LeadStore.
func (s *EnergyLeadStore) WriteLeads(ctx context.Context, fn func(energy.LeadTx) error) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		return fn(energyLeadTx{ctx: ctx, tx: tx})
	}))
}

// energyLeadTx is energy.LeadTx on one transaction.
type energyLeadTx struct {
	ctx context.Context
	tx  pgx.Tx
}

func (t energyLeadTx) exec(sql string, args ...any) error {
	_, err := t.tx.Exec(t.ctx, sql, args...)
	return err
}

// Lead locks the row (FOR UPDATE) until the commit, so concurrent changes
// of one lead apply one after the other.
func (t energyLeadTx) Lead(partnerID, id string) (energy.Lead, error) {
	l, err := storesql.ScanLead(t.tx.QueryRow(t.ctx, selectLeadSQL+` FOR UPDATE`, partnerID, id))
	if err != nil {
		return energy.Lead{}, err
	}
	return l, loadChildren(t.ctx, t.tx, &l)
}

func (t energyLeadTx) OpenLeadWith(partnerID, doc, exceptID string) (string, error) {
	var id string
	err := t.tx.QueryRow(t.ctx, openLeadSQL, partnerID, doc, exceptID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

func (t energyLeadTx) Insert(l energy.Lead) error {
	return openLeadTaken(t.exec(insertLeadSQL, append([]any{l.ID, l.PartnerID, l.CreatedAt}, storesql.LeadValues(l, pgTime)...)...))
}

func (t energyLeadTx) Save(l energy.Lead) error {
	return openLeadTaken(t.exec(updateLeadSQL, append(storesql.LeadValues(l, pgTime), l.PartnerID, l.ID)...))
}

// openLeadTaken marks the open-lead index's violation: a concurrent
// transaction opened a lead for the customer after this one checked.
func openLeadTaken(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "energy_leads_open_document" {
		return fmt.Errorf("%w: %w", energy.ErrOpenLeadTaken, err)
	}
	return err
}

func (t energyLeadTx) AppendHistory(leadID string, h energy.StatusChange) error {
	return t.exec(insertHistorySQL, storesql.HistoryValues(leadID, h, pgTime)...)
}

func (t energyLeadTx) AppendDocument(leadID string, d energy.Document) error {
	return t.exec(insertDocSQL, storesql.DocumentValues(leadID, d, pgTime)...)
}

func (t energyLeadTx) AppendSignature(leadID string, sg energy.Signature) error {
	return t.exec(insertSignatureSQL, storesql.SignatureValues(leadID, sg, pgTime)...)
}

// AdjustCount upserts a rise; a fall updates, since a row proposed with a
// negative count would fail the table's check before the upsert applies.
func (t energyLeadTx) AdjustCount(partnerID string, status energy.LeadStatus, delta int) error {
	if delta < 0 {
		return t.exec(countDownSQL, delta, partnerID, string(status))
	}
	return t.exec(countUpSQL, partnerID, string(status), delta)
}

// ListLeads implements energy.LeadStore.
func (s *EnergyLeadStore) ListLeads(ctx context.Context, partnerID string, q energy.LeadQuery) ([]energy.Lead, int, error) {
	where, args := listWhere(partnerID, q)
	var count pgx.Row
	switch {
	case !storesql.TotalFromCounts(q):
		count = s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM energy_leads WHERE `+where, args...)
	case q.Status != "":
		count = s.db.Pool.QueryRow(ctx, `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = $1 AND status = $2`,
			partnerID, string(q.Status))
	default:
		count = s.db.Pool.QueryRow(ctx, `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = $1`, partnerID)
	}
	var total int
	if err := count.Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	if total <= q.Offset() {
		return []energy.Lead{}, total, nil
	}
	n := len(args)
	leads, err := queryAll(ctx, s.db.Pool, storesql.ScanLead, fmt.Sprintf(`SELECT `+storesql.LeadColumns+` FROM energy_leads WHERE %s
		ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d`, where, n+1, n+2), append(args, q.Limit, q.Offset())...)
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
	if c := q.Customer; c != nil {
		lo, hi := arg(c.Prefix), arg(energy.PrefixEnd(c.Prefix))
		switch {
		case c.ByDocument:
			where = append(where, "identification_number >= "+lo+" AND identification_number < "+hi)
		case q.SellerName != "" || !q.CreatedFrom.IsZero():
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

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadChildren reads the lead's documents, history and signatures.
func loadChildren(ctx context.Context, q querier, l *energy.Lead) error {
	var err error
	scanDocument := func(r storesql.Row) (energy.Document, error) { return storesql.ScanDocument(r) }
	if l.Documents, err = queryAll(ctx, q, scanDocument, selectDocsSQL, l.ID); err != nil {
		return err
	}
	if l.History, err = queryAll(ctx, q, storesql.ScanHistory, selectHistorySQL, l.ID); err != nil {
		return err
	}
	l.Signatures, err = queryAll(ctx, q, storesql.ScanSignature, selectSignaturesQL, l.ID)
	return err
}

// queryAll collects the rows query answers for args, nil when none.
func queryAll[T any](ctx context.Context, q querier, scan func(storesql.Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return storesql.CollectAll(rows, scan)
}
