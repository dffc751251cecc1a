package webhook_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/secretbox"
	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
	"partnership-service/internal/webhook"
)

// TestSignMatchesTheReferenceVectors: the example message of the
// Standard Webhooks reference libraries (svix-webhooks' tests), and the
// worked example of the OpenAPI document (api/webhooks.yaml).
func TestSignMatchesTheReferenceVectors(t *testing.T) {
	t.Parallel()
	for _, v := range []struct {
		name, secret, id, body, want string
		at                           int64
	}{
		{"reference libraries", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
			`{"test": 2432232314}`, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 1614265330},
		{"OpenAPI worked example", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_01936d3c-7a2e-7cc1-9f4b-2b0f5e8c1a77",
			`{"type":"contract.signed","timestamp":"2026-01-01T00:00:00Z","data":{"id":"01936d3c-79f0-7a55-8a3e-5d2f1b9c0e11","status":"assinado"}}`,
			"v1,gG6oUOY8R5+VaVy4KdKyE8VnViHMojnqcln1JAXApwY=", 1767225600},
	} {
		got, err := webhook.Sign(v.secret, v.id, time.Unix(v.at, 0), []byte(v.body))
		if err != nil || got != v.want {
			t.Errorf("%s: Sign = %q, %v; want %q", v.name, got, err, v.want)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	s, err := webhook.ParseSchedule(webhook.DefaultSchedule)
	if err != nil || len(s) != 7 || s[0] != 5*time.Second || s[6] != 10*time.Hour {
		t.Fatalf("default schedule = %v, %v", s, err)
	}
	for _, bad := range []string{"", "5s,,5m", "5", "-5s", "0s", "soon"} {
		if _, err := webhook.ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted it", bad)
		}
	}
}

func newService(t *testing.T, s storage.Stores, allowPrivate bool, now func() time.Time) *webhook.Service {
	t.Helper()
	return newServiceWith(t, s, func(cfg *webhook.Config) {
		cfg.AllowPrivate, cfg.Schedule, cfg.Poll, cfg.Now = allowPrivate, webhook.Schedule{50 * time.Millisecond}, 20*time.Millisecond, now
	})
}

// newServiceWith is a service on s's store with the tests' secret box, its
// configuration set by configure.
func newServiceWith(t *testing.T, s storage.Stores, configure func(*webhook.Config)) *webhook.Service {
	t.Helper()
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cfg := webhook.Config{Store: s.Webhooks(), Box: box}
	configure(&cfg)
	svc, err := webhook.NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// run runs the dispatcher until the test ends.
func run(t *testing.T, svc *webhook.Service) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func emit(t *testing.T, s storage.Stores, owner webhook.Owner) webhook.Event {
	t.Helper()
	ev, err := webhook.NewEvent(owner, webhook.LeadCreated, map[string]string{"id": "l1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Shared().Write(ctx, func(q storesql.Querier) error { return storesql.Emit(ctx, q, ev) }); err != nil {
		t.Fatal(err)
	}
	return ev
}

// waitDelivery polls the endpoint's log until its latest delivery has
// made an attempt.
func waitDelivery(t *testing.T, svc *webhook.Service, epID string) webhook.Delivery {
	t.Helper()
	all := func(webhook.Owner) bool { return true }
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		ds, err := svc.Deliveries(context.Background(), all, epID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].Attempts > 0 {
			return ds[0]
		}
	}
	t.Fatal("no attempt within 5 s")
	return webhook.Delivery{}
}

var owner = webhook.Owner{Surface: webhook.Energy, ID: "partner-a"}

// TestPrivateDestinationsRefused: without --webhook-allow-private an
// endpoint must be https on a public address when registered, and the
// address actually dialled is checked again (a name that resolves to an
// internal address later, DNS rebinding, is refused at delivery).
func TestPrivateDestinationsRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s storage.Stores) {
		ctx := context.Background()
		svc := newService(t, s, false, nil)
		for _, u := range []string{
			"http://example.com/hooks", "https://127.0.0.1/hooks", "https://10.1.2.3/hooks", "https://[::1]/hooks",
			"https://169.254.169.254/latest/meta-data", "https://100.64.0.1/x", "https://localhost/hooks",
			"https://[::ffff:192.168.0.1]/x", "ftp://example.com/x", "https://user:pw@example.com/x", "/relative",
		} {
			_, _, err := svc.Create(ctx, owner, webhook.Input{URL: &u})
			if e := apperr.As(err); e == nil || e.Code != apperr.Unprocessable || len(e.Fields["url"]) != 1 {
				t.Errorf("Create(%s) = %v, want a 422 on url", u, err)
			}
		}

		var hits atomic.Int32
		target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
		defer target.Close()
		// Registered while it resolved to a public address, say; now it
		// is loopback.
		if err := s.Webhooks().CreateEndpoint(ctx, webhook.Endpoint{ID: "00000000-0000-7000-8000-0000000000f1", Owner: owner,
			URL: target.URL, Secret: mustSeal(t, "00000000-0000-7000-8000-0000000000f1"), CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		run(t, svc)
		emit(t, s, owner)
		d := waitDelivery(t, svc, "00000000-0000-7000-8000-0000000000f1")
		if d.LastError != "endereço de destino não é público" || d.LastStatus != 0 || hits.Load() != 0 {
			t.Fatalf("delivery to loopback: %+v, %d requests reached it", d, hits.Load())
		}
	})
}

// mustSeal seals a valid secret as the service would for endpoint id.
func mustSeal(t *testing.T, id string) []byte {
	box, _ := secretbox.New(bytes.Repeat([]byte{7}, 32))
	return box.Seal([]byte(webhook.NewSecret()), "webhook-secret:"+id)
}

// TestRotatedSecretSignsBoth: after a rotation both the new and the old
// secret sign each message (as the spec allows), so a receiver that has
// not switched yet still verifies.
func TestRotatedSecretSignsBoth(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s storage.Stores) {
		ctx := context.Background()
		svc := newService(t, s, true, nil)
		got := make(chan *http.Request, 1)
		bodies := make(chan []byte, 1)
		rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- r
			bodies <- b
		}))
		defer rec.Close()
		u := rec.URL
		ep, oldSecret, err := svc.Create(ctx, owner, webhook.Input{URL: &u})
		if err != nil {
			t.Fatal(err)
		}
		all := func(webhook.Owner) bool { return true }
		_, newSecret, err := svc.RotateSecret(ctx, all, ep.ID)
		if err != nil || newSecret == oldSecret || !strings.HasPrefix(newSecret, "whsec_") {
			t.Fatalf("RotateSecret = %q, %v", newSecret, err)
		}
		run(t, svc)
		ev := emit(t, s, owner)
		var r *http.Request
		select {
		case r = <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("no delivery")
		}
		body := <-bodies
		sigs := strings.Fields(r.Header.Get("webhook-signature"))
		sec, err := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		tsTime := time.Unix(sec, 0)
		for i, secret := range []string{newSecret, oldSecret} {
			want, _ := webhook.Sign(secret, ev.ID, tsTime, body)
			if len(sigs) != 2 || sigs[i] != want {
				t.Fatalf("signatures %v, want %s's at %d", sigs, []string{"new", "old"}[i], i)
			}
		}
	})
}

