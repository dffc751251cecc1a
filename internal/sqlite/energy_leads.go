package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/geo"
)

// EnergyLeadStore keeps the energy surface's leads.
type EnergyLeadStore struct {
	db *DB

	// Reader statements.
	lead, docs, history, signatures, leadBySignRef, countAll, countStatus *sql.Stmt
	// Writer statements, bound to the write transaction with tx.StmtContext.
	wLead, wDocs, wHistory, wSignatures, wOpenDuplicate                                   *sql.Stmt
	insertLead, updateLead, insertDoc, insertHistory, insertSignature, countUp, countDown *sql.Stmt

	// lists caches the prepared list statements: one per combination of
	// filters, so a handful at most.
	listMu sync.Mutex
	lists  map[string]*sql.Stmt
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// leadColumns are selected, in scanLead's order.
const leadColumns = `id, partner_id, seller_name, person_type, full_name, company_name, person_cpf,
	email, mobile_phone, utility_bill_holder, utility_bill_cents, identification_number,
	nationality, marital_status, profession, installation_number, birth_date,
	zip_code, state, city, ibge_code, street, number, neighborhood, complement,
	utility_id, utility_name, plan_id, plan_name, plan_discount, plan_fidelity_months, plan_benefit,
	status, status_details, credentials, legal_representatives,
	contract_key, contract_sha256, contract_size, contract_created_at,
	sign_provider, sign_reference, sign_link, sign_expires_at, created_at, updated_at`

// leadMutable are the columns an update writes, in leadValues' order.
var leadMutable = []string{
	"seller_name", "seller_name_folded", "person_type", "full_name", "full_name_folded",
	"company_name", "company_name_folded", "person_cpf", "email", "mobile_phone",
	"utility_bill_holder", "utility_bill_cents", "identification_number",
	"nationality", "marital_status", "profession", "installation_number", "birth_date",
	"zip_code", "state", "city", "ibge_code", "street", "number", "neighborhood", "complement",
	"utility_id", "utility_name", "plan_id", "plan_name", "plan_discount", "plan_fidelity_months", "plan_benefit",
	"status", "status_details", "credentials", "legal_representatives",
	"contract_key", "contract_sha256", "contract_size", "contract_created_at",
	"sign_provider", "sign_reference", "sign_link", "sign_expires_at", "updated_at",
}

const (
	docColumns       = `kind, blob_key, file_name, content_type, size, sha256, uploaded_at`
	signatureColumns = `signer_name, signer_cpf, signed_at, ip, forwarded_for, user_agent, contract_sha256, sign_reference`
)

// newEnergyLeadStore prepares the store's statements.
func newEnergyLeadStore(db *DB) (*EnergyLeadStore, error) {
	s := &EnergyLeadStore{db: db, lists: map[string]*sql.Stmt{}}
	selectLead := `SELECT ` + leadColumns + ` FROM energy_leads WHERE partner_id = ? AND id = ?`
	selectDocs := `SELECT ` + docColumns + ` FROM energy_lead_documents WHERE lead_id = ? ORDER BY uploaded_at, kind`
	selectHistory := `SELECT status, details, changed_at FROM energy_lead_status_history WHERE lead_id = ? ORDER BY id`
	selectSignatures := `SELECT ` + signatureColumns + ` FROM energy_lead_signatures WHERE lead_id = ? ORDER BY signed_at, signer_cpf`
	sets := make([]string, len(leadMutable))
	for i, c := range leadMutable {
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
		{&s.leadBySignRef, db.Reader(), `SELECT ` + leadColumns + ` FROM energy_leads WHERE sign_reference = ?`},
		{&s.countAll, db.Reader(), `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = ?`},
		{&s.countStatus, db.Reader(), `SELECT coalesce(sum(leads), 0) FROM energy_lead_counts WHERE partner_id = ? AND status = ?`},
		{&s.wLead, db.Writer(), selectLead},
		{&s.wDocs, db.Writer(), selectDocs},
		{&s.wHistory, db.Writer(), selectHistory},
		{&s.wSignatures, db.Writer(), selectSignatures},
		{&s.wOpenDuplicate, db.Writer(), `SELECT id FROM energy_leads
			WHERE partner_id = ? AND identification_number = ? AND status IN ('indicado', 'negociacao') AND id <> ?`},
		{&s.insertLead, db.Writer(), `INSERT INTO energy_leads (id, partner_id, created_at, ` + strings.Join(leadMutable, ", ") +
			`) VALUES (?, ?, ?` + strings.Repeat(", ?", len(leadMutable)) + `)`},
		{&s.updateLead, db.Writer(), `UPDATE energy_leads SET ` + strings.Join(sets, ", ") + ` WHERE partner_id = ? AND id = ?`},
		{&s.insertDoc, db.Writer(), `INSERT INTO energy_lead_documents (lead_id, ` + docColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.insertHistory, db.Writer(), `INSERT INTO energy_lead_status_history (lead_id, status, details, changed_at) VALUES (?, ?, ?, ?)`},
		{&s.insertSignature, db.Writer(), `INSERT INTO energy_lead_signatures (lead_id, ` + signatureColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.countUp, db.Writer(), `INSERT INTO energy_lead_counts (partner_id, status, leads) VALUES (?, ?, 1)
			ON CONFLICT (partner_id, status) DO UPDATE SET leads = leads + 1`},
		{&s.countDown, db.Writer(), `UPDATE energy_lead_counts SET leads = leads - 1 WHERE partner_id = ? AND status = ?`},
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
		s.wLead, s.wDocs, s.wHistory, s.wSignatures, s.wOpenDuplicate,
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

// CreateLead implements energy.LeadStore.
func (s *EnergyLeadStore) CreateLead(ctx context.Context, l energy.Lead) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := s.checkDuplicate(ctx, tx, l); err != nil {
			return err
		}
		args := append([]any{l.ID, l.PartnerID, FormatTime(l.CreatedAt)}, leadValues(l)...)
		if _, err := tx.StmtContext(ctx, s.insertLead).ExecContext(ctx, args...); err != nil {
			return err
		}
		if err := s.count(ctx, tx, s.countUp, l.PartnerID, l.Status); err != nil {
			return err
		}
		return s.insertChildren(ctx, tx, l, energy.Lead{})
	})
	return MapError(err)
}

