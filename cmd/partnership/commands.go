package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
	"partnership-service/internal/energy"
	"partnership-service/internal/energyref"
	"partnership-service/internal/storefront"
	"partnership-service/internal/webauth"
)

// commands lists every command, in the order `partnership help` shows them.
func commands() []command {
	return []command{
		{name: "serve", summary: "run the HTTP service (the default)", bind: bindServe},
		{name: "migrate", summary: "apply database migrations and reference data updates, print their status and exit (--status: print only)", bind: bindMigrate},
		{name: "partner create", summary: "create an energy partner; prints its id", bind: bindPartnerCreate},
		{name: "apikey create", summary: "issue an energy partner API key; prints it, alone (shown once)", bind: bindAPIKeyCreate},
		{name: "apikey revoke", args: "KEY_PREFIX", nargs: 1, summary: "revoke a partner API key, e.g. pk_abcd2345", bind: bindAPIKeyRevoke},
		{name: "catalog import-areas", args: "FILE.csv", nargs: 1, summary: "import utility→municipality areas from an ANEEL open-data file or a utility_name,ibge_code CSV; idempotent, --dry-run to check only", bind: bindImportAreas},
		{name: "provider create", summary: "create an ISP storefront provider; prints its id", bind: bindProviderCreate},
		{name: "provider token", summary: "issue a provider admin token; prints it, alone", bind: bindProviderToken},
		{name: "provider token revoke", args: "TOKEN", nargs: 1, summary: "revoke a provider admin token at once", bind: bindProviderTokenRevoke},
		{name: "account create", summary: "create a companies account; prints its id", bind: bindAccountCreate},
		{name: "user create", summary: "create a companies user; prints its id", bind: bindUserCreate},
		{name: "token create", summary: "issue a companies API token; prints it, alone", bind: bindTokenCreate},
		{name: "token revoke", args: "TOKEN", nargs: 1, summary: "revoke a companies API token", bind: bindTokenRevoke},
		{name: "operator create", summary: "create an operator console user (/admin/); prints its id", bind: bindConsoleUser(webauth.RealmOperator)},
		{name: "partner user create", summary: "create a partner console user (/console/); prints its id", bind: bindConsoleUser(webauth.RealmPartner)},
		{name: "provider user create", summary: "create a provider back-office user (/provedor/); prints its id", bind: bindConsoleUser(webauth.RealmProvider)},
		{name: "dev seed-leads", summary: "store generated energy leads in bulk, for load tests; prints how many", bind: bindSeedLeads},
		{name: "dev seed-companies", summary: "store generated companies in bulk, for load tests; prints how many", bind: bindSeedCompanies},
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

// printing is withApp for the commands that make one thing and print the
// value scripts capture (its id, key or token); an error of do is shown
// as cliError(noun, …).
func printing[T any](noun string, do func(ctx context.Context, inv *invocation, a *app) (T, error), required ...string) action {
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		v, err := do(ctx, inv, a)
		if err != nil {
			return cliError(noun, err)
		}
		return inv.printed(v)
	}, required...)
}

