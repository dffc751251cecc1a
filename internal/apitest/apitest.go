// Package apitest drives the real handler in-process and checks every
// response against the OpenAPI contract, so the code and the document cannot
// drift apart without a test failing.
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"partnership-service/api"
)

var contract = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(api.Document().JSON)
	if err != nil {
		return nil, fmt.Errorf("parse contract: %w", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("build validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("contract is not a valid OpenAPI document: %s", describe(verrs))
	}
	return v, nil
})

// validatorMu guards the validator: it caches compiled schemas internally.
var validatorMu sync.Mutex

// Client sends requests to a handler and validates the answers.
type Client struct {
	tb      testing.TB
	handler http.Handler
	// Header is added to every request (e.g. Authorization, Origin).
	Header http.Header
}

// New returns a client for h.
func New(tb testing.TB, h http.Handler) *Client {
	tb.Helper()
	if _, err := contract(); err != nil {
		tb.Fatalf("apitest: %v", err)
	}
	return &Client{tb: tb, handler: h, Header: http.Header{}}
}

// With returns a copy of c that also sends the given header pairs.
func (c *Client) With(headerPairs ...string) *Client {
	cp := *c
	cp.Header = c.Header.Clone()
	for i := 0; i+1 < len(headerPairs); i += 2 {
		cp.Header.Set(headerPairs[i], headerPairs[i+1])
	}
	return &cp
}

// Response is a recorded answer.
type Response struct {
	tb     testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v, failing the test if it is not JSON.
func (r *Response) Decode(v any) {
	r.tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.tb.Fatalf("response body is not the expected JSON (%v): %s", err, r.Body)
	}
}

// Map decodes a JSON object body.
func (r *Response) Map() map[string]any {
	r.tb.Helper()
	var m map[string]any
	r.Decode(&m)
	return m
}

// Expect fails the test unless the status is want.
func (r *Response) Expect(want int) *Response {
	r.tb.Helper()
	if r.Status != want {
		r.tb.Fatalf("status = %d, want %d; body: %s", r.Status, want, r.Body)
	}
	return r
}

// Do sends req and validates the response against the contract.
func (c *Client) Do(req *http.Request) *Response {
	c.tb.Helper()
	return c.do(req, true)
}

// DoUndocumented sends req without contract validation, for requests that
// deliberately miss every documented route (unknown paths).
func (c *Client) DoUndocumented(req *http.Request) *Response {
	c.tb.Helper()
	return c.do(req, false)
}

// Get sends a GET.
func (c *Client) Get(path string) *Response {
	c.tb.Helper()
	return c.Do(c.NewRequest(http.MethodGet, path, nil, ""))
}

// JSON sends body encoded as JSON (a string or []byte body is sent as is,
// so tests can send malformed JSON).
func (c *Client) JSON(method, path string, body any) *Response {
	c.tb.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			c.tb.Fatalf("apitest: encode body: %v", err)
		}
	}
	return c.Do(c.NewRequest(method, path, bytes.NewReader(raw), "application/json"))
}

// NewRequest builds a request carrying the client's headers.
func (c *Client) NewRequest(method, path string, body io.Reader, contentType string) *http.Request {
	req := httptest.NewRequest(method, path, body)
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

func (c *Client) do(req *http.Request, validate bool) *Response {
	c.tb.Helper()
	rec := httptest.NewRecorder()
	c.handler.ServeHTTP(rec, req)
	res := rec.Result()
	body := rec.Body.Bytes()
	if validate {
		v, _ := contract()
		res.Body = io.NopCloser(bytes.NewReader(body))
		validatorMu.Lock()
		ok, errs := v.ValidateHttpResponse(req, res)
		validatorMu.Unlock()
		if !ok {
			c.tb.Fatalf("%s %s answered %d, which the contract does not allow: %s\nbody: %s",
				req.Method, req.URL.RequestURI(), res.StatusCode, describe(errs), truncate(body))
		}
	}
	return &Response{tb: c.tb, Status: res.StatusCode, Header: res.Header, Body: body}
}

func describe[E interface{ Error() string }](errs []E) string {
	var parts []string
	for _, e := range errs {
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// IdempotentBurst sends n requests made by newReq to h at once (the same
// write with the same Idempotency-Key) and checks what the key promises:
// each answer is want with one and the same body (the first, replayed), or
// a 409 naming the key (the first still running). It returns one of the
// want answers.
func IdempotentBurst(tb testing.TB, h http.Handler, n, want int, newReq func() *http.Request) *httptest.ResponseRecorder {
	tb.Helper()
	answers := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		req := newReq()
		wg.Go(func() {
			<-start
			answers[i] = httptest.NewRecorder()
			h.ServeHTTP(answers[i], req)
		})
	}
	close(start)
	wg.Wait()
	var first *httptest.ResponseRecorder
	for i, a := range answers {
		switch {
		case a.Code == want && first == nil:
			first = a
		case a.Code == want:
			if !bytes.Equal(a.Body.Bytes(), first.Body.Bytes()) || a.Header().Get("Location") != first.Header().Get("Location") {
				tb.Fatalf("answer %d differs from another %d:\n%s\n%s", i, want, a.Body, first.Body)
			}
		case a.Code == http.StatusConflict && strings.Contains(a.Body.String(), "Idempotency-Key"):
			// In flight, never another conflict: only one request ran.
		default:
			tb.Fatalf("answer %d: %d %s", i, a.Code, a.Body)
		}
	}
	if first == nil {
		tb.Fatalf("none of %d requests answered %d", n, want)
	}
	return first
}
