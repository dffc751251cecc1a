package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAccounts: companies accounts and users created with the service's
// messages on bad input; the new user signs in to the companies API; the
// trail never holds the password, nor does the page show it back.
func TestAccounts(t *testing.T) {
	c := newConsole(t)
	code, page := c.post("/admin/contas", "/admin/contas", url.Values{"name": {"Cliente Um"}, "type": {"cliente"}, "manager": {"Ninguém"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, `id="f-manager-erro"`) {
		t.Fatalf("unknown manager: %d\n%s", code, page)
	}
	for _, a := range []url.Values{
		{"name": {"Gestora Sul"}, "type": {"gestao"}},
		{"name": {"Cliente Um"}, "type": {"cliente"}, "manager": {"Gestora Sul"}},
	} {
		if code, to := c.post("/admin/contas", "/admin/contas", a); code != http.StatusSeeOther || to != "/admin/contas" {
			t.Fatalf("create %v: %d %s", a, code, to)
		}
	}
	code, page = c.post("/admin/contas", "/admin/contas", url.Values{"name": {"Cliente Um"}, "type": {"cliente"}})
	if code != http.StatusConflict || !strings.Contains(page, "Já existe uma conta com esse nome.") {
		t.Fatalf("duplicate account: %d\n%s", code, page)
	}
	const password = "uma senha longa"
	code, page = c.post("/admin/contas", "/admin/contas/usuarios", url.Values{"email": {"x"}, "password": {password}, "account": {"Cliente Um"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(page, "O campo email deve ser um endereço de e-mail válido.") || strings.Contains(page, password) {
		t.Fatalf("bad e-mail: %d\n%s", code, page)
	}
	if code, _ := c.post("/admin/contas", "/admin/contas/usuarios", url.Values{"email": {"Ana@Example.com"}, "password": {password},
		"account": {"Cliente Um"}}); code != http.StatusSeeOther {
		t.Fatalf("create user: %d", code)
	}
	if _, _, err := c.co.Login(context.Background(), "ana@example.com", password, "192.0.2.1"); err != nil {
		t.Fatalf("the new user cannot sign in: %v", err)
	}
	code, page = c.post("/admin/contas", "/admin/contas/usuarios", url.Values{"email": {"ana@example.com"}, "password": {password}, "account": {"Cliente Um"}})
	if code != http.StatusConflict || !strings.Contains(page, "Já existe um usuário com esse e-mail.") {
		t.Fatalf("duplicate user: %d\n%s", code, page)
	}
	if _, page := c.do(http.MethodGet, "/admin/contas", nil); !strings.Contains(page, "ana@example.com") || !strings.Contains(page, "Gestora Sul") {
		t.Fatalf("lists:\n%s", page)
	}
	var actions []string
	for _, e := range c.entries() {
		actions = append(actions, e.Action)
		for _, ch := range e.Changes {
			if strings.Contains(ch.After+ch.Before, password) {
				t.Errorf("the trail holds the password: %+v", e)
			}
		}
	}
	if strings.Join(actions, ", ") != "Usuário criado, Conta criada, Conta criada" {
		t.Errorf("trail: %v", actions)
	}
}
