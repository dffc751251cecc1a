package idempotency

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"partnership-service/internal/httpx"
	"partnership-service/internal/pending"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// ReplayedHeader marks an answer that was stored, not computed.
const ReplayedHeader = "Idempotent-Replayed"

// TTL is how long a key's record is kept.
const TTL = 24 * time.Hour

// maxKeyLen is the longest key accepted.
const maxKeyLen = 255

// maxStoredBody bounds an answer kept for replay; the write endpoints
// answer a few KiB.
const maxStoredBody = 1 << 20

// Record is a stored key.
type Record struct {
	Fingerprint string
	// Resource is what the change named with Refer ("" if nothing).
	Resource string
	// Answered tells whether the first answer is stored in Answer.
	Answered bool
	Answer   Answer
}

// Answer is a first answer as it is replayed.
type Answer struct {
	Status      int
	ContentType string
	Location    string
	Body        []byte
}

// Store keeps key records. The insert itself is not here: the engines'
// write path makes it, inside the change's transaction.
type Store interface {
	// GetKey returns owner's record for key unless it expired by now.
	GetKey(ctx context.Context, owner, key string, now time.Time) (Record, bool, error)
	// AnswerKey stores the first answer of a committed record.
	AnswerKey(ctx context.Context, owner, key string, a Answer) error
	// SweepKeys deletes the records expired by now and says how many.
	SweepKeys(ctx context.Context, now time.Time) (int64, error)
}

// Keys is the one Idempotency-Key middleware every surface uses
// (httpx.KeyMiddleware); each surface passes its credential and envelope.
type Keys struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
	// resources serves the GET a Record's Resource names, when a crash
	// lost the answer; set with ServeResourcesWith once the server's
	// handler exists.
	resources http.Handler

	inflight sync.Map // owner + "\x00" + key → struct{}
}

var _ httpx.KeyMiddleware = (*Keys)(nil)

// NewKeys keeps records in store; now is the clock (time.Now when nil).
func NewKeys(store Store, now func() time.Time, log *slog.Logger) *Keys {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Keys{store: store, now: now, log: log}
}

// ServeResourcesWith sets the handler that reads a referred resource back
// (the server's own handler, so the GET runs with the same checks).
func (k *Keys) ServeResourcesWith(h http.Handler) { k.resources = h }

// Sweep deletes the expired records.
func (k *Keys) Sweep(ctx context.Context) (int64, error) { return k.store.SweepKeys(ctx, k.now()) }

