package companies_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"partnership-service/internal/apperr"
	"partnership-service/internal/companies"
	"partnership-service/internal/testkit"
)

// The companies' rules through the service alone, without HTTP, on every
// engine.

// Messages of the rules under test.
const (
	msgNoPermission = "Permissões insuficientes para essa conta"
	msgParentCycle  = "A empresa pai não pode ser a própria empresa nem uma de suas filhas."
	msgHasChildren  = "A empresa possui empresas filhas."
)

// wantField fails unless err is a 422 whose field carries msg.
func wantField(t testing.TB, what string, err error, field, msg string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Unprocessable || !slices.Contains(e.Fields[field], msg) {
		t.Errorf("%s: err = %v, want 422 with %s: %q", what, err, field, msg)
	}
}

// isField reports whether err is a 422 naming field.
func isField(err error, field string) bool {
	e := apperr.As(err)
	return e != nil && e.Code == apperr.Unprocessable && len(e.Fields[field]) > 0
}

// TestServicePersonas: super admin, gestão user and client user × their
// own, a managed and a foreign account, for every company operation.
func TestServicePersonas(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		cases := []struct {
			name    string
			sess    *companies.Session
			account int64
			company int64
			allowed bool
		}{
			{"super × gestão", f.superSess, f.gestao, f.gestaoCo, true},
			{"super × cliente", f.superSess, f.cliente, f.clienteCo, true},
			{"super × foreign", f.superSess, f.alheia, f.alheiaCo, true},
			{"gestão × own", f.managerSess, f.gestao, f.gestaoCo, true},
			{"gestão × managed", f.managerSess, f.cliente, f.clienteCo, true},
			{"gestão × foreign", f.managerSess, f.alheia, f.alheiaCo, false},
			{"client × own", f.clientSess, f.cliente, f.clienteCo, true},
			{"client × its manager's", f.clientSess, f.gestao, f.gestaoCo, false},
			{"client × foreign", f.clientSess, f.alheia, f.alheiaCo, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if got := tc.sess.ActsFor(tc.account); got != tc.allowed {
					t.Errorf("ActsFor(%d) = %v", tc.account, got)
				}
				q, err := companies.ParseListQuery(map[string][]string{"_limit": {"100"}})
				f.must(err)
				page, err := f.svc.ListCompanies(ctx, tc.sess, q)
				f.must(err)
				listed := slices.ContainsFunc(page.Items, func(c companies.Company) bool { return c.ID == tc.company })
				if listed != tc.allowed {
					t.Errorf("list shows company %d: %v", tc.company, listed)
				}

				_, getErr := f.svc.Company(ctx, tc.sess, tc.company)
				_, updErr := f.svc.UpdateCompany(ctx, tc.sess, tc.company, f.input(map[string]any{"complement": "Sala " + tc.name}))
				created, createErr := f.svc.CreateCompany(ctx, tc.sess, f.input(company(map[string]any{"name": "Nova", "account_id": tc.account})))
				victim := f.mustCreate(f.superSess, map[string]any{"name": "Vítima", "account_id": tc.account})
				delErr := f.svc.DeleteCompany(ctx, tc.sess, victim.ID)
				_, stillThere := f.svc.Company(ctx, f.superSess, victim.ID)
				if tc.allowed {
					for what, err := range map[string]error{"get": getErr, "update": updErr, "create": createErr, "delete": delErr} {
						if err != nil {
							t.Errorf("%s: %v", what, err)
						}
					}
					if created.AccountID != tc.account || created.AccountName == "" {
						t.Errorf("created %+v, want account %d", created, tc.account)
					}
					testkit.WantCode(t, "deleted company", stillThere, apperr.NotFound)
					return
				}
				for what, err := range map[string]error{"get": getErr, "update": updErr, "delete": delErr} {
					testkit.WantCode(t, what, err, apperr.NotFound)
				}
				wantField(t, "create", createErr, "account_id", "O campo account id selecionado é inválido.")
				if stillThere != nil {
					t.Errorf("a refused delete removed the company: %v", stillThere)
				}
			})
		}
	})
}

