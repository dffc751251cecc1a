package energy_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/apitest"
)

// keyed is c sending an Idempotency-Key.
func keyed(c *apitest.Client, key string) *apitest.Client { return c.With("Idempotency-Key", key) }

func leadTotal(t *testing.T, c *apitest.Client) float64 {
	t.Helper()
	return c.Get("/sales-conversion/leads").Expect(http.StatusOK).Map()["total"].(float64)
}

// TestIdempotentLeadCreate: issue 12. Twenty identical creates sent at
// once with one key make one lead; every other answer is the first one
// replayed byte for byte, or a 409 while the first was still running. A
// later retry replays it; the same key with another body is a 422; another
// partner's same key is its own.
func TestIdempotentLeadCreate(t *testing.T) {
	eachLeadEnvWith(t, leadEnvOptions{perMinute: 1000}, func(t *testing.T, env *leadEnv) {
		body, _ := json.Marshal(naturalLead())

		const n = 20
		first := apitest.IdempotentBurst(t, env.Handler, n, http.StatusCreated, func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/sales-conversion/leads", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+env.KeyA)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "create-maria-1")
			return req
		}).Body.Bytes()
		if got := leadTotal(t, env.A); got != 1 {
			t.Fatalf("%d identical creates with one key made %v leads, want 1", n, got)
		}

		k := keyed(env.A, "create-maria-1")
		replay := k.Do(k.NewRequest(http.MethodPost, "/sales-conversion/leads", bytes.NewReader(body), "application/json"))
		replay.Expect(http.StatusCreated)
		if !bytes.Equal(replay.Body, first) || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: Idempotent-Replayed %q, body\n%s\nwant\n%s", replay.Header.Get("Idempotent-Replayed"), replay.Body, first)
		}

		other := naturalLead()
		other["fullName"] = "Maria Outra"
		msg := keyed(env.A, "create-maria-1").JSON(http.MethodPost, "/sales-conversion/leads", other).Expect(http.StatusUnprocessableEntity).Map()
		if !strings.Contains(msg["message"].([]any)[0].(string), "Idempotency-Key") {
			t.Fatalf("422 does not name the key: %v", msg)
		}
		if got := leadTotal(t, env.A); got != 1 {
			t.Fatalf("after the replay and the 422: %v leads, want 1", got)
		}

		// Partner B's same key is B's own: a new lead, not A's answer.
		forB := naturalLead()
		forB["identificationNumber"] = cpfFor(7)
		b := keyed(env.B, "create-maria-1").JSON(http.MethodPost, "/sales-conversion/leads", forB).Expect(http.StatusCreated)
		if b.Header.Get("Idempotent-Replayed") != "" || b.Map()["id"] == replay.Map()["id"] {
			t.Fatalf("partner B's create with A's key was answered with A's lead: %s", b.Body)
		}
		if got := leadTotal(t, env.B); got != 1 {
			t.Fatalf("partner B has %v leads, want 1", got)
		}
	})
}

// TestIdempotencyKeyRefusals: a malformed key is a 400 in the surface's
// envelope, and a request without the header is not affected.
func TestIdempotencyKeyRefusals(t *testing.T) {
	eachLeadEnvWith(t, leadEnvOptions{perMinute: 1000}, func(t *testing.T, env *leadEnv) {
		for name, key := range map[string]string{
			"too long":     strings.Repeat("k", 256),
			"control":      "abc\x01",
			"non-ASCII":    "chave-ção",
			"empty string": `""`,
			"quote inside": `"a"b"`,
		} {
			res := keyed(env.A, key).JSON(http.MethodPost, "/sales-conversion/leads", naturalLead())
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "Idempotency-Key") {
				t.Errorf("%s: %d %s", name, res.Status, res.Body)
			}
		}
		if got := leadTotal(t, env.A); got != 0 {
			t.Fatalf("refused keys made %v leads", got)
		}
		keyed(env.A, `"sf-string-key"`).JSON(http.MethodPost, "/sales-conversion/leads", naturalLead()).Expect(http.StatusCreated)
		l := naturalLead()
		l["identificationNumber"] = cpfFor(8)
		env.A.JSON(http.MethodPost, "/sales-conversion/leads", l).Expect(http.StatusCreated)
	})
}

