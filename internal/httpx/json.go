// Package httpx holds the HTTP plumbing every surface shares: size-capped
// decoding, encoding, middleware and error-renderer selection.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"partnership-service/internal/apperr"
)

// MaxJSONBytes caps a JSON request body unless a handler asks for another cap.
const MaxJSONBytes = 1 << 20

// WriteJSON encodes v and writes it with status. Encoding into a buffer first
// means a value that cannot be encoded becomes a clean 500, not half a body.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":"internal error"}`)
		status = http.StatusInternalServerError
	}
	WriteRawJSON(w, status, b)
}

// jsonContentType is shared by every response: headers are assigned
// directly with canonical keys, so the hot paths allocate no value slices.
// net/http only reads them.
var jsonContentType = []string{JSONContentType}

// JSONContentType is the Content-Type of every JSON answer.
const JSONContentType = "application/json; charset=utf-8"

// WriteRawJSON writes pre-encoded JSON; catalog handlers serve cached bytes.
func WriteRawJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// DecodeJSON reads one JSON value (messages are in Portuguese, the language
// of every surface's clients) from the request body into dst, capped at
// maxBytes (MaxJSONBytes when 0). Every failure is an *apperr.Error: 415 for a
// non-JSON content type, 413 for an oversized body, 400 for syntax errors,
// wrong types (with the offending field in Fields) and trailing data.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any, maxBytes int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apperr.New(apperr.UnsupportedMedia, "o Content-Type deve ser application/json")
		}
	}
	if maxBytes <= 0 {
		maxBytes = MaxJSONBytes
	}
	body := http.MaxBytesReader(w, r.Body, maxBytes)
	dec := json.NewDecoder(body)
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err != nil {
			if e := decodeError(err); e.Code == apperr.TooLarge {
				return e
			}
		}
		return apperr.New(apperr.Invalid, "o corpo da requisição deve conter um único valor JSON")
	}
	return nil
}

func decodeError(err error) *apperr.Error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return apperr.Wrap(apperr.TooLarge, err, fmt.Sprintf("o corpo da requisição excede %d bytes", maxErr.Limit))
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "o corpo da requisição está vazio")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Wrap(apperr.Invalid, err, "o corpo da requisição não é um JSON válido")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		e := apperr.Field(apperr.Invalid, field, fmt.Sprintf("%s deve ser do tipo %s", field, jsonKind(typeErr.Type.Kind().String())))
		e.Err = err
		return e
	default:
		// Errors from custom UnmarshalJSON methods carry their own wording.
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return ae
		}
		return apperr.Wrap(apperr.Invalid, err, "o corpo da requisição não é um JSON válido")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	default:
		return "number"
	}
}

// UpdatedSinceParam is the change feeds' query parameter.
const UpdatedSinceParam = "updated_since"

// ParseUpdatedSince reads a change feed's updated_since: an RFC 3339 time
// (2026-07-01T12:00:00Z, 2026-07-01T09:00:00-03:00, fractions allowed);
// absent is the zero time. Anything else is invalid, named after the
// parameter.
func ParseUpdatedSince(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get(UpdatedSinceParam)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, apperr.Field(apperr.Invalid, UpdatedSinceParam, "updated_since deve ser uma data e hora RFC 3339, como 2026-07-01T12:00:00Z")
	}
	return t.UTC(), nil
}

// ETagMatches implements If-None-Match's weak comparison of etag against
// the header's list (RFC 9110, 13.1.2).
func ETagMatches(header, etag string) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			return true
		}
	}
	return false
}
