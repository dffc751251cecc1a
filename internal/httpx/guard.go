package httpx

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"partnership-service/internal/apperr"
)

// BodyLimits keep slow or stalled clients from holding the server's
// descriptors: uploads (multipart bodies, which hold a temp file each) are
// counted per client address and in all, and every body of some size must
// keep up a minimum rate. Zero fields take the defaults.
type BodyLimits struct {
	MaxUploads          int           // uploads in flight in all (DefaultMaxUploads)
	MaxUploadsPerClient int           // per client address (DefaultMaxUploadsPerClient)
	MinRate             int64         // bytes per second a body must keep up (DefaultMinRate)
	RateWindow          time.Duration // over which MinRate is measured (DefaultRateWindow)
	// MaxBodyTime caps the read of a whole body however fast it goes, like
	// http.Server.ReadTimeout (which the rate check's deadlines replace);
	// 0: no cap.
	MaxBodyTime time.Duration
}

// Defaults, sized for a 20,000-descriptor limit: uploads hold a socket and
// a temp file each, so 1,000 of them hold 2,000 descriptors.
const (
	DefaultMaxUploads          = 1000
	DefaultMaxUploadsPerClient = 32
	DefaultMinRate             = 1 << 10
	DefaultRateWindow          = 10 * time.Second
)

// ErrBodyTooSlow is what a body read returns when the client sends below
// the minimum rate; uploads and decoders treat it like a truncated body.
var ErrBodyTooSlow = errors.New("request body below the minimum transfer rate")

// BodyGuard applies BodyLimits in front of next. A refused upload is
// answered at once, before its body is read, in the envelope of the
// surface it was sent to: 429 when its client has too many in flight, 503
// when the server has. Requests without a body pass untouched and cost
// nothing; so do bodies small enough to need no rate check (at most one
// window's worth at the minimum rate, with a known length): the server's
// read timeout bounds those.
func BodyGuard(lim BodyLimits, renderers *Renderers, next http.Handler) http.Handler {
	if lim.MaxUploads <= 0 {
		lim.MaxUploads = DefaultMaxUploads
	}
	if lim.MaxUploadsPerClient <= 0 {
		lim.MaxUploadsPerClient = DefaultMaxUploadsPerClient
	}
	if lim.MinRate <= 0 {
		lim.MinRate = DefaultMinRate
	}
	if lim.RateWindow <= 0 {
		lim.RateWindow = DefaultRateWindow
	}
	g := &bodyGuard{
		lim:       lim,
		quota:     max(1, int64(float64(lim.MinRate)*lim.RateWindow.Seconds())),
		renderers: renderers,
		next:      next,
		perClient: map[string]int{},
	}
	return g
}

type bodyGuard struct {
	lim       BodyLimits
	quota     int64 // bytes each window must bring
	renderers *Renderers
	next      http.Handler

	inFlight  atomic.Int64
	mu        sync.Mutex
	perClient map[string]int
}

func (g *bodyGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		g.next.ServeHTTP(w, r)
		return
	}
	if !isMultipart(r) {
		if r.ContentLength >= 0 && r.ContentLength <= g.quota {
			g.next.ServeHTTP(w, r)
			return
		}
		g.serveRated(w, r)
		return
	}
	client := clientAddr(r.RemoteAddr)
	if err := g.acquire(client); err != nil {
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Connection", "close") // the unread body is not worth draining
		g.renderers.Render(w, r, err)
		return
	}
	defer g.release(client)
	g.serveRated(w, r)
}

func (g *bodyGuard) serveRated(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	b := &rateBody{
		body:   r.Body,
		ctl:    http.NewResponseController(w),
		quota:  g.quota,
		window: g.lim.RateWindow,
	}
	if g.lim.MaxBodyTime > 0 {
		b.end = start.Add(g.lim.MaxBodyTime)
	}
	_ = b.ctl.SetReadDeadline(b.next(start))
	r.Body = b
	g.next.ServeHTTP(w, r)
}

func isMultipart(r *http.Request) bool {
	ct := r.Header["Content-Type"]
	return len(ct) > 0 && len(ct[0]) >= 10 && strings.EqualFold(ct[0][:10], "multipart/")
}

// clientAddr is the client's IP address: uploads are counted per address,
// never per port, and no forwarding header is trusted.
func clientAddr(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

func (g *bodyGuard) acquire(client string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.perClient[client] >= g.lim.MaxUploadsPerClient {
		return apperr.New(apperr.TooManyRequests, "muitos envios de arquivos simultâneos deste endereço; tente novamente em instantes")
	}
	if g.inFlight.Load() >= int64(g.lim.MaxUploads) {
		return apperr.New(apperr.Unavailable, "o servidor está recebendo muitos arquivos; tente novamente em instantes")
	}
	g.inFlight.Add(1)
	g.perClient[client]++
	return nil
}

func (g *bodyGuard) release(client string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight.Add(-1)
	if n := g.perClient[client] - 1; n > 0 {
		g.perClient[client] = n
	} else {
		delete(g.perClient, client)
	}
}

// rateBody fails a body whose client sends less than quota bytes in a
// window: each time a window's quota arrives, the connection's read
// deadline moves one window on (never past end). A stalled client hits the
// deadline, and its read fails with ErrBodyTooSlow.
type rateBody struct {
	body   io.ReadCloser
	ctl    *http.ResponseController
	quota  int64
	window time.Duration
	end    time.Time // zero: no cap
	got    int64     // bytes in the current window
	over   bool
}

func (b *rateBody) next(now time.Time) time.Time {
	d := now.Add(b.window)
	if !b.end.IsZero() && d.After(b.end) {
		return b.end
	}
	return d
}

func (b *rateBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	b.got += int64(n)
	if err != nil {
		if !b.over {
			// The body is over: the handler may take its time now, and a
			// deadline left behind would cancel its context (net/http's
			// background read fails on it). Back to the overall cap.
			b.over = true
			_ = b.ctl.SetReadDeadline(b.end)
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return n, fmt.Errorf("%w (%d B/s over %s): %w", ErrBodyTooSlow, b.quota*int64(time.Second)/int64(b.window), b.window, err)
		}
		return n, err
	}
	if b.got >= b.quota {
		b.got = 0
		_ = b.ctl.SetReadDeadline(b.next(time.Now()))
	}
	return n, nil
}

func (b *rateBody) Close() error { return b.body.Close() }

// LimitListener accepts at most max connections at once. One more is
// answered at once with a 503 in the plain envelope and closed, so a flood
// of idle or stalled connections cannot take the descriptors the service
// needs, and clients learn at once rather than wait in the kernel's queue.
func LimitListener(ln net.Listener, max int) net.Listener {
	return &limitListener{Listener: ln, max: int64(max)}
}

type limitListener struct {
	net.Listener
	max  int64
	open atomic.Int64
}

var connRefusal = func() []byte {
	body := `{"error":{"code":"unavailable","message":"too many connections"}}`
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Retry-After: 1\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &limitConn{Conn: c, l: l}, nil
		}
		l.open.Add(-1)
		// A fresh socket's send buffer takes this at once; the deadline
		// only guards against the odd peer that advertises no window.
		_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = c.Write(connRefusal)
		_ = c.Close()
	}
}

// Open is the number of connections accepted and not yet closed.
func (l *limitListener) Open() int64 { return l.open.Load() }

type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}