// TestIdempotentUploadInFlight: a retry of an upload still streaming is a
// 409 at once; once the first answered, the retry (same bytes) gets its
// answer replayed, and the document is stored once.
func TestIdempotentUploadInFlight(t *testing.T) {
	eachLeadEnvWith(t, leadEnvOptions{perMinute: 1000}, func(t *testing.T, env *leadEnv) {
		lead := createLead(t, env.A, naturalLead())
		path := "/sales-conversion/leads/" + lead["id"].(string) + "/utility-bill"

		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.SetBoundary("idempotency-test-boundary")
		w, _ := mw.CreateFormFile("utilityBill", "conta.pdf")
		w.Write(pdfBytes)
		mw.Close()
		upload := buf.Bytes()

		pr, pw := io.Pipe()
		req := env.A.NewRequest(http.MethodPost, path, pr, mw.FormDataContentType())
		req.Header.Set("Idempotency-Key", "bill-1")
		done := make(chan *httptest.ResponseRecorder)
		go func() {
			rec := httptest.NewRecorder()
			env.Handler.ServeHTTP(rec, req)
			done <- rec
		}()
		// Once the handler has read the first bytes, the request is in flight.
		if _, err := pw.Write(upload[:64]); err != nil {
			t.Fatal(err)
		}
		retry := func() *apitest.Response {
			k := keyed(env.A, "bill-1")
			return k.Do(k.NewRequest(http.MethodPost, path, bytes.NewReader(upload), mw.FormDataContentType()))
		}
		retry().Expect(http.StatusConflict)
		pw.Write(upload[64:])
		pw.Close()
		first := <-done
		if first.Code != http.StatusCreated {
			t.Fatalf("first upload: %d %s", first.Code, first.Body)
		}
		again := retry().Expect(http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body.Bytes()) {
			t.Fatalf("retry after the answer: %q %s, want %s", again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
		}
		if n := len(storedFiles(t, env.BlobDir)); n != 1 {
			t.Fatalf("%d files stored, want 1", n)
		}
	})
}

// TestIdempotentReplayAfterLostAnswer: a crash between the change's commit
// and storing its answer leaves a record without one; the retry is
// answered from the lead the record names, with 201, not made again.
func TestIdempotentReplayAfterLostAnswer(t *testing.T) {
	eachLeadEnvWith(t, leadEnvOptions{perMinute: 1000}, func(t *testing.T, env *leadEnv) {
		created := keyed(env.A, "lost-answer").JSON(http.MethodPost, "/sales-conversion/leads", naturalLead()).Expect(http.StatusCreated)
		// What a crash right after the commit leaves: no stored answer.
		if _, err := env.Stores.Shared().Exec(t.Context(), `UPDATE idempotency_keys SET status = NULL, body = NULL`); err != nil {
			t.Fatal(err)
		}
		again := keyed(env.A, "lost-answer").JSON(http.MethodPost, "/sales-conversion/leads", naturalLead()).Expect(http.StatusCreated)
		if again.Header.Get("Idempotent-Replayed") != "true" || again.Map()["id"] != created.Map()["id"] {
			t.Fatalf("retry after a lost answer: %s, want lead %v", again.Body, created.Map()["id"])
		}
		if got := leadTotal(t, env.A); got != 1 {
			t.Fatalf("%v leads, want 1", got)
		}
	})
}

// TestPartnerRateLimit: issue 12. With a limit of 20 a minute, the 21st
// request of a key within the minute is a 429 with Retry-After, and every
// answer carries the RateLimit headers; another key is counted apart, and
// the key is served again once Retry-After has passed.
func TestPartnerRateLimit(t *testing.T) {
	eachLeadEnvWith(t, leadEnvOptions{perMinute: 20}, func(t *testing.T, env *leadEnv) {
		for i := range 20 {
			res := env.A.Get("/sales-conversion/leads").Expect(http.StatusOK)
			if got, want := res.Header.Get("RateLimit"), `"default";r=`+strconv.Itoa(19-i); !strings.HasPrefix(got, want+";t=") {
				t.Fatalf("request %d: RateLimit %q, want %s;t=…", i+1, got, want)
			}
		}
		res := env.A.Get("/sales-conversion/leads").Expect(http.StatusTooManyRequests)
		retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || retry < 1 || retry > 3 {
			t.Fatalf("Retry-After %q, want about 3 s", res.Header.Get("Retry-After"))
		}
		if p := res.Header.Get("RateLimit-Policy"); p != `"default";q=20;w=60` {
			t.Fatalf("RateLimit-Policy %q", p)
		}
		if r := res.Header.Get("RateLimit"); !strings.HasPrefix(r, `"default";r=0;t=`) {
			t.Fatalf("RateLimit %q", r)
		}
		if m := res.Map(); m["statusCode"] != float64(429) {
			t.Fatalf("429 body %v", m)
		}
		env.B.Get("/sales-conversion/leads").Expect(http.StatusOK)
		env.clock.Advance(time.Duration(retry) * time.Second)
		env.A.Get("/sales-conversion/leads").Expect(http.StatusOK)
	})
}

// TestLeadChangeFeed: issue 12. updated_since lists only the leads changed
// after it, in the order they changed, with the other filters kept; a bad
// time is a 400.
func TestLeadChangeFeed(t *testing.T) {
	eachLeadEnv(t, func(t *testing.T, env *leadEnv) {
		var ids []string
		var since string
		for i := range 3 {
			l := naturalLead()
			l["identificationNumber"] = cpfFor(int64(100 + i))
			lead := createLead(t, env.A, l)
			ids = append(ids, lead["id"].(string))
			if i == 0 {
				since = lead["updatedAt"].(string)
			}
			env.clock.Advance(time.Second)
		}
		env.A.JSON(http.MethodPut, "/sales-conversion/leads/"+ids[0], map[string]any{"fullName": "John Cena Atualizado"}).Expect(http.StatusOK)
		feed := func(query string) (got []string, total float64) {
			t.Helper()
			res := env.A.Get("/sales-conversion/leads?" + query).Expect(http.StatusOK)
			var body struct {
				Leads []struct{ ID string }
				Total float64
			}
			res.Decode(&body)
			for _, l := range body.Leads {
				got = append(got, l.ID)
			}
			return got, body.Total
		}
		q := "updated_since=" + url.QueryEscape(since)
		if got, total := feed(q); strings.Join(got, ",") != strings.Join([]string{ids[1], ids[2], ids[0]}, ",") || total != 3 {
			t.Fatalf("feed since the first create: %v (total %v), want %v", got, total, []string{ids[1], ids[2], ids[0]})
		}
		if got, _ := feed(q + "&limit=1&page=2"); len(got) != 1 || got[0] != ids[2] {
			t.Fatalf("second page of one: %v, want %s", got, ids[2])
		}
		if got, _ := feed(q + "&filters=" + url.QueryEscape("customer:John Cena Atualizado")); len(got) != 1 || got[0] != ids[0] {
			t.Fatalf("feed with a customer filter: %v, want %s", got, ids[0])
		}
		for _, bad := range []string{"ontem", "2026-07-01", "2026-07-01T12:00:00"} {
			res := env.A.Get("/sales-conversion/leads?updated_since=" + url.QueryEscape(bad)).Expect(http.StatusBadRequest)
			if !strings.Contains(string(res.Body), "updated_since") {
				t.Errorf("%q: %s", bad, res.Body)
			}
		}
	})
}
