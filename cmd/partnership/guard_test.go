package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestServeGuard: issue 12, as serve wires it. With --rate-limit 20 the
// 21st request of a key within the minute is a 429 with Retry-After and the
// RateLimit headers; a keyed lead create retried over real HTTP gets the
// first answer byte for byte, with Idempotent-Replayed.
func TestServeGuard(t *testing.T) {
	srv := startServe(t, nil, "Companies API", "--data-dir", t.TempDir(), "serve", "--demo", "--rate-limit", "20")
	key := regexp.MustCompile(`export KEY=(\S+)`).FindStringSubmatch(srv.stdout.String())[1]
	base := srv.base
	send := func(method, path, idemKey string, body []byte) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if idemKey != "" {
			req.Header.Set("Idempotency-Key", idemKey)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}

	lead, _ := json.Marshal(leadBody("52998224725"))
	first, firstBody := send(http.MethodPost, "/sales-conversion/leads", "lead-maria", lead)
	again, againBody := send(http.MethodPost, "/sales-conversion/leads", "lead-maria", lead)
	if first.StatusCode != http.StatusCreated || again.StatusCode != http.StatusCreated ||
		again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(firstBody, againBody) {
		t.Fatalf("first %d %s\nretry %d %q %s", first.StatusCode, firstBody, again.StatusCode, again.Header.Get("Idempotent-Replayed"), againBody)
	}

	// A webhook endpoint's create answer holds its signing secret: it is
	// not kept, so the retry is a 409 that says so, and the endpoint is
	// made once.
	hook := []byte(`{"url":"http://127.0.0.1:9/hooks","events":["lead.created"]}`)
	created, createdBody := send(http.MethodPost, "/sales-conversion/webhook-endpoints", "hook-1", hook)
	retried, retriedBody := send(http.MethodPost, "/sales-conversion/webhook-endpoints", "hook-1", hook)
	if created.StatusCode != http.StatusCreated || retried.StatusCode != http.StatusConflict ||
		!bytes.Contains(retriedBody, []byte("segredo")) || bytes.Contains(retriedBody, []byte("whsec_")) {
		t.Fatalf("webhook create %d %s\nretry %d %s", created.StatusCode, createdBody, retried.StatusCode, retriedBody)
	}
	if res, b := send(http.MethodGet, "/sales-conversion/webhook-endpoints", "", nil); res.StatusCode != http.StatusOK || bytes.Count(b, []byte(`"url"`)) != 1 {
		t.Fatalf("endpoints after the retry: %d %s", res.StatusCode, b)
	}

	for i := 6; i <= 20; i++ {
		if res, b := send(http.MethodGet, "/sales-conversion/leads", "", nil); res.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, res.StatusCode, b)
		}
	}
	res, b := send(http.MethodGet, "/sales-conversion/leads", "", nil)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" ||
		res.Header.Get("RateLimit-Policy") != `"default";q=20;w=60` || !strings.HasPrefix(res.Header.Get("RateLimit"), `"default";r=0;`) {
		t.Fatalf("21st request: %d %v %s", res.StatusCode, res.Header, b)
	}
	srv.stop()
}
