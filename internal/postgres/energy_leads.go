package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/geo"
)

// EnergyLeadStore keeps the energy surface's leads.
type EnergyLeadStore struct {
	db *DB
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// newEnergyLeadStore returns the store; pgx prepares and caches statements.
func newEnergyLeadStore(db *DB) *EnergyLeadStore { return &EnergyLeadStore{db: db} }

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

	selectLeadSQL      = `SELECT ` + leadColumns + ` FROM energy_leads WHERE partner_id = $1 AND id = $2`
	selectDocsSQL      = `SELECT ` + docColumns + ` FROM energy_lead_documents WHERE lead_id = $1 ORDER BY uploaded_at, kind`
	selectHistorySQL   = `SELECT status, details, changed_at FROM energy_lead_status_history WHERE lead_id = $1 ORDER BY id`
	selectSignaturesQL = `SELECT ` + signatureColumns + ` FROM energy_lead_signatures WHERE lead_id = $1 ORDER BY signed_at, signer_cpf`
	openDuplicateSQL   = `SELECT id FROM energy_leads
		WHERE partner_id = $1 AND identification_number = $2 AND status IN ('indicado', 'negociacao') AND id <> $3`
	insertDocSQL       = `INSERT INTO energy_lead_documents (lead_id, ` + docColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	insertHistorySQL   = `INSERT INTO energy_lead_status_history (lead_id, status, details, changed_at) VALUES ($1, $2, $3, $4)`
	insertSignatureSQL = `INSERT INTO energy_lead_signatures (lead_id, ` + signatureColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	countUpSQL = `INSERT INTO energy_lead_counts (partner_id, status, leads) VALUES ($1, $2, 1)
		ON CONFLICT (partner_id, status) DO UPDATE SET leads = energy_lead_counts.leads + 1`
	countDownSQL = `UPDATE energy_lead_counts SET leads = leads - 1 WHERE partner_id = $1 AND status = $2`
)

var (
	insertLeadSQL = func() string {
		marks := make([]string, len(leadMutable)+3)
		for i := range marks {
			marks[i] = fmt.Sprintf("$%d", i+1)
		}
		return `INSERT INTO energy_leads (id, partner_id, created_at, ` + strings.Join(leadMutable, ", ") +
			`) VALUES (` + strings.Join(marks, ", ") + `)`
	}()
	updateLeadSQL = func() string {
		sets := make([]string, len(leadMutable))
		for i, c := range leadMutable {
			sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
		}
		n := len(leadMutable)
		return fmt.Sprintf(`UPDATE energy_leads SET %s WHERE partner_id = $%d AND id = $%d`, strings.Join(sets, ", "), n+1, n+2)
	}()
)

// CreateLead implements energy.LeadStore.
func (s *EnergyLeadStore) CreateLead(ctx context.Context, l energy.Lead) error {
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		if err := checkDuplicate(ctx, tx, l); err != nil {
			return err
		}
		args := append([]any{l.ID, l.PartnerID, l.CreatedAt}, leadValues(l)...)
		if _, err := tx.Exec(ctx, insertLeadSQL, args...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, countUpSQL, l.PartnerID, string(l.Status)); err != nil {
			return err
		}
		return insertChildren(ctx, tx, l, energy.Lead{})
	})
	return s.mapWriteError(ctx, err, l)
}

// mapWriteError maps err; a concurrent open lead that slipped past
// checkDuplicate surfaces as the unique index's violation, answered like
// the checked case, with the existing lead's id.
func (s *EnergyLeadStore) mapWriteError(ctx context.Context, err error, l energy.Lead) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "energy_leads_open_document" {
		if dup := checkDuplicate(ctx, s.db.Pool, l); dup != nil {
			return MapError(dup)
		}
	}
	return MapError(err)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// checkDuplicate enforces one open lead per customer and partner, naming
// the existing lead.
func checkDuplicate(ctx context.Context, q querier, l energy.Lead) error {
	if !l.Status.Open() {
		return nil
	}
	var existing string
	err := q.QueryRow(ctx, openDuplicateSQL, l.PartnerID, l.IdentificationNumber, l.ID).Scan(&existing)
	switch {
	case err == nil:
		return &apperr.Error{Code: apperr.Conflict, Message: "an open lead with this identification number exists",
			Meta: map[string]string{"id": existing}}
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	}
	return err
}

