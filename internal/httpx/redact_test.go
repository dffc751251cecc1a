package httpx

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRedactorPath(t *testing.T) {
	rd := NewRedactor("/sales-conversion/sign/", "/x/tok")
	tests := []struct{ name, in, want string }{
		{"no secret", "/sales-conversion/leads/1", "/sales-conversion/leads/1"},
		{"prefix alone", "/sales-conversion/sign/", "/sales-conversion/sign/"},
		{"token", "/sales-conversion/sign/abcdefghijklmnopqrstuvwxyz", "/sales-conversion/sign/abcd…"},
		{"short token keeps nothing", "/sales-conversion/sign/abc", "/sales-conversion/sign/…"},
		{"below the token", "/sales-conversion/sign/abcdefghijklmnopqrstuvwxyz/pdf", "/sales-conversion/sign/abcd…/…"},
		{"trailing slash", "/sales-conversion/sign/abcdefghijklmnopqrstuvwxyz/", "/sales-conversion/sign/abcd…/"},
		{"uncleaned", "/sales-conversion//sign/abcdefghijklmnopqrstuvwxyz", "/sales-conversion/sign/abcd…"},
		{"dot-dot", "/a/../sales-conversion/sign/abcdefghijklmnopqrstuvwxyz", "/sales-conversion/sign/abcd…"},
		{"prefix without slash registered", "/x/tok/abcdefghijklmnopqrstuvwxyz", "/x/tok/abcd…"},
		{"sibling of prefix", "/x/tokens/1", "/x/tokens/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rd.Path(tt.in); got != tt.want {
				t.Fatalf("Path(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = rd.Path("/sales-conversion/leads/123") }); n != 0 {
		t.Fatalf("a path without secrets costs %v allocations", n)
	}
}

// TestInternalErrorLogRedactsPath: the line LogIfInternal writes (to slog's
// default logger) shows the path as the access log does. Not parallel: it
// swaps the default logger.
func TestInternalErrorLogRedactsPath(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	defer slog.SetDefault(prev)
	const token = "Zq8xT3vLm9KpW2rYs7NbQe4HjU6cFa1D"
	h := Logging(slog.New(slog.NewJSONHandler(io.Discard, nil)), NewRenderers(), NewRedactor("/sales-conversion/sign/"), nil,
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			RenderPlain(w, r, errors.New("disk on fire"))
		}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/sales-conversion/sign/"+token, nil))
	if out := buf.String(); strings.Contains(out, token) || !strings.Contains(out, `"path":"/sales-conversion/sign/Zq8x…"`) {
		t.Fatalf("internal-error line: %s", out)
	}
}
