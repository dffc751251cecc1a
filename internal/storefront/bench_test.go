package storefront_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"partnership-service/internal/testdb"
)

// The benchmarks drive the real handler (middleware, routing, tenant
// resolution) on SQLite in a temp dir, without contract validation.

func serve(b *testing.B, h http.Handler, req *http.Request, want int) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
	}
}

func BenchmarkGetProviders(b *testing.B) {
	h := newHarness(b, testdb.SQLite(b))
	first := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/v2/providers", nil)
	req.Header.Set("Origin", originA)
	h.handler.ServeHTTP(first, req)
	etag := first.Header().Get("ETag")
	for _, bc := range []struct {
		name        string
		ifNoneMatch string
		status      int
	}{{"200", "", http.StatusOK}, {"304", etag, http.StatusNotModified}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, "/api/v2/providers", nil)
					req.Header.Set("Origin", originA)
					if bc.ifNoneMatch != "" {
						req.Header.Set("If-None-Match", bc.ifNoneMatch)
					}
					serve(b, h.handler, req, bc.status)
				}
			})
		})
	}
}

func BenchmarkCreateSubscription(b *testing.B) {
	h := newHarness(b, testdb.SQLite(b))
	body := func(pre bool) []byte {
		fields := map[string]any{}
		if !pre {
			fields["pre_subscription"] = nil
		}
		raw, err := json.Marshal(subscription(h.a.fast, fields))
		if err != nil {
			b.Fatal(err)
		}
		return raw
	}
	post := func(raw []byte) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/api/v2/subscriptions", bytes.NewReader(raw))
		req.Header.Set("Origin", originA)
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	for _, bc := range []struct {
		name     string
		pre      bool
		parallel bool
	}{
		{"coverage check", false, true},
		{"stored", true, false},
		{"stored, concurrent clients", true, true},
	} {
		raw := body(bc.pre)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			if !bc.parallel {
				for b.Loop() {
					serve(b, h.handler, post(raw), http.StatusOK)
				}
				return
			}
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					serve(b, h.handler, post(raw), http.StatusOK)
				}
			})
		})
	}
}
