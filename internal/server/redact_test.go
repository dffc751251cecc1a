package server_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/server"
	"partnership-service/internal/testkit"
)

// TestAccessLogRedactsSecrets: issue 10 #5. A signing link's token is the
// signer's credential; neither it nor a token in a query string may reach
// a log line, however the path is spelled.
func TestAccessLogRedactsSecrets(t *testing.T) {
	t.Parallel()
	var logs testkit.SyncBuffer
	surface := probeSurface()
	surface.SecretPaths = []string{"/probe/secret/", "/sales-conversion/sign/"}
	routes := surface.Routes
	surface.Routes = func(mux *http.ServeMux) {
		routes(mux)
		mux.HandleFunc("GET /probe/secret/{token}/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
		mux.HandleFunc("GET /probe/secret/{token}/fail", func(w http.ResponseWriter, r *http.Request) {
			surface.Render(w, r, errors.New("disk on fire"))
		})
	}
	h, err := server.New(server.Config{
		Log:      slog.New(slog.NewJSONHandler(&logs, nil)),
		Surfaces: []server.Surface{surface},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := apitest.New(t, h)
	const token = "Zq8xT3vLm9KpW2rYs7NbQe4HjU6cFa1D"
	paths := []string{
		"/sales-conversion/sign/" + token,
		"/sales-conversion/sign/" + token + "/assinar",
		"//sales-conversion/./sign/" + token,
		"/probe/secret/" + token,
		"/probe/ok?token=" + token + "&key=" + token + "&access_token=" + token,
		"/probe/secret/" + token + "/panic", // the panic line too
		"/probe/secret/" + token + "/fail",  // the internal-error line goes to slog's default: TestInternalErrorLogRedactsPath
	}
	for _, p := range paths {
		c.DoUndocumented(c.NewRequest(http.MethodGet, p, nil, ""))
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"panic"`) {
		t.Fatalf("no panic line:\n%s", out)
	}
	if n := strings.Count(out, `"msg":"request"`); n != len(paths) {
		t.Fatalf("%d access lines, want %d:\n%s", n, len(paths), out)
	}
	if strings.Contains(out, token) || strings.Contains(out, token[4:12]) {
		t.Fatalf("a token reached the log:\n%s", out)
	}
	for _, want := range []string{
		`"path":"/sales-conversion/sign/Zq8x…"`,
		`"path":"/sales-conversion/sign/Zq8x…/…"`,
		`"path":"/probe/secret/Zq8x…"`,
		`"path":"/probe/ok"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}
