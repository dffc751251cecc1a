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
	"time"

	"partnership-service/internal/server"
)

func runServe(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := newFlagSet(env, "serve", &cfg)
	demo := fs.Bool("demo", false, "load sample commercial data and print how to use it")
	debugAddr := fs.String("debug-addr", "", "serve Go's pprof profiles and /metrics on this address (e.g. 127.0.0.1:6060); off when empty")
	metricsToken := fs.String("metrics-token", env.getenv("PARTNERSHIP_METRICS_TOKEN"), "serve /metrics on the public address to requests with 'Authorization: Bearer TOKEN'; off when empty (PARTNERSHIP_METRICS_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	// The demo data goes in before the surfaces load their in-memory
	// catalogs, so the first request already sees it.
	if *demo {
		if err := a.loadDemo(ctx, env.stdout, "http://"+ln.Addr().String()); err != nil {
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
		MetricsToken: *metricsToken, DebugMux: debugMux,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		// Uploads of several MiB over slow links need a generous read time.
		ReadTimeout:    2 * time.Minute,
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if debugMux != nil {
		go serveDebug(log, *debugAddr, debugMux)
	}
	log.Info("serving", "addr", ln.Addr().String(), "engine", a.stores.Engine(), "docs", "http://"+ln.Addr().String()+"/docs/")
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
