package storetest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/httpx"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/storage"
	"partnership-service/internal/storesql"
	"partnership-service/internal/testkit"
)

// runIdempotencyKeys checks the engine's half of Idempotency-Key: the
// record commits with the change the request made through the engine's
// write path, or not at all. The change here is a partner's creation.
func runIdempotencyKeys(t *testing.T, s storage.Stores) {
	clock := testkit.NewClock(epoch)
	store := storesql.IdempotencyKeys{DB: s.Shared()}
	// Two replicas: each its own in-flight set, one database.
	replica1, replica2 := idempotency.NewKeys(store, clock.Now, nil), idempotency.NewKeys(store, clock.Now, nil)
	createPartner := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := s.EnergyPartners().CreatePartner(r.Context(), energy.Partner{ID: "id-" + name, Name: name, CreatedAt: clock.Now()}); err != nil {
				httpx.RenderPlain(w, r, s.Shared().MapError(err))
				return
			}
			httpx.WriteJSON(w, http.StatusCreated, map[string]string{"name": name})
		}
	}
	serve := func(keys *idempotency.Keys, key string, h http.HandlerFunc) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/partners", strings.NewReader(`{"same":"body"}`))
		req.Header.Set("Idempotency-Key", key)
		rec := httptest.NewRecorder()
		keys.Serve(rec, req, "owner-1", httpx.RenderPlain, h)
		return rec
	}
	exists := func(name string) bool {
		_, err := s.EnergyPartners().PartnerByName(t.Context(), name)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	record := func(key string) (idempotency.Record, bool) {
		rec, found, err := store.GetKey(t.Context(), "owner-1", key, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return rec, found
	}

	t.Run("the record commits with the change and keeps its answer", func(t *testing.T) {
		first := serve(replica1, "k1", createPartner("Primeiro"))
		rec, found := record("k1")
		if first.Code != http.StatusCreated || !found || !rec.Answered || rec.Answer.Status != http.StatusCreated ||
			string(rec.Answer.Body) != first.Body.String() || rec.Answer.ContentType != first.Header().Get("Content-Type") {
			t.Fatalf("first: %d %s; record %v %+v", first.Code, first.Body, found, rec)
		}
		again := serve(replica2, "k1", createPartner("Nunca"))
		if again.Code != http.StatusCreated || again.Body.String() != first.Body.String() || exists("Nunca") {
			t.Fatalf("retry on the other replica: %d %s; ran again: %v", again.Code, again.Body, exists("Nunca"))
		}
	})
	t.Run("a change that rolls back leaves no record", func(t *testing.T) {
		dup := serve(replica1, "k2", createPartner("Primeiro")) // the name exists: conflict
		if _, found := record("k2"); dup.Code != http.StatusConflict || found {
			t.Fatalf("failed change: %d, record kept: %v", dup.Code, found)
		}
		if res := serve(replica1, "k2", createPartner("Segundo")); res.Code != http.StatusCreated || !exists("Segundo") {
			t.Fatalf("retry of a failed change was not judged afresh: %d %s", res.Code, res.Body)
		}
	})
	t.Run("a retry the handler refuses anew gets the first answer", func(t *testing.T) {
		first := serve(replica1, "k4", createPartner("Oitavo"))
		// The retry's handler judges the request again and finds the
		// partner exists: a conflict of its own, which the key overrules.
		again := serve(replica2, "k4", createPartner("Oitavo"))
		if first.Code != http.StatusCreated || again.Code != http.StatusCreated || again.Body.String() != first.Body.String() ||
			again.Header().Get(idempotency.ReplayedHeader) != "true" {
			t.Fatalf("first %d %s, retry %d %s %v", first.Code, first.Body, again.Code, again.Body, again.Header())
		}
	})
	t.Run("the record's key refuses a second change on another replica", func(t *testing.T) {
		var inner *httptest.ResponseRecorder
		outer := serve(replica1, "k3", func(w http.ResponseWriter, r *http.Request) {
			// While replica 1 runs, replica 2 carries the same key through.
			inner = serve(replica2, "k3", createPartner("Terceiro"))
			// A handler that words any conflict as its own (a name taken)
			// is overruled: the answer is the key's, the first request's
			// committed meanwhile.
			err := s.EnergyPartners().CreatePartner(r.Context(), energy.Partner{ID: "id-Quarto", Name: "Quarto", CreatedAt: clock.Now()})
			if err != nil {
				w.Header().Set("Location", "/partners/Quarto")
				httpx.RenderPlain(w, r, apperr.Field(apperr.Unprocessable, "name", "taken"))
				return
			}
			w.WriteHeader(http.StatusCreated)
		})
		if inner.Code != http.StatusCreated || outer.Code != http.StatusCreated || outer.Body.String() != inner.Body.String() ||
			outer.Header().Get(idempotency.ReplayedHeader) != "true" || outer.Header().Get("Location") != "" ||
			exists("Quarto") || !exists("Terceiro") {
			t.Fatalf("inner %d, outer %d %s %v; Quarto stored: %v", inner.Code, outer.Code, outer.Body, outer.Header(), exists("Quarto"))
		}
	})
	// A change that announces its answer (idempotency.Refer) has it kept by
	// its own commit: a crash right after leaves a replayable record.
	announcing := func(name, answer string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			idempotency.Refer(r.Context(), "/partners/"+name, []byte(`{"name":"`+name+`"}`))
			if err := s.EnergyPartners().CreatePartner(r.Context(), energy.Partner{ID: "id-" + name, Name: name, CreatedAt: clock.Now()}); err != nil {
				httpx.RenderPlain(w, r, s.Shared().MapError(err))
				return
			}
			if rec, found := record("k-" + name); !found || !rec.Answered || rec.Answer.Status != http.StatusCreated ||
				string(rec.Answer.Body) != `{"name":"`+name+`"}` || rec.Answer.ContentType != httpx.JSONContentType {
				t.Errorf("after the commit, before the answer: record %v %+v", found, rec)
			}
			httpx.WriteRawJSON(w, http.StatusCreated, []byte(answer))
		}
	}
	t.Run("an announced answer commits with the change", func(t *testing.T) {
		first := serve(replica1, "k-Sexto", announcing("Sexto", `{"name":"Sexto"}`))
		again := serve(replica2, "k-Sexto", createPartner("Nunca"))
		if first.Code != http.StatusCreated || again.Code != http.StatusCreated || again.Body.String() != first.Body.String() ||
			again.Header().Get(idempotency.ReplayedHeader) != "true" {
			t.Fatalf("first %d %s, retry %d %s", first.Code, first.Body, again.Code, again.Body)
		}
	})
	t.Run("an answer other than the announced one replaces it", func(t *testing.T) {
		first := serve(replica1, "k-Setimo", announcing("Setimo", `{"name":"Setimo","other":true}`))
		if rec, _ := record("k-Setimo"); string(rec.Answer.Body) != first.Body.String() {
			t.Fatalf("kept %s, answered %s", rec.Answer.Body, first.Body)
		}
	})
	t.Run("expired records are replaced and swept", func(t *testing.T) {
		clock.Advance(idempotency.TTL)
		if _, found := record("k1"); found {
			t.Fatal("an expired record is still served")
		}
		if res := serve(replica1, "k1", createPartner("Quinto")); res.Code != http.StatusCreated || !exists("Quinto") {
			t.Fatalf("expired key reused: %d %s", res.Code, res.Body)
		}
		clock.Advance(idempotency.TTL)
		n, err := replica1.Sweep(t.Context())
		if err != nil || n != 6 {
			t.Fatalf("swept %d (%v), want 6", n, err)
		}
	})
}
