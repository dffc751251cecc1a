package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
	"partnership-service/internal/energyref"
	"partnership-service/internal/storefront"
)

// commands lists every command, in the order `partnership help` shows them.
func commands() []command {
	return []command{
		{name: "serve", summary: "run the HTTP service (the default)", bind: bindServe},
		{name: "migrate", summary: "apply database migrations, print their status and exit", bind: bindMigrate},
		{name: "partner create", summary: "create an energy partner; prints its id", bind: bindPartnerCreate},
		{name: "apikey create", summary: "issue an energy partner API key; prints it, alone (shown once)", bind: bindAPIKeyCreate},
		{name: "apikey revoke", args: "KEY_PREFIX", nargs: 1, summary: "revoke a partner API key, e.g. pk_abcd2345", bind: bindAPIKeyRevoke},
		{name: "catalog import-areas", args: "FILE.csv", nargs: 1, summary: "import utility→municipality areas (columns utility_name,ibge_code); idempotent", bind: bindImportAreas},
		{name: "provider create", summary: "create an ISP storefront provider; prints its id", bind: bindProviderCreate},
		{name: "provider token", summary: "issue a provider admin token; prints it, alone", bind: bindProviderToken},
		{name: "provider token revoke", args: "TOKEN", nargs: 1, summary: "revoke a provider admin token at once", bind: bindProviderTokenRevoke},
		{name: "account create", summary: "create a companies account; prints its id", bind: bindAccountCreate},
		{name: "user create", summary: "create a companies user; prints its id", bind: bindUserCreate},
		{name: "token create", summary: "issue a companies API token; prints it, alone", bind: bindTokenCreate},
		{name: "token revoke", args: "TOKEN", nargs: 1, summary: "revoke a companies API token", bind: bindTokenRevoke},
		{name: "dev seed-leads", summary: "store generated energy leads in bulk, for load tests; prints how many", bind: bindSeedLeads},
	}
}

// open opens the configured database and file store for the command.
func (inv *invocation) open(ctx context.Context) (*app, error) {
	return openApp(ctx, inv.cfg, slog.New(slog.NewJSONHandler(inv.env.stderr, &slog.HandlerOptions{Level: inv.cfg.LogLevel})))
}

// withApp is the shape of most commands: check the required flags (before
// anything is opened or created), open the app, do the work, close.
func withApp(do func(ctx context.Context, inv *invocation, a *app) error, required ...string) action {
	return func(ctx context.Context, inv *invocation) error {
		if err := inv.required(required...); err != nil {
			return err
		}
		a, err := inv.open(ctx)
		if err != nil {
			return err
		}
		defer a.Close()
		return do(ctx, inv, a)
	}
}

// required refuses the command line when a required flag is empty.
func (inv *invocation) required(flags ...string) error {
	for _, name := range flags {
		if inv.fs.Lookup(name).Value.String() == "" {
			return inv.usagef("--%s is required", name)
		}
	}
	return nil
}

// printed writes the one value a command prints, alone on its line, so
// scripts can capture it.
func (inv *invocation) printed(v any) error {
	_, err := fmt.Fprintln(inv.env.stdout, v)
	return err
}

func bindMigrate(*flag.FlagSet, *environment) action {
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		status, err := a.stores.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.env.stdout, "migrated %s\n", a.stores.Engine())
		for _, line := range status {
			fmt.Fprintln(inv.env.stdout, line)
		}
		return nil
	})
}

func bindPartnerCreate(fs *flag.FlagSet, _ *environment) action {
	name := fs.String("name", "", "the partner's name (required)")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		_, partners, err := a.energyServices(ctx)
		if err != nil {
			return err
		}
		p, err := partners.CreatePartner(ctx, *name)
		if err != nil {
			return cliError("partner", err)
		}
		return inv.printed(p.ID)
	}, "name")
}

func bindAPIKeyCreate(fs *flag.FlagSet, _ *environment) action {
	partner := fs.String("partner", "", "the partner's name (required)")
	seller := fs.String("seller", "", "the seller the key is issued to; leads record it as sellerName")
	admin := fs.Bool("admin", false, "the key may also manage the catalog")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		_, partners, err := a.energyServices(ctx)
		if err != nil {
			return err
		}
		key, _, err := partners.CreateKey(ctx, *partner, *seller, *admin)
		if err != nil {
			return cliError("apikey", err)
		}
		return inv.printed(key)
	}, "partner")
}

