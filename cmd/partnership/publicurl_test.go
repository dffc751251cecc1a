package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestSignerLinkIgnoresHostHeader: issue 10 #10. With --public-url set,
// the signing link a partner gets back points at the public URL, whatever
// Host and X-Forwarded-Proto the request carried.
func TestSignerLinkIgnoresHostHeader(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := energyDemoApp(t, ctx, dir)
	const public = "https://parceiros.example.com"
	a.cfg.PublicURL = public
	h := testHandler(t, ctx, a.energySurface)

	key := newTestCLI(t, dir, "").partnerKey("Parceiro Host", "Ana")
	hostile := func(method, path string, body any) (int, map[string]any) {
		return send(t, h, key, method, path, body, func(req *http.Request) {
			req.Host = "evil.example"
			req.Header.Set("X-Forwarded-Proto", "http")
			req.Header.Set("X-Forwarded-Host", "evil.example")
		})
	}
	status, lead := hostile(http.MethodPost, "/sales-conversion/leads", leadBody("52998224725"))
	if status != http.StatusCreated {
		t.Fatalf("create lead: %d %v", status, lead)
	}
	path := "/sales-conversion/leads/" + lead["id"].(string)
	if status, _ := hostile(http.MethodPatch, path+"/energy-utility-credentials",
		map[string]any{"utilityBillLogin": "maria", "password": "segredo-123"}); status != http.StatusOK {
		t.Fatalf("credentials: %d", status)
	}
	status, contract := hostile(http.MethodPost, path+"/contracts", map[string]any{})
	link, _ := contract["contractSignerLink"].(string)
	if status != http.StatusCreated || !strings.HasPrefix(link, public+"/sales-conversion/sign/") {
		t.Fatalf("contract: %d, signer link %q, want it under %s", status, link, public)
	}
	_, reread := hostile(http.MethodGet, path, nil)
	if got, _ := reread["contractSignerLink"].(string); got != link {
		t.Fatalf("lead GET: signer link %q, want %q", got, link)
	}
}
