package webauth

import (
	"context"
	"embed"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
	"partnership-service/internal/web"
)

//go:embed pages/*.html
var pagesFS embed.FS

var pages = func() *web.Templates {
	t, err := web.ParseTemplates(pagesFS, nil)
	if err != nil {
		panic(err)
	}
	return t
}()

// Default session lifetimes.
const (
	DefaultIdle     = 30 * time.Minute
	DefaultAbsolute = 12 * time.Hour
)

// SessionConfig is one realm's console.
type SessionConfig struct {
	Realm Realm
	// Base is the console's path, with its slashes: "/console/". The
	// cookie is scoped to it, and a login only ever returns below it.
	Base string
	// Secure marks the cookie Secure: whenever the public URL is https.
	Secure bool
	// Idle and Absolute are the session lifetimes (DefaultIdle and
	// DefaultAbsolute when zero; Absolute at most MaxAbsolute).
	Idle, Absolute time.Duration
}

// Sessions is one realm's login, logout and the guard of its pages.
type Sessions struct {
	svc    *Service
	csrf   *web.CSRF
	cfg    SessionConfig
	cookie string
}

// NewSessions returns the sessions of cfg.Realm, its forms protected by
// csrf.
func NewSessions(svc *Service, csrf *web.CSRF, cfg SessionConfig) *Sessions {
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.Absolute <= 0 {
		cfg.Absolute = DefaultAbsolute
	}
	cfg.Absolute = min(cfg.Absolute, MaxAbsolute)
	return &Sessions{svc: svc, csrf: csrf, cfg: cfg, cookie: "sessao_" + string(cfg.Realm)}
}

// Routes registers the login page, its post and the two logouts.
func (s *Sessions) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+s.cfg.Base+"entrar", s.loginPage)
	mux.HandleFunc("POST "+s.cfg.Base+"entrar", s.form(s.login))
	mux.HandleFunc("POST "+s.cfg.Base+"sair", s.form(s.logout))
	mux.Handle("POST "+s.cfg.Base+"sair-de-todos", s.Require(s.form(s.logoutEverywhere)))
}

// Require serves next to requests with a live session of the realm, the
// user in their context (UserFrom); any other is sent to the login page,
// a GET with next= its own address.
func (s *Sessions) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var token string
		if c, err := r.Cookie(s.cookie); err == nil {
			token = c.Value
		}
		u, err := s.svc.Authenticate(r.Context(), s.cfg.Realm, token, Limits{Idle: s.cfg.Idle, Absolute: s.cfg.Absolute})
		if apperr.Is(err, apperr.Unauthorized) {
			if token != "" {
				s.clearCookie(w)
			}
			to := s.cfg.Base + "entrar"
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if err != nil {
			web.Render(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u)))
	})
}

// maxLoginForm caps the login form: an e-mail, a password, a token.
const maxLoginForm = 16 << 10

// form is a posted form: its body capped and its CSRF token checked
// (web.CSRF.ParseForm answers 413, 400 or 403 otherwise).
func (s *Sessions) form(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.csrf.ParseForm(w, r, maxLoginForm) {
			next(w, r)
		}
	}
}

// realmTitles name each console on its login page.
var realmTitles = map[Realm]string{
	RealmOperator: "Administração",
	RealmPartner:  "Console do parceiro",
	RealmProvider: "Área do provedor",
}

// loginView is the login page's data.
type loginView struct {
	Console, Action, Next, Email string
	Error                        string
	LoggedOut                    bool
}

func (s *Sessions) renderLogin(w http.ResponseWriter, r *http.Request, status int, v loginView) {
	v.Console, v.Action = realmTitles[s.cfg.Realm], s.cfg.Base+"entrar"
	pages.Render(w, r, status, "entrar", web.Page{Title: "Entrar · " + v.Console, CSRF: s.csrf.Token(w, r), Data: v})
}

func (s *Sessions) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.renderLogin(w, r, http.StatusOK, loginView{Next: s.safeNext(q.Get("next")), LoggedOut: q.Has("saiu")})
}

func (s *Sessions) login(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	v := loginView{Next: s.safeNext(f.Get("next")), Email: strings.TrimSpace(f.Get("email"))}
	token, _, err := s.svc.Login(r.Context(), s.cfg.Realm, v.Email, f.Get("password"), httpx.ClientAddr(r))
	switch e := apperr.As(err); {
	case err == nil:
	case e.Code == apperr.Unauthorized, e.Code == apperr.TooManyRequests:
		if secs := e.Meta[MetaRetryAfter]; secs != "" {
			w.Header().Set("Retry-After", secs)
		}
		v.Error = e.Message
		s.renderLogin(w, r, apperr.HTTPStatus(e.Code), v)
		return
	default:
		web.Render(w, r, err)
		return
	}
	// A session this browser had before ends: one browser, one session
	// (should the delete fail, that session just runs out).
	if c, err := r.Cookie(s.cookie); err == nil {
		_ = s.svc.Logout(context.WithoutCancel(r.Context()), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: token, Path: s.cfg.Base, HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.Absolute / time.Second)})
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

func (s *Sessions) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.cookie); err == nil {
		if err := s.svc.Logout(r.Context(), c.Value); err != nil {
			web.Render(w, r, err)
			return
		}
	}
	s.loggedOut(w, r)
}

func (s *Sessions) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	u, _ := UserFrom(r.Context())
	if err := s.svc.LogoutEverywhere(r.Context(), u.ID); err != nil {
		web.Render(w, r, err)
		return
	}
	s.loggedOut(w, r)
}

func (s *Sessions) loggedOut(w http.ResponseWriter, r *http.Request) {
	s.clearCookie(w)
	http.Redirect(w, r, s.cfg.Base+"entrar?saiu=1", http.StatusSeeOther)
}

func (s *Sessions) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Path: s.cfg.Base, HttpOnly: true,
		Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// safeNext is where a login returns: next when it is a canonical path
// below the console's base (no scheme, host, "//", "..", backslash or
// control character), the base otherwise. "//evil.example" and
// "/console/../admin/" go to the base.
func (s *Sessions) safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, s.cfg.Base) || strings.ContainsAny(next, "\\\x00\r\n\t") {
		return s.cfg.Base
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return s.cfg.Base
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if clean != u.Path || !strings.HasPrefix(u.Path, s.cfg.Base) {
		return s.cfg.Base
	}
	return next
}