// ParseKey reads the header's value: a structured-field string
// ("…", as the draft writes it) or the bare characters most clients send,
// 1 to 255 printable ASCII characters.
func ParseKey(values []string) (string, error) {
	if len(values) != 1 {
		return "", errMalformed()
	}
	v := values[0]
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
		if strings.ContainsAny(v, `"\`) {
			return "", errMalformed()
		}
	}
	if len(v) == 0 || len(v) > maxKeyLen {
		return "", errMalformed()
	}
	for i := range len(v) {
		if v[i] < 0x20 || v[i] > 0x7e {
			return "", errMalformed()
		}
	}
	return v, nil
}

// Serve implements httpx.KeyMiddleware: next runs at most once per
// (owner, key) for POST, PUT and PATCH requests that carry the header.
func (k *Keys) Serve(w http.ResponseWriter, r *http.Request, owner string, render httpx.Renderer, next http.HandlerFunc) {
	values := r.Header.Values(Header)
	if len(values) == 0 || !httpx.TakesKey(r.Method) {
		next(w, r)
		return
	}
	key, err := ParseKey(values)
	if err != nil {
		render(w, r, err)
		return
	}
	slot := owner + "\x00" + key
	if _, busy := k.inflight.LoadOrStore(slot, struct{}{}); busy {
		render(w, r, ErrInFlight())
		return
	}
	defer k.inflight.Delete(slot)

	body := newHashingBody(r.Body)
	r.Body = body
	target := r.URL.RequestURI()
	now := k.now()
	p := &Pending{Owner: owner, Key: key, Created: now, Expires: now.Add(TTL),
		method: r.Method, target: target, body: body}
	if r.Method == http.MethodPut {
		// A PUT answers the state it put: where a GET of the same path
		// exists, it reads that state back.
		p.resource = r.URL.Path
	}
	// The handler runs before the key is looked up: a first request, by
	// far the most common, inserts its record with its change, and that
	// insert is the lookup. Only when the handler answers without having
	// kept the key with a change (it refused the request, wrote nothing,
	// or the record exists) is the stored record read, before that answer
	// leaves: a retry of a done change, which the handler may judge anew
	// (a duplicate lead, a coupon used up), gets the first answer instead.
	headers := w.Header().Clone()
	var (
		prior  Record
		lookup error
		found  bool
	)
	cw := &capture{ResponseWriter: w, hold: func() bool {
		if p.Written() {
			return false
		}
		prior, found, lookup = k.store.GetKey(r.Context(), owner, key, now)
		return found || p.refused
	}}
	next(cw, r.WithContext(pending.With(r.Context(), p)))
	cw.decide()
	if found || p.refused {
		// The handler's answer is not the truth about this key (it may
		// have worded a conflict as its own, such as a name taken); the
		// record's is.
		restore(w.Header(), headers)
		switch {
		case found:
			k.replay(w, r, owner, target, body, prior, render)
		case lookup != nil:
			render(w, r, lookup)
		default:
			render(w, r, ErrInFlight())
		}
		return
	}
	if !p.Written() {
		return
	}
	if cw.overflow {
		k.log.WarnContext(r.Context(), "idempotency: answer too large to keep", "request_id", httpx.RequestID(r.Context()))
		return
	}
	a := Answer{Status: cw.status(), ContentType: w.Header().Get("Content-Type"), Location: w.Header().Get("Location"), Body: cw.buf.Bytes()}
	if strings.Contains(w.Header().Get("Cache-Control"), "no-store") {
		// The answer holds a secret shown once (a webhook signing
		// secret): it is not kept at rest. Retries get this, always the
		// same, in the surface's envelope.
		a = keptInstead(r, render)
	}
	if stored, ok := p.Answer(); ok && stored.same(a) {
		return // kept with the change
	}
	// The client has its answer now, not one more commit later; a retry
	// meanwhile still finds the key in flight (409) until the answer is
	// kept. Answers carry their Content-Length, so flushing keeps the
	// framing.
	_ = http.NewResponseController(w).Flush()
	// The change committed: its answer is kept even if the client left.
	if err := k.store.AnswerKey(context.WithoutCancel(r.Context()), owner, key, a); err != nil {
		k.log.ErrorContext(r.Context(), "idempotency: store answer", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
}

// replay answers a retry of a stored key.
func (k *Keys) replay(w http.ResponseWriter, r *http.Request, owner, target string, body *hashingBody, rec Record, render httpx.Renderer) {
	sum, err := body.finish()
	if err != nil {
		render(w, r, err)
		return
	}
	if fingerprint(r.Method, target, owner, sum) != rec.Fingerprint {
		render(w, r, errMismatch())
		return
	}
	switch {
	case rec.Answered:
		writeAnswer(w, rec.Answer)
	case rec.Resource != "" && k.resources != nil:
		k.reanswer(w, r, rec.Resource, render)
	default:
		render(w, r, ErrInFlight())
	}
}

// reanswer serves the GET of a committed change's resource as the answer
// a crash lost: 201 for a POST, 200 otherwise.
func (k *Keys) reanswer(w http.ResponseWriter, r *http.Request, path string, render httpx.Renderer) {
	get := r.Clone(r.Context())
	get.Method, get.Body, get.ContentLength = http.MethodGet, http.NoBody, 0
	get.URL.Path, get.URL.RawPath, get.URL.RawQuery, get.RequestURI = path, "", "", path
	get.Header.Del(Header)
	get.Header.Del("Content-Type")
	cw := &capture{ResponseWriter: discard{h: http.Header{}}}
	k.resources.ServeHTTP(cw, get)
	if cw.status() != http.StatusOK || cw.overflow {
		render(w, r, ErrInFlight())
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	writeAnswer(w, Answer{Status: status, ContentType: cw.Header().Get("Content-Type"), Body: cw.buf.Bytes()})
}

// keptInstead is what a retry gets for an answer not kept: a 409 saying
// the first request succeeded.
func keptInstead(r *http.Request, render httpx.Renderer) Answer {
	cw := &capture{ResponseWriter: discard{h: http.Header{}}}
	render(cw, r, errNotKept())
	return Answer{Status: cw.status(), ContentType: cw.Header().Get("Content-Type"), Body: cw.buf.Bytes()}
}

// same reports whether a and b replay alike.
func (a Answer) same(b Answer) bool {
	return a.Status == b.Status && a.ContentType == b.ContentType && a.Location == b.Location && bytes.Equal(a.Body, b.Body)
}

// restore puts h back as it was (saved), dropping what a handler set on
// an answer that was held back.
func restore(h, saved http.Header) {
	for name := range h {
		if _, ok := saved[name]; !ok {
			delete(h, name)
		}
	}
	for name, values := range saved {
		h[name] = values
	}
}

func writeAnswer(w http.ResponseWriter, a Answer) {
	h := w.Header()
	if a.ContentType != "" {
		h.Set("Content-Type", a.ContentType)
	}
	if a.Location != "" {
		h.Set("Location", a.Location)
	}
	h.Set(ReplayedHeader, "true")
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}

// capture passes an answer through and keeps a copy of it; if hold,
// asked once before the answer's first byte (or by decide), says so, it
// drops the answer instead.
type capture struct {
	http.ResponseWriter
	hold     func() bool // nil once asked
	held     bool
	code     int
	buf      bytes.Buffer
	overflow bool
}

// decide asks hold, once.
func (c *capture) decide() {
	if c.hold != nil {
		c.held, c.hold = c.hold(), nil
	}
}

func (c *capture) WriteHeader(code int) {
	if c.decide(); c.held {
		return
	}
	if c.code == 0 {
		c.code = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.decide(); c.held {
		return len(b), nil
	}
	if c.code == 0 {
		c.code = http.StatusOK
	}
	if !c.overflow {
		if c.buf.Len()+len(b) > maxStoredBody {
			c.overflow = true
			c.buf.Reset()
		} else {
			c.buf.Write(b)
		}
	}
	return c.ResponseWriter.Write(b)
}

func (c *capture) status() int {
	if c.code == 0 {
		return http.StatusOK
	}
	return c.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// discard is a ResponseWriter that keeps only headers (capture keeps the
// body).
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}
