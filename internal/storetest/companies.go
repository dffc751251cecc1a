package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
)

// runCompanies is the conformance suite of companies.Store.
func runCompanies(t *testing.T, newStore func(t *testing.T) companies.Store) {
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 12, 0, 0, 123456000, time.UTC)
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	type world struct {
		s            companies.Store
		gestao, cli  companies.Account
		user         companies.User
		audit        companies.AuditEntry
		parent, kid  companies.Company
		otherAccount companies.Company
	}
	// write runs fn in the account's transaction.
	write := func(w *world, account int64, fn func(tx companies.CompanyTx) error) error {
		return w.s.UpdateCompanies(ctx, account, fn)
	}
	// insert stores c and its audit entry in one transaction, as the
	// service does.
	insert := func(w *world, c companies.Company) (companies.Company, error) {
		err := write(w, c.AccountID, func(tx companies.CompanyTx) error {
			id, err := tx.Insert(ctx, c)
			if err != nil {
				return err
			}
			c.ID = id
			a := w.audit
			a.CompanyID = id
			return tx.AppendAudit(ctx, a)
		})
		return c, err
	}
	update := func(w *world, c companies.Company) error {
		return write(w, c.AccountID, func(tx companies.CompanyTx) error {
			if err := tx.Update(ctx, c); err != nil {
				return err
			}
			a := w.audit
			a.CompanyID, a.Action = c.ID, companies.Updated
			return tx.AppendAudit(ctx, a)
		})
	}
	remove := func(w *world, c companies.Company) error {
		return write(w, c.AccountID, func(tx companies.CompanyTx) error {
			if err := tx.Delete(ctx, c.ID); err != nil {
				return err
			}
			a := w.audit
			a.CompanyID, a.Action = c.ID, companies.Deleted
			return tx.AppendAudit(ctx, a)
		})
	}
	// named stores a company called name in account, in São Paulo.
	named := func(t *testing.T, w *world, name string, account int64) companies.Company {
		t.Helper()
		c, err := insert(w, companies.Company{AccountID: account, Name: name, CityID: 3550308, StateID: 35, CreatedAt: now, UpdatedAt: now})
		must(t, err)
		return c
	}
	setup := func(t *testing.T) *world {
		t.Helper()
		w := &world{s: newStore(t)}
		var err error
		w.gestao, err = w.s.CreateAccount(ctx, companies.Account{Name: "Gestora", Type: companies.Management, CreatedAt: now})
		must(t, err)
		w.cli, err = w.s.CreateAccount(ctx, companies.Account{Name: "Cliente", Type: companies.Client, ManagerID: w.gestao.ID, CreatedAt: now})
		must(t, err)
		w.user, err = w.s.CreateUser(ctx, companies.User{Email: "u@example.com", PasswordHash: "h", AccountID: w.gestao.ID, CreatedAt: now})
		must(t, err)
		w.audit = companies.AuditEntry{UserID: w.user.ID, UserEmail: w.user.Email, Action: companies.Created, Changes: []byte(`{"name":{"from":null,"to":"x"}}`), At: now}
		mk := func(name string, account, parent int64) companies.Company {
			c, err := insert(w, companies.Company{AccountID: account, ParentID: parent, Name: name, CityID: 3550308,
				StateID: 35, EnergyDemandsPeak: []companies.EnergyDemand{{ValueKW: 10.5, StartDate: "2026-01-01"}},
				CreatedAt: now, UpdatedAt: now})
			must(t, err)
			return c
		}
		w.parent = mk("Ávila Matriz", w.cli.ID, 0)
		w.kid = mk("Bravo Filial", w.cli.ID, w.parent.ID)
		w.otherAccount = mk("Charlie", w.gestao.ID, 0)
		return w
	}

	t.Run("audit entries of a company, rewritten", func(t *testing.T) {
		t.Parallel()
		w := setup(t)
		must(t, update(w, w.parent))
		var entries []companies.AuditEntry
		must(t, write(w, w.cli.ID, func(tx companies.CompanyTx) error {
			var err error
			if entries, err = tx.CompanyAudit(ctx, w.parent.ID); err != nil || len(entries) != 2 {
				return fmt.Errorf("CompanyAudit = %+v, %v; want the create and the update", entries, err)
			}
			return tx.SetAuditChanges(ctx, entries[0].ID, []byte(`{"contact_name":{"from":null,"to":"[eliminado]"}}`))
		}))
		got, _, err := w.s.AuditLog(ctx, w.parent.ID, 10, 0)
		must(t, err)
		if len(got) != 2 || got[0].Action != companies.Updated || string(got[1].Changes) != `{"contact_name":{"from":null,"to":"[eliminado]"}}` {
			t.Fatalf("audit after SetAuditChanges: %+v", got)
		}
		other, _, err := w.s.AuditLog(ctx, w.kid.ID, 10, 0)
		must(t, err)
		if len(other) != 1 || string(other[0].Changes) != string(w.audit.Changes) {
			t.Fatalf("another company's audit changed: %+v", other)
		}
	})

	t.Run("accounts and users", func(t *testing.T) {
		w := setup(t)
		a, err := w.s.AccountByName(ctx, "Cliente")
		must(t, err)
		if a.ID != w.cli.ID || a.ManagerID != w.gestao.ID || a.Type != companies.Client || !a.CreatedAt.Equal(now) {
			t.Errorf("account = %+v", a)
		}
		if _, err := w.s.AccountByName(ctx, "Nenhuma"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown account: %v", err)
		}
		if _, err := w.s.CreateAccount(ctx, companies.Account{Name: "Cliente", Type: companies.Client, CreatedAt: now}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate account: %v", err)
		}
		if _, err := w.s.CreateUser(ctx, companies.User{Email: "u@example.com", PasswordHash: "h", SuperAdmin: true, CreatedAt: now}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate user: %v", err)
		}
		u, err := w.s.UserByEmail(ctx, "u@example.com")
		must(t, err)
		if u.ID != w.user.ID || u.AccountID != w.gestao.ID || u.SuperAdmin {
			t.Errorf("user = %+v", u)
		}
		// The operator's lists: accounts by name, users by e-mail.
		accounts, err := w.s.Accounts(ctx)
		must(t, err)
		if len(accounts) != 2 || accounts[0].ID != w.cli.ID || accounts[0].ManagerID != w.gestao.ID || accounts[1].ID != w.gestao.ID {
			t.Errorf("accounts = %+v", accounts)
		}
		_, err = w.s.CreateUser(ctx, companies.User{Email: "admin@example.com", PasswordHash: "h", SuperAdmin: true, CreatedAt: now})
		must(t, err)
		users, err := w.s.Users(ctx)
		must(t, err)
		if len(users) != 2 || users[0].Email != "admin@example.com" || !users[0].SuperAdmin || users[1].ID != w.user.ID || users[1].AccountID != w.gestao.ID {
			t.Errorf("users = %+v", users)
		}
	})

	t.Run("tokens expire and revoke", func(t *testing.T) {
		w := setup(t)
		hash := []byte("0123456789abcdef0123456789abcdef")
		must(t, w.s.CreateToken(ctx, hash, w.user.ID, now, now.Add(time.Hour)))
		sess, err := w.s.SessionByToken(ctx, hash, now)
		must(t, err)
		if sess.User.ID != w.user.ID || sess.Account.ID != w.gestao.ID || !slices.Equal(sess.Managed, []int64{w.cli.ID}) {
			t.Errorf("session = %+v", sess)
		}
		if _, err := w.s.SessionByToken(ctx, hash, now.Add(time.Hour)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("expired token: %v", err)
		}
		must(t, w.s.RevokeToken(ctx, hash, now))
		if _, err := w.s.SessionByToken(ctx, hash, now); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("revoked token: %v", err)
		}
		if err := w.s.RevokeToken(ctx, hash, now); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("revoking twice: %v", err)
		}
	})

	t.Run("company round trip", func(t *testing.T) {
		w := setup(t)
		c, err := w.s.Company(ctx, w.kid.ID)
		must(t, err)
		if c.Name != "Bravo Filial" || c.AccountName != "Cliente" || c.ParentName != "Ávila Matriz" || c.ParentID != w.parent.ID ||
			len(c.EnergyDemandsPeak) != 1 || c.EnergyDemandsPeak[0].ValueKW != 10.5 || len(c.EnergyDemandsOffPeak) != 0 ||
			!c.CreatedAt.Equal(now) {
			t.Errorf("company = %+v", c)
		}
		c.Name, c.CNPJ, c.ParentID, c.UpdatedAt = "Bravo 2", "11222333000181", 0, now.Add(time.Minute)
		must(t, update(w, c))
		got, err := w.s.Company(ctx, c.ID)
		must(t, err)
		if got.Name != "Bravo 2" || got.CNPJ != "11222333000181" || got.ParentID != 0 || !got.UpdatedAt.Equal(c.UpdatedAt) {
			t.Errorf("after update = %+v", got)
		}
		if _, err := w.s.Company(ctx, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown company: %v", err)
		}
		c.ID = 999999
		if err := update(w, c); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("updating unknown: %v", err)
		}
		bad := companies.Company{AccountID: w.cli.ID, Name: "x", CityID: 1, StateID: 35, CreatedAt: now, UpdatedAt: now}
		if _, err := insert(w, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown city: %v", err)
		}
	})

	t.Run("a write without the account's lock is one transaction too", func(t *testing.T) {
		w := setup(t)
		c := companies.Company{AccountID: w.cli.ID, Name: "Delta", CityID: 3550308, StateID: 35, CreatedAt: now, UpdatedAt: now}
		var refused int64
		refusal := errors.New("refused")
		err := w.s.WriteCompanies(ctx, func(tx companies.CompanyTx) error {
			id, err := tx.Insert(ctx, c)
			if err != nil {
				return err
			}
			refused = id
			return refusal
		})
		if !errors.Is(err, refusal) {
			t.Fatalf("refused write: %v", err)
		}
		if _, err := w.s.Company(ctx, refused); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the refused write's company is there: %v", err)
		}
		var stored int64
		must(t, w.s.WriteCompanies(ctx, func(tx companies.CompanyTx) error {
			id, err := tx.Insert(ctx, c)
			stored = id
			a := w.audit
			a.CompanyID = id
			return errors.Join(err, tx.AppendAudit(ctx, a))
		}))
		got, err := w.s.Company(ctx, stored)
		must(t, err)
		entries, total, err := w.s.AuditLog(ctx, stored, 10, 0)
		if got.Name != "Delta" || err != nil || total != 1 || len(entries) != 1 {
			t.Errorf("stored %+v, audit %d entries (total %d), %v", got, len(entries), total, err)
		}
	})

	t.Run("list filters, order, pagination, isolation", func(t *testing.T) {
		w := setup(t)
		ids := func(f companies.Filter) ([]int64, int) {
			t.Helper()
			if f.Limit == 0 {
				f.Limit = 10
			}
			items, total, err := w.s.Companies(ctx, f)
			must(t, err)
			var out []int64
			for _, c := range items {
				out = append(out, c.ID)
			}
			return out, total
		}
		p, k, o := w.parent.ID, w.kid.ID, w.otherAccount.ID
		cases := []struct {
			name  string
			f     companies.Filter
			want  []int64
			total int
		}{
			{"all, id desc", companies.Filter{Desc: true}, []int64{o, k, p}, 3},
			{"one account", companies.Filter{AccountIDs: []int64{w.cli.ID}}, []int64{p, k}, 2},
			{"no accounts", companies.Filter{AccountIDs: []int64{}}, nil, 0},
			{"folded name", companies.Filter{Query: "avila"}, []int64{p}, 1},
			{"id query", companies.Filter{Query: "zzz", QueryID: k}, []int64{k}, 1},
			{"parent", companies.Filter{ParentIDs: []int64{p}}, []int64{k}, 1},
			{"name desc", companies.Filter{Sort: companies.SortByName, Desc: true}, []int64{o, k, p}, 3},
			{"page 2", companies.Filter{Limit: 2, Offset: 2}, []int64{o}, 3},
			{"past the end", companies.Filter{Limit: 2, Offset: 4}, nil, 3},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, total := ids(tc.f)
				if !slices.Equal(got, tc.want) || total != tc.total {
					t.Errorf("ids = %v (total %d), want %v (total %d)", got, total, tc.want, tc.total)
				}
			})
		}
	})

	// _q's fragment is matched as a substring of the folded name through
	// the engine's trigram index, which must follow every write and find
	// what LIKE '%…%' found, wildcards and quotes taken literally.
	t.Run("name search follows the writes", func(t *testing.T) {
		w := setup(t)
		add := func(name string) companies.Company { return named(t, w, name, w.cli.ID) }
		natural, loja, bar, acai := add("Casa 100% Natural"), add("Loja_do_Zé"), add(`Bar "O Ponto"`), add("Açaí da Serra")
		search := func(fragment string) []int64 {
			t.Helper()
			items, total, err := w.s.Companies(ctx, companies.Filter{Query: fragment, Limit: 10})
			must(t, err)
			var out []int64
			for _, c := range items {
				out = append(out, c.ID)
			}
			if total != len(out) {
				t.Errorf("search %q: total %d for %d companies", fragment, total, len(out))
			}
			return out
		}
		for _, tc := range []struct {
			fragment string
			want     []int64
		}{
			{"100%", []int64{natural.ID}},
			{"0% n", []int64{natural.ID}},
			{"a_do", []int64{loja.ID}},
			{"a do", nil},
			{`"o ponto"`, []int64{bar.ID}},
			{"serra", []int64{acai.ID}},
			{"acai da serra", []int64{acai.ID}},
			{"ac", []int64{acai.ID}}, // shorter than a trigram
			{"a", []int64{w.parent.ID, w.kid.ID, w.otherAccount.ID, natural.ID, loja.ID, bar.ID, acai.ID}},
			{"matriz filial", nil},
		} {
			if got := search(tc.fragment); !slices.Equal(got, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.fragment, got, tc.want)
			}
		}
		acai.Name, acai.UpdatedAt = "Bistrô Central", now.Add(time.Minute)
		must(t, update(w, acai))
		must(t, remove(w, bar))
		for fragment, want := range map[string][]int64{"serra": nil, "bistro": {acai.ID}, "ponto": nil} {
			if got := search(fragment); !slices.Equal(got, want) {
				t.Errorf("after a rename and a delete, search %q = %v, want %v", fragment, got, want)
			}
		}
	})

	t.Run("a list's total follows every change, asked again and again", func(t *testing.T) {
		w := setup(t)
		// One company per page, so the total is counted, not the page's
		// length; each list runs twice, so a kept total is what answers.
		total := func(f companies.Filter) int {
			t.Helper()
			f.Limit = 1
			var totals [2]int
			for i := range totals {
				_, n, err := w.s.Companies(ctx, f)
				must(t, err)
				totals[i] = n
			}
			if totals[0] != totals[1] {
				t.Fatalf("list %+v: total %d, then %d with nothing changed", f, totals[0], totals[1])
			}
			return totals[0]
		}
		padarias := companies.Filter{AccountIDs: []int64{w.cli.ID}, Query: "padaria"}
		both := companies.Filter{AccountIDs: []int64{w.cli.ID, w.gestao.ID}, Query: "padaria"}
		everyone := companies.Filter{Query: "padaria"}
		check := func(step string, cli, gestao int) {
			t.Helper()
			for _, tc := range []struct {
				f    companies.Filter
				want int
			}{{padarias, cli}, {both, cli + gestao}, {everyone, cli + gestao}} {
				if got := total(tc.f); got != tc.want {
					t.Errorf("%s: total of %v = %d, want %d", step, tc.f.AccountIDs, got, tc.want)
				}
			}
		}
		add := func(name string, account int64) companies.Company { return named(t, w, name, account) }
		check("none yet", 0, 0)
		first, _ := add("Padaria Estrela", w.cli.ID), add("Padaria Lua", w.cli.ID)
		check("two added", 2, 0)
		other := add("Padaria Sol", w.gestao.ID)
		check("one added to the other account", 2, 1)
		first.Name, first.UpdatedAt = "Mercearia Estrela", now.Add(time.Minute)
		must(t, update(w, first))
		check("one renamed away", 1, 1)
		must(t, write(w, other.AccountID, func(tx companies.CompanyTx) error {
			other.AccountID = w.cli.ID
			return tx.Update(ctx, other)
		}))
		check("one moved between the accounts", 2, 0)
		must(t, remove(w, other))
		check("one deleted", 1, 0)
		// A failed change leaves the count, and the next list, alone.
		boom := errors.New("boom")
		err := write(w, w.cli.ID, func(tx companies.CompanyTx) error {
			if _, err := tx.Insert(ctx, companies.Company{AccountID: w.cli.ID, Name: "Padaria Rolada", CityID: 3550308, StateID: 35, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("rolled-back insert: %v", err)
		}
		check("an insert rolled back", 1, 0)
	})

	// A search few names match is answered from its kept matches after the
	// first time: its pages, in each order, and its total must still be
	// the ones a fresh search finds, before and after a change.
	t.Run("a search's pages follow the order and the writes, asked again", func(t *testing.T) {
		w := setup(t)
		add := func(name string) companies.Company { return named(t, w, name, w.cli.ID) }
		beta, alfa, gama := add("Padaria Beta"), add("Padaria Alfa"), add("Padaria Gama")
		add("Mercearia Delta")
		pages := func(f companies.Filter) (ids []int64) {
			t.Helper()
			f.Query, f.Limit = "padaria", 2
			var totals []int
			for f.Offset = 0; f.Offset < 6; f.Offset += f.Limit {
				items, total, err := w.s.Companies(ctx, f)
				must(t, err)
				for _, c := range items {
					ids = append(ids, c.ID)
				}
				totals = append(totals, total)
			}
			for _, total := range totals {
				if total != len(ids) {
					t.Errorf("pages of %+v: totals %v for %d companies", f, totals, len(ids))
					break
				}
			}
			return ids
		}
		check := func(step string, f companies.Filter, want []int64) {
			t.Helper()
			for range 2 {
				if got := pages(f); !slices.Equal(got, want) {
					t.Errorf("%s: pages of %+v = %v, want %v", step, f, got, want)
				}
			}
		}
		byName := companies.Filter{Sort: companies.SortByName}
		byNameDesc := companies.Filter{Sort: companies.SortByName, Desc: true}
		check("by id", companies.Filter{}, []int64{beta.ID, alfa.ID, gama.ID})
		check("by name", byName, []int64{alfa.ID, beta.ID, gama.ID})
		check("by name, descending", byNameDesc, []int64{gama.ID, beta.ID, alfa.ID})
		beta.Name, beta.UpdatedAt = "Padaria Zeta", now.Add(time.Minute)
		must(t, update(w, beta))
		check("renamed, by name", byName, []int64{alfa.ID, gama.ID, beta.ID})
		must(t, remove(w, alfa))
		check("deleted, by name, descending", byNameDesc, []int64{beta.ID, gama.ID})
		if _, total, err := w.s.Companies(ctx, companies.Filter{Query: "padaria", Limit: 1}); err != nil || total != 2 {
			t.Errorf("total after the changes = %d, %v; want 2", total, err)
		}
	})

	t.Run("tree primitives", func(t *testing.T) {
		w := setup(t)
		err := write(w, w.cli.ID, func(tx companies.CompanyTx) error {
			c, err := tx.Company(ctx, w.kid.ID)
			if err != nil {
				return err
			}
			if c.ParentID != w.parent.ID || c.AccountID != w.cli.ID || c.ParentName != "Ávila Matriz" {
				t.Errorf("company in the transaction = %+v", c)
			}
			if _, err := tx.Company(ctx, 999999); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unknown company in the transaction: %v", err)
			}
			for _, tc := range []struct {
				id   int64
				want []int64
			}{{w.kid.ID, []int64{w.kid.ID, w.parent.ID}}, {w.parent.ID, []int64{w.parent.ID}}, {999999, nil}} {
				got, err := tx.Lineage(ctx, tc.id)
				if err != nil {
					return err
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("lineage of %d = %v, want %v", tc.id, got, tc.want)
				}
			}
			for id, want := range map[int64]int{w.parent.ID: 1, w.kid.ID: 0} {
				if n, err := tx.CountChildren(ctx, id); err != nil || n != want {
					t.Errorf("children of %d = %d, %v; want %d", id, n, err, want)
				}
			}
			return nil
		})
		must(t, err)
		// A write the callback refuses leaves nothing behind: neither the
		// change nor its audit entry.
		refused := errors.New("refused")
		err = write(w, w.cli.ID, func(tx companies.CompanyTx) error {
			c := w.parent
			c.Name = "Mudou"
			if err := tx.Update(ctx, c); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, w.audit); err != nil {
				return err
			}
			return refused
		})
		if !errors.Is(err, refused) {
			t.Errorf("refused write: %v", err)
		}
		if c, err := w.s.Company(ctx, w.parent.ID); err != nil || c.Name != "Ávila Matriz" {
			t.Errorf("after a refused write: %+v, %v", c, err)
		}
		entries, _, err := w.s.AuditLog(ctx, w.parent.ID, 10, 0)
		must(t, err)
		if len(entries) != 1 {
			t.Errorf("refused updates were audited: %d entries", len(entries))
		}
	})

	t.Run("tree checks hold in the writing transaction", func(t *testing.T) {
		w := setup(t)
		errCycle, errNoParent, errHasChildren := errors.New("cycle"), errors.New("no parent"), errors.New("has children")
		// setParent is the service's rule in short: the new parent must not
		// be c or below it.
		setParent := func(c companies.Company) error {
			return write(w, c.AccountID, func(tx companies.CompanyTx) error {
				lineage, err := tx.Lineage(ctx, c.ParentID)
				if err != nil {
					return err
				}
				if slices.Contains(lineage, c.ID) {
					return errCycle
				}
				return tx.Update(ctx, c)
			})
		}
		// Two companies made each other's parent at the same time: at most
		// one may win, whatever the interleaving.
		for i := range 10 {
			a := w.kid
			a.ID, a.ParentID = 0, 0
			a.Name = fmt.Sprintf("A%d", i)
			a, err := insert(w, a)
			must(t, err)
			b := a
			b.ID, b.Name = 0, fmt.Sprintf("B%d", i)
			b, err = insert(w, b)
			must(t, err)
			a.ParentID, b.ParentID = b.ID, a.ID
			errs := make(chan error, 2)
			for _, c := range []companies.Company{a, b} {
				go func() { errs <- setParent(c) }()
			}
			e1, e2 := <-errs, <-errs
			if e1 == nil && e2 == nil {
				t.Fatalf("round %d: both sides of a cycle were stored", i)
			}
			for _, err := range []error{e1, e2} {
				if err != nil && !errors.Is(err, errCycle) {
					t.Errorf("round %d: %v", i, err)
				}
			}
		}
		// A parent deleted while a child is added to it: either the delete
		// sees the child or the child sees no parent.
		for i := range 10 {
			p := w.kid
			p.ID, p.ParentID, p.Name = 0, 0, fmt.Sprintf("P%d", i)
			p, err := insert(w, p)
			must(t, err)
			child := p
			child.ID, child.ParentID, child.Name = 0, p.ID, fmt.Sprintf("F%d", i)
			created, deleted := make(chan error, 1), make(chan error, 1)
			go func() {
				created <- write(w, child.AccountID, func(tx companies.CompanyTx) error {
					if _, err := tx.Company(ctx, child.ParentID); apperr.Is(err, apperr.NotFound) {
						return errNoParent
					} else if err != nil {
						return err
					}
					_, err := tx.Insert(ctx, child)
					return err
				})
			}()
			go func() {
				deleted <- write(w, p.AccountID, func(tx companies.CompanyTx) error {
					n, err := tx.CountChildren(ctx, p.ID)
					if err != nil {
						return err
					}
					if n > 0 {
						return errHasChildren
					}
					return tx.Delete(ctx, p.ID)
				})
			}()
			ce, de := <-created, <-deleted
			switch {
			case ce == nil && de == nil:
				t.Fatalf("round %d: a child was added to a deleted parent", i)
			case ce != nil && !errors.Is(ce, errNoParent):
				t.Errorf("round %d: create: %v", i, ce)
			case de != nil && !errors.Is(de, errHasChildren):
				t.Errorf("round %d: delete: %v", i, de)
			}
		}
	})

	t.Run("delete audits, and the foreign key backs the children rule", func(t *testing.T) {
		w := setup(t)
		if err := remove(w, w.parent); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("deleting a parent past the service: %v", err)
		}
		must(t, remove(w, w.kid))
		if err := remove(w, w.kid); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("deleting twice: %v", err)
		}
		entries, total, err := w.s.AuditLog(ctx, w.kid.ID, 10, 0)
		must(t, err)
		if total != 2 || len(entries) != 2 || entries[0].ID < entries[1].ID || entries[0].UserEmail != "u@example.com" ||
			string(entries[0].Changes) != string(w.audit.Changes) || !entries[0].At.Equal(now) ||
			entries[0].Action != companies.Deleted || entries[1].Action != companies.Created {
			t.Errorf("audit = %d %+v", total, entries)
		}
		_, all, err := w.s.AuditLog(ctx, 0, 10, 0)
		must(t, err)
		if all != 4 { // three creates and one delete
			t.Errorf("all entries = %d", all)
		}
	})
}