// checkDuplicate enforces one open lead per customer and partner, naming
// the existing lead. The unique index is the backstop; asking first is
// what finds the existing id.
func (s *EnergyLeadStore) checkDuplicate(ctx context.Context, tx *sql.Tx, l energy.Lead) error {
	if !l.Status.Open() {
		return nil
	}
	var existing string
	err := tx.StmtContext(ctx, s.wOpenDuplicate).QueryRowContext(ctx, l.PartnerID, l.IdentificationNumber, l.ID).Scan(&existing)
	switch {
	case err == nil:
		return &apperr.Error{Code: apperr.Conflict, Message: "an open lead with this identification number exists",
			Meta: map[string]string{"id": existing}}
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return err
}

// insertChildren inserts the history entries, documents and signatures l
// has beyond old's.
func (s *EnergyLeadStore) insertChildren(ctx context.Context, tx *sql.Tx, l, old energy.Lead) error {
	for _, h := range l.History[len(old.History):] {
		if _, err := tx.StmtContext(ctx, s.insertHistory).ExecContext(ctx, l.ID, string(h.Status), h.Details, FormatTime(h.At)); err != nil {
			return err
		}
	}
	for _, d := range l.Documents[len(old.Documents):] {
		if _, err := tx.StmtContext(ctx, s.insertDoc).ExecContext(ctx, l.ID, string(d.Kind), d.Key, d.FileName,
			d.ContentType, d.Size, d.SHA256, FormatTime(d.UploadedAt)); err != nil {
			return err
		}
	}
	for _, sg := range l.Signatures[len(old.Signatures):] {
		if _, err := tx.StmtContext(ctx, s.insertSignature).ExecContext(ctx, l.ID, sg.SignerName, sg.SignerCPF,
			FormatTime(sg.SignedAt), sg.IP, sg.ForwardedFor, sg.UserAgent, sg.ContractSHA256, sg.Reference); err != nil {
			return err
		}
	}
	return nil
}

// Lead implements energy.LeadStore.
func (s *EnergyLeadStore) Lead(ctx context.Context, partnerID, id string) (energy.Lead, error) {
	l, err := scanLead(s.lead.QueryRowContext(ctx, partnerID, id))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(s.loadChildren(ctx, &l, s.docs, s.history, s.signatures))
}

// LeadBySignReference implements energy.LeadStore.
func (s *EnergyLeadStore) LeadBySignReference(ctx context.Context, ref string) (energy.Lead, error) {
	l, err := scanLead(s.leadBySignRef.QueryRowContext(ctx, ref))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(s.loadChildren(ctx, &l, s.docs, s.history, s.signatures))
}

// UpdateLead implements energy.LeadStore. change runs on the writer
// goroutine inside the shared write transaction, which is what makes the
// read-modify-write atomic; it must stay cheap (no I/O).
func (s *EnergyLeadStore) UpdateLead(ctx context.Context, partnerID, id string, change func(*energy.Lead) error) (energy.Lead, error) {
	var out energy.Lead
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		old, err := scanLead(tx.StmtContext(ctx, s.wLead).QueryRowContext(ctx, partnerID, id))
		if err != nil {
			return err
		}
		if err := s.loadChildren(ctx, &old, tx.StmtContext(ctx, s.wDocs), tx.StmtContext(ctx, s.wHistory), tx.StmtContext(ctx, s.wSignatures)); err != nil {
			return err
		}
		l := cloneLead(old)
		if err := change(&l); err != nil {
			return err
		}
		if err := s.checkDuplicate(ctx, tx, l); err != nil {
			return err
		}
		args := append(leadValues(l), partnerID, id)
		if _, err := tx.StmtContext(ctx, s.updateLead).ExecContext(ctx, args...); err != nil {
			return err
		}
		if l.Status != old.Status {
			if err := s.count(ctx, tx, s.countDown, partnerID, old.Status); err != nil {
				return err
			}
			if err := s.count(ctx, tx, s.countUp, partnerID, l.Status); err != nil {
				return err
			}
		}
		if err := s.insertChildren(ctx, tx, l, old); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, MapError(err)
}

// count runs countUp or countDown for the partner's leads in status.
func (s *EnergyLeadStore) count(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt, partnerID string, status energy.LeadStatus) error {
	_, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, partnerID, string(status))
	return err
}

