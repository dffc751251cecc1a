package storesql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/geo"
	"partnership-service/internal/webhook"
)

// The lead statements both engines run, with ? placeholders. SQLite
// prepares them (LeadReadSQL on the readers, LeadWriteSQL on the writer);
// pgx prepares and caches them by their text.
var (
	SelectLeadSQL    = `SELECT ` + LeadColumns + ` FROM energy_leads WHERE partner_id = ? AND id = ?`
	LeadBySignRefSQL = `SELECT ` + LeadColumns + ` FROM energy_leads WHERE sign_reference = ?`
	SnapshotSQL      = `SELECT snapshot FROM energy_leads WHERE partner_id = ? AND id = ?`
	// SelectChildrenSQL reads a lead's documents, history and signatures in
	// one statement (one round trip, one result to set up, where three
	// cost the lead GET most of its time), each part in its order:
	// documents by upload time and kind, history by id, signatures by time
	// and signer. The columns line up as scanChild reads them.
	SelectChildrenSQL = `SELECT 'd' AS part, 0 AS ord, uploaded_at AS at, kind AS t1, blob_key AS t2, file_name AS t3,
		content_type AS t4, sha256 AS t5, '' AS t6, '' AS t7, size AS n FROM energy_lead_documents WHERE lead_id = ?
	UNION ALL SELECT 'h', id, changed_at, status, details, '', '', '', '', '', 0 FROM energy_lead_status_history WHERE lead_id = ?
	UNION ALL SELECT 's', 0, signed_at, signer_cpf, signer_name, ip, forwarded_for, user_agent, contract_sha256, sign_reference, 0
		FROM energy_lead_signatures WHERE lead_id = ?
	ORDER BY part, ord, at, t1`
	CountAllSQL    = `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = ?`
	CountStatusSQL = `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = ? AND status = ?`

	OpenLeadSQL = `SELECT id FROM energy_leads
		WHERE partner_id = ? AND identification_number = ? AND status IN ('indicado', 'negociacao') AND id <> ?`
	InsertLeadSQL = `INSERT INTO energy_leads (` + strings.Join(leadColumns, ", ") +
		`) VALUES (?` + strings.Repeat(", ?", len(leadColumns)-1) + `)`
	UpdateLeadSQL      = `UPDATE energy_leads SET ` + strings.Join(LeadMutable, " = ?, ") + ` = ? WHERE partner_id = ? AND id = ?`
	InsertDocSQL       = `INSERT INTO energy_lead_documents (lead_id, ` + DocumentColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	InsertHistorySQL   = `INSERT INTO energy_lead_status_history (lead_id, ` + HistoryColumns + `) VALUES (?, ?, ?, ?)`
	InsertSignatureSQL = `INSERT INTO energy_lead_signatures (lead_id, ` + SignatureColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	DeleteDocsSQL      = `DELETE FROM energy_lead_documents WHERE lead_id = ?`
	RedactHistorySQL   = `UPDATE energy_lead_status_history SET details = ? WHERE lead_id = ?`
	CountUpSQL         = `INSERT INTO energy_lead_counts (partner_id, status, shard, leads) VALUES (?, ?, ?, ?)
		ON CONFLICT (partner_id, status, shard) DO UPDATE SET leads = energy_lead_counts.leads + excluded.leads`
	CountDownSQL = `UPDATE energy_lead_counts SET leads = leads + ? WHERE partner_id = ? AND status = ? AND shard = ?`
	TallyUpSQL   = `INSERT INTO energy_lead_tallies (partner_id, seller_name_folded, created_day, status, shard, leads)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (partner_id, seller_name_folded, created_day, status, shard) DO UPDATE SET leads = energy_lead_tallies.leads + excluded.leads`
	TallyDownSQL = `UPDATE energy_lead_tallies SET leads = leads + ?
		WHERE partner_id = ? AND seller_name_folded = ? AND created_day = ? AND status = ? AND shard = ?`

	// LeadReadSQL are the statements of the lead reads outside a write.
	LeadReadSQL = []string{SelectLeadSQL, LeadBySignRefSQL, SnapshotSQL, SelectChildrenSQL, CountAllSQL, CountStatusSQL}
	// LeadWriteSQL are the statements of EnergyLeadTx.
	LeadWriteSQL = []string{SelectLeadSQL, SelectChildrenSQL, OpenLeadSQL,
		InsertLeadSQL, UpdateLeadSQL, InsertDocSQL, InsertHistorySQL, InsertSignatureSQL, DeleteDocsSQL, RedactHistorySQL, CountUpSQL, CountDownSQL,
		TallyUpSQL, TallyDownSQL, ListeningSQL, InsertEventSQL, InsertDeliverySQL}
)

// LeadTime binds a lead's times on either engine: Time, NULL when zero.
func LeadTime(t time.Time) any { return Time{T: t} }

