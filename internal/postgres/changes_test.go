package postgres_test

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/changes"
	"partnership-service/internal/testdb"
)

// TestChangesReachOtherReplicas: a notice published by one process on the
// database reaches a subscriber in another within a second, with its
// payload; a subscriber is also told "" once it listens, so a change made
// before that is not missed.
func TestChangesReachOtherReplicas(t *testing.T) {
	t.Parallel()
	url := testdb.PostgresDatabase(t)
	one, two := testdb.OpenPostgres(t, url), testdb.OpenPostgres(t, url)
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
