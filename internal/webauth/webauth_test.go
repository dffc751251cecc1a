package webauth_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/logins"
	"partnership-service/internal/storage"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
	"partnership-service/internal/web/webtest"
	"partnership-service/internal/webauth"
)

const password = "senha-certa-123"

// consoles is a server with the partner and operator consoles, each
// page below its base answering with the signed-in user's e-mail.
type consoles struct {
	srv   *httptest.Server
	clock *testkit.Clock
	svc   *webauth.Service
}

func newConsoles(t *testing.T) *consoles {
	t.Helper()
	clock := testkit.NewClock(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	svc := webauth.NewService(storesWithPartner(t).WebAuth(), logins.NewGuard(logins.Config{}), clock.Now)
	csrf := webtest.NewCSRF()
	mux := http.NewServeMux()
	for realm, base := range map[webauth.Realm]string{webauth.RealmPartner: "/console/", webauth.RealmOperator: "/admin/"} {
		s := webauth.NewSessions(svc, csrf, webauth.SessionConfig{Realm: realm, Base: base})
		s.Routes(mux)
		mux.Handle("GET "+base, s.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, _ := webauth.UserFrom(r.Context())
			io.WriteString(w, "olá "+u.Email+" "+r.URL.RawQuery)
		})))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &consoles{srv: srv, clock: clock, svc: svc}
	for _, u := range []webauth.NewUser{
		{Realm: webauth.RealmPartner, PartnerID: "p1", Email: "ana@example.com", Password: password},
		{Realm: webauth.RealmOperator, Email: "op@example.com", Password: password},
	} {
		if _, err := svc.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// storesWithPartner is a database with one energy partner, "p1".
func storesWithPartner(t *testing.T) storage.Stores {
	t.Helper()
	s := testdb.SQLite(t)
	if err := s.EnergyPartners().CreatePartner(t.Context(), energy.Partner{ID: "p1", Name: "Parceiro", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return s
}

// browser is one visitor: its own cookies, redirects not followed.
type browser struct {
	*webtest.Browser
}

func (c *consoles) browser(t *testing.T) browser { return browser{webtest.NewBrowser(t, c.srv.URL)} }

// post posts form to base+action with the CSRF token of base's login page.
func (b browser) post(base, action string, form url.Values) webtest.Answer {
	return b.Submit(base+"entrar", base+action, form)
}

func (b browser) login(base, email, pass, next string) webtest.Answer {
	return b.post(base, "entrar", url.Values{"email": {email}, "password": {pass}, "next": {next}})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	c := newConsoles(t)

	t.Run("a wrong password and an unknown e-mail get the same answer", func(t *testing.T) {
		b := c.browser(t)
		wrong := b.login("/console/", "ana@example.com", "senha-errada-1", "")
		unknown := b.login("/console/", "ninguem@example.com", password, "")
		for _, a := range []webtest.Answer{wrong, unknown} {
			if a.Status != http.StatusUnauthorized || !strings.Contains(a.Body, webauth.MsgWrongLogin) {
				t.Errorf("got %d, want 401 with %q:\n%s", a.Status, webauth.MsgWrongLogin, a.Body)
			}
		}
		if a := b.Get("/console/"); a.Status != http.StatusSeeOther {
			t.Errorf("signed in after failures: %d %s", a.Status, a.Body)
		}
	})

	t.Run("the right password signs in, with a Lax HttpOnly cookie of the console's path", func(t *testing.T) {
		b := c.browser(t)
		a := b.login("/console/", " Ana@Example.com ", password, "")
		if a.Status != http.StatusSeeOther || a.Location != "/console/" {
			t.Fatalf("login: %d %q %s", a.Status, a.Location, a.Body)
		}
		ck := a.Header.Get("Set-Cookie")
		for _, want := range []string{"sessao_partner=", "Path=/console/", "HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(ck, want) {
				t.Errorf("cookie %q lacks %q", ck, want)
			}
		}
		if a := b.Get("/console/"); a.Status != http.StatusOK || !strings.HasPrefix(a.Body, "olá ana@example.com") {
			t.Errorf("console page: %d %s", a.Status, a.Body)
		}
	})

	t.Run("without a CSRF token a login is refused with the 403 page", func(t *testing.T) {
		b := c.browser(t)
		b.TokenOf("/console/entrar") // the visitor has the cookie, the form no token
		a := b.Form(http.MethodPost, "/console/entrar", url.Values{"email": {"ana@example.com"}, "password": {password}})
		if a.Status != http.StatusForbidden || !strings.Contains(a.Body, "Formulário expirado") {
			t.Errorf("got %d:\n%s", a.Status, a.Body)
		}
		if a := b.Get("/console/"); a.Status != http.StatusSeeOther {
			t.Errorf("signed in without a token: %d", a.Status)
		}
	})

	t.Run("an oversized form is 413", func(t *testing.T) {
		b := c.browser(t)
		a := b.Form(http.MethodPost, "/console/entrar", url.Values{"password": {strings.Repeat("x", 20<<10)}})
		if a.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("got %d", a.Status)
		}
	})
}

func TestLoginLimits(t *testing.T) {
	t.Parallel()
	c := newConsoles(t)
	b := c.browser(t)
	for i := range 5 { // logins.Limits' default PerPair
		if a := b.login("/console/", "ana@example.com", "senha-errada-1", ""); a.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, a.Status)
		}
	}
	a := b.login("/console/", "ana@example.com", password, "")
	if a.Status != http.StatusTooManyRequests || !strings.Contains(a.Body, webauth.MsgTooMany) || a.Header.Get("Retry-After") == "" {
		t.Errorf("the right password past the limit: %d Retry-After %q\n%s", a.Status, a.Header.Get("Retry-After"), a.Body)
	}
	// The same e-mail in another realm is another account: its count apart.
	if a := b.login("/admin/", "ana@example.com", "senha-errada-1", ""); a.Status != http.StatusUnauthorized {
		t.Errorf("the operator console counted the partner console's failures: %d", a.Status)
	}
	c.clock.Advance(15 * time.Minute)
	if a := b.login("/console/", "ana@example.com", password, ""); a.Status != http.StatusSeeOther {
		t.Errorf("after the window: %d", a.Status)
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	c := newConsoles(t)
	open := func(b browser) int { return b.Get("/console/").Status }

	t.Run("idle", func(t *testing.T) {
		b := c.browser(t)
		b.login("/console/", "ana@example.com", password, "")
		for i, step := range []time.Duration{29 * time.Minute, 29 * time.Minute} {
			c.clock.Advance(step)
			if got := open(b); got != http.StatusOK {
				t.Fatalf("request %d, %v after the last: %d", i+1, step, got)
			}
		}
		c.clock.Advance(30 * time.Minute)
		a := b.Get("/console/?status=novo")
		if a.Status != http.StatusSeeOther || a.Location != "/console/entrar?next="+url.QueryEscape("/console/?status=novo") {
			t.Errorf("idle 30 min: %d %q", a.Status, a.Location)
		}
	})

	t.Run("absolute", func(t *testing.T) {
		b := c.browser(t)
		b.login("/console/", "ana@example.com", password, "")
		for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
			c.clock.Advance(20 * time.Minute)
			if got := open(b); got != http.StatusOK {
				t.Fatalf("busy, %v in: %d", elapsed, got)
			}
		}
		c.clock.Advance(20 * time.Minute)
		if got := open(b); got != http.StatusSeeOther {
			t.Errorf("12 h in, still busy: %d", got)
		}
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	c := newConsoles(t)
	phone, laptop, other := c.browser(t), c.browser(t), c.browser(t)
	for _, b := range []browser{phone, laptop} {
		b.login("/console/", "ana@example.com", password, "")
	}
	// Another user of the same partner stays signed in throughout.
	if _, err := c.svc.CreateUser(t.Context(), webauth.NewUser{Realm: webauth.RealmPartner, PartnerID: "p1", Role: "seller",
		Email: "bia@example.com", Password: password}); err != nil {
		t.Fatal(err)
	}
	other.login("/console/", "bia@example.com", password, "")

	if a := phone.post("/console/", "sair", url.Values{}); a.Status != http.StatusSeeOther || a.Location != "/console/entrar?saiu=1" {
		t.Fatalf("logout: %d %q", a.Status, a.Location)
	}
	if got := phone.Get("/console/").Status; got != http.StatusSeeOther {
		t.Errorf("the phone after its logout: %d", got)
	}
	if got := laptop.Get("/console/").Status; got != http.StatusOK {
		t.Errorf("a plain logout ended the laptop's session too: %d", got)
	}

	phone.login("/console/", "ana@example.com", password, "")
	if a := phone.post("/console/", "sair-de-todos", url.Values{}); a.Status != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %d %s", a.Status, a.Body)
	}
	for name, b := range map[string]browser{"phone": phone, "laptop": laptop} {
		if got := b.Get("/console/").Status; got != http.StatusSeeOther {
			t.Errorf("the %s after logout everywhere: %d", name, got)
		}
	}
	if got := other.Get("/console/").Status; got != http.StatusOK {
		t.Errorf("another user's session ended: %d", got)
	}
}

