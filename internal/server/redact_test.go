package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"partnership-service/internal/apitest"
	"partnership-service/internal/server"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAccessLogRedactsSecrets: issue 10 #5. A signing link's token is the
// signer's credential; neither it nor a token in a query string may reach
// a log line, however the path is spelled.
func TestAccessLogRedactsSecrets(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	surface := probeSurface()
	surface.SecretPaths = []string{"/probe/secret/"}
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
	}
	for _, p := range paths {
		c.DoUndocumented(c.NewRequest(http.MethodGet, p, nil, ""))
	}
	out := logs.String()
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
