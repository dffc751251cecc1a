package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
	"partnership-service/internal/server"
)

// companiesService wires the Companies API to the configured database.
func (a *app) companiesService(ctx context.Context) (*companies.Service, error) {
	return companies.NewService(a.stores.Companies(), a.geo, a.now), nil
}

// companiesSurface is the Companies API.
func (a *app) companiesSurface(ctx context.Context) (server.Surface, error) {
	svc, err := a.companiesService(ctx)
	if err != nil {
		return server.Surface{}, err
	}
	h := companies.NewHandler(svc)
	return server.Surface{Name: "companies", Prefixes: companies.Prefixes, Render: companies.Render, Routes: h.Routes}, nil
}

// companiesCommand parses a Companies subcommand's flags and opens the
// service. define adds the command's own flags and returns whether the
// parsed arguments are enough to run; when they are not, the command
// prints its usage and answers flag.ErrHelp without opening anything.
func companiesCommand(ctx context.Context, env *environment, name string, args []string, define func(*flag.FlagSet) (complete func() bool)) (*companies.Service, *flag.FlagSet, func(), error) {
	var cfg config
	fs := newFlagSet(env, name, &cfg)
	complete := define(fs)
	if err := fs.Parse(args); err != nil {
		return nil, nil, nil, err
	}
	if !complete() {
		fs.Usage()
		return nil, nil, nil, flag.ErrHelp
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return nil, nil, nil, err
	}
	svc, err := a.companiesService(ctx)
	if err != nil {
		a.Close()
		return nil, nil, nil, err
	}
	return svc, fs, func() { a.Close() }, nil
}

// runAccount: partnership account create --name NAME --type cliente|gestao [--manager NAME]
// prints the new account's id.
func runAccount(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(env.stderr, "usage: partnership account create --name NAME --type cliente|gestao [--manager NAME]")
		return errors.New("account: expected create")
	}
	var name, typ, manager *string
	svc, _, done, err := companiesCommand(ctx, env, "account create", args[1:], func(fs *flag.FlagSet) func() bool {
		name = fs.String("name", "", "the account's name (unique)")
		typ = fs.String("type", "", "cliente or gestao")
		manager = fs.String("manager", "", "the gestao account that manages this cliente account")
		return func() bool { return *name != "" && *typ != "" }
	})
	if err != nil {
		return err
	}
	defer done()
	a, err := svc.CreateAccount(ctx, *name, companies.AccountType(*typ), *manager)
	if err != nil {
		return cliError("account", err)
	}
	fmt.Fprintln(env.stdout, a.ID)
	return nil
}

// runUser: partnership user create --email E --password P (--account NAME | --super-admin)
// prints the new user's id.
func runUser(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(env.stderr, "usage: partnership user create --email E --password P (--account NAME | --super-admin)")
		return errors.New("user: expected create")
	}
	var email, password, account *string
	var superAdmin *bool
	svc, _, done, err := companiesCommand(ctx, env, "user create", args[1:], func(fs *flag.FlagSet) func() bool {
		email = fs.String("email", "", "the user's e-mail (login)")
		password = fs.String("password", "", "the user's password (8 characters or more)")
		account = fs.String("account", "", "the account the user belongs to")
		superAdmin = fs.Bool("super-admin", false, "a super admin, acting for every account")
		return func() bool { return *email != "" && *password != "" }
	})
	if err != nil {
		return err
	}
	defer done()
	u, err := svc.CreateUser(ctx, *email, *password, *account, *superAdmin)
	if err != nil {
		return cliError("user", err)
	}
	fmt.Fprintln(env.stdout, u.ID)
	return nil
}

// runToken: partnership token create --email E [--ttl D] prints a new
// token, alone; partnership token revoke TOKEN ends one.
func runToken(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke") {
		fmt.Fprintln(env.stderr, "usage: partnership token create --email E [--ttl 720h]\n       partnership token revoke TOKEN")
		return errors.New("token: expected create or revoke")
	}
	sub := args[0]
	var email *string
	var ttl *time.Duration
	svc, fs, done, err := companiesCommand(ctx, env, "token "+sub, args[1:], func(fs *flag.FlagSet) func() bool {
		if sub == "revoke" {
			return func() bool { return fs.NArg() == 1 }
		}
		email = fs.String("email", "", "the user the token speaks for")
		ttl = fs.Duration("ttl", companies.CLITTL, "how long the token is valid")
		return func() bool { return *email != "" && *ttl > 0 }
	})
	if err != nil {
		return err
	}
	defer done()
	if sub == "revoke" {
		if err := svc.RevokeToken(ctx, fs.Arg(0)); err != nil {
			return cliError("token", err)
		}
		return nil
	}
	token, _, err := svc.IssueToken(ctx, *email, *ttl)
	if err != nil {
		return cliError("token", err)
	}
	fmt.Fprintln(env.stdout, token)
	return nil
}

