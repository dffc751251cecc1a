package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnership-service/internal/blob/blobtest"
	"partnership-service/internal/testdb"
)

// TestMain lets the webhook crash test run this very binary as the
// service: with PARTNERSHIP_TEST_MAIN=1 it is main, not the tests.
func TestMain(m *testing.M) {
	if os.Getenv("PARTNERSHIP_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// verifyStandardWebhook checks one request as the Standard Webhooks
// specification describes it, written from the spec's text and not with
// the service's signer: the signed content is "<webhook-id>.<webhook-
// timestamp>.<body>"; the key is the base64 after "whsec_"; the HMAC-SHA256
// of the content, base64-encoded, must equal one of the space-delimited
// "v1,<signature>" entries; and the timestamp must be within five minutes.
func verifyStandardWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return fmt.Errorf("webhook-timestamp %q is not a recent Unix time", ts)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("secret: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, entry := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		if got, err := base64.StdEncoding.DecodeString(sig); err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no v1 signature in %q matches", sigs)
}

// delivered is one verified webhook request.
type delivered struct {
	ID   string
	Type string
	Data map[string]any
}

// receiver is a webhook endpoint: it verifies every request's signature
// (a failure fails the test), answers 500 to the next fail requests, and
// hands the others on.
type receiver struct {
	t        *testing.T
	srv      *httptest.Server
	secret   atomic.Value // string
	fail     atomic.Int32
	mu       sync.Mutex
	attempts []string // webhook-id of every request, failed ones too
	got      chan delivered
	// hold, when set, is closed by the test to let a held request answer.
	hold atomic.Pointer[chan struct{}]
	held chan string // webhook-ids of held requests
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, got: make(chan delivered, 100), held: make(chan string, 10)}
	r.secret.Store("")
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := verifyStandardWebhook(r.secret.Load().(string), req.Header, body, time.Now()); err != nil {
			t.Errorf("webhook %s: %v", req.Header.Get("webhook-id"), err)
		}
		id := req.Header.Get("webhook-id")
		r.mu.Lock()
		r.attempts = append(r.attempts, id)
		r.mu.Unlock()
		if h := r.hold.Load(); h != nil {
			r.held <- id
			<-*h
			return // the process that sent it is gone
		}
		if r.fail.Add(-1) >= 0 {
			http.Error(w, "indisponível", http.StatusServiceUnavailable)
			return
		}
		r.fail.Store(0)
		var msg struct {
			Type      string         `json:"type"`
			Timestamp time.Time      `json:"timestamp"`
			Data      map[string]any `json:"data"`
		}
		if err := json.Unmarshal(body, &msg); err != nil || msg.Type == "" || msg.Timestamp.IsZero() || msg.Data == nil {
			t.Errorf("webhook body %s: %v", body, err)
		}
		w.WriteHeader(http.StatusNoContent)
		r.got <- delivered{ID: id, Type: msg.Type, Data: msg.Data}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// expect waits, up to within, for messages of every type in types (in any
// order, others ignored) and returns them by type.
func (r *receiver) expect(within time.Duration, types ...string) map[string]delivered {
	r.t.Helper()
	out := map[string]delivered{}
	deadline := time.After(within)
	for len(out) < len(types) {
		select {
		case m := <-r.got:
			for _, typ := range types {
				if m.Type == typ {
					out[typ] = m
				}
			}
		case <-deadline:
			r.t.Fatalf("within %s got %v, want %v", within, reflect.ValueOf(out).MapKeys(), types)
		}
	}
	return out
}

// quiet fails if anything arrives within d.
func (r *receiver) quiet(d time.Duration) {
	r.t.Helper()
	select {
	case m := <-r.got:
		r.t.Fatalf("unexpected webhook %s %s", m.Type, m.ID)
	case <-time.After(d):
	}
}

// client calls a running service with a bearer key (and an Origin).
type client struct {
	t      *testing.T
	base   string
	key    string
	origin string
}

func (c *client) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	header := c.header()
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
		header = append(header, "Content-Type", "application/json")
	}
	status, b := liveCall(c.t, method, c.base+path, rd, header...)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return status, out
}

