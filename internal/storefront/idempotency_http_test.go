package storefront_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
)

// TestIdempotentSubscription: issue 12. Twenty identical pre-subscriptions
// with a coupon, sent at once with one Idempotency-Key, store one
// subscription and spend one redemption of a coupon without a limit; the
// retry gets the first answer byte for byte; another body with the key is
// a 422; the same key from another client address is that client's own.
func TestIdempotentSubscription(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		h := newHarness(t, e, harnessOptions{guardPerMinute: 1000})
		ctx := context.Background()
		coupon, err := h.svc.SaveCoupon(ctx, h.a.id, storefront.Coupon{Name: "SEMLIMITE"})
		h.must(err)
		body, _ := json.Marshal(subscription(h.a.fast, map[string]any{"coupon_id": coupon.ID}))
		newPost := func(key, remote string, b []byte) *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/api/v2/subscriptions", bytes.NewReader(b))
			req.Header.Set("Origin", originA)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", key)
			if remote != "" {
				req.RemoteAddr = remote
			}
			return req
		}

		const n = 20
		first := apitest.IdempotentBurst(t, h.handler, n, http.StatusOK, func() *http.Request {
			return newPost("assinatura-1", "", body)
		}).Body.Bytes()
		redemptions := func() int {
			c, err := h.store.Coupon(ctx, h.a.id, coupon.ID)
			h.must(err)
			return c.Redemptions
		}
		if got, r := h.a.storedCount(t), redemptions(); got != 1 || r != 1 {
			t.Fatalf("%d identical subscriptions with one key stored %d and redeemed the coupon %d times, want 1 and 1", n, got, r)
		}

		keyed := h.a.client.With("Idempotency-Key", "assinatura-1")
		replay := keyed.Do(keyed.NewRequest(http.MethodPost, "/api/v2/subscriptions", bytes.NewReader(body), "application/json"))
		if replay.Status != http.StatusOK || replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, first) {
			t.Fatalf("replay: %d %q %s, want %s", replay.Status, replay.Header.Get("Idempotent-Replayed"), replay.Body, first)
		}
		other := subscription(h.a.fast, map[string]any{"coupon_id": coupon.ID, "numero": "1300"})
		res := keyed.JSON(http.MethodPost, "/api/v2/subscriptions", other).Expect(http.StatusUnprocessableEntity)
		if errs := errorsOf(t, res); len(errs["Idempotency-Key"]) != 1 {
			t.Fatalf("422 body %s", res.Body)
		}

		// Another visitor (another address) with the same key: its own.
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, newPost("assinatura-1", "198.51.100.7:4000", body))
		if rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "" || bytes.Equal(rec.Body.Bytes(), first) {
			t.Fatalf("another client's key: %d %q %s", rec.Code, rec.Header().Get("Idempotent-Replayed"), rec.Body)
		}
		if got, r := h.a.storedCount(t), redemptions(); got != 2 || r != 2 {
			t.Fatalf("after another client's subscription: %d stored, %d redemptions, want 2 and 2", got, r)
		}
	})
}

// TestStorefrontRateLimit: every storefront request of a client address
// counts against the per-credential limit, and the answers say how much
// is left; the admin API is counted per provider.
func TestStorefrontRateLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		h := newHarness(t, e, harnessOptions{guardPerMinute: 20})
		for range 20 {
			res := h.a.client.Get("/api/v2/providers/plans").Expect(http.StatusOK)
			if res.Header.Get("RateLimit-Policy") != `"default";q=20;w=60` {
				t.Fatalf("RateLimit-Policy %q", res.Header.Get("RateLimit-Policy"))
			}
		}
		res := h.a.client.Get("/api/v2/providers/plans").Expect(http.StatusTooManyRequests)
		if res.Header.Get("Retry-After") == "" || !strings.HasPrefix(res.Header.Get("RateLimit"), `"default";r=0;`) {
			t.Fatalf("429 headers %v", res.Header)
		}
		if errs := errorsOf(t, res); len(errs["base"]) != 1 {
			t.Fatalf("429 body %s", res.Body)
		}
		h.b.client.Get("/api/v2/providers/plans").Expect(http.StatusOK)
		h.a.admin.Get("/api/v2/admin/subscriptions").Expect(http.StatusOK)
	})
}

// TestSubscriptionChangeFeed: issue 12. updated_since lists the
// provider's subscriptions changed after it, in update order, paged.
func TestSubscriptionChangeFeed(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		var ids []string
		var since time.Time
		for i := range 3 {
			res := h.a.subscribe(t, subscription(h.a.fast, nil))
			ids = append(ids, *res.Data.ID)
			if i == 0 {
				since = h.clock.Now()
			}
			h.clock.Advance(time.Second)
		}
		h.a.client.JSON(http.MethodPut, "/api/v2/subscriptions/"+ids[0], subscription(h.a.fast, map[string]any{"numero": "99"})).Expect(http.StatusOK)
		h.b.subscribe(t, subscription(h.b.fast, nil)) // another provider's: never in A's feed
		feed := func(query string) (got []string, total int) {
			t.Helper()
			var list struct {
				Data []struct{ ID string }
				Meta struct{ Total int }
			}
			h.a.admin.Get("/api/v2/admin/subscriptions?" + query).Expect(http.StatusOK).Decode(&list)
			for _, d := range list.Data {
				got = append(got, d.ID)
			}
			return got, list.Meta.Total
		}
		q := "updated_since=" + url.QueryEscape(since.Format(time.RFC3339Nano))
		want := []string{ids[1], ids[2], ids[0]}
		if got, total := feed(q); strings.Join(got, ",") != strings.Join(want, ",") || total != 3 {
			t.Fatalf("feed: %v (total %d), want %v", got, total, want)
		}
		if got, _ := feed(q + "&per_page=2&page=2"); len(got) != 1 || got[0] != ids[0] {
			t.Fatalf("page 2 of 2: %v, want %s", got, ids[0])
		}
		res := h.a.admin.Get("/api/v2/admin/subscriptions?updated_since=15/06/2026").Expect(http.StatusBadRequest)
		if errs := errorsOf(t, res); len(errs["updated_since"]) != 1 {
			t.Fatalf("400 body %s", res.Body)
		}
	})
}
