// Package server builds the service's http.Handler: the operational
// endpoints, the contract and its docs page, and each surface's routes, all
// behind the shared middleware.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"partnership-service/api"
	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// Surface is one API surface: its path prefixes, its error envelope and its
// routes.
type Surface struct {
	Name     string
	Prefixes []string
	Render   httpx.Renderer
	Routes   func(mux *http.ServeMux)
	// SecretPaths are path prefixes (ending in "/") whose next segment is
	// a credential, such as a signing link's token: logs show only its
	// first characters.
	SecretPaths []string
}

// Config is what the handler needs.
type Config struct {
	Log      *slog.Logger
	Ready    func(ctx context.Context) error // nil: always ready
	MaxBody  int64                           // safety cap on any request body; 0 = 64 MiB
	Surfaces []Surface
	// MetricsToken, when set, serves /metrics on the public handler to
	// requests carrying "Authorization: Bearer <MetricsToken>"; when empty
	// the public handler has no /metrics.
	MetricsToken string
	// Bodies bounds uploads in flight and the rate request bodies must
	// keep (zero fields: httpx's defaults).
	Bodies httpx.BodyLimits
	// DebugMux, when set, also gets GET /metrics, with no token: it is
	// meant for a private listener (serve --debug-addr), next to pprof.
	DebugMux *http.ServeMux
}

// DefaultMaxBody caps request bodies when Config.MaxBody is 0.
const DefaultMaxBody = 64 << 20

// New returns the service's handler.
func New(cfg Config) (http.Handler, error) {
	contract := api.Document()
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	renderers := httpx.NewRenderers()
	var secrets []string
	for _, s := range cfg.Surfaces {
		secrets = append(secrets, s.SecretPaths...)
		for _, p := range s.Prefixes {
			renderers.Add(p, s.Render)
		}
	}
	mux := httpx.NewMux(renderers)

	ok := []byte(`{"status":"ok"}`)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteRawJSON(w, http.StatusOK, ok)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := cfg.Ready(ctx); err != nil {
				cfg.Log.WarnContext(r.Context(), "not ready", "err", err)
				httpx.RenderPlain(w, r, apperr.New(apperr.Unavailable, "database unavailable"))
				return
			}
		}
		httpx.WriteRawJSON(w, http.StatusOK, ok)
	})
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteRawJSON(w, http.StatusOK, contract.JSON)
	})
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		_, _ = w.Write(contract.YAML)
	})
	docs, err := docsHandler()
	if err != nil {
		return nil, err
	}
	mux.Handle("GET /docs/", docs)
	mux.Handle("GET /docs", http.RedirectHandler("/docs/", http.StatusMovedPermanently))

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(registry)
	exposition := promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
	if cfg.MetricsToken != "" {
		mux.Handle("GET /metrics", requireBearer(cfg.MetricsToken, exposition))
	}
	if cfg.DebugMux != nil {
		cfg.DebugMux.Handle("GET /metrics", exposition)
	}

	for _, s := range cfg.Surfaces {
		s.Routes(mux)
	}
	var h http.Handler = httpx.MaxBody(cfg.MaxBody, httpx.BodyGuard(cfg.Bodies, renderers, mux))
	return httpx.Logging(cfg.Log, renderers, httpx.NewRedactor(secrets...), m.observe, h), nil
}

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	// The children of the vectors, cached: finding one by label values
	// hashes every value on every request. Unmatched requests share the
	// route "unmatched", so the cache is bounded by the routes × methods ×
	// statuses the server answers; reads take no lock.
	series sync.Map // seriesKey → series
}

type seriesKey struct {
	method, route string
	status        int
}

type series struct {
	counter prometheus.Counter
	timer   prometheus.Observer
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe labels by route pattern, never by raw path, so ids in URLs cannot
// blow up the number of series.
func (m *metrics) observe(r *http.Request, route string, status int, elapsed time.Duration) {
	method := r.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "OTHER" // clients choose methods freely; series must stay bounded
	}
	key := seriesKey{method, route, status}
	var s series
	if v, ok := m.series.Load(key); ok {
		s = v.(series)
	} else {
		s = series{
			counter: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
			timer:   m.latency.WithLabelValues(method, route),
		}
		m.series.Store(key, s)
	}
	s.counter.Inc()
	s.timer.Observe(elapsed.Seconds())
}
