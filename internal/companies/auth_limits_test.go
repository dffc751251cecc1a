package companies_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
	"partnership-service/internal/geo"
	"partnership-service/internal/logins"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

const (
	attacker = "198.51.100.66"
	owner    = "203.0.113.10"
	ownerID  = "dono@example.com"
)

// loginService is a service with one user, ownerID, and the login bounds
// of cfg.
func loginService(t testing.TB, e storage.Stores, cfg logins.Config) *companies.Service {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	svc := companies.NewServiceWith(e.Companies(), geo.MustLoad(), clock.Now, logins.NewGuard(cfg))
	if _, err := svc.CreateUser(context.Background(), ownerID, password, "", true); err != nil && !apperr.Is(err, apperr.Conflict) {
		t.Fatal(err)
	}
	return svc
}

// parallelLogins runs n wrong logins at once from addr, each for email(i),
// and counts the answers by status.
func parallelLogins(t testing.TB, svc *companies.Service, n int, addr string, email func(int) string) map[int]int {
	t.Helper()
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, _, err := svc.Login(context.Background(), email(i), "errada-123", addr)
			status := http.StatusOK
			if err != nil {
				status = apperr.HTTPStatus(apperr.CodeOf(err))
				var e *apperr.Error
				if status == http.StatusTooManyRequests && (!errors.As(err, &e) || e.Meta[companies.MetaRetryAfter] == "") {
					t.Errorf("429 without a retry delay: %v", err)
				}
			}
			mu.Lock()
			got[status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return got
}

// 150 concurrent wrong logins from one address (issue 10 #2): the attempts
// are counted before hashing, so no more than the address's limit are
// hashed, never more than MaxHashes at once, and the excess gets 429.
func TestLoginConcurrentHashesBounded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		t.Run("many e-mails", func(t *testing.T) {
			const bound = 2
			svc := loginService(t, e, logins.Config{MaxHashes: bound})
			got := parallelLogins(t, svc, 150, attacker, func(i int) string { return fmt.Sprintf("u%d@example.com", i) })
			total, peak := svc.HashStats()
			t.Logf("answers %v; %d hashes, at most %d at once", got, total, peak)
			if got[http.StatusUnauthorized]+got[http.StatusTooManyRequests] != 150 {
				t.Errorf("answers %v: want only 401 and 429", got)
			}
			if got[http.StatusTooManyRequests] < 100 || total > 50 {
				t.Errorf("%d hashed and %d refused; the address's limit is 50", total, got[http.StatusTooManyRequests])
			}
			if peak > bound || peak < 1 {
				t.Errorf("%d hashes ran at once, bound %d", peak, bound)
			}
		})
		t.Run("one e-mail", func(t *testing.T) {
			svc := loginService(t, e, logins.Config{})
			got := parallelLogins(t, svc, 150, attacker, func(int) string { return ownerID })
			if total, _ := svc.HashStats(); total > 5 || got[http.StatusTooManyRequests] != 150-int(total) {
				t.Errorf("answers %v after %d hashes; the (address, e-mail) limit is 5", got, total)
			}
		})
	})
}

// A waiting login gives up when its client does.
func TestLoginHashWaitHonoursContext(t *testing.T) {
	svc := loginService(t, testdb.SQLite(t), logins.Config{MaxHashes: 1, HashWait: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var cancelled atomic.Int32
	for i := range 8 {
		wg.Go(func() {
			_, _, err := svc.Login(ctx, fmt.Sprintf("u%d@example.com", i), "errada-123", fmt.Sprintf("10.0.0.%d", i))
			if apperr.Is(err, apperr.ClientGone) {
				cancelled.Add(1)
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("logins kept waiting for a hash slot after their client left")
	}
	if total, _ := svc.HashStats(); total == 8 {
		t.Errorf("all 8 logins hashed one by one; %d gave up on the cancel", cancelled.Load())
	}
}

// An attacker's wrong passwords from one address (issue 10 #3) do not
// lock the owner out from another; the attacker's address stays refused.
func TestLoginAttackerCannotLockOwnerOut(t *testing.T) {
	testdb.Each(t, func(t *testing.T, e storage.Stores) {
		svc := loginService(t, e, logins.Config{})
		ctx := context.Background()
		for i := range 8 {
			_, _, err := svc.Login(ctx, ownerID, fmt.Sprintf("errada-%d", i), attacker)
			want := apperr.Unauthorized
			if i >= 5 {
				want = apperr.TooManyRequests
			}
			testkit.WantCode(t, fmt.Sprintf("attacker's try %d", i+1), err, want)
		}
		if _, _, err := svc.Login(ctx, ownerID, password, owner); err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		_, _, err := svc.Login(ctx, ownerID, password, attacker)
		testkit.WantCode(t, "the right password from the attacker's address", err, apperr.TooManyRequests)
	})
}

// The same through HTTP: the owner logs in, the attacker's address gets the
// 429 envelope with Retry-After.
func TestLoginAttackerCannotLockOwnerOutHTTP(t *testing.T) {
	w := newWorld(t, testdb.SQLite(t))
	login := func(addr, pw string) (int, http.Header, []byte) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"email": "gestor@example.com", "password": pw})
		req := w.anon.NewRequest("POST", "/api/v4/auth/login", bytes.NewReader(body), "application/json")
		req.RemoteAddr = addr + ":40000"
		res := w.anon.Do(req)
		return res.Status, res.Header, res.Body
	}
	for i := range 6 {
		if status, _, body := login(attacker, "errada-123"); status != http.StatusUnauthorized && i < 5 {
			t.Fatalf("failure %d answered %d %s", i+1, status, body)
		}
	}
	status, header, body := login(attacker, password)
	var msgs []string
	if status != http.StatusTooManyRequests || header.Get("Retry-After") == "" || json.Unmarshal(body, &msgs) != nil ||
		len(msgs) != 1 || !strings.Contains(msgs[0], "Muitas tentativas") {
		t.Errorf("the attacker's address: %d Retry-After %q %s", status, header.Get("Retry-After"), body)
	}
	if status, _, body := login(owner, password); status != http.StatusOK {
		t.Errorf("the owner from another address: %d %s", status, body)
	}
}

// BenchmarkWrongLoginsMemory measures 150 parallel wrong logins from one
// address (many e-mails) at the production bounds, and reports the heap's
// peak over them (issue 10 #2: the process stays far below 300 MB):
//
//	go test ./internal/companies/ -run '^$' -bench WrongLoginsMemory -benchtime 1x
func BenchmarkWrongLoginsMemory(b *testing.B) {
	svc := loginService(b, testdb.SQLite(b), logins.Config{})
	for b.Loop() {
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var peak atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}()
		parallelLogins(b, svc, 150, attacker, func(i int) string { return fmt.Sprintf("u%d@example.com", i) })
		close(stop)
		<-sampled
		b.ReportMetric(float64(peak.Load()-min(peak.Load(), before.HeapInuse))/(1<<20), "MiB-heap-growth")
	}
	b.Logf("peak resident memory (VmHWM) %s", vmHWM(b))
}

// vmHWM is the process's peak resident memory, as Linux reports it.
func vmHWM(t testing.TB) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
