// Package apperr is the one error type the domain speaks. Each API surface
// renders it in its own envelope, but the codes, and the HTTP status each code
// means, exist only here.
package apperr

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
)

// Code classifies an error by what the caller should do about it.
type Code string

const (
	Invalid          Code = "invalid"            // malformed request: 400
	Unauthorized     Code = "unauthorized"       // no or bad credentials: 401
	Forbidden        Code = "forbidden"          // authenticated, not allowed: 403
	NotFound         Code = "not_found"          // 404
	MethodNotAllowed Code = "method_not_allowed" // 405
	Conflict         Code = "conflict"           // state clash (duplicate, already done): 409
	TooLarge         Code = "too_large"          // body over its cap: 413
	UnsupportedMedia Code = "unsupported_media"  // wrong Content-Type: 415
	Unprocessable    Code = "unprocessable"      // well-formed but fails validation: 422
	TooManyRequests  Code = "too_many_requests"  // 429
	Unavailable      Code = "unavailable"        // dependency down: 503
	ClientGone       Code = "client_gone"        // the client hung up before the answer: 499
	Internal         Code = "internal"           // our fault: 500, details logged, never shown
)

// Error is a domain error. Message is safe to show to the client; Fields
// carries per-field messages for validation errors.
type Error struct {
	Code    Code
	Message string
	Fields  map[string][]string
	// Meta carries extra, surface-specific facts (e.g. the id of the lead a
	// conflict is about). Renderers decide whether to show it.
	Meta map[string]string
	// Err is the underlying cause, for logs only.
	Err error
	// order is the order fields were reported in, for flat message lists.
	order []string
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a client-safe message.
func New(code Code, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Code: code, Message: format}
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap marks err as internal (or another code) while keeping it for the logs.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Field builds a validation error for one field.
func Field(code Code, field, message string) *Error {
	return &Error{Code: code, Message: message, Fields: map[string][]string{field: {message}}}
}

// Fields accumulates per-field validation messages in order.
type Fields struct {
	order []string
	msgs  map[string][]string
}

// Add records a message for a field.
func (f *Fields) Add(field, message string) {
	if f.msgs == nil {
		f.msgs = map[string][]string{}
	}
	if _, ok := f.msgs[field]; !ok {
		f.order = append(f.order, field)
	}
	f.msgs[field] = append(f.msgs[field], message)
}

// Has reports whether field already has a message.
func (f *Fields) Has(field string) bool { _, ok := f.msgs[field]; return ok }

// Empty reports whether no message was added.
func (f *Fields) Empty() bool { return len(f.msgs) == 0 }

// Err returns nil when empty, else an *Error with the given code. The
// message joins the field messages, for surfaces that show a flat list.
func (f *Fields) Err(code Code) error {
	if f.Empty() {
		return nil
	}
	first := f.msgs[f.order[0]][0]
	return &Error{Code: code, Message: first, Fields: f.msgs, order: f.order}
}

// Messages returns every message, flattened: fields in the order they were
// reported (then any others by name), or the one Message.
func (e *Error) Messages() []string {
	if len(e.Fields) == 0 {
		return []string{e.Message}
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range e.order {
		if msgs, ok := e.Fields[k]; ok && !seen[k] {
			out = append(out, msgs...)
			seen[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		if !seen[k] {
			out = append(out, e.Fields[k]...)
		}
	}
	return out
}

// CodeOf returns the code of err: Internal for anything that is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error, turning anything else into an internal error.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// HTTPStatus is the one place a code becomes a status.
func HTTPStatus(code Code) int {
	switch code {
	case Invalid:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case UnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case Unprocessable:
		return http.StatusUnprocessableEntity
	case TooManyRequests:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	case ClientGone:
		// nginx's "client closed request": nobody reads it, but logs and
		// metrics must not count it as our failure.
		return 499
	default:
		return http.StatusInternalServerError
	}
}
