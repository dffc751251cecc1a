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
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"unicode/utf8"

	"partnership-service/internal/blob"
)

// Field says how one multipart file field is accepted.
type Field struct {
	Name     string
	Required bool
}

// Policy is per endpoint.
type Policy struct {
	Fields         []Field
	MaxFileBytes   int64
	MaxFileNameLen int // in runes
	AllowedTypes   []string
	MaxParts       int
	MaxValueBytes  int64
}

// Stored is one accepted file.
type Stored struct {
	Field    string
	FileName string
	Object   blob.Object
}

// Result of a successful Receive.
type Result struct {
	Files  map[string]Stored
	Values map[string]string
}

// Reason says why a field was refused; each surface phrases it.
type Reason string

const (
	ReasonMissing         Reason = "missing"
	ReasonTooLarge        Reason = "too_large"
	ReasonTypeNotAllowed  Reason = "type_not_allowed"
	ReasonFileNameTooLong Reason = "file_name_too_long"
	ReasonEmpty           Reason = "empty"
	ReasonDuplicate       Reason = "duplicate"
	ReasonUnexpected      Reason = "unexpected"
	ReasonMalformed       Reason = "malformed"
)

// FieldError is a client mistake about one field ("" for the whole body).
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

// Receive streams r's multipart body into store under policy p.
func Receive(ctx context.Context, r *http.Request, store blob.Store, p Policy) (res Result, err error) {
	mt, _, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil || mt != "multipart/form-data" {
		return Result{}, &FieldError{Reason: ReasonMalformed}
	}
	mr, merr := r.MultipartReader()
	if merr != nil {
		return Result{}, &FieldError{Reason: ReasonMalformed}
	}
	res = Result{Files: map[string]Stored{}, Values: map[string]string{}}
	defer func() {
		if err != nil {
			for _, f := range res.Files {
				// Best effort: the request already failed; a leftover is
				// found by its missing record, never served.
				_ = store.Delete(context.WithoutCancel(ctx), f.Object.Key)
			}
			res = Result{}
		}
	}()
	wanted := map[string]bool{}
	for _, f := range p.Fields {
		wanted[f.Name] = true
	}
	for parts := 0; ; parts++ {
		part, nerr := mr.NextPart()
		if errors.Is(nerr, io.EOF) {
			break
		}
		if nerr != nil {
			return res, bodyError(nerr)
		}
		if p.MaxParts > 0 && parts >= p.MaxParts {
			part.Close()
			return res, &FieldError{Reason: ReasonMalformed}
		}
		if err := receivePart(ctx, part, store, p, wanted, &res); err != nil {
			part.Close()
			return res, err
		}
		part.Close()
	}
	for _, f := range p.Fields {
		if _, ok := res.Files[f.Name]; f.Required && !ok {
			return res, &FieldError{Field: f.Name, Reason: ReasonMissing}
		}
	}
	return res, nil
}

func receivePart(ctx context.Context, part *multipart.Part, store blob.Store, p Policy, wanted map[string]bool, res *Result) error {
	name := part.FormName()
	if part.FileName() == "" {
		// A plain form value, capped so it cannot be a way around the limits.
		limit := p.MaxValueBytes
		if limit <= 0 {
			limit = 4 << 10
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return bodyError(err)
		}
		if int64(len(b)) > limit {
			return &FieldError{Field: name, Reason: ReasonTooLarge, Limit: limit}
		}
		res.Values[name] = string(b)
		return nil
	}
	if !wanted[name] {
		return &FieldError{Field: name, Reason: ReasonUnexpected}
	}
	if _, dup := res.Files[name]; dup {
		return &FieldError{Field: name, Reason: ReasonDuplicate}
	}
	fileName := part.FileName()
	if p.MaxFileNameLen > 0 && utf8.RuneCountInString(fileName) > p.MaxFileNameLen {
		return &FieldError{Field: name, Reason: ReasonFileNameTooLong, Limit: int64(p.MaxFileNameLen)}
	}
	obj, err := store.Put(ctx, part, blob.Limits{MaxBytes: p.MaxFileBytes, AllowedTypes: p.AllowedTypes})
	switch {
	case errors.Is(err, blob.ErrTooLarge):
		return &FieldError{Field: name, Reason: ReasonTooLarge, Limit: p.MaxFileBytes}
	case errors.Is(err, blob.ErrTypeNotAllowed):
		return &FieldError{Field: name, Reason: ReasonTypeNotAllowed}
	case errors.Is(err, blob.ErrEmpty):
		return &FieldError{Field: name, Reason: ReasonEmpty}
	case err != nil:
		return bodyError(err)
	}
	res.Files[name] = Stored{Field: name, FileName: fileName, Object: obj}
	return nil
}

// bodyError classifies a read failure: a body over the request cap is too
// large; a disk error (a *fs.PathError from the store) or a cancelled context
// is ours; anything else went wrong reading the client's body (truncated,
// garbled framing, dropped connection) and is the client's.
func bodyError(err error) error {
	var (
		maxErr  *http.MaxBytesError
		pathErr *fs.PathError
	)
	switch {
	case errors.As(err, &maxErr):
		return &FieldError{Reason: ReasonTooLarge, Limit: maxErr.Limit}
	case errors.As(err, &pathErr), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return &FieldError{Reason: ReasonMalformed}
}
