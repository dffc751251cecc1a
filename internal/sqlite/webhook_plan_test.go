package sqlite_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/storesql"
	"partnership-service/internal/testdb"
)

// writeRecorder is planRecorder for writes: the statements of a Write are
// explained too.
type writeRecorder struct{ planRecorder }

func (p writeRecorder) Write(ctx context.Context, fn func(storesql.Querier) error) error {
	return p.DB.Write(ctx, func(tx storesql.Querier) error { return fn(txRecorder{Querier: tx, p: p.planRecorder}) })
}

type txRecorder struct {
	storesql.Querier
	p planRecorder
}

func (t txRecorder) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	t.p.explain(query, args)
	return t.Querier.Exec(ctx, query, args...)
}

// TestWebhookPrunePlan: the prune of settled events reads the range of
// old ones from an index, never every event (a scan of the whole table
// inside the single writer, which held every write for seconds once the
// table was large).
func TestWebhookPrunePlan(t *testing.T) {
	t.Parallel()
	stores := testdb.SQLite(t)
	plans := new([]string)
	shared := stores.DB.Shared()
	wh := storesql.Webhooks{DB: writeRecorder{planRecorder{DB: shared, reader: stores.DB.Reader(), plans: plans}}}
	if _, err := wh.Prune(context.Background(), time.Now().Add(-time.Hour), 500); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(*plans, "\n")
	if !strings.Contains(all, "SEARCH e USING INDEX webhook_events_dispatched (dispatched_at<?)") {
		t.Errorf("the prune does not read the old events' range; plans:\n%s", all)
	}
	if strings.Contains(all, "SCAN e") {
		t.Errorf("the prune reads every event; plans:\n%s", all)
	}
}
