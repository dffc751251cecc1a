// Package upload is the one streaming multipart piece both surfaces use: it
// reads a multipart/form-data body part by part (never buffering a whole
// file), stores each accepted file in the blob store, and on any failure
// deletes what it already stored, so a refused or interrupted upload leaves
// nothing behind.
package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"unicode/utf8"

	"partnership-service/internal/blob"
	"partnership-service/internal/textnorm"
)

// Field says how one multipart file field is accepted.
type Field struct {
	Name     string // form field name, e.g. "utilityBill", "files[selfie]"
	Required bool
}

// Policy is per endpoint. A zero limit other than MaxFileBytes means the
// default below, never "unlimited": these are safety caps.
type Policy struct {
	Fields         []Field
	MaxFileBytes   int64    // per file; must be > 0
	MaxFileNameLen int      // runes of the client's file name; default 255
	AllowedTypes   []string // sniffed types; empty accepts any
	MaxParts       int      // files and plain values together; default 16
	MaxValueBytes  int64    // per plain form value; default 4 KiB
	// MaxBodyBytes caps the whole body, framing included; 0 leaves the cap
	// to the caller (an http.MaxBytesReader of its own).
	MaxBodyBytes int64
	// CheckStructure refuses as ReasonTypeNotAllowed a file whose
	// structure is not its sniffed type's (blob.Limits.CheckStructure): a
	// PDF-headed HTML page, an HTML page with a PNG signature.
	CheckStructure bool
}

const (
	defaultMaxFileNameLen = 255
	defaultMaxParts       = 16
	defaultMaxValueBytes  = 4 << 10
)

// Stored is one accepted file.
type Stored struct {
	Field    string
	FileName string // the client's base name, for display only: never a path
	Object   blob.Object
}

// Result of a successful Receive.
type Result struct {
	Files  map[string]Stored // by field name
	Values map[string]string // plain form values by field name
}

// Reason says why a field was refused; each surface phrases it.
type Reason string

const (
	ReasonMissing         Reason = "missing"   // a required field absent
	ReasonTooLarge        Reason = "too_large" // Field "" when the whole body is over the caller's cap
	ReasonTypeNotAllowed  Reason = "type_not_allowed"
	ReasonFileNameTooLong Reason = "file_name_too_long"
	// ReasonFileNameNotAllowed: the client's file name holds a control,
	// bidi or zero-width character, or is not UTF-8 (issue 10 #11).
	ReasonFileNameNotAllowed Reason = "file_name_not_allowed"
	ReasonEmpty              Reason = "empty"
	ReasonDuplicate          Reason = "duplicate"     // same field twice
	ReasonUnexpected         Reason = "unexpected"    // a file field not in the policy
	ReasonMalformed          Reason = "malformed"     // bad framing, truncated body, too many parts; Field ""
	ReasonNotMultipart       Reason = "not_multipart" // the body is not multipart/form-data; Field ""
)

// FieldError is a client mistake about one field ("" for the whole body).
// Limit is the limit that was passed, for the too-large and too-long
// reasons.
type FieldError struct {
	Field  string
	Reason Reason
	Limit  int64
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("upload: %s", e.Reason)
	}
	return fmt.Sprintf("upload: %s: %s", e.Field, e.Reason)
}

// Source is a request body carrying files, as the HTTP edge hands it to a
// service: the service decides the policy and the store, the source
// streams the parts. Services take a Source, never an *http.Request.
type Source interface {
	Receive(ctx context.Context, store blob.Store, p Policy) (Result, error)
}

// FromRequest is the Source of r's body.
func FromRequest(r *http.Request) Source { return requestSource{r} }

type requestSource struct{ r *http.Request }

func (s requestSource) Receive(ctx context.Context, store blob.Store, p Policy) (Result, error) {
	return Receive(ctx, s.r, store, p)
}

// Receive streams r's multipart/form-data body part by part into store
// under policy p. On any error every file already stored by this call is
// deleted before returning. Client mistakes are *FieldError; any other
// error (the store failing, ctx done, a bad Policy) is internal.
func Receive(ctx context.Context, r *http.Request, store blob.Store, p Policy) (Result, error) {
	if p.MaxFileBytes <= 0 {
		return Result{}, errors.New("upload: Policy.MaxFileBytes must be positive")
	}
	if p.MaxFileNameLen <= 0 {
		p.MaxFileNameLen = defaultMaxFileNameLen
	}
	if p.MaxParts <= 0 {
		p.MaxParts = defaultMaxParts
	}
	if p.MaxValueBytes <= 0 {
		p.MaxValueBytes = defaultMaxValueBytes
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return Result{}, &FieldError{Reason: ReasonNotMultipart}
	}
	if params["boundary"] == "" {
		return Result{}, &FieldError{Reason: ReasonMalformed}
	}
	if p.MaxBodyBytes > 0 {
		r.Body = http.MaxBytesReader(nil, r.Body, p.MaxBodyBytes)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return Result{}, &FieldError{Reason: ReasonMalformed}
	}
	rc := receiver{
		store:  store,
		policy: p,
		wanted: make(map[string]bool, len(p.Fields)),
		res:    Result{Files: map[string]Stored{}, Values: map[string]string{}},
	}
	for _, f := range p.Fields {
		rc.wanted[f.Name] = true
	}
	if err := rc.receive(ctx, mr); err != nil {
		// The request is over either way; the files must go even if it
		// was cancelled.
		cleanupCtx := context.WithoutCancel(ctx)
		var errs []error
		for _, f := range rc.res.Files {
			if derr := store.Delete(cleanupCtx, f.Object.Key); derr != nil {
				errs = append(errs, fmt.Errorf("upload: delete %s after failure: %w", f.Object.Key, derr))
			}
		}
		if len(errs) > 0 {
			// errors.As still finds a *FieldError in the joined error.
			return Result{}, errors.Join(append([]error{err}, errs...)...)
		}
		return Result{}, err
	}
	return rc.res, nil
}