// insertChildren inserts the history entries, documents and signatures l
// has beyond old's.
func insertChildren(ctx context.Context, tx pgx.Tx, l, old energy.Lead) error {
	var b pgx.Batch
	for _, h := range l.History[len(old.History):] {
		b.Queue(insertHistorySQL, l.ID, string(h.Status), h.Details, h.At)
	}
	for _, d := range l.Documents[len(old.Documents):] {
		b.Queue(insertDocSQL, l.ID, string(d.Kind), d.Key, d.FileName, d.ContentType, d.Size, d.SHA256, d.UploadedAt)
	}
	for _, sg := range l.Signatures[len(old.Signatures):] {
		b.Queue(insertSignatureSQL, l.ID, sg.SignerName, sg.SignerCPF, sg.SignedAt, sg.IP, sg.ForwardedFor,
			sg.UserAgent, sg.ContractSHA256, sg.Reference)
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, &b).Close()
}

// Lead implements energy.LeadStore.
func (s *EnergyLeadStore) Lead(ctx context.Context, partnerID, id string) (energy.Lead, error) {
	l, err := scanLead(s.db.Pool.QueryRow(ctx, selectLeadSQL, partnerID, id))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(loadChildren(ctx, s.db.Pool, &l))
}

// LeadBySignReference implements energy.LeadStore.
func (s *EnergyLeadStore) LeadBySignReference(ctx context.Context, ref string) (energy.Lead, error) {
	l, err := scanLead(s.db.Pool.QueryRow(ctx, `SELECT `+leadColumns+` FROM energy_leads WHERE sign_reference = $1`, ref))
	if err != nil {
		return energy.Lead{}, MapError(err)
	}
	return l, MapError(loadChildren(ctx, s.db.Pool, &l))
}

// UpdateLead implements energy.LeadStore: the row is locked (FOR UPDATE)
// from the read to the commit, so concurrent changes apply one after the
// other.
func (s *EnergyLeadStore) UpdateLead(ctx context.Context, partnerID, id string, change func(*energy.Lead) error) (energy.Lead, error) {
	var out energy.Lead
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		out = energy.Lead{}
		old, err := scanLead(tx.QueryRow(ctx, selectLeadSQL+` FOR UPDATE`, partnerID, id))
		if err != nil {
			return err
		}
		if err := loadChildren(ctx, tx, &old); err != nil {
			return err
		}
		l := cloneLead(old)
		if err := change(&l); err != nil {
			return err
		}
		out = l
		if err := checkDuplicate(ctx, tx, l); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, updateLeadSQL, append(leadValues(l), partnerID, id)...); err != nil {
			return err
		}
		if l.Status != old.Status {
			if _, err := tx.Exec(ctx, countDownSQL, partnerID, string(old.Status)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, countUpSQL, partnerID, string(l.Status)); err != nil {
				return err
			}
		}
		return insertChildren(ctx, tx, l, old)
	})
	if err != nil {
		return energy.Lead{}, s.mapWriteError(ctx, err, out)
	}
	return out, nil
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
	var count pgx.Row
	switch {
	case q.Customer != nil || q.SellerName != "" || !q.CreatedFrom.IsZero():
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
	offset := (q.Page - 1) * q.Limit
	if total <= offset {
		return []energy.Lead{}, total, nil
	}
	n := len(args)
	rows, err := s.db.Pool.Query(ctx, fmt.Sprintf(`SELECT `+leadColumns+` FROM energy_leads WHERE %s
		ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d`, where, n+1, n+2), append(args, q.Limit, offset)...)
	if err != nil {
		return nil, 0, MapError(err)
	}
	leads := make([]energy.Lead, 0, q.Limit)
	byID := make(map[string]int, q.Limit)
	ids := make([]string, 0, q.Limit)
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			rows.Close()
			return nil, 0, MapError(err)
		}
		byID[l.ID] = len(leads)
		ids = append(ids, l.ID)
		leads = append(leads, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, MapError(err)
	}
	docs, err := s.db.Pool.Query(ctx, `SELECT lead_id, `+docColumns+` FROM energy_lead_documents
		WHERE lead_id = ANY($1) ORDER BY uploaded_at, kind`, ids)
	if err != nil {
		return nil, 0, MapError(err)
	}
	defer docs.Close()
	for docs.Next() {
		var leadID string
		d, err := scanDocument(docs, &leadID)
		if err != nil {
			return nil, 0, MapError(err)
		}
		l := &leads[byID[leadID]]
		l.Documents = append(l.Documents, d)
	}
	return leads, total, MapError(docs.Err())
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

