package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
	"partnership-service/internal/pending"
)

// Pending is the key record of a request still running, carried in its
// context until the engine's write path inserts it with the change.
type Pending struct {
	Owner, Key string
	// Created and Expires bound the record's life.
	Created, Expires time.Time

	method, target string
	body           *hashingBody
	fingerprint    string
	resource       string
	answer         *Answer // what the change said it will answer (Refer)
	refused        bool
	pending.Once
}

// FromContext returns the record still to be written with the next change
// made for ctx's request, or nil.
func FromContext(ctx context.Context) *Pending { return pending.From[Pending](ctx) }

// Refer names, for the request running in ctx, the GET path that reads
// back the resource its change made, so a retry whose answer a crash lost
// can still be answered. Without a pending key it does nothing.
//
// representation, when not nil, is that resource's JSON as the change
// leaves it and as the request will answer it: 201 to a POST, 200
// otherwise, the answer a lost one is re-read as. The record then keeps it
// as its answer inside the change's own transaction, and the middleware
// makes no second write for it (unless the handler answers something else
// after all: then the real answer replaces it).
func Refer(ctx context.Context, path string, representation []byte) {
	p := FromContext(ctx)
	if p == nil {
		return
	}
	p.resource = path
	p.answer = nil
	if representation != nil {
		p.answer = &Answer{Status: resourceStatus(p.method), ContentType: httpx.JSONContentType, Body: representation}
	}
}

// resourceStatus is the status of an answer that is the resource a change
// made: 201 to a POST, 200 otherwise.
func resourceStatus(method string) int {
	if method == http.MethodPost {
		return http.StatusCreated
	}
	return http.StatusOK
}

// Seal finishes the body's hash (draining what the handler left unread)
// and computes the fingerprint; the write path calls it before its
// transaction, on the request's goroutine, so no client is read from
// inside a transaction.
func (p *Pending) Seal() error {
	if p.fingerprint != "" {
		return nil
	}
	sum, err := p.body.finish()
	if err != nil {
		return err
	}
	p.fingerprint = fingerprint(p.method, p.target, p.Owner, sum)
	return nil
}

// Fingerprint is the request's fingerprint, once sealed.
func (p *Pending) Fingerprint() string { return p.fingerprint }

// Resource is what Refer named ("" if nothing).
func (p *Pending) Resource() string { return p.resource }

// Answer is the answer Refer announced, to be stored with the record.
func (p *Pending) Answer() (Answer, bool) {
	if p.answer == nil {
		return Answer{}, false
	}
	return *p.answer, true
}

// Committed tells p the outcome of the transaction it was inserted in: once
// one committed, no later write of the request carries it again. A nil p
// is fine.
func (p *Pending) Committed(err error) {
	if p != nil {
		p.Once.Committed(err)
	}
}

// Refuse records that the engine refused p's record: a live record of the
// key exists (another replica's request), so the change rolled back and
// whatever the handler makes of that error is not the answer: the
// middleware answers 409 itself.
func (p *Pending) Refuse() { p.refused = true }

// ErrInFlight is the answer to a key whose first request has not
// answered yet (or whose record another transaction holds).
func ErrInFlight() error {
	return apperr.Field(apperr.Conflict, Header, "uma requisição com esta Idempotency-Key ainda está em andamento; tente novamente em instantes")
}

func errNotKept() error {
	return apperr.Field(apperr.Conflict, Header, "a requisição com esta Idempotency-Key já foi atendida; a resposta continha um segredo e não foi guardada: consulte o recurso")
}

func errMismatch() error {
	return apperr.Field(apperr.Unprocessable, Header, "esta Idempotency-Key já foi usada com outra requisição")
}

func errMalformed() error {
	return apperr.Field(apperr.Invalid, Header, "Idempotency-Key deve ter de 1 a 255 caracteres imprimíveis")
}

// maxDrain bounds what is read of a body the handler did not read, and of
// a retried body read only to be hashed.
const maxDrain = 64 << 20

// hashingBody hashes a request body as it is read.
type hashingBody struct {
	r   io.ReadCloser
	h   hash.Hash
	eof bool
	err error
}

func newHashingBody(r io.ReadCloser) *hashingBody {
	if r == nil {
		r = http.NoBody
	}
	return &hashingBody{r: r, h: sha256.New()}
}

func (b *hashingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	if errors.Is(err, io.EOF) {
		b.eof = true
	} else if err != nil {
		b.err = err
	}
	return n, err
}

func (b *hashingBody) Close() error { return b.r.Close() }

// finish reads the rest of the body into the hash and returns the sum.
func (b *hashingBody) finish() ([]byte, error) {
	if b.err != nil {
		return nil, apperr.Wrap(apperr.Invalid, b.err, "o corpo da requisição não pôde ser lido")
	}
	if !b.eof {
		n, err := io.Copy(io.Discard, io.LimitReader(b, maxDrain+1))
		if err != nil {
			return nil, apperr.Wrap(apperr.Invalid, err, "o corpo da requisição não pôde ser lido")
		}
		if n > maxDrain {
			return nil, apperr.New(apperr.TooLarge, "o corpo da requisição é grande demais")
		}
	}
	return b.h.Sum(nil), nil
}

// fingerprint binds a key to one request: method, target, owner and body.
func fingerprint(method, target, owner string, body []byte) string {
	h := sha256.New()
	for _, part := range []string{method, target, owner} {
		io.WriteString(h, part)
		h.Write([]byte{0})
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}