// cloneLead copies the slices change may append to, so that old keeps its
// lengths for insertChildren.
func cloneLead(l energy.Lead) energy.Lead {
	l.History = append([]energy.StatusChange(nil), l.History...)
	l.Documents = append([]energy.Document(nil), l.Documents...)
	l.Signatures = append([]energy.Signature(nil), l.Signatures...)
	return l
}

// ListLeads implements energy.LeadStore.
func (s *EnergyLeadStore) ListLeads(ctx context.Context, partnerID string, q energy.LeadQuery) ([]energy.Lead, int, error) {
	where, args := listWhere(partnerID, q)
	var count *sql.Row
	switch {
	case q.Customer != nil || q.SellerName != "" || !q.CreatedFrom.IsZero():
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
	offset := (q.Page - 1) * q.Limit
	if total <= offset {
		return []energy.Lead{}, total, nil
	}
	pageStmt, err := s.listStmt(`SELECT ` + leadColumns + ` FROM energy_leads WHERE ` + where +
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
	if err != nil {
		return nil, 0, err
	}
	rows, err := pageStmt.QueryContext(ctx, append(args, q.Limit, offset)...)
	if err != nil {
		return nil, 0, MapError(err)
	}
	defer rows.Close()
	leads := make([]energy.Lead, 0, q.Limit)
	byID := make(map[string]int, q.Limit)
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			return nil, 0, MapError(err)
		}
		byID[l.ID] = len(leads)
		leads = append(leads, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, MapError(err)
	}
	rows.Close()
	return leads, total, MapError(s.listDocuments(ctx, leads, byID))
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
		args = append(args, FormatTime(q.CreatedFrom), FormatTime(q.CreatedTo))
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
func (s *EnergyLeadStore) listDocuments(ctx context.Context, leads []energy.Lead, byID map[string]int) error {
	if len(leads) == 0 {
		return nil
	}
	args := make([]any, len(leads))
	for i, l := range leads {
		args[i] = l.ID
	}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT lead_id, `+docColumns+` FROM energy_lead_documents
		WHERE lead_id IN (?`+strings.Repeat(", ?", len(leads)-1)+`) ORDER BY uploaded_at, kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var leadID string
		d, err := scanDocument(rows, &leadID)
		if err != nil {
			return err
		}
		l := &leads[byID[leadID]]
		l.Documents = append(l.Documents, d)
	}
	return rows.Err()
}

func (s *EnergyLeadStore) loadChildren(ctx context.Context, l *energy.Lead, docs, history, signatures *sql.Stmt) error {
	rows, err := docs.QueryContext(ctx, l.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return err
		}
		l.Documents = append(l.Documents, d)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}

	if rows, err = history.QueryContext(ctx, l.ID); err != nil {
		return err
	}
	for rows.Next() {
		var h energy.StatusChange
		var at string
		if err := rows.Scan(&h.Status, &h.Details, &at); err != nil {
			rows.Close()
			return err
		}
		if h.At, err = ParseTime(at); err != nil {
			rows.Close()
			return err
		}
		l.History = append(l.History, h)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}

	if rows, err = signatures.QueryContext(ctx, l.ID); err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sg energy.Signature
		var at string
		if err := rows.Scan(&sg.SignerName, &sg.SignerCPF, &at, &sg.IP, &sg.ForwardedFor, &sg.UserAgent,
			&sg.ContractSHA256, &sg.Reference); err != nil {
			return err
		}
		if sg.SignedAt, err = ParseTime(at); err != nil {
			return err
		}
		l.Signatures = append(l.Signatures, sg)
	}
	return rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

