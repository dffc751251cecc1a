package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"partnership-service/internal/apperr"
)

type ctxKey int

const requestInfoKey ctxKey = iota

// requestInfo is what the Logging middleware puts in the request's
// context: one value, so it costs the one allocation the id alone did.
type requestInfo struct {
	id   string
	path string // redacted, for logs
}

// RequestID returns the id of the request carried by ctx ("" if none).
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// Renderer writes err in one surface's error envelope.
type Renderer func(w http.ResponseWriter, r *http.Request, err error)

// Renderers picks the envelope for a request by path prefix, so that the
// 404, 405 and panic answers the plumbing gives look like the surface the
// client was calling. The longest matching prefix wins.
type Renderers struct {
	prefixes []string
	byPrefix map[string]Renderer
	fallback Renderer
}

// NewRenderers returns a table whose fallback is the plain envelope.
func NewRenderers() *Renderers {
	return &Renderers{byPrefix: map[string]Renderer{}, fallback: RenderPlain}
}

// Add registers the renderer for paths starting with prefix.
func (rs *Renderers) Add(prefix string, render Renderer) {
	if _, ok := rs.byPrefix[prefix]; !ok {
		rs.prefixes = append(rs.prefixes, prefix)
	}
	rs.byPrefix[prefix] = render
}

// For returns the renderer that serves path.
func (rs *Renderers) For(path string) Renderer {
	best := ""
	for _, p := range rs.prefixes {
		if strings.HasPrefix(path, p) && len(p) > len(best) {
			best = p
		}
	}
	if best == "" {
		return rs.fallback
	}
	return rs.byPrefix[best]
}

// Render writes err with the renderer for r's path.
func (rs *Renderers) Render(w http.ResponseWriter, r *http.Request, err error) {
	rs.For(r.URL.Path)(w, r, err)
}

// RenderPlain is the envelope of the operational endpoints:
// {"error":{"code":"not_found","message":"…"}}.
func RenderPlain(w http.ResponseWriter, r *http.Request, err error) {
	e := LogIfInternal(r, err)
	body := map[string]any{"code": e.Code, "message": e.Message}
	if len(e.Fields) > 0 {
		body["fields"] = e.Fields
	}
	WriteJSON(w, apperr.HTTPStatus(e.Code), map[string]any{"error": body})
}

// LogIfInternal converts err for rendering; an internal error is logged
// with the request id and replaced by a generic message, so a database or
// file-system detail never reaches a client.
func LogIfInternal(r *http.Request, err error) *apperr.Error {
	e := apperr.As(err)
	if e.Code == apperr.Internal && r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		return &apperr.Error{Code: apperr.ClientGone, Message: "client closed request"}
	}
	if e.Code == apperr.Internal {
		slog.ErrorContext(r.Context(), "internal error",
			"request_id", RequestID(r.Context()), "method", r.Method, "path", LogPath(r.Context(), r.URL.Path), "err", err)
		return &apperr.Error{Code: apperr.Internal, Message: "internal error"}
	}
	return e
}

// statusRecorder remembers what the handler wrote for logs and metrics,
// and completes the security headers when the answer starts.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
		securityHeaders(s.ResponseWriter.Header())
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
		securityHeaders(s.ResponseWriter.Header())
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// requestState is what Logging keeps for one request.
type requestState struct {
	statusRecorder
	info    requestInfo
	idValue [1]string // len == cap: a handler's Add copies
}

// Observer is told about every finished request (metrics).
type Observer func(r *http.Request, route string, status int, elapsed time.Duration)

// Logging assigns a request id (keeping a sane incoming X-Request-Id),
// recovers panics into a 500 in the surface's envelope, and writes one JSON
// access-log line per request. route is the ServeMux pattern that matched.
// Paths are logged through redact (nil: as they are), and query strings
// never, so no credential a URL carries reaches a log line.
func Logging(log *slog.Logger, renderers *Renderers, redact *Redactor, observe Observer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		// The recorder, the context's value and the id's header value
		// share one allocation: every request pays for it.
		st := &requestState{
			statusRecorder: statusRecorder{ResponseWriter: w},
			info:           requestInfo{id: id, path: redact.Path(r.URL.Path)},
			idValue:        [1]string{id},
		}
		sr, info := &st.statusRecorder, &st.info
		h := w.Header()
		h["X-Request-Id"] = st.idValue[:]
		h["X-Content-Type-Options"] = nosniff
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey, info))

		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic", "request_id", id, "method", r.Method,
					"path", info.path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sr.status == 0 {
					renderers.Render(sr, r, apperr.New(apperr.Internal, "internal error"))
				}
			}
			elapsed := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if observe != nil {
				observe(r, route, status(sr), elapsed)
			}
			// Built by hand rather than with log.LogAttrs: that captures the
			// caller's program counter on every request, which an access log
			// does not need and the hot paths feel.
			if h := log.Handler(); h.Enabled(r.Context(), slog.LevelInfo) {
				rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
				rec.AddAttrs(
					slog.String("request_id", id),
					slog.String("method", r.Method),
					slog.String("path", info.path),
					slog.String("route", route),
					slog.Int("status", status(sr)),
					slog.Int64("bytes", sr.bytes),
					slog.Duration("elapsed", elapsed),
					slog.String("remote", r.RemoteAddr),
				)
				_ = h.Handle(r.Context(), rec)
			}
		}()
		next.ServeHTTP(sr, r)
	})
}

// Shared header values: assigned, never appended to (len == cap, so an
// Add by a handler copies), they cost no allocation per request.
var (
	nosniff    = []string{"nosniff"}
	defaultCSP = []string{DefaultCSP}
)

// DefaultCSP is the policy of every answer that sets none of its own: an
// API answer needs no resources, and no page may frame it.
const DefaultCSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// securityHeaders runs when the answer starts: every answer is nosniff (set
// by Logging, so a handler may see it), and one that chose no
// Content-Security-Policy gets DefaultCSP. A PDF is left without one:
// browsers' PDF viewers run inside the document a CSP would restrict.
func securityHeaders(h http.Header) {
	if _, ok := h["Content-Security-Policy"]; ok {
		return
	}
	if ct := h["Content-Type"]; len(ct) > 0 && strings.HasPrefix(ct[0], "application/pdf") {
		return
	}
	h["Content-Security-Policy"] = defaultCSP
}

// status is what the client got: a handler that wrote nothing sent 200.
func status(sr *statusRecorder) int {
	if sr.status == 0 {
		return http.StatusOK
	}
	return sr.status
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// requestIDs are a random per-process prefix and a counter: unique across
// restarts and replicas, and cheap enough to make on every request.
var (
	requestIDPrefix = func() string {
		var b [6]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:])
	}()
	requestCounter atomic.Uint64
)

func newRequestID() string {
	var buf [12 + 1 + 16]byte
	n := copy(buf[:], requestIDPrefix)
	buf[n] = '-'
	return string(strconv.AppendUint(buf[:n+1], requestCounter.Add(1), 16))
}

// MaxBody caps every request body as a safety net; handlers set tighter caps.
func MaxBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}