// TestServiceAccountRules: which account a new company goes to, that a
// company never changes account, and who reads the audit log.
func TestServiceAccountRules(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		for _, tc := range []struct {
			name string
			sess *companies.Session
		}{{"super", f.superSess}, {"gestão", f.managerSess}} {
			_, err := f.svc.CreateCompany(ctx, tc.sess, f.input(company(map[string]any{"name": "X"})))
			wantField(t, tc.name+" without account_id", err, "account_id", "O campo account id é obrigatório.")
		}
		c := f.mustCreate(f.clientSess, map[string]any{"name": "Sem conta"})
		if c.AccountID != f.cliente {
			t.Errorf("client user's company in account %d, want %d", c.AccountID, f.cliente)
		}

		_, err := f.svc.UpdateCompany(ctx, f.superSess, f.clienteCo, f.input(map[string]any{"account_id": f.alheia}))
		testkit.WantCode(t, "account change", err, apperr.Forbidden)
		if e := apperr.As(err); e.Message != "Não é permitido trocar a conta." {
			t.Errorf("account change message = %q", e.Message)
		}
		_, err = f.svc.UpdateCompany(ctx, f.superSess, f.clienteCo, f.input(map[string]any{"account_id": f.cliente}))
		f.must(err) // the same account is no change

		for _, sess := range []*companies.Session{f.managerSess, f.clientSess} {
			_, err := f.svc.AuditLog(ctx, sess, 0, 10, 1)
			testkit.WantCode(t, sess.User.Email+" reading the audit log", err, apperr.Forbidden)
		}
		log, err := f.svc.AuditLog(ctx, f.superSess, c.ID, 10, 1)
		f.must(err)
		if log.Total != 1 || log.Items[0].Action != companies.Created || log.Items[0].UserID != f.clientSess.User.ID {
			t.Errorf("audit of %d = %+v", c.ID, log)
		}
	})
}

// TestServiceTreeRules: a parent is a company of the same account, neither
// the company itself nor below it; a company with children stays; refused
// changes leave no audit entry.
func TestServiceTreeRules(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.mustCreate(f.clientSess, map[string]any{"name": "A"})
		b := f.mustCreate(f.clientSess, map[string]any{"name": "B", "parent_id": a.ID})
		c := f.mustCreate(f.clientSess, map[string]any{"name": "C", "parent_id": b.ID})
		if c.ParentID != b.ID || c.ParentName != "B" {
			t.Fatalf("child = %+v", c)
		}

		creates := []struct {
			name   string
			sess   *companies.Session
			fields map[string]any
			msg    string
		}{
			{"parent in another account", f.superSess, map[string]any{"account_id": f.gestao, "parent_id": f.clienteCo}, msgNoPermission},
			{"parent in a foreign account", f.clientSess, map[string]any{"parent_id": f.alheiaCo}, msgNoPermission},
			{"missing parent", f.clientSess, map[string]any{"parent_id": 999999}, msgNoPermission},
		}
		for _, tc := range creates {
			t.Run("create/"+tc.name, func(t *testing.T) {
				tc.fields["name"] = "X"
				_, err := f.svc.CreateCompany(ctx, tc.sess, f.input(company(tc.fields)))
				wantField(t, tc.name, err, "parent_id", tc.msg)
			})
		}

		updates := []struct {
			name       string
			id, parent int64
			msg        string
		}{
			{"own parent", a.ID, a.ID, msgParentCycle},
			{"child as parent", a.ID, b.ID, msgParentCycle},
			{"grandchild as parent", a.ID, c.ID, msgParentCycle},
			{"parent in another account", a.ID, f.gestaoCo, msgNoPermission},
		}
		for _, tc := range updates {
			t.Run("update/"+tc.name, func(t *testing.T) {
				_, err := f.svc.UpdateCompany(ctx, f.superSess, tc.id, f.input(map[string]any{"parent_id": tc.parent}))
				wantField(t, tc.name, err, "parent_id", tc.msg)
			})
		}

		t.Run("other errors are reported together with the parent's", func(t *testing.T) {
			_, err := f.svc.UpdateCompany(ctx, f.clientSess, a.ID, f.input(map[string]any{"parent_id": f.alheiaCo, "state_id": 99}))
			wantField(t, "state", err, "state_id", "O campo state id selecionado é inválido.")
			wantField(t, "parent", err, "parent_id", msgNoPermission)
		})

		t.Run("refused changes are not audited", func(t *testing.T) {
			log, err := f.svc.AuditLog(ctx, f.superSess, a.ID, 10, 1)
			f.must(err)
			if log.Total != 1 {
				t.Errorf("audit entries of A = %d, want its creation only", log.Total)
			}
		})

		t.Run("moving and clearing a parent", func(t *testing.T) {
			moved, err := f.svc.UpdateCompany(ctx, f.clientSess, c.ID, f.input(map[string]any{"parent_id": a.ID}))
			f.must(err)
			if moved.ParentID != a.ID || moved.ParentName != "A" {
				t.Errorf("moved = %+v", moved)
			}
			cleared, err := f.svc.UpdateCompany(ctx, f.clientSess, c.ID, f.input(map[string]any{"parent_id": nil}))
			f.must(err)
			if cleared.ParentID != 0 {
				t.Errorf("parent not cleared: %+v", cleared)
			}
		})

		t.Run("a company with children stays", func(t *testing.T) {
			wantField(t, "delete parent", f.svc.DeleteCompany(ctx, f.clientSess, a.ID), "id", msgHasChildren)
			f.must(f.svc.DeleteCompany(ctx, f.clientSess, b.ID))
			f.must(f.svc.DeleteCompany(ctx, f.clientSess, a.ID))
			testkit.WantCode(t, "deleting twice", f.svc.DeleteCompany(ctx, f.clientSess, a.ID), apperr.NotFound)
			log, err := f.svc.AuditLog(ctx, f.superSess, a.ID, 10, 1)
			f.must(err)
			if log.Total != 2 || log.Items[0].Action != companies.Deleted {
				t.Errorf("audit of A = %+v", log)
			}
		})
	})
}

