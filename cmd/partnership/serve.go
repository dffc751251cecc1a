package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"partnership-service/internal/energy"
	"partnership-service/internal/httpx"
	"partnership-service/internal/mail"
	"partnership-service/internal/server"
	"partnership-service/internal/storefront"
)

// serveOptions are serve's own flags.
type serveOptions struct {
	demo                             bool
	debugAddr, metricsToken          string
	maxConns, maxUploads             int
	maxUploadsPerClient, minBodyRate int
	retention                        retentionFlag
	rateLimit                        int
	publicWriteLimit                 int
	drainDelay                       time.Duration
	webhooks                         webhookOptions
}

func bindServe(fs *flag.FlagSet, env *environment) action {
	var o serveOptions
	fs.BoolVar(&o.demo, "demo", false, "load sample commercial data and print how to use it")
	fs.StringVar(&o.debugAddr, "debug-addr", "", "serve Go's pprof profiles and /metrics on this address (e.g. 127.0.0.1:6060); off when empty")
	fs.StringVar(&o.metricsToken, "metrics-token", env.getenv("PARTNERSHIP_METRICS_TOKEN"), "serve /metrics on the public address to requests with 'Authorization: Bearer TOKEN'; off when empty (PARTNERSHIP_METRICS_TOKEN)")
	fs.IntVar(&o.maxConns, "max-conns", intFromEnv(env, "PARTNERSHIP_MAX_CONNS", defaultMaxConns), "connections open at once; one more is answered 503 and closed (PARTNERSHIP_MAX_CONNS)")
	fs.IntVar(&o.maxUploads, "max-uploads", intFromEnv(env, "PARTNERSHIP_MAX_UPLOADS", httpx.DefaultMaxUploads), "file uploads in flight at once; more are answered 503 (PARTNERSHIP_MAX_UPLOADS)")
	fs.IntVar(&o.maxUploadsPerClient, "max-uploads-per-client", intFromEnv(env, "PARTNERSHIP_MAX_UPLOADS_PER_CLIENT", httpx.DefaultMaxUploadsPerClient), "file uploads in flight per client address; more are answered 429 (PARTNERSHIP_MAX_UPLOADS_PER_CLIENT)")
	bindWebhooks(fs, env, &o.webhooks)
	fs.IntVar(&o.minBodyRate, "min-body-rate", intFromEnv(env, "PARTNERSHIP_MIN_BODY_RATE", httpx.DefaultMinRate), "bytes per second a request body must keep up over 10 s, or the request fails (PARTNERSHIP_MIN_BODY_RATE)")
	o.retention = retentionFlag(energy.DefaultRetention)
	if v := env.getenv("PARTNERSHIP_RETENTION"); v != "" {
		if err := o.retention.Set(v); err != nil {
			o.retention = -1 // refused below, naming the variable
		}
	}
	fs.Var(&o.retention, "retention", "how long a lead never signed keeps its uploaded files and utility login after its last change, e.g. 180d or 2160h; 0: forever (PARTNERSHIP_RETENTION)")
	fs.IntVar(&o.rateLimit, "rate-limit", intFromEnv(env, "PARTNERSHIP_RATE_LIMIT", defaultRateLimit), "requests per minute each credential (partner API key, storefront client address, companies token, provider token) may make; more are answered 429 (PARTNERSHIP_RATE_LIMIT)")
	fs.IntVar(&o.publicWriteLimit, "public-write-limit", intFromEnv(env, "PARTNERSHIP_PUBLIC_WRITE_LIMIT", storefront.DefaultPublicWriteLimit), "coupon checks and subscription sign-ups per minute each storefront visitor (Origin and client address) may make, which no credential guards; more are answered 429 (PARTNERSHIP_PUBLIC_WRITE_LIMIT)")
	fs.DurationVar(&o.drainDelay, "drain-delay", durationFromEnv(env, "PARTNERSHIP_DRAIN_DELAY", 0), "on SIGTERM, how long /readyz fails while requests are still served, before the server stops accepting them; set it above the load balancer's health-check interval × fall count (PARTNERSHIP_DRAIN_DELAY)")
	return func(ctx context.Context, inv *invocation) error {
		if o.retention < 0 {
			return inv.usagef("--retention (PARTNERSHIP_RETENTION) must be a duration such as 180d or 2160h, 0 or more")
		}
		if o.drainDelay < 0 {
			return inv.usagef("--drain-delay must not be negative")
		}
		if o.maxConns <= 0 || o.maxUploads <= 0 || o.maxUploadsPerClient <= 0 || o.minBodyRate <= 0 || o.rateLimit <= 0 || o.publicWriteLimit <= 0 {
			return inv.usagef("--max-conns, --max-uploads, --max-uploads-per-client, --min-body-rate, --rate-limit and --public-write-limit must be positive")
		}
		return serve(ctx, inv.env, inv.cfg, o)
	}
}

// noHeapProfile turns the heap profile's sampling off when no
// --debug-addr serves it: unread, it still cost a stack walk every 512 KiB
// allocated and, from the first sample on, a 1.4 MiB bucket table (of an
// idle service's 40 MiB). Once, since tests start serve concurrently.
var noHeapProfile sync.Once

