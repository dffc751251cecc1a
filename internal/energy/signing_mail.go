package energy

import (
	"context"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/mail"
)

// signerEmails pairs each signer with the address the signing mail goes to:
// the lead's e-mail for a natural lead, each representative's for a
// juridical one.
func (l *Lead) signerEmails() []string {
	if l.PersonType == Natural {
		return []string{l.Email}
	}
	out := make([]string, len(l.LegalRepresentatives))
	for i, r := range l.LegalRepresentatives {
		out[i] = r.Email
	}
	return out
}

// mailSigners enqueues, after the contract committed, one message per
// signer with the signing link. Enqueue never waits for a mail server; a
// failed enqueue is logged (address masked) and the contract stands. Only
// signers get mail: sellers get no customer data by mail.
func (s *LeadService) mailSigners(ctx context.Context, l Lead) {
	if s.mail == nil || l.Contract == nil {
		return
	}
	link := s.SignerLink(l)
	if link == "" {
		return
	}
	if strings.HasPrefix(link, "/") {
		link = s.publicURL + link
	}
	emails := l.signerEmails()
	for i, sg := range l.signers() {
		if emails[i] == "" {
			continue
		}
		m := mail.Message{
			To:      emails[i],
			Subject: "Contrato para assinatura eletrônica",
			Text: "Olá, " + sg.Name + ".\n\n" +
				"Seu contrato de energia está pronto para assinatura. Abra o link abaixo, leia o contrato e assine:\n\n" +
				link + "\n\n" +
				"O link é pessoal e expira em " + l.Contract.SignExpiresAt.Format("02/01/2006 15:04") + " (UTC). " +
				"Se você não esperava esta mensagem, ignore-a.\n",
		}
		if err := s.mail.Enqueue(ctx, m); err != nil {
			s.log.Error("enqueue signing mail", "lead", l.ID, "to", mail.MaskAddress(emails[i]), "err", err)
		}
	}
}

// ResendSigningMail mails each signer of the caller's lead the signing link
// again: the contract must still await signature (a lead in negociacao).
func (s *LeadService) ResendSigningMail(ctx context.Context, p Principal, id string) error {
	l, err := s.Get(ctx, p, id)
	if err != nil {
		return err
	}
	if l.Status != StatusNegociacao || l.Contract == nil {
		return apperr.New(apperr.Conflict, "O lead não tem contrato aguardando assinatura.")
	}
	s.mailSigners(ctx, l)
	return nil
}