// scanDocument reads docColumns, preceded by lead_id when leadID is given.
func scanDocument(sc scanner, leadID ...*string) (energy.Document, error) {
	var d energy.Document
	var at string
	dest := []any{&d.Kind, &d.Key, &d.FileName, &d.ContentType, &d.Size, &d.SHA256, &at}
	if len(leadID) > 0 {
		dest = append([]any{leadID[0]}, dest...)
	}
	if err := sc.Scan(dest...); err != nil {
		return d, err
	}
	var err error
	d.UploadedAt, err = ParseTime(at)
	return d, err
}

// leadValues are l's values for leadMutable.
func leadValues(l energy.Lead) []any {
	var planID sql.NullInt64
	var planName, planDiscount, planBenefit string
	var planMonths int
	if p := l.Plan; p != nil {
		planID = sql.NullInt64{Int64: p.ID, Valid: true}
		planName, planDiscount, planMonths, planBenefit = p.Name, p.Discount, p.FidelityMonths, p.Benefit
	}
	var cKey, cSHA, cCreated, sProvider, sRef, sExpires sql.NullString
	var cSize sql.NullInt64
	var sLink []byte
	if c := l.Contract; c != nil {
		cKey, cSHA = nullString(c.Key), nullString(c.SHA256)
		cSize = sql.NullInt64{Int64: c.Size, Valid: true}
		cCreated = nullString(FormatTime(c.CreatedAt))
		sProvider, sRef, sLink = nullString(c.SignProvider), nullString(c.SignReference), c.SignLink
		if !c.SignExpiresAt.IsZero() {
			sExpires = nullString(FormatTime(c.SignExpiresAt))
		}
	}
	var creds []byte
	if l.HasCredentials() {
		creds = l.Credentials
	}
	a := l.Address
	return []any{
		l.SellerName, geo.Fold(l.SellerName), string(l.PersonType), l.FullName, geo.Fold(l.FullName),
		l.CompanyName, geo.Fold(l.CompanyName), l.PersonCPF, l.Email, l.MobilePhone,
		string(l.UtilityBillHolder), l.UtilityBillCents, l.IdentificationNumber,
		l.Nationality, l.MaritalStatus, l.Profession, l.InstallationNumber, l.BirthDate,
		a.ZipCode, a.State, a.City, a.IBGECode, a.Street, a.Number, a.Neighborhood, a.Complement,
		l.UtilityID, l.UtilityName, planID, planName, planDiscount, planMonths, planBenefit,
		string(l.Status), l.StatusDetails, creds, energy.EncodeRepresentatives(l.LegalRepresentatives),
		cKey, cSHA, cSize, cCreated, sProvider, sRef, sLink, sExpires, FormatTime(l.UpdatedAt),
	}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// scanLead reads leadColumns.
func scanLead(sc scanner) (energy.Lead, error) {
	var (
		l                                   energy.Lead
		a                                   = &l.Address
		planID, cSize                       sql.NullInt64
		planName, planDiscount, planBenefit string
		planMonths                          int
		reps                                string
		cKey, cSHA, cCreated                sql.NullString
		sProvider, sRef, sExpires           sql.NullString
		sLink                               []byte
		created, updated                    string
	)
	err := sc.Scan(&l.ID, &l.PartnerID, &l.SellerName, &l.PersonType, &l.FullName, &l.CompanyName, &l.PersonCPF,
		&l.Email, &l.MobilePhone, &l.UtilityBillHolder, &l.UtilityBillCents, &l.IdentificationNumber,
		&l.Nationality, &l.MaritalStatus, &l.Profession, &l.InstallationNumber, &l.BirthDate,
		&a.ZipCode, &a.State, &a.City, &a.IBGECode, &a.Street, &a.Number, &a.Neighborhood, &a.Complement,
		&l.UtilityID, &l.UtilityName, &planID, &planName, &planDiscount, &planMonths, &planBenefit,
		&l.Status, &l.StatusDetails, &l.Credentials, &reps,
		&cKey, &cSHA, &cSize, &cCreated, &sProvider, &sRef, &sLink, &sExpires, &created, &updated)
	if err != nil {
		return l, err
	}
	if planID.Valid {
		l.Plan = &energy.LeadPlan{ID: planID.Int64, Name: planName, Discount: planDiscount, FidelityMonths: planMonths, Benefit: planBenefit}
	}
	if l.LegalRepresentatives, err = energy.DecodeRepresentatives(reps); err != nil {
		return l, err
	}
	if cKey.Valid {
		c := &energy.Contract{Key: cKey.String, SHA256: cSHA.String, Size: cSize.Int64,
			SignProvider: sProvider.String, SignReference: sRef.String, SignLink: sLink}
		if c.CreatedAt, err = ParseTime(cCreated.String); err != nil {
			return l, err
		}
		if sExpires.Valid {
			if c.SignExpiresAt, err = ParseTime(sExpires.String); err != nil {
				return l, err
			}
		}
		l.Contract = c
	}
	if l.CreatedAt, err = ParseTime(created); err != nil {
		return l, err
	}
	l.UpdatedAt, err = ParseTime(updated)
	return l, err
}
