package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"partnership-service/internal/audit"
	"partnership-service/internal/companies"
	"partnership-service/internal/web"
)

// accountLabels name the companies' accounts and users fields as an
// operator reads them; the inputs carry the service's field names.
var accountLabels = map[string]string{
	"name":        "Nome da conta",
	"type":        "Tipo",
	"manager":     "Conta de gestão que a gerencia",
	"email":       "E-mail",
	"password":    "Senha",
	"account":     "Conta",
	"super_admin": "Super admin",
}

func accountForm(v url.Values) *web.Form { return web.NewForm(v, accountLabels) }

type accountsView struct {
	Accounts []accountRow
	Users    []userRow
	Account  *web.Form
	User     *web.Form
}

type accountRow struct {
	companies.Account
	Manager string
}

type userRow struct {
	companies.User
	Account string
}

func (h *Handler) accountsPage(q *request) {
	h.renderAccounts(q, http.StatusOK, accountForm(nil), accountForm(nil))
}

// renderAccounts lists the accounts (with the management account of each
// client one) and the users (with their account), and the two forms.
func (h *Handler) renderAccounts(q *request, status int, account, user *web.Form) {
	ctx := q.r.Context()
	accounts, err := h.cfg.Companies.Accounts(ctx)
	if err != nil {
		web.Render(q.w, q.r, err)
		return
	}
	users, err := h.cfg.Companies.Users(ctx)
	if err != nil {
		web.Render(q.w, q.r, err)
		return
	}
	names := map[int64]string{}
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	v := accountsView{Account: account, User: user}
	for _, a := range accounts {
		v.Accounts = append(v.Accounts, accountRow{Account: a, Manager: names[a.ManagerID]})
	}
	for _, u := range users {
		v.Users = append(v.Users, userRow{User: u, Account: names[u.AccountID]})
	}
	h.render(q, status, "accounts", "contas", "Contas e usuários", v)
}

// createAccount is partnership account create.
func (h *Handler) createAccount(q *request) {
	f := accountForm(q.r.PostForm)
	name, typ, manager := f.Values.Get("name"), companies.AccountType(f.Values.Get("type")), f.Values.Get("manager")
	err := h.change(q, "Conta criada", strings.TrimSpace(name), nil, labelledBy(url.Values{"name": {strings.TrimSpace(name)},
		"type": {string(typ)}, "manager": {strings.TrimSpace(manager)}}, accountLabels), func(ctx context.Context) error {
		_, err := h.cfg.Companies.CreateAccount(ctx, name, typ, manager)
		return err
	})
	if err != nil {
		h.failed(q, err, f, func(status int) { h.renderAccounts(q, status, f, accountForm(nil)) })
		return
	}
	q.redirect(Base + "contas")
}

// createUser is partnership user create; the trail records the user,
// never the password.
func (h *Handler) createUser(q *request) {
	f := accountForm(q.r.PostForm)
	email, account, super := f.Values.Get("email"), f.Values.Get("account"), f.Values.Get("super_admin") == "sim"
	password := f.Values.Get("password")
	f.Values.Del("password") // never shown back
	err := h.change(q, "Usuário criado", strings.ToLower(strings.TrimSpace(email)), nil,
		audit.Fields{accountLabels["email"]: strings.ToLower(strings.TrimSpace(email)), accountLabels["account"]: strings.TrimSpace(account),
			accountLabels["super_admin"]: yesNo(super)}, func(ctx context.Context) error {
			_, err := h.cfg.Companies.CreateUser(ctx, email, password, account, super)
			return err
		})
	if err != nil {
		h.failed(q, err, f, func(status int) { h.renderAccounts(q, status, accountForm(nil), f) })
		return
	}
	q.redirect(Base + "contas#usuarios")
}