// TestEndpointFailingFiveDaysIsDisabled: an endpoint whose every attempt
// failed for 5 days is disabled, says why, and gets no more attempts.
func TestEndpointFailingFiveDaysIsDisabled(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s storage.Stores) {
		ctx := context.Background()
		svc := newService(t, s, true, nil)
		rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}))
		defer rec.Close()
		id := "00000000-0000-7000-8000-0000000000f2"
		now := time.Now().UTC()
		if err := s.Webhooks().CreateEndpoint(ctx, webhook.Endpoint{ID: id, Owner: owner, URL: rec.URL, Secret: mustSeal(t, id),
			FailingSince: now.Add(-webhook.DisableAfter - time.Minute), CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		run(t, svc)
		emit(t, s, owner)
		d := waitDelivery(t, svc, id)
		if d.LastStatus != http.StatusInternalServerError {
			t.Fatalf("delivery %+v", d)
		}
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			ep, err := svc.Get(ctx, func(webhook.Owner) bool { return true }, id)
			if err != nil {
				t.Fatal(err)
			}
			if !ep.DisabledAt.IsZero() {
				if !strings.Contains(ep.DisabledReason, "falharam") {
					t.Fatalf("disabled reason %q", ep.DisabledReason)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the endpoint was not disabled")
			}
		}
	})
}