type receiver struct {
	store  blob.Store
	policy Policy
	wanted map[string]bool
	res    Result
}

func (rc *receiver) receive(ctx context.Context, mr *multipart.Reader) error {
	for count := 0; ; count++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bodyError(err)
		}
		// Parts are never Closed on a refusal: Close drains the rest of
		// the part, which is exactly the reading a refusal should save.
		if count >= rc.policy.MaxParts {
			return &FieldError{Reason: ReasonMalformed, Limit: int64(rc.policy.MaxParts)}
		}
		if part.FileName() == "" {
			err = rc.value(part)
		} else {
			err = rc.file(ctx, part)
		}
		if err != nil {
			return err
		}
	}
	for _, f := range rc.policy.Fields {
		if _, ok := rc.res.Files[f.Name]; f.Required && !ok {
			return &FieldError{Field: f.Name, Reason: ReasonMissing}
		}
	}
	return nil
}

// value reads a plain form value, capped so values cannot be a way around
// the limits. Values is a plain map, so a repeated name would silently lose
// one of them: it is refused instead.
func (rc *receiver) value(part *multipart.Part) error {
	name := part.FormName()
	if _, dup := rc.res.Values[name]; dup {
		return &FieldError{Field: name, Reason: ReasonDuplicate}
	}
	limit := rc.policy.MaxValueBytes
	b, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err != nil {
		return bodyError(err)
	}
	if int64(len(b)) > limit {
		return &FieldError{Field: name, Reason: ReasonTooLarge, Limit: limit}
	}
	rc.res.Values[name] = string(b)
	return nil
}

func (rc *receiver) file(ctx context.Context, part *multipart.Part) error {
	name := part.FormName()
	if !rc.wanted[name] {
		return &FieldError{Field: name, Reason: ReasonUnexpected}
	}
	if _, dup := rc.res.Files[name]; dup {
		return &FieldError{Field: name, Reason: ReasonDuplicate}
	}
	fileName, ok := textnorm.FileName(part.FileName())
	if !ok {
		return &FieldError{Field: name, Reason: ReasonFileNameNotAllowed}
	}
	if utf8.RuneCountInString(fileName) > rc.policy.MaxFileNameLen {
		return &FieldError{Field: name, Reason: ReasonFileNameTooLong, Limit: int64(rc.policy.MaxFileNameLen)}
	}
	body := &bodyReader{r: part}
	obj, err := rc.store.Put(ctx, body, blob.Limits{
		MaxBytes: rc.policy.MaxFileBytes, AllowedTypes: rc.policy.AllowedTypes, CheckStructure: rc.policy.CheckStructure,
	})
	switch {
	case err == nil:
	case body.err != nil:
		// Whatever the store made of it, the request body broke first.
		return bodyError(body.err)
	case errors.Is(err, blob.ErrTooLarge):
		return &FieldError{Field: name, Reason: ReasonTooLarge, Limit: rc.policy.MaxFileBytes}
	case errors.Is(err, blob.ErrTypeNotAllowed):
		return &FieldError{Field: name, Reason: ReasonTypeNotAllowed}
	case errors.Is(err, blob.ErrEmpty):
		return &FieldError{Field: name, Reason: ReasonEmpty}
	default:
		return fmt.Errorf("upload: store %s: %w", name, err)
	}
	rc.res.Files[name] = Stored{Field: name, FileName: fileName, Object: obj}
	return nil
}

// bodyReader remembers a failure reading the request body, so a store
// error is classified by where it came from rather than by its type, which
// the store is free to wrap as it likes.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// bodyError classifies a failure reading the request body: over the
// caller's http.MaxBytesReader cap is too large, anything else (truncated,
// garbled framing, dropped connection) is a malformed body.
func bodyError(err error) error {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return &FieldError{Reason: ReasonTooLarge, Limit: maxErr.Limit}
	}
	return &FieldError{Reason: ReasonMalformed}
}