func loadChildren(ctx context.Context, q querier, l *energy.Lead) error {
	rows, err := q.Query(ctx, selectDocsSQL, l.ID)
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
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	if rows, err = q.Query(ctx, selectHistorySQL, l.ID); err != nil {
		return err
	}
	for rows.Next() {
		var h energy.StatusChange
		var status string
		if err := rows.Scan(&status, &h.Details, &h.At); err != nil {
			rows.Close()
			return err
		}
		h.Status, h.At = energy.LeadStatus(status), h.At.UTC()
		l.History = append(l.History, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	if rows, err = q.Query(ctx, selectSignaturesQL, l.ID); err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sg energy.Signature
		if err := rows.Scan(&sg.SignerName, &sg.SignerCPF, &sg.SignedAt, &sg.IP, &sg.ForwardedFor, &sg.UserAgent,
			&sg.ContractSHA256, &sg.Reference); err != nil {
			return err
		}
		sg.SignedAt = sg.SignedAt.UTC()
		l.Signatures = append(l.Signatures, sg)
	}
	return rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

// scanDocument reads docColumns, preceded by lead_id when leadID is given.
func scanDocument(sc scanner, leadID ...*string) (energy.Document, error) {
	var d energy.Document
	var kind string
	dest := []any{&kind, &d.Key, &d.FileName, &d.ContentType, &d.Size, &d.SHA256, &d.UploadedAt}
	if len(leadID) > 0 {
		dest = append([]any{leadID[0]}, dest...)
	}
	err := sc.Scan(dest...)
	d.Kind, d.UploadedAt = energy.DocumentKind(kind), d.UploadedAt.UTC()
	return d, err
}

// leadValues are l's values for leadMutable.
func leadValues(l energy.Lead) []any {
	var planID *int64
	var planName, planDiscount, planBenefit string
	var planMonths int
	if p := l.Plan; p != nil {
		planID = &p.ID
		planName, planDiscount, planMonths, planBenefit = p.Name, p.Discount, p.FidelityMonths, p.Benefit
	}
	var cKey, cSHA, sProvider, sRef *string
	var cSize *int64
	var cCreated, sExpires *time.Time
	var sLink []byte
	if c := l.Contract; c != nil {
		cKey, cSHA, cSize, cCreated = &c.Key, &c.SHA256, &c.Size, &c.CreatedAt
		sProvider, sRef, sLink = &c.SignProvider, &c.SignReference, c.SignLink
		if !c.SignExpiresAt.IsZero() {
			sExpires = &c.SignExpiresAt
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
		cKey, cSHA, cSize, cCreated, sProvider, sRef, sLink, sExpires, l.UpdatedAt,
	}
}

// scanLead reads leadColumns.
func scanLead(sc scanner) (energy.Lead, error) {
	var (
		l                                   energy.Lead
		a                                   = &l.Address
		personType, holder, status          string
		planID, cSize                       *int64
		planName, planDiscount, planBenefit string
		planMonths                          int
		reps                                string
		cKey, cSHA, sProvider, sRef         *string
		cCreated, sExpires                  *time.Time
		sLink                               []byte
	)
	err := sc.Scan(&l.ID, &l.PartnerID, &l.SellerName, &personType, &l.FullName, &l.CompanyName, &l.PersonCPF,
		&l.Email, &l.MobilePhone, &holder, &l.UtilityBillCents, &l.IdentificationNumber,
		&l.Nationality, &l.MaritalStatus, &l.Profession, &l.InstallationNumber, &l.BirthDate,
		&a.ZipCode, &a.State, &a.City, &a.IBGECode, &a.Street, &a.Number, &a.Neighborhood, &a.Complement,
		&l.UtilityID, &l.UtilityName, &planID, &planName, &planDiscount, &planMonths, &planBenefit,
		&status, &l.StatusDetails, &l.Credentials, &reps,
		&cKey, &cSHA, &cSize, &cCreated, &sProvider, &sRef, &sLink, &sExpires, &l.CreatedAt, &l.UpdatedAt)
	if err != nil {
		return l, err
	}
	l.PersonType, l.UtilityBillHolder, l.Status = energy.PersonType(personType), energy.PersonType(holder), energy.LeadStatus(status)
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	if planID != nil {
		l.Plan = &energy.LeadPlan{ID: *planID, Name: planName, Discount: planDiscount, FidelityMonths: planMonths, Benefit: planBenefit}
	}
	if l.LegalRepresentatives, err = energy.DecodeRepresentatives(reps); err != nil {
		return l, err
	}
	if cKey != nil {
		c := &energy.Contract{Key: *cKey, SHA256: deref(cSHA), SignProvider: deref(sProvider), SignReference: deref(sRef), SignLink: sLink}
		if cSize != nil {
			c.Size = *cSize
		}
		if cCreated != nil {
			c.CreatedAt = cCreated.UTC()
		}
		if sExpires != nil {
			c.SignExpiresAt = sExpires.UTC()
		}
		l.Contract = c
	}
	return l, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
