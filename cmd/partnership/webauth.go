package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/logins"
	"partnership-service/internal/web"
	"partnership-service/internal/webauth"
)

// loginGuard runs every password login of the service (the companies API's
// and the consoles'), so the limits and the bound on concurrent hashes
// hold across them. On PostgreSQL, where replicas share the database, the
// attempts are counted in it, so a limit holds however many replicas a
// client spreads over; SQLite (one process) counts in memory.
func (a *app) loginGuard() *logins.Guard {
	if a.logins == nil {
		var cfg logins.Config
		if a.cfg.usesPostgres() {
			cfg.Attempts = logins.NewSharedAttempts(a.stores.Companies(), logins.Limits{})
		}
		a.logins = logins.NewGuard(cfg)
	}
	return a.logins
}

// webauthService is the consoles' users and sessions, made once per app.
func (a *app) webauthService() *webauth.Service {
	if a.webauth == nil {
		a.webauth = webauth.NewService(a.stores.WebAuth(), a.loginGuard(), a.now)
	}
	return a.webauth
}

// webCSRF protects the pages' forms; its key derives from the service's
// secret key.
func (a *app) webCSRF() (*web.CSRF, error) {
	key, err := a.secretKey()
	if err != nil {
		return nil, err
	}
	return web.NewCSRF(key, a.securePages()), nil
}

// securePages reports whether pages are reached over https: their
// cookies are then Secure.
func (a *app) securePages() bool { return strings.HasPrefix(a.cfg.PublicURL, "https://") }

// consoleSessions is the login, logout and page guard of the console of
// realm at base ("/provedor/"), and the CSRF its forms use.
func (a *app) consoleSessions(realm webauth.Realm, base string) (*webauth.Sessions, *web.CSRF, error) {
	csrf, err := a.webCSRF()
	if err != nil {
		return nil, nil, err
	}
	return webauth.NewSessions(a.webauthService(), csrf, webauth.SessionConfig{Realm: realm, Base: base, Secure: a.securePages()}), csrf, nil
}

// bindConsoleUser is the command creating a console user of realm:
// operator create, partner user create, provider user create.
func bindConsoleUser(realm webauth.Realm) func(fs *flag.FlagSet, env *environment) action {
	return func(fs *flag.FlagSet, _ *environment) action {
		in := webauth.NewUser{Realm: realm}
		fs.StringVar(&in.Email, "email", "", "the user's e-mail, the login (required)")
		fs.StringVar(&in.Password, "password", "", "the user's password, 8 to 256 characters (required)")
		fs.StringVar(&in.Name, "name", "", "the name pages show (default: the e-mail)")
		required := []string{"email", "password"}
		var partner string
		switch realm {
		case webauth.RealmPartner:
			fs.StringVar(&partner, "partner", "", "the energy partner's name (required)")
			fs.StringVar(&in.Role, "role", "admin", "admin (sees every lead of the partner) or seller (the leads it created; --name is their seller name)")
			required = append(required, "partner")
		case webauth.RealmProvider:
			fs.Int64Var(&in.OwnerID, "provider", 0, "the storefront provider's id (required)")
			required = append(required, "provider")
		}
		command := string(realm) + " user"
		return withApp(func(ctx context.Context, inv *invocation, a *app) error {
			if err := a.resolveOwner(ctx, &in, partner); err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			u, err := a.webauthService().CreateUser(ctx, in)
			if err != nil {
				return cliError(command, err)
			}
			return inv.printed(u.ID)
		}, required...)
	}
}

// resolveOwner checks that the user's partner (by name) or provider (by
// id) exists, and sets the partner's id.
func (a *app) resolveOwner(ctx context.Context, in *webauth.NewUser, partnerName string) error {
	switch in.Realm {
	case webauth.RealmPartner:
		_, partners, err := a.energyServices(ctx)
		if err != nil {
			return err
		}
		p, err := partners.PartnerByName(ctx, partnerName)
		if apperr.Is(err, apperr.NotFound) {
			return fmt.Errorf("no partner named %q", partnerName)
		}
		in.PartnerID = p.ID
		return err
	case webauth.RealmProvider:
		_, err := a.storefrontService().Catalog(ctx, in.OwnerID)
		if apperr.Is(err, apperr.NotFound) {
			return fmt.Errorf("no provider with id %d", in.OwnerID)
		}
		return err
	}
	return nil
}
