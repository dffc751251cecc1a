package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"partnership-service/internal/mail"
	"partnership-service/internal/testkit"
)

// TestSigningByEmailedCodeThroughMailpit: issue 10 #4, end to end with a
// real SMTP server. The signer gets the link and, on asking, a one-time
// code by mail; five wrong codes lock the signer on that link; a new
// contract sends a new link, and the code read from Mailpit signs it. No
// page ever shows the CPF in full.
func TestSigningByEmailedCodeThroughMailpit(t *testing.T) {
	mp := testkit.NeedMailpit(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := energyDemoApp(t, ctx, dir)
	sender, err := mail.Open(mp.SMTPURL, "Parcerias <contratos@example.com.br>", filepath.Join(dir, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	queue := mail.NewQueue(sender, mail.QueueConfig{Logger: quietLog()})
	t.Cleanup(func() { _ = queue.Close(context.Background()) })
	a.mail = queue
	a.cfg.PublicURL = "https://parceiros.example.com"
	h := testHandler(t, ctx, a.energySurface)
	key := newTestCLI(t, dir, "").partnerKey("Parceiro Código", "Ana")

	call := func(method, path, contentType string, body io.Reader) (int, []byte) {
		req := httptest.NewRequest(method, path, body)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if !strings.HasPrefix(path, "/sales-conversion/sign/") {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	api := func(method, path string, body any) map[string]any {
		b, _ := json.Marshal(body)
		status, resp := call(method, path, "application/json", bytes.NewReader(b))
		var out map[string]any
		_ = json.Unmarshal(resp, &out)
		if status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, status, resp)
		}
		return out
	}
	const cpf, cpfDigits = "529.982.247-25", "52998224725"
	page := func(method, path string, form url.Values, want int) string {
		t.Helper()
		status, body := call(method, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, body)
		}
		if bytes.Contains(body, []byte(cpf)) || bytes.Contains(body, []byte(cpfDigits)) || bytes.Contains(body, []byte("982.247-25")) {
			t.Fatalf("%s %s shows the CPF in full: %s", method, path, body)
		}
		return string(body)
	}

	to := testkit.UniqueAddr("maria")
	body := leadBody(cpf)
	body["emailAddress"] = to
	lead := api(http.MethodPost, "/sales-conversion/leads", body)
	leadPath := "/sales-conversion/leads/" + lead["id"].(string)

	// sendContract creates a contract and returns its page path, checking
	// that the link arrived by mail (the n-th message to the signer).
	sendContract := func(n int) string {
		t.Helper()
		link := api(http.MethodPost, leadPath+"/contracts", map[string]any{})["contractSignerLink"].(string)
		msgs := mp.Received(t, to, n)
		if !strings.Contains(msgs[0].Text, link) || !strings.Contains(msgs[0].Subject, "assinatura") {
			t.Fatalf("newest mail to the signer lacks the link %s: %q %s", link, msgs[0].Subject, msgs[0].Text)
		}
		u, _ := url.Parse(link)
		return u.Path
	}
	codeRE := regexp.MustCompile(`(?m)^(\d{6})\r?$`)
	// askCode asks for a code and returns it as read from the n-th mail.
	askCode := func(sp string, n int) string {
		t.Helper()
		body := page(http.MethodPost, sp+"/code", url.Values{"signer": {"1"}}, http.StatusOK)
		if !strings.Contains(body, "Enviamos um código") || !strings.Contains(body, `name="code"`) {
			t.Fatalf("code page: %s", body)
		}
		msgs := mp.Received(t, to, n)
		m := codeRE.FindStringSubmatch(msgs[0].Text)
		if m == nil || !strings.Contains(msgs[0].Subject, "Código") {
			t.Fatalf("newest mail is not a code: %q %s", msgs[0].Subject, msgs[0].Text)
		}
		return m[1]
	}
	sign := func(sp, code string, want int) string {
		t.Helper()
		return page(http.MethodPost, sp, url.Values{"signer": {"1"}, "code": {code}, "accept": {"on"}}, want)
	}

	sp := sendContract(1)
	if body := page(http.MethodGet, sp, nil, http.StatusOK); !strings.Contains(body, "***.982.247-**") {
		t.Fatalf("page lacks the masked CPF: %s", body)
	}
	code := askCode(sp, 2)
	wrong := "000000"
	if code == wrong {
		wrong = "000001"
	}
	for i := 1; i < 5; i++ {
		sign(sp, wrong, http.StatusBadRequest)
	}
	if body := sign(sp, wrong, http.StatusForbidden); !strings.Contains(body, "bloqueada") {
		t.Fatalf("fifth wrong code: %s", body)
	}
	sign(sp, code, http.StatusForbidden) // locked: even the right code
	page(http.MethodPost, sp+"/code", url.Values{"signer": {"1"}}, http.StatusForbidden)
	if body := page(http.MethodGet, sp, nil, http.StatusOK); !strings.Contains(body, "— bloqueado") {
		t.Fatalf("page does not show the lock: %s", body)
	}
	if got := api(http.MethodGet, leadPath, nil)["status"]; got != "negociacao" {
		t.Fatalf("after the lock: status %v", got)
	}

	// The partner sends a new contract: a new link, and a code that signs.
	sp = sendContract(3)
	code = askCode(sp, 4)
	if body := sign(sp, code, http.StatusOK); !strings.Contains(body, "Contrato assinado") {
		t.Fatalf("signing: %s", body)
	}
	if got := api(http.MethodGet, leadPath, nil)["status"]; got != "assinado" {
		t.Fatalf("after signing: status %v, want assinado", got)
	}
}