// header is the client's key and Origin, as liveCall takes them.
func (c *client) header() []string {
	var h []string
	if c.key != "" {
		h = append(h, "Authorization", "Bearer "+c.key)
	}
	if c.origin != "" {
		h = append(h, "Origin", c.origin)
	}
	return h
}

// register creates a partner's endpoint for the receiver and gives it the
// secret.
func (c *client) register(r *receiver, events ...string) string {
	c.t.Helper()
	return c.registerAt("/sales-conversion/webhook-endpoints", r, events...)
}

// registerAt creates an endpoint at one surface's path.
func (c *client) registerAt(path string, r *receiver, events ...string) string {
	c.t.Helper()
	if events == nil {
		events = []string{}
	}
	status, ep := c.do(http.MethodPost, path,
		map[string]any{"url": r.srv.URL + "/hooks", "events": events, "description": "teste"})
	secret, _ := ep["secret"].(string)
	if status != http.StatusCreated || !strings.HasPrefix(secret, "whsec_") {
		c.t.Fatalf("register endpoint: %d %v", status, ep)
	}
	r.secret.Store(secret)
	return ep["id"].(string)
}

// upload posts one file in a multipart form.
func (c *client) upload(path, field string, content []byte) int {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(field, "documento.pdf")
	_, _ = fw.Write(content)
	_ = mw.Close()
	status, _ := liveCall(c.t, http.MethodPost, c.base+path, &buf, append(c.header(), "Content-Type", mw.FormDataContentType())...)
	return status
}