// EnergyLeads are the lead reads outside a write, written once: reads runs
// them (SQLite's prepared reader statements, or the pool).
type EnergyLeads struct {
	reads    Querier
	snapshot func(ctx context.Context, fn func(tx Querier) error) error
	mapError func(error) error
	// noIndex prefixes a column the list tests on each row, so the engine
	// does not pick that column's index for the scan: SQLite's "+", which
	// it honours; "" on PostgreSQL, whose planner has statistics.
	noIndex string
}

// NewEnergyLeads reads leads with reads, mapping errors with db; see
// EnergyLeads.noIndex.
func NewEnergyLeads(db DB, reads Querier, noIndex string) EnergyLeads {
	return EnergyLeads{reads: reads, snapshot: db.ReadSnapshot, mapError: db.MapError, noIndex: noIndex}
}

// Lead implements energy.LeadStore.
func (s EnergyLeads) Lead(ctx context.Context, partnerID, id string) (energy.Lead, error) {
	return s.lead(ctx, SelectLeadSQL, partnerID, id)
}

// LeadSnapshot implements energy.LeadStore: one column of one row, so a
// single statement, which needs no snapshot of its own.
func (s EnergyLeads) LeadSnapshot(ctx context.Context, partnerID, id string) ([]byte, error) {
	var b []byte
	if err := s.reads.QueryRow(ctx, SnapshotSQL, partnerID, id).Scan(&b); err != nil {
		return nil, s.mapError(err)
	}
	return b, nil
}

// LeadBySignReference implements energy.LeadStore.
func (s EnergyLeads) LeadBySignReference(ctx context.Context, ref string) (energy.Lead, error) {
	return s.lead(ctx, LeadBySignRefSQL, ref)
}

// lead reads the lead and its children in one snapshot: a write that
// commits between the two reads (a retention sweep, an erasure) must not
// show its children's half beside the lead's old row.
func (s EnergyLeads) lead(ctx context.Context, query string, args ...any) (energy.Lead, error) {
	var l energy.Lead
	err := s.snapshot(ctx, func(q Querier) error {
		var err error
		if l, err = ScanLead(q.QueryRow(ctx, query, args...)); err != nil {
			return err
		}
		return LoadLeadChildren(ctx, q, &l)
	})
	if err != nil {
		return energy.Lead{}, s.mapError(err)
	}
	return l, nil
}

// LeadsPastRetention implements energy.LeadStore.
func (s EnergyLeads) LeadsPastRetention(ctx context.Context, before time.Time, limit int) ([]energy.LeadRef, error) {
	out, err := QueryAll(ctx, s.reads, func(r Row) (energy.LeadRef, error) {
		var ref energy.LeadRef
		return ref, r.Scan(&ref.PartnerID, &ref.ID)
	}, `SELECT partner_id, id FROM energy_leads l
		WHERE status <> 'assinado' AND updated_at < ?
		AND (credentials IS NOT NULL OR EXISTS (SELECT 1 FROM energy_lead_documents d WHERE d.lead_id = l.id))
		ORDER BY updated_at, id LIMIT ?`, LeadTime(before), limit)
	return out, s.mapError(err)
}

