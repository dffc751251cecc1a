package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
	"partnership-service/internal/server"
)

// probeSurface stands in for a real surface: its own envelope and a route
// that panics.
func probeSurface() server.Surface {
	return server.Surface{
		Name:     "probe",
		Prefixes: []string{"/probe/"},
		Render: func(w http.ResponseWriter, r *http.Request, err error) {
			e := httpx.LogIfInternal(r, err)
			httpx.WriteJSON(w, apperr.HTTPStatus(e.Code), map[string]any{"probeError": e.Message})
		},
		Routes: func(mux *http.ServeMux) {
			mux.HandleFunc("GET /probe/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
			mux.HandleFunc("GET /probe/ok", func(w http.ResponseWriter, r *http.Request) {
				httpx.WriteJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
			})
		},
	}
}

func newClient(t *testing.T, ready func(context.Context) error) *apitest.Client {
	t.Helper()
	h, err := server.New(server.Config{
		Log:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Ready:    ready,
		Surfaces: []server.Surface{probeSurface()},
		// /metrics is public only with a token (issue 10 #14).
		MetricsToken: testMetricsToken,
	})
	if err != nil {
		t.Fatal(err)
	}
	return apitest.New(t, h)
}

const testMetricsToken = "metrics-secret"

func TestOperationalEndpoints(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	tests := []struct {
		path        string
		contentType string
		contains    string
	}{
		{"/healthz", "application/json", `"status":"ok"`},
		{"/readyz", "application/json", `"status":"ok"`},
		{"/openapi.json", "application/json", `"openapi":"3.1.0"`},
		{"/openapi.yaml", "application/yaml", "openapi: 3.1.0"},
		{"/docs/", "text/html", "swagger"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := c.Get(tt.path).Expect(http.StatusOK)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type = %q, want %s", ct, tt.contentType)
			}
			if !strings.Contains(strings.ToLower(string(res.Body)), strings.ToLower(tt.contains)) {
				t.Errorf("body does not contain %q", tt.contains)
			}
		})
	}
}

func TestDocsPageNeedsNoNetwork(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	page := string(c.Get("/docs/").Expect(http.StatusOK).Body)
	for _, cdn := range []string{"unpkg.com", "cdn.jsdelivr", "cdnjs"} {
		if strings.Contains(page, cdn) {
			t.Fatalf("docs page loads assets from %s", cdn)
		}
	}
	// The page's own script must be served by the binary.
	res := c.DoUndocumented(c.NewRequest(http.MethodGet, "/docs/swagger-ui-bundle.js", nil, ""))
	if res.Status != http.StatusOK || len(res.Body) < 100_000 {
		t.Fatalf("swagger-ui bundle: status %d, %d bytes", res.Status, len(res.Body))
	}
}

func TestReadyzReportsDatabaseDown(t *testing.T) {
	t.Parallel()
	c := newClient(t, func(context.Context) error { return errors.New("connection refused") })
	res := c.Get("/readyz").Expect(http.StatusServiceUnavailable)
	if code := res.Map()["error"].(map[string]any)["code"]; code != "unavailable" {
		t.Fatalf("error code = %v, want unavailable", code)
	}
	if strings.Contains(string(res.Body), "connection refused") {
		t.Fatal("readyz leaks the driver error")
	}
}

func TestUnmatchedRequestsGetJSON(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	tests := []struct {
		name, method, path string
		status             int
		allow              string
		wantKey            string
	}{
		{"unknown path, plain envelope", http.MethodGet, "/nope", http.StatusNotFound, "", "error"},
		{"unknown path under a surface, its envelope", http.MethodGet, "/probe/nope", http.StatusNotFound, "", "probeError"},
		{"wrong method", http.MethodDelete, "/healthz", http.StatusMethodNotAllowed, "GET", "error"},
		{"wrong method under a surface", http.MethodPost, "/probe/ok", http.StatusMethodNotAllowed, "GET", "probeError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.DoUndocumented(c.NewRequest(tt.method, tt.path, nil, ""))
			res.Expect(tt.status)
			if _, ok := res.Map()[tt.wantKey]; !ok {
				t.Fatalf("body %s lacks %q", res.Body, tt.wantKey)
			}
			if got := res.Header.Get("Allow"); !strings.Contains(got, tt.allow) {
				t.Fatalf("Allow = %q, want it to contain %q", got, tt.allow)
			}
		})
	}
}

func TestPanicBecomes500AndServerLives(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	res := c.DoUndocumented(c.NewRequest(http.MethodGet, "/probe/panic", nil, ""))
	res.Expect(http.StatusInternalServerError)
	if msg := res.Map()["probeError"]; msg != "internal error" {
		t.Fatalf("panic answer = %s, want the surface envelope with a generic message", res.Body)
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id on the 500")
	}
	c.Get("/healthz").Expect(http.StatusOK)
}

func TestMetricsCountByRoutePattern(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	c.Get("/healthz").Expect(http.StatusOK)
	c.DoUndocumented(c.NewRequest(http.MethodGet, "/probe/ok", nil, "")).Expect(http.StatusOK)
	body := string(c.With("Authorization", "Bearer "+testMetricsToken).Get("/metrics").Expect(http.StatusOK).Body)
	for _, want := range []string{
		`http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
		`http_requests_total{method="GET",route="GET /probe/ok",status="200"} 1`,
		`http_request_duration_seconds_bucket{method="GET",route="GET /healthz"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestRequestIDIsKeptOrMade(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	if got := c.With("X-Request-Id", "abc-123").Get("/healthz").Header.Get("X-Request-Id"); got != "abc-123" {
		t.Fatalf("X-Request-Id = %q, want the client's", got)
	}
	if got := c.With("X-Request-Id", "bad id\x01").Get("/healthz").Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Fatalf("X-Request-Id = %q, want a fresh one", got)
	}
}
