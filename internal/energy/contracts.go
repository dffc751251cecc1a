package energy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob"
	"partnership-service/internal/brdoc"
)

// ContractDraft is the body of POST …/contracts.
type ContractDraft struct {
	Plan *PlanChoice
	// LegalRepresentatives is nil when the field was absent.
	LegalRepresentatives []RepresentativeDraft
}

// RepresentativeDraft is a legal representative as sent.
type RepresentativeDraft struct {
	Name, IdentificationNumber, Email, Cellphone, Nationality, Profession, MaritalStatus string
	Street, Number, Complement, Neighborhood, ZipCode, City, State                       string
}

// Contract is the document a lead's customer signs and the pending
// signature request for it.
type Contract struct {
	Key       string // blob key of the PDF
	SHA256    string // hex, of the PDF
	Size      int64
	CreatedAt time.Time

	SignProvider  string    // SignatureTicket.Provider
	SignReference string    // SignatureTicket.Reference, unique
	SignLink      []byte    // SignatureTicket.Link, sealed: it carries the signing secret
	SignExpiresAt time.Time // zero: no expiry

	// Codes are the signers' one-time code states for this contract; a
	// new contract starts with none, which is how a locked signer gets
	// another chance.
	Codes []SignCode
}

const (
	maxRepresentatives = 10
	maxContractBytes   = 4 << 20
)

// CreateContract renders the lead's contract, stores it, asks the signer
// for a signing link and moves the lead to negociacao. plan is required
// when the lead has none and refused when it has one; legalRepresentatives
// is required for juridical leads and refused for natural ones. A lead
// whose contract awaits signature gets a new one (the old link stops
// working); a signed lead cannot (409).
func (s *LeadService) CreateContract(ctx context.Context, p Principal, id string, d ContractDraft) (Lead, error) {
	l, err := s.changeableLead(ctx, p, id)
	if err != nil {
		return Lead{}, err
	}
	var f apperr.Fields
	switch {
	case l.Plan == nil && d.Plan == nil:
		f.Add("plan", "plan é obrigatório: o lead ainda não tem plano")
	case l.Plan != nil && d.Plan != nil:
		f.Add("plan", "plan não pode ser enviado: o lead já tem plano")
	}
	switch {
	case l.PersonType == Juridical && len(d.LegalRepresentatives) == 0:
		f.Add("legalRepresentatives", "legalRepresentatives é obrigatório para lead PJ")
	case l.PersonType == Natural && d.LegalRepresentatives != nil:
		f.Add("legalRepresentatives", "legalRepresentatives só pode ser enviado para lead PJ")
	case len(d.LegalRepresentatives) > maxRepresentatives:
		f.Add("legalRepresentatives", fmt.Sprintf("legalRepresentatives aceita no máximo %d representantes", maxRepresentatives))
	}
	if err := f.Err(apperr.Invalid); err != nil {
		return Lead{}, err
	}
	reps, err := s.representatives(d.LegalRepresentatives)
	if err != nil {
		return Lead{}, err
	}
	plan := l.Plan
	if d.Plan != nil {
		if plan, err = s.choosePlan(l.UtilityID, *d.Plan); err != nil {
			return Lead{}, err
		}
	}
	loadedAt := l.UpdatedAt
	now := s.clock()
	l.Plan, l.LegalRepresentatives = plan, reps

	pdf, err := renderContract(l, p.PartnerName, now)
	if err != nil {
		return Lead{}, apperr.Wrap(apperr.Internal, err, "internal error")
	}
	obj, err := s.blobs.Put(ctx, bytes.NewReader(pdf), blob.Limits{MaxBytes: maxContractBytes, AllowedTypes: []string{"application/pdf"}})
	if err != nil {
		return Lead{}, apperr.Wrap(apperr.Internal, err, "internal error")
	}
	ticket, err := s.signer.Request(ctx, SignatureRequest{LeadID: l.ID, Contract: obj, Signers: l.signers()})
	if err != nil {
		s.deleteBlobs(ctx, obj.Key)
		return Lead{}, err
	}
	var previous *Contract
	updated, err := s.updateLead(ctx, p, id, func(cur *Lead) error {
		if !cur.UpdatedAt.Equal(loadedAt) {
			return apperr.New(apperr.Conflict, "O lead foi alterado enquanto o contrato era gerado; tente novamente.")
		}
		previous = cur.Contract
		cur.Plan, cur.LegalRepresentatives = plan, reps
		cur.Contract = &Contract{
			Key: obj.Key, SHA256: obj.SHA256, Size: obj.Size, CreatedAt: now,
			SignProvider: ticket.Provider, SignReference: ticket.Reference,
			SignLink: s.box.Seal([]byte(ticket.Link), signLinkContext(cur.ID)), SignExpiresAt: ticket.ExpiresAt,
		}
		cur.UpdatedAt = now
		cur.moveTo(StatusNegociacao, "Contrato enviado para assinatura.", now)
		return nil
	})
	if err != nil {
		s.deleteBlobs(ctx, obj.Key)
		return Lead{}, leadNotFound(err)
	}
	if previous != nil {
		s.deleteBlobs(ctx, previous.Key)
	}
	s.mailSigners(ctx, updated)
	return updated, nil
}

