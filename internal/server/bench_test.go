package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"partnership-service/internal/server"
)

// BenchmarkHealthz is the whole middleware path (request id, access log,
// metrics, headers) around the cheapest handler.
func BenchmarkHealthz(b *testing.B) {
	h, err := server.New(server.Config{
		Log:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Surfaces: []server.Surface{probeSurface()},
		// As serve runs it.
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/probe/ok"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
