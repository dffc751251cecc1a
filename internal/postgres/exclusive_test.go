package postgres_test

import (
	"context"
	"testing"

	"partnership-service/internal/testdb"
)

// TestExclusiveRunsOneAtATime: while one replica runs a job, another
// replica's attempt at the same job is skipped, a different job is not,
// and once the first ends the job can run again.
func TestExclusiveRunsOneAtATime(t *testing.T) {
	t.Parallel()
	url := testdb.PostgresDatabase(t)
	one, two := testdb.OpenPostgres(t, url), testdb.OpenPostgres(t, url)
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
