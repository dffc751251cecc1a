package energy_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/mail"
)

// mailbox is a mail.Enqueuer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	msgs []mail.Message
}

func (b *mailbox) Enqueue(_ context.Context, m mail.Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
	return nil
}

func (b *mailbox) Messages() []mail.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]mail.Message(nil), b.msgs...)
}

// TestContractMailsTheSigners: creating a contract enqueues one pt-BR
// message per signer, to the signer's address, with the absolute signing
// link; nobody else gets mail.
func TestContractMailsTheSigners(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		c := env.A
		path := leadPath(t, c, naturalLead())
		sp := contractLink(t, c, path)
		msgs := env.Mail.Messages()
		if len(msgs) != 1 {
			t.Fatalf("enqueued %d messages, want 1 (the customer's)", len(msgs))
		}
		m := msgs[0]
		if m.To != "another@mail.com" || !strings.Contains(m.Subject, "assinatura") {
			t.Errorf("message to %q, subject %q", m.To, m.Subject)
		}
		if !strings.Contains(m.Text, "https://parceiros.example.com"+sp) {
			t.Errorf("message lacks the absolute signing link: %s", m.Text)
		}
		if strings.Contains(m.Text, "11144477735") || strings.Contains(m.Text, "111.444.777-35") {
			t.Error("the message carries the customer's CPF")
		}
	})
}

// TestResendSigningMail: the signing mail goes again, with the same link,
// while the contract awaits signature; a lead without one is a conflict,
// and another partner's lead is not found.
func TestResendSigningMail(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		ctx := context.Background()
		a := energy.Principal{PartnerID: env.PartnerA, PartnerName: "Partner A"}
		l, err := env.Leads.Create(ctx, a, draft("11144477735"))
		if err != nil {
			t.Fatal(err)
		}
		if err := env.Leads.ResendSigningMail(ctx, a, l.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("resend without a contract: %v", err)
		}
		if _, err := env.Leads.CreateContract(ctx, a, l.ID, energy.ContractDraft{}); err != nil {
			t.Fatal(err)
		}
		b := energy.Principal{PartnerID: env.PartnerB, PartnerName: "Partner B"}
		if err := env.Leads.ResendSigningMail(ctx, b, l.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("another partner's resend: %v", err)
		}
		if err := env.Leads.ResendSigningMail(ctx, a, l.ID); err != nil {
			t.Fatal(err)
		}
		msgs := env.Mail.Messages()
		if len(msgs) != 2 || msgs[1].To != msgs[0].To || msgs[1].Text != msgs[0].Text {
			t.Fatalf("messages after the resend: %+v", msgs)
		}
	})
}