// TestBacklogDrainsAtTheWorkersPace: a backlog larger than the workers is
// delivered without waiting for a poll per handful of deliveries; here the
// poll is an hour, so one step must deliver it all.
func TestBacklogDrainsAtTheWorkersPace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s storage.Stores) {
		ctx := context.Background()
		svc := newServiceWith(t, s, func(cfg *webhook.Config) {
			cfg.AllowPrivate, cfg.Schedule, cfg.Poll, cfg.Workers = true, webhook.Schedule{time.Hour}, time.Hour, 4
		})
		var got atomic.Int64
		rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		defer rec.Close()
		id := "00000000-0000-7000-8000-0000000000f3"
		now := time.Now().UTC()
		if err := s.Webhooks().CreateEndpoint(ctx, webhook.Endpoint{ID: id, Owner: owner, URL: rec.URL, Secret: mustSeal(t, id),
			CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		const backlog = 150 // more than a fan-out batch, and many times the workers
		for range backlog {
			emit(t, s, owner)
		}
		run(t, svc)
		for deadline := time.Now().Add(20 * time.Second); got.Load() < backlog; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d delivered within 20 s, the poll being an hour", got.Load(), backlog)
			}
		}
	})
}

// TestAttemptOfADeletedEndpointIsNoError: an endpoint deleted while an
// attempt to it is under way takes its deliveries with it; the attempt
// then finds nothing to record, which the dispatcher does not report as
// an error (deleting a busy endpoint filled the log with ERROR lines).
func TestAttemptOfADeletedEndpointIsNoError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s storage.Stores) {
		ctx := context.Background()
		var logs testkit.SyncBuffer
		svc := newServiceWith(t, s, func(cfg *webhook.Config) {
			cfg.AllowPrivate, cfg.Schedule, cfg.Poll = true, webhook.Schedule{time.Hour}, 20*time.Millisecond
			cfg.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		})
		arrived, deleted := make(chan struct{}), make(chan struct{})
		rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-deleted
			w.WriteHeader(http.StatusNoContent)
		}))
		defer rec.Close()
		id := "00000000-0000-7000-8000-0000000000f4"
		now := time.Now().UTC()
		if err := s.Webhooks().CreateEndpoint(ctx, webhook.Endpoint{ID: id, Owner: owner, URL: rec.URL, Secret: mustSeal(t, id),
			CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		run(t, svc)
		emit(t, s, owner)
		<-arrived
		if err := svc.Delete(ctx, func(webhook.Owner) bool { return true }, id); err != nil {
			t.Fatal(err)
		}
		close(deleted)
		ended := func() bool {
			l := logs.String()
			return strings.Contains(l, "deleted endpoint") || strings.Contains(l, `"level":"ERROR"`)
		}
		for deadline := time.Now().Add(5 * time.Second); !ended(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the attempt did not end within 5 s; log:\n%s", logs.String())
			}
		}
		if strings.Contains(logs.String(), `"level":"ERROR"`) {
			t.Errorf("an attempt of a deleted endpoint logged an error:\n%s", logs.String())
		}
	})
}
