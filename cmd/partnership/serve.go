package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"partnership-service/internal/httpx"
	"partnership-service/internal/server"
)

func runServe(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := newFlagSet(env, "serve", &cfg)
	demo := fs.Bool("demo", false, "load sample commercial data and print how to use it")
	debugAddr := fs.String("debug-addr", "", "serve Go's pprof profiles and /metrics on this address (e.g. 127.0.0.1:6060); off when empty")
	metricsToken := fs.String("metrics-token", env.getenv("PARTNERSHIP_METRICS_TOKEN"), "serve /metrics on the public address to requests with 'Authorization: Bearer TOKEN'; off when empty (PARTNERSHIP_METRICS_TOKEN)")
	maxConns := fs.Int("max-conns", intFromEnv(env, "PARTNERSHIP_MAX_CONNS", defaultMaxConns), "connections open at once; one more is answered 503 and closed (PARTNERSHIP_MAX_CONNS)")
	maxUploads := fs.Int("max-uploads", intFromEnv(env, "PARTNERSHIP_MAX_UPLOADS", httpx.DefaultMaxUploads), "file uploads in flight at once; more are answered 503 (PARTNERSHIP_MAX_UPLOADS)")
	maxUploadsPerClient := fs.Int("max-uploads-per-client", intFromEnv(env, "PARTNERSHIP_MAX_UPLOADS_PER_CLIENT", httpx.DefaultMaxUploadsPerClient), "file uploads in flight per client address; more are answered 429 (PARTNERSHIP_MAX_UPLOADS_PER_CLIENT)")
	minBodyRate := fs.Int("min-body-rate", intFromEnv(env, "PARTNERSHIP_MIN_BODY_RATE", httpx.DefaultMinRate), "bytes per second a request body must keep up over 10 s, or the request fails (PARTNERSHIP_MIN_BODY_RATE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *maxConns <= 0 || *maxUploads <= 0 || *maxUploadsPerClient <= 0 || *minBodyRate <= 0 {
		return fmt.Errorf("--max-conns, --max-uploads, --max-uploads-per-client and --min-body-rate must be positive")
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	tcp, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	ln := httpx.LimitListener(tcp, *maxConns)
	defer ln.Close()
	// From here on a.cfg.PublicURL is where links point: the configured
	// public URL, or this listener in development.
	a.cfg.PublicURL = a.cfg.publicURL(ln.Addr().String())
	// The demo data goes in before the surfaces load their in-memory
	// catalogs, so the first request already sees it.
	if *demo {
		if err := a.loadDemo(ctx, env.stdout, a.cfg.PublicURL); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	surfaces, err := a.surfaces(ctx)
	if err != nil {
		return err
	}
	var debugMux *http.ServeMux
	if *debugAddr != "" {
		debugMux = newDebugMux()
	}
	handler, err := server.New(server.Config{
		Log: log, Ready: a.stores.Ping, Surfaces: surfaces,
		MetricsToken: *metricsToken, DebugMux: debugMux, PublicURL: a.cfg.PublicURL,
		Bodies: httpx.BodyLimits{
			MaxUploads: *maxUploads, MaxUploadsPerClient: *maxUploadsPerClient,
			MinRate: int64(*minBodyRate), MaxBodyTime: readTimeout,
		},
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		// Uploads of several MiB over slow links need a generous read time;
		// a stalled one fails sooner, on the minimum body rate.
		ReadTimeout:    readTimeout,
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if debugMux != nil {
		go serveDebug(log, *debugAddr, debugMux)
	}
	log.Info("serving", "addr", ln.Addr().String(), "engine", a.stores.Engine(), "public_url", a.cfg.PublicURL, "docs", a.cfg.PublicURL+"/docs/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newDebugMux serves pprof; server.New adds /metrics to it.
func newDebugMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	return mux
}

const (
	readTimeout = 2 * time.Minute
	// defaultMaxConns leaves, of a 20,000-descriptor limit, room for the
	// uploads' temp files (1,000 by default), the database and the logs.
	defaultMaxConns = 15000
)

func intFromEnv(env *environment, key string, fallback int) int {
	if n, err := strconv.Atoi(env.getenv(key)); err == nil && n > 0 {
		return n
	}
	return fallback
}

// serveDebug exposes pprof and metrics on their own listener, never on the
// public one.
func serveDebug(log *slog.Logger, addr string, mux *http.ServeMux) {
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("debug listener", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("debug listener", "err", err)
	}
}

// surfaces builds every API surface; each context adds its constructor.
func (a *app) surfaces(ctx context.Context) ([]server.Surface, error) {
	builders := []func(context.Context) (server.Surface, error){
		a.energySurface,
		a.storefrontSurface,
		a.companiesSurface,
	}
	out := make([]server.Surface, 0, len(builders))
	for _, build := range builders {
		s, err := build(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// loadDemo loads each context's sample data and prints how to use it.
// Loading twice is harmless: each loader finds what it created before.
func (a *app) loadDemo(ctx context.Context, w io.Writer, baseURL string) error {
	loaders := []func(context.Context, io.Writer, string) error{
		a.loadEnergyDemo,
		a.loadStorefrontDemo,
		a.loadCompaniesDemo,
	}
	fmt.Fprintf(w, "partnership-service demo at %s (docs: %s/docs/)\n", baseURL, baseURL)
	for _, load := range loaders {
		if err := load(ctx, w, baseURL); err != nil {
			return err
		}
	}
	return nil
}