// TestServiceTreeRulesUnderConcurrency: the tree rules hold when the
// requests that would break them race.
func TestServiceTreeRulesUnderConcurrency(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		// Two companies made each other's parent at the same time: at most
		// one may win, whatever the interleaving.
		for i := range 10 {
			a := f.mustCreate(f.clientSess, map[string]any{"name": fmt.Sprintf("A%d", i)})
			b := f.mustCreate(f.clientSess, map[string]any{"name": fmt.Sprintf("B%d", i)})
			errs := make(chan error, 2)
			for _, pair := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
				go func() {
					_, err := f.svc.UpdateCompany(ctx, f.clientSess, pair[0], f.input(map[string]any{"parent_id": pair[1]}))
					errs <- err
				}()
			}
			e1, e2 := <-errs, <-errs
			if e1 == nil && e2 == nil {
				t.Fatalf("round %d: both sides of a cycle were stored", i)
			}
			for _, err := range []error{e1, e2} {
				if err != nil && !isField(err, "parent_id") {
					t.Errorf("round %d: %v", i, err)
				}
			}
		}
		// A parent deleted while a child is added to it: either the delete
		// sees the child or the child sees no parent, each a 422 naming it.
		for i := range 10 {
			p := f.mustCreate(f.clientSess, map[string]any{"name": fmt.Sprintf("P%d", i)})
			child := f.input(company(map[string]any{"name": fmt.Sprintf("F%d", i), "parent_id": p.ID}))
			created, deleted := make(chan error, 1), make(chan error, 1)
			go func() { _, err := f.svc.CreateCompany(ctx, f.clientSess, child); created <- err }()
			go func() { deleted <- f.svc.DeleteCompany(ctx, f.clientSess, p.ID) }()
			ce, de := <-created, <-deleted
			switch {
			case ce == nil && de == nil:
				t.Fatalf("round %d: a child was added to a deleted parent", i)
			case ce != nil && !isField(ce, "parent_id"):
				t.Errorf("round %d: create: %v", i, ce)
			case de != nil && !isField(de, "id"):
				t.Errorf("round %d: delete: %v", i, de)
			}
		}
	})
}

