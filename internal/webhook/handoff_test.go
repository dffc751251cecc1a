package webhook_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
	"partnership-service/internal/testdb"
	"partnership-service/internal/webhook"
)

// TestHandedDeliveries: a write request's committed event reaches the
// endpoint at once, without a claim (the dispatcher's poll here is an
// hour); an event whose transaction rolls back is never sent; and a
// handed delivery is sent once, its lease keeping a poller's claim
// (every 20 ms here) off it while the receiver takes its time, even when
// the change was timed by another clock than the dispatcher's (a year
// behind here).
func TestHandedDeliveries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		poll    time.Duration
		slow    time.Duration // how long the receiver takes to answer
		eventAt time.Time     // when the changes happen, by their own clock
	}{
		{"no poll for an hour", time.Hour, 0, time.Now()},
		{"a poll every 20 ms", 20 * time.Millisecond, 100 * time.Millisecond, time.Now()},
		{"a poll every 20 ms, the change's clock a year behind", 20 * time.Millisecond, 100 * time.Millisecond,
			time.Now().AddDate(-1, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, s storage.Stores) {
				ctx := context.Background()
				svc := newServiceWith(t, s, func(cfg *webhook.Config) {
					cfg.AllowPrivate, cfg.Schedule, cfg.Poll = true, webhook.Schedule{time.Hour}, tc.poll
					cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
				})
				var mu sync.Mutex
				got := map[string]int{} // webhook-id → deliveries
				rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					got[r.Header.Get("webhook-id")]++
					mu.Unlock()
					time.Sleep(tc.slow)
					w.WriteHeader(http.StatusNoContent)
				}))
				defer rec.Close()
				id := "00000000-0000-7000-8000-0000000000f5"
				now := time.Now().UTC()
				if err := s.Webhooks().CreateEndpoint(ctx, webhook.Endpoint{ID: id, Owner: owner, URL: rec.URL,
					Secret: mustSeal(t, id), CreatedAt: now, UpdatedAt: now}); err != nil {
					t.Fatal(err)
				}
				run(t, svc)

				rolledBack := errors.New("rolled back")
				var committed, undone []string
				// A POST through HandOff, as serve wraps its handler: its
				// transactions emit one event each, the odd ones roll back.
				post := svc.HandOff(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					for i := range 6 {
						ev, err := webhook.NewEvent(owner, webhook.LeadCreated, map[string]int{"n": i}, tc.eventAt)
						if err != nil {
							t.Error(err)
							return
						}
						err = s.Shared().Write(r.Context(), func(q storesql.Querier) error {
							if err := storesql.Emit(r.Context(), q, ev); err != nil || i%2 == 0 {
								return err
							}
							return rolledBack
						})
						switch {
						case err == nil:
							committed = append(committed, ev.ID)
						case errors.Is(err, rolledBack):
							undone = append(undone, ev.ID)
						default:
							t.Error(err)
						}
					}
				}))
				post.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))

				count := func() (all int, byID map[string]int) {
					mu.Lock()
					defer mu.Unlock()
					byID = map[string]int{}
					for k, n := range got {
						byID[k], all = n, all+n
					}
					return all, byID
				}
				for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
					if n, _ := count(); n >= len(committed) {
						break
					}
					if time.Now().After(deadline) {
						n, _ := count()
						t.Fatalf("%d of %d committed events delivered within 2 s", n, len(committed))
					}
				}
				time.Sleep(300*time.Millisecond + tc.slow) // room for a wrong second attempt or a rolled-back event
				_, byID := count()
				for _, ev := range committed {
					if byID[ev] != 1 {
						t.Errorf("committed event %s delivered %d times, want once", ev, byID[ev])
					}
				}
				for _, ev := range undone {
					if byID[ev] != 0 {
						t.Errorf("rolled-back event %s delivered %d times", ev, byID[ev])
					}
				}
			})
		})
	}
}