// Demo data: a super admin, a management account managing a client
// account, a user each, and companies with a parent.
const (
	demoCompaniesPassword = "demo-senha-123"
	demoSuperAdmin        = "admin@demo.com.br"
	demoManagerUser       = "gestora@demo.com.br"
	demoClientUser        = "cliente@demo.com.br"
	demoManagerAccount    = "Gestora Demo"
	demoClientAccount     = "Conta Cliente Demo"
)

// loadCompaniesDemo creates the demo data and prints a token per user and
// how to call the API. Every step keeps what an earlier run created, even
// one that stopped half-way.
func (a *app) loadCompaniesDemo(ctx context.Context, w io.Writer, baseURL string) error {
	svc, err := a.companiesService(ctx)
	if err != nil {
		return err
	}
	for _, acc := range []struct {
		name    string
		typ     companies.AccountType
		manager string
	}{{demoManagerAccount, companies.Management, ""}, {demoClientAccount, companies.Client, demoManagerAccount}} {
		if _, err := svc.CreateAccount(ctx, acc.name, acc.typ, acc.manager); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	for _, u := range []struct{ email, account string }{
		{demoSuperAdmin, ""}, {demoManagerUser, demoManagerAccount}, {demoClientUser, demoClientAccount},
	} {
		_, err := svc.CreateUser(ctx, u.email, demoCompaniesPassword, u.account, u.account == "")
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	tokens := map[string]string{}
	for _, email := range []string{demoSuperAdmin, demoManagerUser, demoClientUser} {
		if tokens[email], _, err = svc.IssueToken(ctx, email, companies.LoginTTL); err != nil {
			return err
		}
	}
	if err := seedCompaniesDemo(ctx, svc, tokens[demoClientUser]); err != nil {
		return err
	}
	fmt.Fprintf(w, `
Companies API: users %[2]s (super admin), %[3]s (gestão), %[4]s (cliente), password %[5]q
  tokens (24 h): super admin %[6]s
                 gestão      %[7]s
                 cliente     %[8]s
  curl -s -H 'Authorization: Bearer %[7]s' '%[1]s/api/v4/companies?_sort=name&_order=asc'
  # as the client user: log in, create, list, update, delete; then the super admin reads the audit log
  TOKEN=$(curl -s %[1]s/api/v4/auth/login -H 'Content-Type: application/json' \
    -d '{"email":"%[4]s","password":"%[5]s"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  ID=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' %[1]s/api/v4/companies \
    -d '{"name":"Filial Santos","city_id":3548500,"state_id":35,"cnpj":"11.444.777/0001-61"}' | sed -E 's/^\{"id":([0-9]+).*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" '%[1]s/api/v4/companies?_q=santos'
  curl -s -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' %[1]s/api/v4/companies/$ID \
    -d '{"complement":"Sala 2"}'
  curl -s -o /dev/null -w '%%{http_code}\n' -X DELETE -H "Authorization: Bearer $TOKEN" %[1]s/api/v4/companies/$ID
  curl -s -H 'Authorization: Bearer %[6]s' "%[1]s/api/v4/audit-log?company_id=$ID"
`, baseURL, demoSuperAdmin, demoManagerUser, demoClientUser, demoCompaniesPassword,
		tokens[demoSuperAdmin], tokens[demoManagerUser], tokens[demoClientUser])
	return nil
}

// seedCompaniesDemo creates, as the client user, a parent company and two
// children, unless the client account already has companies.
func seedCompaniesDemo(ctx context.Context, svc *companies.Service, clientToken string) error {
	sess, err := svc.Authenticate(ctx, clientToken)
	if err != nil {
		return err
	}
	q, err := companies.ParseListQuery(nil)
	if err != nil {
		return err
	}
	if page, err := svc.ListCompanies(ctx, sess, q); err != nil || page.Total > 0 {
		return err
	}
	create := func(body string) (companies.Company, error) {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			return companies.Company{}, err
		}
		in, err := companies.ParseCompanyInput(raw)
		if err != nil {
			return companies.Company{}, err
		}
		return svc.CreateCompany(ctx, sess, in)
	}
	parent, err := create(`{"name":"Indústria Modelo Matriz","cnpj":"11.222.333/0001-81","corporate_name":"Indústria Modelo S.A.",
		"address":"Av. Paulista","number":"1000","district":"Bela Vista","zip_code":"01310-100","cnae":"2599-3/99",
		"city_id":3550308,"state_id":35,"code_ibge":3550308,"unit_code":"123456",
		"energy_demands_peak":[{"value_kw":500,"start_date":"2026-01-01"}],
		"energy_demands_off_peak":[{"value_kw":750,"start_date":"2026-01-01"}]}`)
	if err != nil {
		return err
	}
	for _, body := range []string{
		fmt.Sprintf(`{"name":"Filial São Bernardo","parent_id":%d,"city_id":3548708,"state_id":35,"external_id":"SBC-01"}`, parent.ID),
		fmt.Sprintf(`{"name":"Filial Campinas","parent_id":%d,"city_id":3509502,"state_id":35,"external_id":"CPS-01"}`, parent.ID),
	} {
		if _, err := create(body); err != nil {
			return err
		}
	}
	return nil
}
