package postgres_test

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/changes"
	"partnership-service/internal/companies"
	"partnership-service/internal/postgres"
	"partnership-service/internal/testdb"
)

// replicas are two processes' stores on one fresh database.
func replicas(t *testing.T) (one, two *postgres.Stores) {
	t.Helper()
	url := testdb.PostgresDatabase(t)
	return testdb.OpenPostgres(t, url), testdb.OpenPostgres(t, url)
}

// TestExclusiveRunsOneAtATime: while one replica runs a job, another
// replica's attempt at the same job is skipped, a different job is not,
// and once the first ends the job can run again.
func TestExclusiveRunsOneAtATime(t *testing.T) {
	t.Parallel()
	one, two := replicas(t)
	ctx := context.Background()
	noop := func(context.Context) error { return nil }
	ran, err := one.Exclusive(ctx, "sweep", func(ctx context.Context) error {
		if ran, err := two.Exclusive(ctx, "sweep", noop); err != nil || ran {
			t.Errorf("the same job on another replica: ran %v, %v; want skipped", ran, err)
		}
		if ran, err := two.Exclusive(ctx, "retention", noop); err != nil || !ran {
			t.Errorf("another job: ran %v, %v; want run", ran, err)
		}
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("first run: ran %v, %v", ran, err)
	}
	if ran, err := two.Exclusive(ctx, "sweep", noop); err != nil || !ran {
		t.Fatalf("after the first ended: ran %v, %v; want run", ran, err)
	}
}

// TestChangesReachOtherReplicas: a notice published by one process on the
// database reaches a subscriber in another within a second, with its
// payload; a subscriber is also told "" once it listens, so a change made
// before that is not missed.
func TestChangesReachOtherReplicas(t *testing.T) {
	t.Parallel()
	one, two := replicas(t)
	got := make(chan string, 16)
	two.Changes().Subscribe(changes.Storefront, func(_ context.Context, payload string) { got <- payload })
	two.Changes().Subscribe(changes.EnergyKeys, func(_ context.Context, payload string) { got <- "keys:" + payload })
	next := func(want string) {
		t.Helper()
		select {
		case p := <-got:
			if p != want {
				t.Fatalf("notice %q, want %q", p, want)
			}
		case <-time.After(time.Second):
			t.Fatalf("no notice %q within 1 s", want)
		}
	}
	// Once listening: everything may have changed, per topic.
	first := map[string]bool{}
	for range 2 {
		select {
		case p := <-got:
			first[p] = true
		case <-time.After(5 * time.Second):
			t.Fatal("no notice on start")
		}
	}
	if !first[""] || !first["keys:"] {
		t.Fatalf("start notices %v, want one per topic", first)
	}
	ctx := context.Background()
	if err := one.Changes().Publish(ctx, changes.Storefront, "42"); err != nil {
		t.Fatal(err)
	}
	next("42")
	if err := one.Changes().Publish(ctx, changes.EnergyKeys, ""); err != nil {
		t.Fatal(err)
	}
	next("keys:")
}

// TestCompanyTotalsFollowOtherReplicas: a company list's total, kept by
// one replica, changes as soon as another replica adds a company that
// matches.
func TestCompanyTotalsFollowOtherReplicas(t *testing.T) {
	t.Parallel()
	one, two := replicas(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	account, err := one.Companies().CreateAccount(ctx, companies.Account{Name: "Cliente", Type: companies.Client, CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	list := companies.Filter{AccountIDs: []int64{account.ID}, Query: "padaria", Limit: 1}
	for want := range 3 {
		for range 2 { // the second list finds the total the first kept
			if _, total, err := one.Companies().Companies(ctx, list); err != nil || total != want {
				t.Fatalf("replica one's total = %d, %v; want %d", total, err, want)
			}
		}
		err := two.Companies().UpdateCompanies(ctx, account.ID, func(tx companies.CompanyTx) error {
			_, err := tx.Insert(ctx, companies.Company{AccountID: account.ID, Name: "Padaria", CityID: 3550308, StateID: 35, CreatedAt: now, UpdatedAt: now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