// webhookEngines runs fn per engine with the --database-url for it.
func webhookEngines(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	t.Run("postgres", func(t *testing.T) { fn(t, testdb.PostgresDatabase(t)) })
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !healthy(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer on %s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWebhooksEndToEnd (issue 12): the real service, its dispatcher and
// two partners' receivers, every request's signature checked by the spec's
// own rules.
func TestWebhooksEndToEnd(t *testing.T) {
	webhookEngines(t, func(t *testing.T, dbURL string) {
		dir := t.TempDir()
		cli := newTestCLI(t, dir, dbURL)
		keyA, keyB := cli.partnerKey("Parceiro A", "Ana"), cli.partnerKey("Parceiro B", "Ana")
		srv := startServe(t, map[string]string{"DATABASE_URL": dbURL}, "", "serve", "--demo", "--data-dir", dir,
			"--webhook-allow-private", "--webhook-retry-schedule", "100ms,100ms,100ms")
		a := &client{t: t, base: srv.base, key: keyA}
		b := &client{t: t, base: srv.base, key: keyB}
		rA, rB := newReceiver(t), newReceiver(t)
		epA := a.register(rA)
		b.register(rB)

		// lead created → lead.created within 2 s, carrying the lead as its GET answers.
		status, lead := a.do(http.MethodPost, "/sales-conversion/leads", leadBody("52998224725"))
		if status != http.StatusCreated {
			t.Fatalf("create lead: %d %v", status, lead)
		}
		created := rA.expect(2*time.Second, "lead.created")["lead.created"]
		path := "/sales-conversion/leads/" + lead["id"].(string)
		if _, got := a.do(http.MethodGet, path, nil); !reflect.DeepEqual(created.Data, got) {
			t.Fatalf("lead.created data\n%v\nwant the GET's\n%v", created.Data, got)
		}

		// A change that rolls back (the open-lead rule refuses it inside
		// the transaction) announces nothing.
		if status, _ := a.do(http.MethodPost, "/sales-conversion/leads", leadBody("52998224725")); status != http.StatusConflict {
			t.Fatalf("duplicate lead: %d", status)
		}

		// A document → lead.document_uploaded, listing it.
		if status := a.upload(path+"/utility-bill", "utilityBill", blobtest.PDF); status != http.StatusCreated {
			t.Fatalf("utility bill: %d", status)
		}
		if docs, _ := rA.expect(2*time.Second, "lead.document_uploaded")["lead.document_uploaded"].Data["documents"].([]any); len(docs) != 1 {
			t.Fatalf("lead.document_uploaded documents %v", docs)
		}

		// contract created and signed → contract.signed and lead.status_changed.
		if status, _ := a.do(http.MethodPatch, path+"/energy-utility-credentials",
			map[string]any{"utilityBillLogin": "maria", "password": "segredo-123"}); status != http.StatusOK {
			t.Fatalf("credentials: %d", status)
		}
		rA.expect(2*time.Second, "lead.updated")
		status, contract := a.do(http.MethodPost, path+"/contracts", map[string]any{})
		if status != http.StatusCreated {
			t.Fatalf("contract: %d %v", status, contract)
		}
		got := rA.expect(2*time.Second, "contract.created", "lead.status_changed")
		if got["lead.status_changed"].Data["status"] != "negociacao" {
			t.Fatalf("status_changed on contract: %v", got["lead.status_changed"].Data["status"])
		}
		link, _ := url.Parse(contract["contractSignerLink"].(string))
		// The signer asks for the one-time code, reads it in the mail (the
		// outbox here) and signs with it.
		res, err := http.PostForm(a.base+link.Path+"/code", url.Values{"signer": {"1"}})
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("code: %v %v", res, err)
		}
		res.Body.Close()
		res, err = http.PostForm(a.base+link.Path, url.Values{"signer": {"1"}, "code": {outboxCode(t, filepath.Join(dir, "outbox"))}, "accept": {"on"}})
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("sign: %v %v", res, err)
		}
		res.Body.Close()
		got = rA.expect(2*time.Second, "contract.signed", "lead.status_changed")
		if got["contract.signed"].Data["status"] != "assinado" || got["lead.status_changed"].Data["status"] != "assinado" {
			t.Fatalf("signed events carry status %v and %v", got["contract.signed"].Data["status"], got["lead.status_changed"].Data["status"])
		}

		// A receiver failing twice gets the message on the third attempt,
		// with the same webhook-id.
		rA.fail.Store(2)
		rA.mu.Lock()
		before := len(rA.attempts)
		rA.mu.Unlock()
		if status, _ := a.do(http.MethodPost, "/sales-conversion/leads", leadBody("11144477735")); status != http.StatusCreated {
			t.Fatalf("second lead: %d", status)
		}
		third := rA.expect(3*time.Second, "lead.created")["lead.created"]
		rA.mu.Lock()
		tries := rA.attempts[before:]
		rA.mu.Unlock()
		if len(tries) != 3 || tries[0] != third.ID || tries[1] != third.ID || tries[2] != third.ID {
			t.Fatalf("attempts %v, want three of %s", tries, third.ID)
		}
		// The log shows the success once the dispatcher recorded it, just
		// after the receiver answered.
		var last map[string]any
		for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			status, log := a.do(http.MethodGet, "/sales-conversion/webhook-endpoints/"+epA+"/deliveries", nil)
			items, _ := log["items"].([]any)
			if status != http.StatusOK || len(items) == 0 {
				t.Fatalf("deliveries: %d %v", status, log)
			}
			if last = items[0].(map[string]any); last["status"] != "pending" || time.Now().After(deadline) {
				break
			}
		}
		if last["event_id"] != third.ID || last["status"] != "succeeded" || last["attempts"] != 3.0 || last["last_status_code"] != 204.0 {
			t.Fatalf("latest delivery %v", last)
		}

		// A delivery retried by hand comes again, with its webhook-id.
		if status, d := a.do(http.MethodPost, "/sales-conversion/webhook-endpoints/"+epA+"/deliveries/"+last["id"].(string)+"/retry", nil); status != http.StatusAccepted {
			t.Fatalf("retry: %d %v", status, d)
		}
		if again := rA.expect(2*time.Second, "lead.created")["lead.created"]; again.ID != third.ID {
			t.Fatalf("retried message %s, want %s", again.ID, third.ID)
		}

		// Partner B's endpoint never received partner A's events; the
		// rolled-back duplicate sent nothing either.
		rB.quiet(300 * time.Millisecond)
		rA.quiet(300 * time.Millisecond)
	})
}

