package main

import (
	"context"
	"strconv"
	"testing"

	"partnership-service/internal/webauth"
)

// TestConsoleUserCommands creates a user of each console from the CLI and
// signs each in; a user of an unknown partner or provider, or an e-mail
// taken in its realm, is refused.
func TestConsoleUserCommands(t *testing.T) {
	ctx := context.Background()
	cli := newTestCLI(t, t.TempDir(), "")
	cli.run("partner", "create", "--name", "Energia Sul")
	provider := cli.run("provider", "create", "--name", "Fibra Sul", "--origin", "https://fibrasul.example")
	const pw = "senha-forte-1"
	cli.run("operator", "create", "--email", "op@example.com", "--password", pw)
	cli.run("partner", "user", "create", "--partner", "Energia Sul", "--email", "vendas@example.com", "--password", pw,
		"--role", "seller", "--name", "Carla Vendas")
	cli.run("provider", "user", "create", "--provider", provider, "--email", "suporte@example.com", "--password", pw)
	for _, bad := range [][]string{
		{"partner", "user", "create", "--partner", "Ninguém", "--email", "x@example.com", "--password", pw},
		{"provider", "user", "create", "--provider", "999", "--email", "x@example.com", "--password", pw},
		{"partner", "user", "create", "--partner", "Energia Sul", "--email", "y@example.com", "--password", pw, "--role", "operator"},
		{"operator", "create", "--email", "op@example.com", "--password", pw},
		{"operator", "create", "--email", "z@example.com"},
	} {
		if out, err := cli.try(bad...); err == nil {
			t.Errorf("%v accepted: %s", bad, out)
		}
	}

	svc := testApp(t, ctx, cli.dir).webauthService()
	for _, tt := range []struct {
		realm      webauth.Realm
		email      string
		role, name string
	}{
		{webauth.RealmOperator, "op@example.com", "operator", "op@example.com"},
		{webauth.RealmPartner, "vendas@example.com", "seller", "Carla Vendas"},
		{webauth.RealmProvider, "suporte@example.com", "admin", "suporte@example.com"},
	} {
		_, u, err := svc.Login(ctx, tt.realm, tt.email, pw, "192.0.2.1")
		if err != nil || u.Role != tt.role || u.Name != tt.name {
			t.Errorf("%s logs in as %+v, %v", tt.email, u, err)
		}
		if owned := u.PartnerID != "" || strconv.FormatInt(u.OwnerID, 10) == provider; owned == (tt.realm == webauth.RealmOperator) {
			t.Errorf("%s belongs to partner %q, provider %d", tt.email, u.PartnerID, u.OwnerID)
		}
	}
}