// serve runs the service until ctx ends, then drains it.
func serve(ctx context.Context, env *environment, cfg config, o serveOptions) error {
	if o.debugAddr == "" {
		noHeapProfile.Do(func() { runtime.MemProfileRate = 0 })
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)
	started := time.Now()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()

	tcp, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	ln := httpx.LimitListener(tcp, o.maxConns)
	defer ln.Close()
	// From here on a.cfg.PublicURL is where links point: the configured
	// public URL, or this listener in development.
	a.cfg.PublicURL = a.cfg.publicURL(ln.Addr().String())
	// Signers' mail: sent in the background, drained on shutdown.
	sender, err := mail.Open(cfg.SMTPURL, cfg.MailFrom, filepath.Join(cfg.DataDir, "outbox"))
	if err != nil {
		return err
	}
	queue := mail.NewQueue(sender, mail.QueueConfig{Logger: log})
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = queue.Close(cctx)
	}()
	a.mail = queue
	// The demo's receivers run on this machine.
	o.webhooks.allowPrivate = o.webhooks.allowPrivate || o.demo
	if a.webhooks, err = a.webhookService(o.webhooks); err != nil {
		return err
	}
	// Stopped (deferred after Close, so run before it) once the server has
	// drained: a change committed by the last request is still announced.
	defer a.runDispatcher(ctx)()
	log.Info("mail", "sender", fmt.Sprint(sender))
	if o.demo {
		fmt.Fprintf(env.stdout, "Mail to signers goes to %s\n", sender)
	}
	// The demo data goes in before the surfaces load their in-memory
	// catalogs, so the first request already sees it.
	if o.demo {
		if err := a.loadDemo(ctx, env.stdout, a.cfg.PublicURL); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		printWebhookDemo(env.stdout, a.cfg.PublicURL)
	}
	a.retention = time.Duration(o.retention)
	keys := a.useGuard(o.rateLimit)
	a.publicWriteLimit = o.publicWriteLimit
	surfaces, err := a.surfaces(ctx)
	if err != nil {
		return err
	}
	var debugMux *http.ServeMux
	if o.debugAddr != "" {
		debugMux = newDebugMux()
	}
	// Draining: readiness fails first, so a load balancer stops sending
	// new requests here, while those in flight (and any still sent) are
	// served; only then does the server stop accepting.
	var draining atomic.Bool
	ready := func(ctx context.Context) error {
		if draining.Load() {
			return errors.New("draining: shutting down")
		}
		return a.stores.Ping(ctx)
	}
	handler, err := server.New(server.Config{
		Log: log, Ready: ready, Surfaces: surfaces,
		MetricsToken: o.metricsToken, DebugMux: debugMux,
		Bodies: httpx.BodyLimits{
			MaxUploads: o.maxUploads, MaxUploadsPerClient: o.maxUploadsPerClient,
			MinRate: int64(o.minBodyRate), MaxBodyTime: readTimeout,
		},
	})
	if err != nil {
		return err
	}
	// The dispatcher runs in this process: the deliveries a request's
	// change queues go to it at commit, without waiting for a claim.
	handler = a.webhooks.HandOff(handler)
	keys.ServeResourcesWith(handler)
	go a.sweepIdempotencyKeys(ctx, keys)
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
		go serveDebug(log, o.debugAddr, debugMux)
	}
	log.Info("serving", "addr", ln.Addr().String(), "engine", a.stores.Engine(), "public_url", a.cfg.PublicURL, "docs", a.cfg.PublicURL+"/docs/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// What the start allocated and dropped (migrations, the demo's password
	// hashes, the surfaces' set-up) goes back to the system now rather than
	// minutes later through the scavenger: an idle service holds its live
	// heap, not its start's peak.
	go debug.FreeOSMemory()
	go a.sweepOrphans(ctx, started)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if o.drainDelay > 0 {
		log.Info("draining", "delay", o.drainDelay.String())
		draining.Store(true)
		srv.SetKeepAlivesEnabled(false) // clients reconnect, to another replica
		select {
		case err := <-errc:
			return err
		case <-time.After(o.drainDelay):
		}
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
	// defaultRateLimit is 20 requests a second, sustained, per credential:
	// far above a partner's integration in normal use (a bulk import of
	// leads one after another included), low enough that a runaway loop is
	// stopped.
	defaultRateLimit = 1200
)

func durationFromEnv(env *environment, key string, fallback time.Duration) time.Duration {
	if d, err := time.ParseDuration(env.getenv(key)); err == nil && d >= 0 {
		return d
	}
	return fallback
}

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
		a.lojaSurface,
		a.provedorSurface,
		a.consoleSurface,
		a.adminSurface,
		a.companiesSurface,
		a.assetsSurface,
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
		a.loadConsoleDemo,
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

// retentionFlag is a duration that also takes whole days ("180d"), the
// unit retention periods are spoken in.
type retentionFlag time.Duration

func (r *retentionFlag) String() string {
	d := time.Duration(*r)
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

func (r *retentionFlag) Set(s string) error {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return fmt.Errorf("invalid retention %q", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d < 0 {
			return fmt.Errorf("invalid retention %q", s)
		}
	}
	*r = retentionFlag(d)
	return nil
}