// TestWebhookSurvivesSIGKILL (issue 12): the service is killed with
// SIGKILL after a lead's commit, while its lead.created is being sent;
// started again on the same database, it delivers the message, with the
// same webhook-id.
func TestWebhookSurvivesSIGKILL(t *testing.T) {
	webhookEngines(t, func(t *testing.T, dbURL string) {
		dir := t.TempDir()
		key := newTestCLI(t, dir, dbURL).partnerKey("Parceiro K", "Ana")
		addr := freeAddr(t)
		start := func() *exec.Cmd {
			cmd := exec.Command(os.Args[0], "serve", "--demo", "--addr", addr, "--data-dir", dir, "--webhook-allow-private",
				"--log-level", "warn")
			cmd.Env = append(os.Environ(), "PARTNERSHIP_TEST_MAIN=1", "DATABASE_URL="+dbURL)
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			waitHealthy(t, addr)
			return cmd
		}
		first := start()
		c := &client{t: t, base: "http://" + addr, key: key}
		r := newReceiver(t)
		release := make(chan struct{})
		r.hold.Store(&release)
		c.register(r)
		if status, lead := c.do(http.MethodPost, "/sales-conversion/leads", leadBody("52998224725")); status != http.StatusCreated {
			t.Fatalf("create lead: %d %v", status, lead)
		}
		var id string
		select {
		case id = <-r.held:
		case <-time.After(5 * time.Second):
			t.Fatal("no delivery attempt within 5 s")
		}
		if err := first.Process.Signal(os.Kill); err != nil {
			t.Fatal(err)
		}
		_ = first.Wait()
		r.hold.Store(nil)
		close(release)

		start()
		// SQLite (one process) releases a dead predecessor's lease at
		// start; PostgreSQL waits for it to run out (twice the 15 s timeout).
		within := 5 * time.Second
		if dbURL != "" {
			within = 45 * time.Second
		}
		if m := r.expect(within, "lead.created")["lead.created"]; m.ID != id {
			t.Fatalf("after the restart got %s, want the killed attempt's %s", m.ID, id)
		}
	})
}

