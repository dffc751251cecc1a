package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var keyPattern = regexp.MustCompile(`pk_[a-z0-9]{8}_[a-z0-9]{20,}`)

// TestPartners: create a partner (the service's messages on bad input),
// issue a key shown once and never in the trail, revoke it at once.
func TestPartners(t *testing.T) {
	c := newConsole(t)
	code, page := c.post("/admin/parceiros", "/admin/parceiros", url.Values{"name": {"  "}})
	if code != http.StatusBadRequest || !strings.Contains(page, "o nome do parceiro deve ter de 1 a 200 caracteres") {
		t.Fatalf("blank name: %d\n%s", code, page)
	}
	code, to := c.post("/admin/parceiros", "/admin/parceiros", url.Values{"name": {"Sol Nascente"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(to, "/admin/parceiros/") {
		t.Fatalf("create: %d %s", code, to)
	}
	code, page = c.post("/admin/parceiros", "/admin/parceiros", url.Values{"name": {"Sol Nascente"}})
	if code != http.StatusConflict || !strings.Contains(page, "já existe um parceiro com esse nome") {
		t.Fatalf("duplicate: %d\n%s", code, page)
	}
	code, page = c.post(to, to+"/chaves", url.Values{"seller": {"Ana"}, "admin": {"sim"}})
	key := keyPattern.FindString(page)
	if code != http.StatusOK || key == "" || !strings.Contains(page, "não será mostrada de novo") {
		t.Fatalf("issue: %d\n%s", code, page)
	}
	ctx := context.Background()
	if p, err := c.pk.Authenticate(ctx, "Bearer "+key); err != nil || !p.Admin || p.SellerName != "Ana" {
		t.Fatalf("the key does not work: %+v %v", p, err)
	}
	if _, page := c.do(http.MethodGet, to, nil); strings.Contains(page, key) {
		t.Fatal("the key is shown again")
	}
	prefix := strings.Split(key, "_")[1]
	if code, _ := c.post(to, to+"/chaves/"+prefix+"/revogar", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if _, err := c.pk.Authenticate(ctx, "Bearer "+key); err == nil {
		t.Fatal("a revoked key still works")
	}
	if code, _ := c.post(to, to+"/chaves/"+prefix+"/revogar", url.Values{}); code != http.StatusNotFound {
		t.Fatalf("revoke twice: %d", code)
	}
	if code, _ := c.do(http.MethodGet, "/admin/parceiros/nao-existe", nil); code != http.StatusNotFound {
		t.Fatalf("unknown partner: %d", code)
	}
	got := c.entries()
	var actions []string
	for _, e := range got {
		actions = append(actions, e.Action)
		for _, ch := range e.Changes {
			if strings.Contains(e.Subject+ch.Before+ch.After, key) {
				t.Errorf("the trail holds the key: %+v", e)
			}
		}
	}
	if strings.Join(actions, ", ") != "Chave de API revogada, Chave de API emitida, Parceiro criado" {
		t.Errorf("trail: %v", actions)
	}
}