func bindMigrate(fs *flag.FlagSet, _ *environment) action {
	statusOnly := fs.Bool("status", false, "print what is applied and the reference data versions; apply nothing")
	migrate := withApp(func(ctx context.Context, inv *invocation, a *app) error {
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
	return func(ctx context.Context, inv *invocation) error {
		if !*statusOnly {
			return migrate(ctx, inv)
		}
		if err := inv.cfg.validate(); err != nil {
			return err
		}
		engine, status, err := migrationStatus(ctx, inv.cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.env.stdout, "status of %s\n", engine)
		for _, line := range status {
			fmt.Fprintln(inv.env.stdout, line)
		}
		return nil
	}
}

func bindPartnerCreate(fs *flag.FlagSet, _ *environment) action {
	name := fs.String("name", "", "the partner's name (required)")
	return printing("partner", func(ctx context.Context, inv *invocation, a *app) (string, error) {
		_, partners, err := a.energyServices(ctx)
		if err != nil {
			return "", err
		}
		p, err := partners.CreatePartner(ctx, *name)
		return p.ID, err
	}, "name")
}

func bindAPIKeyCreate(fs *flag.FlagSet, _ *environment) action {
	partner := fs.String("partner", "", "the partner's name (required)")
	seller := fs.String("seller", "", "the seller the key is issued to; leads record it as sellerName")
	admin := fs.Bool("admin", false, "the key may also manage the catalog")
	return printing("apikey", func(ctx context.Context, inv *invocation, a *app) (string, error) {
		_, partners, err := a.energyServices(ctx)
		if err != nil {
			return "", err
		}
		key, _, err := partners.CreateKey(ctx, *partner, *seller, *admin)
		return key, err
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

func bindImportAreas(fs *flag.FlagSet, _ *environment) action {
	dryRun := fs.Bool("dry-run", false, "read and check the whole file and print the report; write nothing")
	ibge := fs.String("ibge-column", "", "header of the municipality's IBGE code column (default: "+strings.Join(energyref.DefaultAreaColumns.IBGE, " or ")+")")
	cnpj := fs.String("cnpj-column", "", "header of the distributor's CNPJ column (default: "+strings.Join(energyref.DefaultAreaColumns.CNPJ, " or ")+")")
	names := fs.String("name-columns", "", "comma-separated headers of the distributor's name columns, matched in order (default: "+strings.Join(energyref.DefaultAreaColumns.Names, ",")+")")
	return withApp(func(ctx context.Context, inv *invocation, a *app) error {
		cols := energyref.DefaultAreaColumns
		if *ibge != "" {
			cols.IBGE = []string{*ibge}
		}
		if *cnpj != "" {
			cols.CNPJ = []string{*cnpj}
		}
		if *names != "" {
			cols.Names = strings.Split(*names, ",")
		}
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
		file, err := energyref.OpenAreaFile(f, cols)
		if err != nil {
			return fmt.Errorf("catalog import-areas: %s: %w", path, err)
		}
		rep, err := catalog.ImportAreas(ctx, file, energy.AreaImportOptions{DryRun: *dryRun, Progress: func(lines int, offset int64) {
			fmt.Fprintf(inv.env.stderr, "%d linhas lidas (%d MiB)\n", lines, offset>>20)
		}})
		if err != nil {
			return fmt.Errorf("catalog import-areas: %s: %w", path, err)
		}
		printImportReport(inv.env.stderr, rep)
		verb := "added"
		if rep.DryRun {
			verb = "would be added (dry run, nothing written)"
		}
		fmt.Fprintf(inv.env.stdout, "%d areas %s, %d already known, %d rows skipped\n", rep.Added, verb, rep.Existing, rep.Refused)
		return nil
	})
}

// printImportReport writes the import's report for the operator, in
// Portuguese like the service's other messages; the one summary line
// scripts read goes to stdout.
func printImportReport(w io.Writer, rep energy.ImportReport) {
	fmt.Fprintf(w, "codificação: %s; linhas: %d, aceitas: %d (%d pares distintos), recusadas: %d\n",
		rep.Encoding, rep.Lines, rep.Accepted, rep.Pairs, rep.Refused)
	for _, p := range rep.RefusedLines {
		fmt.Fprintln(w, "recusada", p)
	}
	if rest := rep.Refused - len(rep.RefusedLines); rest > 0 {
		fmt.Fprintf(w, "… e mais %d linhas recusadas\n", rest)
	}
	for _, list := range []struct {
		title string
		items []energy.Unknown
		more  int
	}{{"distribuidoras não encontradas", rep.UnknownUtilities, rep.MoreUnknownUtilities}, {"municípios não encontrados", rep.UnknownMunicipalities, rep.MoreUnknownMunicipalities}} {
		if len(list.items) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n", list.title)
		for _, u := range list.items {
			fmt.Fprintf(w, "  %s: %d linhas (a primeira: %d)\n", u.Value, u.Lines, u.FirstLine)
		}
		if list.more > 0 {
			fmt.Fprintf(w, "  … e mais %d\n", list.more)
		}
	}
}

func bindProviderCreate(fs *flag.FlagSet, _ *environment) action {
	name := fs.String("name", "", "the provider's name (required)")
	origin := fs.String("origin", "", "the storefront's origin, e.g. https://loja.provedor.com.br (required)")
	slug := fs.String("slug", "", "where its storefront pages live: /loja/SLUG (lower-case letters, digits, hyphens)")
	return printing("provider", func(ctx context.Context, inv *invocation, a *app) (int64, error) {
		p, err := a.storefrontService().CreateProvider(ctx, *name, *origin, *slug)
		return p.ID, err
	}, "name", "origin")
}

func bindProviderToken(fs *flag.FlagSet, _ *environment) action {
	origin := fs.String("origin", "", "the storefront's origin (required)")
	ttl := fs.Duration("ttl", storefront.DefaultTokenTTL, "how long the token is valid")
	return printing("provider", func(ctx context.Context, inv *invocation, a *app) (string, error) {
		if *ttl <= 0 {
			return "", inv.usagef("--ttl must be positive")
		}
		return a.storefrontService().IssueToken(ctx, *origin, *ttl)
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
	return printing("account", func(ctx context.Context, inv *invocation, a *app) (int64, error) {
		acc, err := a.companiesService().CreateAccount(ctx, *name, companies.AccountType(*typ), *manager)
		return acc.ID, err
	}, "name", "type")
}

func bindUserCreate(fs *flag.FlagSet, _ *environment) action {
	email := fs.String("email", "", "the user's e-mail, the login (required)")
	password := fs.String("password", "", "the user's password, 8 characters or more (required)")
	account := fs.String("account", "", "the account the user belongs to (or --super-admin)")
	superAdmin := fs.Bool("super-admin", false, "a super admin, acting for every account")
	return printing("user", func(ctx context.Context, inv *invocation, a *app) (int64, error) {
		u, err := a.companiesService().CreateUser(ctx, *email, *password, *account, *superAdmin)
		return u.ID, err
	}, "email", "password")
}

func bindTokenCreate(fs *flag.FlagSet, _ *environment) action {
	email := fs.String("email", "", "the user the token speaks for (required)")
	ttl := fs.Duration("ttl", companies.CLITTL, "how long the token is valid")
	return printing("token", func(ctx context.Context, inv *invocation, a *app) (string, error) {
		if *ttl <= 0 {
			return "", inv.usagef("--ttl must be positive")
		}
		token, _, err := a.companiesService().IssueToken(ctx, *email, *ttl)
		return token, err
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