// ContractFile opens the PDF of one of the caller's leads.
func (s *LeadService) ContractFile(ctx context.Context, p Principal, id string) (Lead, BlobReader, error) {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return Lead{}, BlobReader{}, err
	}
	if l.Contract == nil {
		return Lead{}, BlobReader{}, apperr.New(apperr.NotFound, "O lead ainda não tem contrato.")
	}
	r, err := s.openBlob(ctx, l.Contract.Key)
	return l, r, err
}

// BlobReader is an open stored file.
type BlobReader struct {
	Body   io.ReadCloser
	Object blob.Object
}

func (s *LeadService) openBlob(ctx context.Context, key string) (BlobReader, error) {
	rc, obj, err := s.blobs.Open(ctx, key)
	if err != nil {
		return BlobReader{}, apperr.Wrap(apperr.Internal, err, "internal error")
	}
	return BlobReader{Body: rc, Object: obj}, nil
}

// SignerLink returns the link where the lead's customer signs, "" when no
// contract awaits signature. A link starting with "/" is a path on this
// service.
func (s *LeadService) SignerLink(l Lead) string {
	if l.Contract == nil || len(l.Contract.SignLink) == 0 {
		return ""
	}
	link, err := s.box.Open(l.Contract.SignLink, signLinkContext(l.ID))
	if err != nil {
		s.log.Error("open signing link", "lead", l.ID, "err", err)
		return ""
	}
	return string(link)
}

func signLinkContext(leadID string) string { return "energy-lead-sign-link:" + leadID }

// representatives validates the legal representatives.
func (s *LeadService) representatives(ds []RepresentativeDraft) ([]LegalRepresentative, error) {
	var f apperr.Fields
	out := make([]LegalRepresentative, 0, len(ds))
	seen := map[string]bool{}
	for i, d := range ds {
		prefix := fmt.Sprintf("legalRepresentatives[%d].", i)
		var r LegalRepresentative
		text(&f, prefix+"name", &d.Name, maxName, &r.Name)
		text(&f, prefix+"nationality", &d.Nationality, maxShort, &r.Nationality)
		text(&f, prefix+"profession", &d.Profession, maxShort, &r.Profession)
		text(&f, prefix+"maritalStatus", &d.MaritalStatus, maxShort, &r.MaritalStatus)
		text(&f, prefix+"address.street", &d.Street, maxStreet, &r.Address.Street)
		text(&f, prefix+"address.number", &d.Number, maxNumber, &r.Address.Number)
		text(&f, prefix+"address.neighborhood", &d.Neighborhood, maxPlace, &r.Address.Neighborhood)
		text(&f, prefix+"address.complement", &d.Complement, maxPlace, &r.Address.Complement)
		if cpf, ok := brdoc.NormalizeCPF(strings.TrimSpace(d.IdentificationNumber)); ok {
			r.CPF = cpf
			if seen[cpf] {
				f.Add(prefix+"identificationNumber", prefix+"identificationNumber repete o CPF de outro representante")
			}
			seen[cpf] = true
		} else if d.IdentificationNumber != "" {
			f.Add(prefix+"identificationNumber", prefix+"identificationNumber deve ser um CPF válido")
		}
		if r.Email = strings.TrimSpace(d.Email); r.Email != "" && !brdoc.IsEmail(r.Email) {
			f.Add(prefix+"email", prefix+"email deve ser um e-mail válido")
		}
		if m, ok := brdoc.NormalizeMobile(d.Cellphone); ok {
			r.Cellphone = m
		} else if strings.TrimSpace(d.Cellphone) != "" {
			f.Add(prefix+"cellphone", prefix+"cellphone deve ser um celular brasileiro com DDD (11 dígitos)")
		}
		s.checkAddress(&f, prefix+"address.", &r.Address, &d.ZipCode, &d.State, &d.City)
		for _, req := range []struct {
			field string
			empty bool
		}{
			{"name", r.Name == ""}, {"identificationNumber", r.CPF == ""}, {"email", r.Email == ""},
			{"cellphone", r.Cellphone == ""}, {"nationality", r.Nationality == ""},
			{"profession", r.Profession == ""}, {"maritalStatus", r.MaritalStatus == ""},
			{"address.street", r.Address.Street == ""}, {"address.number", r.Address.Number == ""},
			{"address.neighborhood", r.Address.Neighborhood == ""}, {"address.zipCode", r.Address.ZipCode == ""},
			{"address.city", r.Address.City == ""}, {"address.state", r.Address.State == ""},
		} {
			if req.empty && !f.Has(prefix+req.field) {
				f.Add(prefix+req.field, prefix+req.field+" é obrigatório")
			}
		}
		out = append(out, r)
	}
	if err := f.Err(apperr.Invalid); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Signer is a person who must sign a lead's contract.
type Signer struct {
	Name string
	CPF  string
}

// signers are who signs: the customer for a natural lead, each legal
// representative for a juridical one.
func (l *Lead) signers() []Signer {
	if l.PersonType == Natural {
		return []Signer{{Name: l.FullName, CPF: l.IdentificationNumber}}
	}
	out := make([]Signer, len(l.LegalRepresentatives))
	for i, r := range l.LegalRepresentatives {
		out[i] = Signer{Name: r.Name, CPF: r.CPF}
	}
	return out
}
