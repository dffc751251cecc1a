package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"partnership-service/internal/apperr"
	"partnership-service/internal/console"
	"partnership-service/internal/energy"
	"partnership-service/internal/server"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

// consoleSurface is the energy partners' console at /console/: its login
// and logout (webauth's partner realm) and its pages, on the services the
// energy API runs.
func (a *app) consoleSurface(ctx context.Context) (server.Surface, error) {
	e, err := a.energyStack(ctx)
	if err != nil {
		return server.Surface{}, err
	}
	sessions, csrf, err := a.consoleSessions(webauth.RealmPartner, console.Base)
	if err != nil {
		return server.Surface{}, err
	}
	h, err := console.New(console.Config{Leads: e.leads, Partners: e.partners, Catalog: e.catalog, Webhooks: a.webhooks,
		CSRF: csrf, PublicURL: a.cfg.PublicURL, Require: sessions.Require, User: consoleUser})
	if err != nil {
		return server.Surface{}, err
	}
	return web.Surface("console", console.Prefixes, sessions.Routes, h.Routes), nil
}

// consoleUser is the signed-in partner user as the console sees it.
func consoleUser(r *http.Request) (console.User, bool) {
	u, ok := webauth.UserFrom(r.Context())
	if !ok || u.Realm != webauth.RealmPartner {
		return console.User{}, false
	}
	return console.User{PartnerID: u.PartnerID, Name: u.Name, Seller: u.Role == "seller"}, true
}

// demoConsolePassword is the demo console users' password.
const demoConsolePassword = "console-demo-2026"

// demoOtherPartner is a second partner, whose user sees none of the
// first's leads.
const demoOtherPartner = "Outro Parceiro Demo"

// demoConsoleUsers are the demo partners' console users.
var demoConsoleUsers = []webauth.NewUser{
	{Realm: webauth.RealmPartner, Role: "admin", Email: "gestora@parceiro.example", Name: "Gestora Demo"},
	{Realm: webauth.RealmPartner, Role: "seller", Email: "vendedor1@parceiro.example", Name: "Vendedor 1"},
	{Realm: webauth.RealmPartner, Role: "admin", Email: "gestor@outro-parceiro.example", Name: "Gestor Outro"},
}

// demoConsoleLeads is how many leads the demo partner gets (once) for its
// pipeline: a year of them, 20 sellers, every status.
const demoConsoleLeads = 1_000

// loadConsoleDemo creates (once) the console users of the demo partner
// (an admin and the seller "Vendedor 1") and of a second partner, gives
// the demo partner a year of leads, and prints how to sign in.
func (a *app) loadConsoleDemo(ctx context.Context, w io.Writer, baseURL string) error {
	e, err := a.energyStack(ctx)
	if err != nil {
		return err
	}
	if _, err := e.partners.CreatePartner(ctx, demoOtherPartner); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	for i, u := range demoConsoleUsers {
		partner := demoPartner
		if i == 2 {
			partner = demoOtherPartner
		}
		p, err := e.partners.PartnerByName(ctx, partner)
		if err != nil {
			return err
		}
		u.PartnerID, u.Password = p.ID, demoConsolePassword
		if _, err := a.webauthService().CreateUser(ctx, u); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
		if i == 0 {
			_, total, err := e.leads.List(ctx, energy.Principal{PartnerID: p.ID}, energy.LeadQuery{Page: 1, Limit: 1})
			if err != nil {
				return err
			}
			if total.Count < demoConsoleLeads {
				if _, err := seedLeads(ctx, a.stores.EnergyLeads(), p.ID, demoConsoleLeads, false, a.now().UTC()); err != nil {
					return err
				}
			}
		}
	}
	fmt.Fprintf(w, `
Partner console: %s/console/ (password %s for each)
  %s (admin of %q), %s (seller "Vendedor 1"), %s (admin of %q)
`, baseURL, demoConsolePassword, demoConsoleUsers[0].Email, demoPartner, demoConsoleUsers[1].Email, demoConsoleUsers[2].Email, demoOtherPartner)
	return nil
}