// LoadLeadChildren reads the lead's documents, history and signatures.
func LoadLeadChildren(ctx context.Context, q Querier, l *energy.Lead) error {
	rows, err := q.Query(ctx, SelectChildrenSQL, l.ID, l.ID, l.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	return EachRow(rows, func(r Row) error { return scanChild(r, l) })
}

// scanChild reads a row of SelectChildrenSQL onto l.
func scanChild(r Row, l *energy.Lead) error {
	var (
		part, t1, t2, t3, t4, t5, t6, t7 string
		ord, n                           int64
		at                               Time
	)
	if err := r.Scan(&part, &ord, &at, &t1, &t2, &t3, &t4, &t5, &t6, &t7, &n); err != nil {
		return err
	}
	switch part {
	case "d":
		l.Documents = append(l.Documents, energy.Document{Kind: energy.DocumentKind(t1), Key: t2, FileName: t3,
			ContentType: t4, SHA256: t5, Size: n, UploadedAt: at.T})
	case "h":
		l.History = append(l.History, energy.StatusChange{Status: energy.LeadStatus(t1), Details: t2, At: at.T})
	case "s":
		l.Signatures = append(l.Signatures, energy.Signature{SignerCPF: t1, SignerName: t2, IP: t3, ForwardedFor: t4,
			UserAgent: t5, ContractSHA256: t6, Reference: t7, SignedAt: at.T})
	default:
		return fmt.Errorf("storesql: lead child of kind %q", part)
	}
	return nil
}

// EnergyLeadTx is energy.LeadTx on one write transaction, written once.
type EnergyLeadTx struct {
	Ctx context.Context
	Tx  Querier
	// Lock ends the lead's select inside the write: " FOR UPDATE" where
	// concurrent writers must wait for one another, "" under a single
	// writer.
	Lock string
	// SpreadCounts spreads a partner's counts and tallies over shards
	// (energy.CountShard), where concurrent writers would otherwise queue on one
	// locked row until each commits; under a single writer they stay in
	// one row (shard 0).
	SpreadCounts bool
}

// shard is where l's adjustments go in this transaction's engine.
func (t EnergyLeadTx) shard(l energy.Lead) int {
	if !t.SpreadCounts {
		return 0
	}
	return energy.CountShard(l.ID)
}

func (t EnergyLeadTx) exec(query string, args ...any) error {
	_, err := t.Tx.Exec(t.Ctx, query, args...)
	return err
}

func (t EnergyLeadTx) Lead(partnerID, id string) (energy.Lead, error) {
	l, err := ScanLead(t.Tx.QueryRow(t.Ctx, SelectLeadSQL+t.Lock, partnerID, id))
	if err != nil {
		return energy.Lead{}, err
	}
	return l, LoadLeadChildren(t.Ctx, t.Tx, &l)
}

func (t EnergyLeadTx) OpenLeadWith(partnerID, doc, exceptID string) (string, error) {
	var id string
	err := t.Tx.QueryRow(t.Ctx, OpenLeadSQL, partnerID, doc, exceptID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) { // pgx.ErrNoRows matches it too
		return "", nil
	}
	return id, err
}

// InsertNew stores new leads with their history entries: through COPY
// where the transaction is a Copier, else with Insert and AppendHistory.
func (t EnergyLeadTx) InsertNew(leads []energy.Lead) error {
	copier, ok := t.Tx.(Copier)
	if !ok {
		for _, l := range leads {
			if err := t.Insert(l); err != nil {
				return err
			}
			for _, h := range l.History {
				if err := t.AppendHistory(l.ID, h); err != nil {
					return err
				}
			}
		}
		return nil
	}
	leadRows := make([][]any, 0, len(leads))
	var historyRows [][]any
	for _, l := range leads {
		leadRows = append(leadRows, insertValues(l))
		for _, h := range l.History {
			historyRows = append(historyRows, HistoryValues(l.ID, h, LeadTime))
		}
	}
	if err := copier.CopyRows(t.Ctx, "energy_leads", leadColumns, leadRows); err != nil {
		return err
	}
	return copier.CopyRows(t.Ctx, "energy_lead_status_history", historyColumns, historyRows)
}

// leadColumns are a new lead's columns (InsertLeadSQL, CopyRows), and
// historyColumns InsertHistorySQL's.
var (
	leadColumns    = append([]string{"id", "partner_id", "created_at"}, LeadMutable...)
	historyColumns = append([]string{"lead_id"}, strings.Split(HistoryColumns, ", ")...)
)

func (t EnergyLeadTx) Insert(l energy.Lead) error { return t.exec(InsertLeadSQL, insertValues(l)...) }

// insertValues are a new lead's values for leadColumns.
func insertValues(l energy.Lead) []any {
	return append([]any{l.ID, l.PartnerID, LeadTime(l.CreatedAt)}, LeadValues(l, LeadTime)...)
}

func (t EnergyLeadTx) Save(l energy.Lead) error {
	return t.exec(UpdateLeadSQL, append(LeadValues(l, LeadTime), l.PartnerID, l.ID)...)
}

func (t EnergyLeadTx) AppendHistory(leadID string, h energy.StatusChange) error {
	return t.exec(InsertHistorySQL, HistoryValues(leadID, h, LeadTime)...)
}

func (t EnergyLeadTx) AppendDocument(leadID string, d energy.Document) error {
	return t.exec(InsertDocSQL, DocumentValues(leadID, d, LeadTime)...)
}

func (t EnergyLeadTx) AppendSignature(leadID string, sg energy.Signature) error {
	return t.exec(InsertSignatureSQL, SignatureValues(leadID, sg, LeadTime)...)
}

func (t EnergyLeadTx) DeleteDocuments(leadID string) error { return t.exec(DeleteDocsSQL, leadID) }

func (t EnergyLeadTx) RedactHistory(leadID, details string) error {
	return t.exec(RedactHistorySQL, details, leadID)
}

func (t EnergyLeadTx) Emit(ev webhook.Event) error { return Emit(t.Ctx, t.Tx, ev) }

// AdjustCount moves the partner's count of status and the tally of l's
// seller and day. A rise upserts; a fall updates, since a row proposed
// with a negative count would fail the tables' checks before the upsert
// applies.
func (t EnergyLeadTx) AdjustCount(l energy.Lead, status energy.LeadStatus, delta int) error {
	seller, day, shard := geo.Fold(l.SellerName), energy.LeadDay(l.CreatedAt), t.shard(l)
	if delta < 0 {
		if err := t.exec(CountDownSQL, delta, l.PartnerID, string(status), shard); err != nil {
			return err
		}
		return t.exec(TallyDownSQL, delta, l.PartnerID, seller, day, string(status), shard)
	}
	if err := t.exec(CountUpSQL, l.PartnerID, string(status), shard, delta); err != nil {
		return err
	}
	return t.exec(TallyUpSQL, l.PartnerID, seller, day, string(status), shard, delta)
}