// TestWebhooksStorefrontAndCompanies (issue 12): the storefront's and the
// companies API's events reach their owners' endpoints, registered on
// their own surfaces with their own credentials.
func TestWebhooksStorefrontAndCompanies(t *testing.T) {
	webhookEngines(t, func(t *testing.T, dbURL string) {
		dir := t.TempDir()
		cli := newTestCLI(t, dir, dbURL)
		const origin = "https://loja.example.com.br"
		providerToken := cli.providerToken("Provedor Teste", origin)
		account := cli.run("account", "create", "--name", "Gestora", "--type", "gestao")
		cli.run("account", "create", "--name", "Cliente", "--type", "cliente", "--manager", "Gestora")
		cli.run("account", "create", "--name", "Outra", "--type", "cliente")
		cli.run("user", "create", "--email", "g@example.com", "--password", "senha-forte-1", "--account", "Gestora")
		cli.run("user", "create", "--email", "c@example.com", "--password", "senha-forte-1", "--account", "Cliente")
		managerToken := cli.run("token", "create", "--email", "g@example.com")
		clientToken := cli.run("token", "create", "--email", "c@example.com")

		base := startServe(t, map[string]string{"DATABASE_URL": dbURL}, "", "serve", "--data-dir", dir, "--webhook-allow-private").base

		// Storefront: the provider's admin token manages the endpoint.
		admin := &client{t: t, base: base, key: providerToken}
		rs := newReceiver(t)
		admin.registerAt("/api/v2/admin/webhook-endpoints", rs)
		visitor := &client{t: t, base: base, origin: origin}
		status, sub := visitor.do(http.MethodPost, "/api/v2/subscriptions", map[string]any{"subscription": map[string]any{
			"pre_subscription": true, "cold_lead": true, "nome_razao_social": "Maria Souza", "telefone_celular": "(41) 99891-6002"}})
		if status != http.StatusOK && status != http.StatusCreated {
			t.Fatalf("subscription: %d %v", status, sub)
		}
		id := sub["data"].(map[string]any)["id"].(string)
		created := rs.expect(2*time.Second, "subscription.created")["subscription.created"]
		_, stored := admin.do(http.MethodGet, "/api/v2/admin/subscriptions/"+id, nil)
		if !reflect.DeepEqual(created.Data, stored["data"]) {
			t.Fatalf("subscription.created data\n%v\nwant the admin GET's\n%v", created.Data, stored["data"])
		}
		if status, _ := visitor.do(http.MethodPut, "/api/v2/subscriptions/"+id, map[string]any{"subscription": map[string]any{
			"cold_lead": true, "nome_razao_social": "Maria Souza Lima", "telefone_celular": "(41) 99891-6002"}}); status != http.StatusOK {
			t.Fatalf("update subscription: %d", status)
		}
		if m := rs.expect(2*time.Second, "subscription.updated")["subscription.updated"]; m.Data["attributes"].(map[string]any)["nome_razao_social"] != "Maria Souza Lima" {
			t.Fatalf("subscription.updated data %v", m.Data)
		}

		if status := visitor.upload("/api/v2/subscriptions/"+id+"/files", "files[selfie]", blobtest.PDF); status != http.StatusOK && status != http.StatusCreated {
			t.Fatalf("subscription files: %d", status)
		}
		files := rs.expect(2*time.Second, "subscription.files_uploaded")["subscription.files_uploaded"].Data["attributes"].(map[string]any)["files"].([]any)
		if len(files) != 1 || files[0].(map[string]any)["kind"] != "selfie" {
			t.Fatalf("subscription.files_uploaded files %v", files)
		}

		// Companies: a management user registers for the account it
		// manages; a client user may not manage endpoints.
		if status, _ := (&client{t: t, base: base, key: clientToken}).do(http.MethodGet, "/api/v4/webhook-endpoints", nil); status != http.StatusForbidden {
			t.Fatalf("client user listing endpoints: %d, want 403", status)
		}
		manager := &client{t: t, base: base, key: managerToken}
		rc := newReceiver(t)
		manager.registerAt("/api/v4/webhook-endpoints", rc, "company.created", "company.deleted")
		if status, _ := manager.do(http.MethodPost, "/api/v4/webhook-endpoints",
			map[string]any{"url": rc.srv.URL, "account_id": 999999}); status != http.StatusUnprocessableEntity {
			t.Fatalf("endpoint for an account it does not manage: %d, want 422", status)
		}
		status, company := manager.do(http.MethodPost, "/api/v4/companies", map[string]any{
			"name": "Padaria", "city_id": 3509502, "state_id": 35, "account_id": json.Number(account)})
		if status != http.StatusCreated {
			t.Fatalf("company: %d %v", status, company)
		}
		path := "/api/v4/companies/" + strconv.FormatInt(int64(company["id"].(float64)), 10)
		if m := rc.expect(2*time.Second, "company.created")["company.created"]; !reflect.DeepEqual(m.Data, company) {
			t.Fatalf("company.created data\n%v\nwant\n%v", m.Data, company)
		}
		if status, _ := manager.do(http.MethodPut, path, map[string]any{"name": "Padaria Nova"}); status != http.StatusOK {
			t.Fatalf("update company: %d", status)
		}
		if status, _ := manager.do(http.MethodDelete, path, nil); status != http.StatusNoContent && status != http.StatusOK {
			t.Fatalf("delete company: %d", status)
		}
		// company.updated is not among the endpoint's events.
		if m := rc.expect(2*time.Second, "company.deleted")["company.deleted"]; m.Data["name"] != "Padaria Nova" {
			t.Fatalf("company.deleted data %v", m.Data)
		}
		rc.quiet(300 * time.Millisecond)
		rs.quiet(100 * time.Millisecond)
	})
}
