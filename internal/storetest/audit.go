package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/audit"
	"partnership-service/internal/energy"
	"partnership-service/internal/storage"
	"partnership-service/internal/testkit"
)

// runAudit checks the engine's half of the operator's audit trail: an
// entry pending in a change's context commits with the change's write, or
// not at all. The change here is a partner's creation.
func runAudit(t *testing.T, s storage.Stores) {
	clock := testkit.NewClock(epoch)
	log := audit.NewLog(s.Audit(), clock.Now)
	create := func(name string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			return s.Shared().MapError(s.EnergyPartners().CreatePartner(ctx, energy.Partner{ID: "id-" + name, Name: name, CreatedAt: clock.Now()}))
		}
	}
	entry := func(subject string) audit.Entry {
		return audit.Entry{Actor: "op@example.com", Action: "Parceiro criado", Subject: subject,
			Changes: []audit.Change{{Field: "Nome", After: subject}}}
	}
	entries := func(offset, limit int) ([]audit.Entry, int) {
		t.Helper()
		got, total, err := log.Page(t.Context(), offset, limit)
		if err != nil {
			t.Fatal(err)
		}
		return got, total
	}

	if err := log.Record(t.Context(), entry("Primeiro"), create("Primeiro")); err != nil {
		t.Fatal(err)
	}
	got, total := entries(0, 10)
	if total != 1 || len(got) != 1 || got[0].Subject != "Primeiro" || got[0].Actor != "op@example.com" ||
		!got[0].At.Equal(clock.Now()) || len(got[0].Changes) != 1 || got[0].Changes[0] != (audit.Change{Field: "Nome", After: "Primeiro"}) {
		t.Fatalf("after a change: %d %+v", total, got)
	}
	// The duplicate's write rolls back, and its entry with it.
	if err := log.Record(t.Context(), entry("Primeiro de novo"), create("Primeiro")); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("duplicate: %v", err)
	}
	// A change refused before any write records nothing either.
	refused := errors.New("refused")
	if err := log.Record(t.Context(), entry("Recusado"), func(context.Context) error { return refused }); err != refused {
		t.Fatal(err)
	}
	if _, total := entries(0, 10); total != 1 {
		t.Fatalf("a failed change left an entry: %d", total)
	}
	// A change that wrote nothing through the engine is appended after it.
	if err := log.Record(t.Context(), entry("Sem escrita"), func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := log.Record(t.Context(), entry("Segundo"), create("Segundo")); err != nil {
		t.Fatal(err)
	}
	// Newest first, paged.
	page, total := entries(0, 2)
	rest, _ := entries(2, 2)
	if total != 3 || len(page) != 2 || page[0].Subject != "Segundo" || page[1].Subject != "Sem escrita" ||
		len(rest) != 1 || rest[0].Subject != "Primeiro" {
		t.Fatalf("pages: %d %+v %+v", total, page, rest)
	}
}