func TestLoginAgainEndsTheOldSession(t *testing.T) {
	t.Parallel()
	c := newConsoles(t)
	b := c.browser(t)
	old := sessionCookie(t, b.login("/console/", "ana@example.com", password, ""))
	b.login("/console/", "ana@example.com", password, "")
	b.SetCookies("/console/", &http.Cookie{Name: "sessao_partner", Value: old, Path: "/console/"})
	if got := b.Get("/console/").Status; got != http.StatusSeeOther {
		t.Errorf("the session before the second login still opens the console: %d", got)
	}
}

// sessionCookie is the partner session token a login answer sets.
func sessionCookie(t *testing.T, a webtest.Answer) string {
	t.Helper()
	for _, ck := range (&http.Response{Header: a.Header}).Cookies() {
		if ck.Name == "sessao_partner" && ck.Value != "" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func TestLoginNext(t *testing.T) {
	t.Parallel()
	c := newConsoles(t)
	for _, tt := range []struct{ next, want string }{
		{"/console/leads/7?aba=docs", "/console/leads/7?aba=docs"},
		{"", "/console/"},
		{"//evil.example/", "/console/"},
		{"https://evil.example/console/", "/console/"},
		{"/console//evil.example", "/console/"},
		{"/console/../admin/", "/console/"},
		{"/console/%2e%2e/admin/", "/console/"},
		{`/console/\evil.example`, "/console/"},
		{"/admin/", "/console/"},
		{"javascript:alert(1)", "/console/"},
	} {
		t.Run(tt.next, func(t *testing.T) {
			b := c.browser(t)
			page := b.Get("/console/entrar?next=" + url.QueryEscape(tt.next))
			if !strings.Contains(page.Body, `name="next" value="`+strings.ReplaceAll(tt.want, "&", "&amp;")+`"`) {
				t.Errorf("the login page carries another next than %q", tt.want)
			}
			if a := b.login("/console/", "ana@example.com", password, tt.next); a.Status != http.StatusSeeOther || a.Location != tt.want {
				t.Errorf("login returned %d to %q, want %q", a.Status, a.Location, tt.want)
			}
		})
	}
}

func TestRealmsApart(t *testing.T) {
	t.Parallel()
	c := newConsoles(t)
	b := c.browser(t)
	if a := b.login("/admin/", "ana@example.com", password, ""); a.Status != http.StatusUnauthorized {
		t.Errorf("a partner user signed into the operator console: %d", a.Status)
	}
	token := sessionCookie(t, b.login("/console/", "ana@example.com", password, ""))
	// The partner's token, presented as an operator session.
	b.SetCookies("/admin/", &http.Cookie{Name: "sessao_operator", Value: token, Path: "/admin/"})
	if a := b.Get("/admin/"); a.Status != http.StatusSeeOther {
		t.Errorf("a partner session opened the operator console: %d %s", a.Status, a.Body)
	}
	if got := b.Get("/console/").Status; got != http.StatusOK {
		t.Errorf("the partner console refused its own session: %d", got)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	svc := webauth.NewService(storesWithPartner(t).WebAuth(), nil, nil)
	for _, tt := range []struct {
		name  string
		in    webauth.NewUser
		field string
		code  apperr.Code
	}{
		{"an operator with an owner", webauth.NewUser{Realm: webauth.RealmOperator, OwnerID: 3, Email: "a@example.com", Password: password}, "owner", apperr.Unprocessable},
		{"a partner user with a provider", webauth.NewUser{Realm: webauth.RealmPartner, PartnerID: "p1", OwnerID: 3, Email: "a@example.com", Password: password}, "owner", apperr.Unprocessable},
		{"a provider user without a provider", webauth.NewUser{Realm: webauth.RealmProvider, Email: "a@example.com", Password: password}, "owner", apperr.Unprocessable},
		{"a partner user without a partner", webauth.NewUser{Realm: webauth.RealmPartner, Email: "a@example.com", Password: password}, "owner", apperr.Unprocessable},
		{"a provider seller", webauth.NewUser{Realm: webauth.RealmProvider, OwnerID: 3, Role: "seller", Email: "a@example.com", Password: password}, "role", apperr.Unprocessable},
		{"an unknown realm", webauth.NewUser{Realm: "root", Email: "a@example.com", Password: password}, "realm", apperr.Unprocessable},
		{"a bad e-mail", webauth.NewUser{Realm: webauth.RealmOperator, Email: "a@", Password: password}, "email", apperr.Unprocessable},
		{"a short password", webauth.NewUser{Realm: webauth.RealmOperator, Email: "a@example.com", Password: "1234567"}, "password", apperr.Unprocessable},
		{"a name too long", webauth.NewUser{Realm: webauth.RealmOperator, Email: "a@example.com", Password: password, Name: strings.Repeat("n", 121)}, "name", apperr.Unprocessable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.CreateUser(t.Context(), tt.in)
			testkit.WantCode(t, tt.name, err, tt.code)
			if e := apperr.As(err); len(e.Fields[tt.field]) == 0 {
				t.Errorf("no message for %s: %v", tt.field, err)
			}
		})
	}
	u, err := svc.CreateUser(t.Context(), webauth.NewUser{Realm: webauth.RealmPartner, PartnerID: "p1", Email: "Vendas@Example.com", Password: password})
	if want := (webauth.User{ID: u.ID, Realm: webauth.RealmPartner, PartnerID: "p1", Role: "admin", Email: "vendas@example.com", Name: "vendas@example.com"}); err != nil || u != want {
		t.Errorf("CreateUser = %+v, %v; want %+v", u, err, want)
	}
	_, err = svc.CreateUser(t.Context(), webauth.NewUser{Realm: webauth.RealmPartner, PartnerID: "p1", Email: "vendas@example.com", Password: password})
	if e := apperr.As(err); e.Code != apperr.Conflict || len(e.Fields["email"]) == 0 {
		t.Errorf("the same e-mail twice: %v", err)
	}
}