func bindAPIKeyRevoke(*flag.FlagSet, *environment) action {
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		_, partners, err := a.energyServices(ctx)
		if err != nil {
			return err
		}
		if err := partners.RevokeKey(ctx, inv.args[0]); err != nil {
			return cliError("apikey", err)
		}
		return inv.printed("revoked")
	})
}

func bindImportAreas(*flag.FlagSet, *environment) action {
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		catalog, _, err := a.energyServices(ctx)
		if err != nil {
			return err
		}
		path := inv.args[0]
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		rows, err := energyref.ReadAreasCSV(f)
		if err != nil {
			return fmt.Errorf("catalog import-areas: %s: %w", path, err)
		}
		rep, err := catalog.ImportAreas(ctx, rows)
		if err != nil {
			return err
		}
		for _, bad := range rep.Bad {
			fmt.Fprintln(inv.env.stderr, "skipped", bad)
		}
		fmt.Fprintf(inv.env.stdout, "%d areas added, %d already known, %d rows skipped\n", rep.Added, rep.Existing, len(rep.Bad))
		return nil
	})
}

func bindProviderCreate(fs *flag.FlagSet, _ *environment) action {
	name := fs.String("name", "", "the provider's name (required)")
	origin := fs.String("origin", "", "the storefront's origin, e.g. https://loja.provedor.com.br (required)")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		svc := a.storefrontService()
		p, err := svc.CreateProvider(ctx, *name, *origin)
		if err != nil {
			return cliError("provider", err)
		}
		return inv.printed(p.ID)
	}, "name", "origin")
}

func bindProviderToken(fs *flag.FlagSet, _ *environment) action {
	origin := fs.String("origin", "", "the storefront's origin (required)")
	ttl := fs.Duration("ttl", storefront.DefaultTokenTTL, "how long the token is valid")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		svc := a.storefrontService()
		if *ttl <= 0 {
			return inv.usagef("--ttl must be positive")
		}
		token, err := svc.IssueToken(ctx, *origin, *ttl)
		if err != nil {
			return cliError("provider", err)
		}
		return inv.printed(token)
	}, "origin")
}

func bindProviderTokenRevoke(*flag.FlagSet, *environment) action {
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		svc := a.storefrontService()
		if err := svc.RevokeToken(ctx, inv.args[0]); err != nil {
			return cliError("provider", err)
		}
		return inv.printed("revoked")
	})
}

func bindAccountCreate(fs *flag.FlagSet, _ *environment) action {
	name := fs.String("name", "", "the account's name, unique (required)")
	typ := fs.String("type", "", "cliente or gestao (required)")
	manager := fs.String("manager", "", "the gestao account that manages this cliente account")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		svc := a.companiesService()
		acc, err := svc.CreateAccount(ctx, *name, companies.AccountType(*typ), *manager)
		if err != nil {
			return cliError("account", err)
		}
		return inv.printed(acc.ID)
	}, "name", "type")
}

func bindUserCreate(fs *flag.FlagSet, _ *environment) action {
	email := fs.String("email", "", "the user's e-mail, the login (required)")
	password := fs.String("password", "", "the user's password, 8 characters or more (required)")
	account := fs.String("account", "", "the account the user belongs to (or --super-admin)")
	superAdmin := fs.Bool("super-admin", false, "a super admin, acting for every account")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		svc := a.companiesService()
		u, err := svc.CreateUser(ctx, *email, *password, *account, *superAdmin)
		if err != nil {
			return cliError("user", err)
		}
		return inv.printed(u.ID)
	}, "email", "password")
}

func bindTokenCreate(fs *flag.FlagSet, _ *environment) action {
	email := fs.String("email", "", "the user the token speaks for (required)")
	ttl := fs.Duration("ttl", companies.CLITTL, "how long the token is valid")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		if *ttl <= 0 {
			return inv.usagef("--ttl must be positive")
		}
		svc := a.companiesService()
		token, _, err := svc.IssueToken(ctx, *email, *ttl)
		if err != nil {
			return cliError("token", err)
		}
		return inv.printed(token)
	}, "email")
}

func bindTokenRevoke(*flag.FlagSet, *environment) action {
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		svc := a.companiesService()
		if err := svc.RevokeToken(ctx, inv.args[0]); err != nil {
			return cliError("token", err)
		}
		return nil
	})
}

// cliError shows a domain error's field messages instead of its code.
func cliError(command string, err error) error {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		return err
	}
	var msg string
	for field, msgs := range e.Fields {
		msg += fmt.Sprintf(" %s: %v;", field, msgs)
	}
	if msg == "" {
		msg = " " + e.Message
	}
	return fmt.Errorf("%s:%s", command, msg)
}