// TestServiceListFilters: what a list shows, in which order, page by page.
func TestServiceListFilters(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		names := []string{"Açaí do Norte", "Beta Energia", "acai Sul", "Gama"}
		ids := make([]int64, len(names))
		for i, n := range names {
			ids[i] = f.mustCreate(f.clientSess, map[string]any{"name": n, "external_id": fmt.Sprintf("EXT-%d", i),
				"parent_id": f.clienteCo}).ID
		}
		cases := []struct {
			name  string
			sess  *companies.Session
			query map[string][]string
			want  []int64
			total int
		}{
			{"default: id desc, own account only", f.clientSess, nil, []int64{ids[3], ids[2], ids[1], ids[0], f.clienteCo}, 5},
			{"q folds case and accents", f.clientSess, map[string][]string{"_q": {"ACAI"}, "_order": {"asc"}}, []int64{ids[0], ids[2]}, 2},
			{"q as id", f.clientSess, map[string][]string{"_q": {fmt.Sprint(ids[1])}}, []int64{ids[1]}, 1},
			{"sort by nome", f.clientSess, map[string][]string{"_sort": {"nome"}, "_order": {"asc"}, "parent_id": {fmt.Sprint(f.clienteCo)}},
				[]int64{ids[0], ids[2], ids[1], ids[3]}, 4},
			{"external ids", f.clientSess, map[string][]string{"external_id": {"EXT-1", "EXT-3", "nenhum"}}, []int64{ids[3], ids[1]}, 2},
			{"page 2 of 2", f.clientSess, map[string][]string{"_limit": {"3"}, "_page": {"2"}}, []int64{ids[0], f.clienteCo}, 5},
			{"past the end", f.clientSess, map[string][]string{"_limit": {"3"}, "_page": {"3"}}, nil, 5},
			{"gestão sees own and managed", f.managerSess, map[string][]string{"_order": {"asc"}, "_limit": {"2"}}, []int64{f.gestaoCo, f.clienteCo}, 6},
			{"super filters by account", f.superSess, map[string][]string{"account_id": {fmt.Sprint(f.alheia)}}, []int64{f.alheiaCo}, 1},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				q, err := companies.ParseListQuery(tc.query)
				f.must(err)
				page, err := f.svc.ListCompanies(ctx, tc.sess, q)
				f.must(err)
				var got []int64
				for _, c := range page.Items {
					got = append(got, c.ID)
				}
				if !slices.Equal(got, tc.want) || page.Total != tc.total {
					t.Errorf("ids = %v (total %d), want %v (total %d)", got, page.Total, tc.want, tc.total)
				}
			})
		}

		refused := []struct {
			name  string
			sess  *companies.Session
			query map[string][]string
			field string
			msg   string
		}{
			{"account_id from a gestão user", f.managerSess, map[string][]string{"account_id": {fmt.Sprint(f.gestao)}},
				"account_id", "O campo account id selecionado é inválido."},
			{"unknown account_id", f.superSess, map[string][]string{"account_id": {"999999"}},
				"account_id", "O campo account id selecionado é inválido."},
			{"parent_id of a foreign company", f.clientSess, map[string][]string{"parent_id": {fmt.Sprint(f.alheiaCo)}},
				"parent_id", msgNoPermission},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				q, err := companies.ParseListQuery(tc.query)
				f.must(err)
				_, err = f.svc.ListCompanies(ctx, tc.sess, q)
				wantField(t, tc.name, err, tc.field, tc.msg)
			})
		}
	})
}

// TestCompanyIDsAreNeverReused: issue 11. Deleting the newest company and
// creating another gives a new id, so the audit log of the old id holds
// only the old company's history, on both engines.
func TestCompanyIDsAreNeverReused(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		old := f.mustCreate(f.clientSess, map[string]any{"name": "Filial Antiga"})
		if err := f.svc.DeleteCompany(ctx, f.clientSess, old.ID); err != nil {
			t.Fatal(err)
		}
		next := f.mustCreate(f.clientSess, map[string]any{"name": "Filial Nova"})
		if next.ID == old.ID {
			t.Fatalf("the new company got the deleted company's id %d", old.ID)
		}
		log, err := f.svc.AuditLog(ctx, f.superSess, old.ID, 50, 1)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, entry := range log.Items {
			actions = append(actions, string(entry.Action))
			if strings.Contains(string(entry.Changes), "Filial Nova") {
				t.Errorf("the old id's audit log holds the new company's change: %+v", entry)
			}
		}
		slices.Sort(actions)
		if !slices.Equal(actions, []string{"create", "delete"}) {
			t.Fatalf("audit log of id %d: %v, want its create and delete only", old.ID, actions)
		}
	})
}
