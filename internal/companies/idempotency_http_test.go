package companies_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/apitest"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
)

// companyIDs lists what p sees with query, in the order answered.
func (w *world) companyIDs(p persona, query string) []int64 {
	w.t.Helper()
	res := p.api.Get("/api/v4/companies?" + query)
	if res.Status == http.StatusNoContent {
		return nil
	}
	var page struct{ Items []struct{ ID int64 } }
	res.Expect(http.StatusOK).Decode(&page)
	var ids []int64
	for _, c := range page.Items {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestIdempotentCompanyCreate: issue 12. Twenty identical creates with one
// key make one company; the retry gets the first answer (Location
// included) byte for byte; the key belongs to the user, so another user's
// same key makes that user's company.
func TestIdempotentCompanyCreate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		w := newWorld(t, e, 1000)
		before := len(w.companyIDs(w.client, "_limit=100"))
		body, _ := json.Marshal(company(map[string]any{"name": "Padaria Idempotente"}))
		newPost := func(token string) *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/api/v4/companies", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "padaria-1")
			return req
		}
		const n = 20
		first := apitest.IdempotentBurst(t, w.handler, n, http.StatusCreated, func() *http.Request {
			return newPost(w.tokens[w.client.email])
		})
		if got := len(w.companyIDs(w.client, "_limit=100")); got != before+1 {
			t.Fatalf("%d identical creates made %d companies, want 1", n, got-before)
		}
		keyed := w.client.api.With("Idempotency-Key", "padaria-1")
		replay := keyed.Do(keyed.NewRequest(http.MethodPost, "/api/v4/companies", bytes.NewReader(body), "application/json")).Expect(http.StatusCreated)
		if replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, first.Body.Bytes()) ||
			replay.Header.Get("Location") != first.Header().Get("Location") {
			t.Fatalf("replay: %v %s", replay.Header, replay.Body)
		}
		res := keyed.JSON(http.MethodPost, "/api/v4/companies", company(map[string]any{"name": "Outra Padaria"})).Expect(http.StatusUnprocessableEntity)
		if !strings.Contains(string(res.Body), `"Idempotency-Key":[`) {
			t.Fatalf("422 body %s", res.Body)
		}
		// The foreign account's user sends the same key: its own company.
		mine := httptest.NewRecorder()
		w.handler.ServeHTTP(mine, newPost(w.tokens[w.foreign.email]))
		if mine.Code != http.StatusCreated || mine.Header().Get("Idempotent-Replayed") != "" || mine.Header().Get("Location") == first.Header().Get("Location") {
			t.Fatalf("another user's key: %d %v %s", mine.Code, mine.Header(), mine.Body)
		}
	})
}

// TestCompaniesRateLimit: requests are counted per token; the 21st within
// the minute is a 429 in the surface's envelope, with Retry-After.
func TestCompaniesRateLimit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		w := newWorld(t, e, 20)
		for range 20 {
			w.client.api.Get("/api/v4/companies").Expect(http.StatusOK)
		}
		res := w.client.api.Get("/api/v4/companies").Expect(http.StatusTooManyRequests)
		retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || retry < 1 || res.Header.Get("RateLimit-Policy") != `"default";q=20;w=60` {
			t.Fatalf("429 headers %v", res.Header)
		}
		if string(res.Body) != `["Muitas requisições."]` {
			t.Fatalf("429 body %s", res.Body)
		}
		w.manager.api.Get("/api/v4/companies").Expect(http.StatusOK)
		w.clock.Advance(time.Duration(retry) * time.Second)
		w.client.api.Get("/api/v4/companies").Expect(http.StatusOK)
	})
}

// TestCompaniesChangeFeed: issue 12. updated_since lists the companies the
// user may see that changed after it, in update order, whatever _sort
// says; a bad time is a 400 naming the parameter.
func TestCompaniesChangeFeed(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *world) {
		since := w.clock.Now()
		w.clock.Advance(time.Second)
		a := w.create(w.client, map[string]any{"name": "Alfa"})
		w.clock.Advance(time.Second)
		b := w.create(w.client, map[string]any{"name": "Beta"})
		w.clock.Advance(time.Second)
		w.client.api.JSON(http.MethodPut, path(w.clienteCo), map[string]any{"name": "Empresa Cliente Renomeada"}).Expect(http.StatusOK)
		w.create(w.foreign, map[string]any{"name": "Fora do alcance"})

		q := "updated_since=" + url.QueryEscape(since.Format(time.RFC3339))
		want := []int64{a, b, w.clienteCo}
		for _, query := range []string{q, q + "&_sort=name&_order=desc"} {
			if got := w.companyIDs(w.client, query); !slices.Equal(got, want) {
				t.Fatalf("%s: %v, want %v", query, got, want)
			}
		}
		if got := w.companyIDs(w.client, q+"&_limit=2&_page=2"); !slices.Equal(got, want[2:]) {
			t.Fatalf("page 2: %v, want %v", got, want[2:])
		}
		res := w.client.api.Get("/api/v4/companies?updated_since=amanh%C3%A3").Expect(http.StatusBadRequest)
		if !strings.Contains(string(res.Body), `"updated_since":[`) {
			t.Fatalf("400 body %s", res.Body)
		}
	})
}
