package energy

import (
	"context"
	"strings"
)

// Personal data under LGPD (Lei 13.709/2018). The data subject of a lead is
// the customer of a natural lead, and the contact person and legal
// representatives of a juridical one (a company's name and CNPJ are not
// personal data). The partner, as the controller's channel to the customer,
// exports and erases them.

// ErasedName replaces an erased lead's customer name.
const ErasedName = "Titular anonimizado"

// erasedHistory replaces every status detail of an erased lead: they quote
// names ("assinado por …").
const erasedHistory = "Detalhe removido na eliminação de dados pessoais (LGPD)."

// PersonalData is everything stored about a lead's data subject.
type PersonalData struct {
	Lead Lead // its fields, history, documents' metadata, representatives, contract
	// Signatures are the evidence of every signature, on every contract
	// version, including what the lead's answers leave out (IP, user agent).
	Signatures []Signature
}

// PersonalData exports the lead's personal data.
func (s *LeadService) PersonalData(ctx context.Context, p Principal, id string) (PersonalData, error) {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return PersonalData{}, err
	}
	return PersonalData{Lead: l, Signatures: l.Signatures}, nil
}

// ErasePersonalData erases the lead's data subject: the personal fields are
// anonymised, the legal representatives, utility login, uploaded files
// and, when unsigned, the contract are destroyed, the history's details
// are redacted, and the signing link stops working. An open lead becomes
// desqualificado. What is kept, as the legal basis of a signed contract
// (LGPD art. 7 V and VI, art. 16 I): the signed PDF, its SHA-256 and the
// signature evidence (signer's name and CPF, time, IP, user agent). The
// erasure itself is recorded as a history entry (who, when, what).
func (s *LeadService) ErasePersonalData(ctx context.Context, p Principal, id string) (PersonalData, error) {
	if err := checkLeadID(id); err != nil {
		return PersonalData{}, err
	}
	now := s.clock()
	var files []string
	out, err := s.rewriteLead(ctx, p, id, func(tx LeadTx, old, l *Lead) error {
		var err error
		if files, err = dropDocuments(tx, old, l); err != nil {
			return err
		}
		if err := tx.RedactHistory(id, erasedHistory); err != nil {
			return err
		}
		files = append(files, l.erase()...)
		details := "Dados pessoais eliminados a pedido do titular (LGPD) por " + who(p) +
			": dados do cliente e dos representantes, login da distribuidora, arquivos enviados"
		if l.Status == StatusAssinado {
			details += "; mantidos o contrato assinado, seu SHA-256 e as evidências de assinatura."
		} else {
			details += " e contrato não assinado."
		}
		status := l.Status
		if status.Open() {
			status = StatusDesqualificado
		}
		l.moveTo(status, details, now)
		l.UpdatedAt = now
		return nil
	})
	if err != nil {
		return PersonalData{}, leadNotFound(err)
	}
	s.deleteBlobs(ctx, files...)
	return PersonalData{Lead: out, Signatures: out.Signatures}, nil
}

// who names the partner's key that asked for an erasure, for its record.
func who(p Principal) string {
	var b strings.Builder
	b.WriteString(p.PartnerName)
	if p.SellerName != "" {
		b.WriteString(" (" + p.SellerName + ")")
	}
	if p.KeyID != "" {
		b.WriteString(", chave " + p.KeyID)
	}
	return b.String()
}

// erase anonymises l's personal fields in place (its documents are
// dropped already) and returns the stored files to destroy once the
// erasure committed: an unsigned contract's.
func (l *Lead) erase() (files []string) {
	if l.PersonType == Natural {
		l.FullName, l.IdentificationNumber = ErasedName, ""
	} else if l.FullName != "" {
		l.FullName = ErasedName
	}
	l.PersonCPF, l.Email, l.MobilePhone = "", "", ""
	l.Nationality, l.MaritalStatus, l.Profession, l.InstallationNumber, l.BirthDate = "", "", "", "", ""
	a := &l.Address
	a.ZipCode, a.Street, a.Number, a.Neighborhood, a.Complement = "", "", "", "", ""
	l.Credentials, l.LegalRepresentatives = nil, nil
	for i := range l.History {
		l.History[i].Details = erasedHistory
	}
	if c := l.Contract; c != nil {
		if l.Status == StatusAssinado {
			// The signed document stays; only the way to sign it goes.
			c.SignProvider, c.SignReference, c.SignLink, c.Codes = "", "", nil, nil
		} else {
			files = append(files, c.Key)
			l.Contract = nil
		}
	}
	return files
}
