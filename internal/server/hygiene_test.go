package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/server"
)

// TestMetricsNeedToken: issue 10 #14. /metrics is not public: without a
// configured token the public handler does not serve it, with one it wants
// the token, and the debug mux serves it for the private listener.
func TestMetricsNeedToken(t *testing.T) {
	t.Parallel()
	debug := http.NewServeMux()
	open, err := server.New(server.Config{
		Log:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Surfaces: []server.Surface{probeSurface()},
		DebugMux: debug,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := apitest.New(t, open)
	c.DoUndocumented(c.NewRequest(http.MethodGet, "/metrics", nil, "")).Expect(http.StatusNotFound)

	res := httptest.NewRecorder()
	debug.ServeHTTP(res, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if res.Code != http.StatusOK || !strings.Contains(res.Body.String(), "go_goroutines") {
		t.Fatalf("debug /metrics: %d %.200s", res.Code, res.Body)
	}

	tc := newClient(t, nil)
	for _, auth := range []string{"", "Bearer wrong", "Basic " + testMetricsToken, testMetricsToken} {
		req := tc.NewRequest(http.MethodGet, "/metrics", nil, "")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		got := tc.DoUndocumented(req).Expect(http.StatusUnauthorized)
		if code := got.Map()["error"].(map[string]any)["code"]; code != "unauthorized" {
			t.Fatalf("Authorization %q: error code %v", auth, code)
		}
	}
	tc.With("Authorization", "Bearer "+testMetricsToken).Get("/metrics").Expect(http.StatusOK)
}

// TestSecurityHeaders: issue 10 #14. Every answer is nosniff and cannot be
// framed; the docs page gets a policy of its own that allows its inline
// scripts by hash, never by 'unsafe-inline'.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	c := newClient(t, nil)
	for _, path := range []string{"/healthz", "/openapi.json", "/probe/ok", "/nope", "/docs/", "/docs/swagger-ui-bundle.js"} {
		t.Run(path, func(t *testing.T) {
			res := c.DoUndocumented(c.NewRequest(http.MethodGet, path, nil, ""))
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
		})
	}

	res := c.Get("/docs/").Expect(http.StatusOK)
	csp := res.Header.Get("Content-Security-Policy")
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	if strings.Contains(directives["script-src"], "unsafe") || directives["default-src"] != "'none'" {
		t.Fatalf("docs CSP too loose: %q", csp)
	}
	inline := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllSubmatch(res.Body, -1)
	if len(inline) == 0 {
		t.Fatal("docs page has no inline script: the test no longer checks anything")
	}
	for _, m := range inline {
		sum := sha256.Sum256(m[1])
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(directives["script-src"], h) {
			t.Errorf("inline script %.60q is not allowed by %q", m[1], directives["script-src"])
		}
	}
	for _, src := range regexp.MustCompile(`<(?:script|link)[^>]+(?:src|href)="([^"]+)"`).FindAllSubmatch(res.Body, -1) {
		if !strings.HasPrefix(string(src[1]), "/docs/") {
			t.Errorf("docs page loads %s, not from 'self'", src[1])
		}
	}
}
