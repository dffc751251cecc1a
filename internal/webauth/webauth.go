// Package webauth signs people into the web consoles: console users of
// three realms (operators at /admin/, energy partners' staff at /console/,
// storefront providers' staff at /provedor/), their e-mail and argon2id
// password logins under the service's login limits (package logins), and
// sessions kept as the hash of a random token in a cookie, with idle and
// absolute expiry and a "log out everywhere".
package webauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"partnership-service/internal/apperr"
	"partnership-service/internal/brdoc"
	"partnership-service/internal/logins"
	"partnership-service/internal/pacer"
)

// Realm is which console a user signs into; a session of one realm is
// never accepted by another.
type Realm string

const (
	RealmOperator Realm = "operator" // /admin/
	RealmPartner  Realm = "partner"  // /console/   (PartnerID = energy partner id; Role "admin" | "seller")
	RealmProvider Realm = "provider" // /provedor/  (OwnerID = storefront provider id; Role "admin")
)

// roles are each realm's roles, the default first.
var roles = map[Realm][]string{
	RealmOperator: {"operator"},
	RealmPartner:  {"admin", "seller"},
	RealmProvider: {"admin"},
}

// User is a console user as pages see it.
type User struct {
	ID      int64
	Realm   Realm
	OwnerID int64 // the storefront provider's id for RealmProvider; 0 for the other realms
	// PartnerID is the energy partner's id for RealmPartner (energy
	// partners' ids are text, so it cannot be OwnerID); "" otherwise.
	PartnerID string
	Role      string // "operator" for operators
	Email     string
	Name      string // shown in pages; for a partner seller it is the seller name of the leads it creates
}

// NewUser is what CreateUser takes. An empty Role takes the realm's
// default (operator, admin, admin); an empty Name, the e-mail.
type NewUser struct {
	Realm     Realm
	OwnerID   int64
	PartnerID string
	Role      string
	Email     string
	Name      string
	Password  string
}

// Session is a stored session: its user, when it began and when it was
// last used (within TouchEvery).
type Session struct {
	User              User
	Created, LastSeen time.Time
}

// Store keeps console users and sessions. Sessions are found by the
// SHA-256 of their token, never the token.
type Store interface {
	// CreateUser stores u with its password hash; an e-mail taken in the
	// realm is a conflict.
	CreateUser(ctx context.Context, u User, passwordHash string, now time.Time) (User, error)
	// UserByEmail finds a realm's user and its password hash.
	UserByEmail(ctx context.Context, realm Realm, email string) (User, string, error)
	CreateSession(ctx context.Context, tokenHash []byte, userID int64, now time.Time) error
	// SessionByHash answers not found for an unknown (or deleted) token.
	SessionByHash(ctx context.Context, tokenHash []byte) (Session, error)
	TouchSession(ctx context.Context, tokenHash []byte, now time.Time) error
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// DeleteUserSessions ends every session of a user, reporting how many.
	DeleteUserSessions(ctx context.Context, userID int64) (int64, error)
	// DeleteSessionsSeenBefore deletes the sessions last used before t.
	DeleteSessionsSeenBefore(ctx context.Context, t time.Time) (int64, error)
}

// TouchEvery is how often a session's last use is written: at most once a
// minute per session, so reading pages does not write on every request.
// A session may thus expire for idleness up to a minute early.
const TouchEvery = time.Minute

// MaxAbsolute bounds every realm's absolute expiry; sessions idle longer
// are swept whatever their realm.
const MaxAbsolute = 24 * time.Hour

// Service holds the console users' and sessions' rules.
type Service struct {
	store  Store
	logins *logins.Guard
	now    func() time.Time

	sweeps pacer.Pacer
}

// NewService returns the service over store, its logins run by guard (the
// one the companies API shares, so both hold the same limits; nil: a guard
// of its own, counting in memory); now is the clock (time.Now when nil).
func NewService(store Store, guard *logins.Guard, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	if guard == nil {
		guard = logins.NewGuard(logins.Config{})
	}
	return &Service{store: store, logins: guard, now: now}
}

func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser validates and stores a console user.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	var errs apperr.Fields
	u := User{Realm: in.Realm, OwnerID: in.OwnerID, PartnerID: strings.TrimSpace(in.PartnerID), Role: strings.TrimSpace(in.Role),
		Email: normalizeEmail(in.Email), Name: strings.TrimSpace(in.Name)}
	realmRoles, ok := roles[u.Realm]
	if !ok {
		errs.Add("realm", "O campo realm deve ser operator, partner ou provider.")
	}
	if ok && u.Role == "" {
		u.Role = realmRoles[0]
	}
	if ok && !slices.Contains(realmRoles, u.Role) {
		errs.Add("role", "O campo role deve ser "+strings.Join(realmRoles, " ou ")+".")
	}
	if ok && ((u.Realm == RealmPartner) != (u.PartnerID != "") || (u.Realm == RealmProvider) != (u.OwnerID != 0) || u.OwnerID < 0) {
		errs.Add("owner", "Informe o parceiro de um usuário de parceiro, o provedor de um usuário de provedor, e nenhum para um operador.")
	}
	if !brdoc.IsEmail(u.Email) {
		errs.Add("email", "O campo email deve ser um endereço de e-mail válido.")
	}
	if n := utf8.RuneCountInString(in.Password); n < 8 || len(in.Password) > 256 {
		errs.Add("password", "O campo password deve ter entre 8 e 256 caracteres.")
	}
	if u.Name == "" {
		u.Name = u.Email
	}
	if utf8.RuneCountInString(u.Name) > 120 || !utf8.ValidString(u.Name) {
		errs.Add("name", "O campo name deve ter no máximo 120 caracteres.")
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return User{}, err
	}
	hash, err := logins.HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	u, err = s.store.CreateUser(ctx, u, hash, s.now().UTC())
	if apperr.Is(err, apperr.Conflict) {
		return User{}, apperr.Field(apperr.Conflict, "email", "Já existe um usuário com este e-mail.")
	}
	return u, err
}

// Messages of a refused login: one for a wrong e-mail and a wrong password
// alike, so the page tells nobody which e-mails have accounts.
const (
	MsgWrongLogin = "E-mail ou senha incorretos."
	MsgTooMany    = "Muitas tentativas de entrar. Aguarde alguns minutos e tente de novo."
)

// MetaRetryAfter carries, on a refused (429) login, the seconds until the
// client may try again.
const MetaRetryAfter = "retry_after"

// Login checks a realm user's e-mail and password and starts a session,
// returning its token (for the cookie, never stored). A wrong e-mail or
// password is unauthorized with MsgWrongLogin; past a login limit it is
// too_many_requests with MsgTooMany, checking nothing.
func (s *Service) Login(ctx context.Context, realm Realm, email, password, clientIP string) (string, User, error) {
	email = normalizeEmail(email)
	var u User
	// Keyed by realm too: an operator's and a seller's counts of the same
	// e-mail are apart, while the per-address count covers every login.
	key := logins.Key{Email: string(realm) + " " + email, Addr: logins.AddrKey(clientIP)}
	ok, err := s.logins.Attempt(ctx, key, s.now, password, func(ctx context.Context) (string, error) {
		var hash string
		var err error
		u, hash, err = s.store.UserByEmail(ctx, realm, email)
		return hash, err
	})
	var refused *logins.Refused
	if errors.As(err, &refused) {
		e := apperr.New(apperr.TooManyRequests, MsgTooMany)
		e.Meta = map[string]string{MetaRetryAfter: strconv.Itoa(int((refused.Wait + time.Second - 1) / time.Second))}
		return "", User{}, e
	}
	if err != nil {
		return "", User{}, err
	}
	if !ok {
		return "", User{}, apperr.New(apperr.Unauthorized, MsgWrongLogin)
	}
	token, hash := newToken()
	now := s.now().UTC()
	if err := s.store.CreateSession(ctx, hash, u.ID, now); err != nil {
		return "", User{}, err
	}
	s.sweep(ctx, now)
	return token, u, nil
}

// Limits are a realm's session lifetimes.
type Limits struct {
	// Idle ends a session unused this long; Absolute, one this old
	// however busy.
	Idle, Absolute time.Duration
}

// errNoSession is the answer for every session not accepted: unknown,
// expired, ended or of another realm.
var errNoSession = apperr.New(apperr.Unauthorized, "Sessão encerrada. Entre de novo.")

// Authenticate returns the user of a live session of realm under limits.
// An expired session is deleted; every refusal is unauthorized alike.
func (s *Service) Authenticate(ctx context.Context, realm Realm, token string, limits Limits) (User, error) {
	if token == "" || len(token) > 100 {
		return User{}, errNoSession
	}
	hash := tokenHash(token)
	sess, err := s.store.SessionByHash(ctx, hash)
	if apperr.Is(err, apperr.NotFound) {
		return User{}, errNoSession
	}
	if err != nil {
		return User{}, err
	}
	if sess.User.Realm != realm {
		return User{}, errNoSession
	}
	now := s.now().UTC()
	if now.Sub(sess.LastSeen) >= limits.Idle || now.Sub(sess.Created) >= limits.Absolute {
		if err := s.store.DeleteSession(ctx, hash); err != nil && !apperr.Is(err, apperr.NotFound) {
			return User{}, err
		}
		return User{}, errNoSession
	}
	if now.Sub(sess.LastSeen) >= TouchEvery {
		if err := s.store.TouchSession(ctx, hash, now); err != nil && !apperr.Is(err, apperr.NotFound) {
			return User{}, err
		}
	}
	return sess.User, nil
}

// Logout ends the session of token; an unknown one is already ended.
func (s *Service) Logout(ctx context.Context, token string) error {
	err := s.store.DeleteSession(ctx, tokenHash(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	return err
}

// LogoutEverywhere ends every session of the user: on every device.
func (s *Service) LogoutEverywhere(ctx context.Context, userID int64) error {
	_, err := s.store.DeleteUserSessions(ctx, userID)
	return err
}

// sweep deletes, at most once an hour per process, the sessions unused for
// longer than any realm's absolute expiry: expired under every rule.
func (s *Service) sweep(ctx context.Context, now time.Time) {
	if s.sweeps.Due(now, time.Hour) {
		// A failed sweep is retried an hour later; expired sessions are
		// refused meanwhile anyway.
		_, _ = s.store.DeleteSessionsSeenBefore(context.WithoutCancel(ctx), now.Add(-MaxAbsolute))
	}
}

// newToken returns a random session token and its SHA-256, which is all
// the store keeps.
func newToken() (string, []byte) {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read does not fail
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	return token, tokenHash(token)
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

type ctxKey struct{}

// UserFrom returns the signed-in user, set by Sessions.Require.
func UserFrom(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(ctxKey{}).(User)
	return u, ok
}

// WithUser returns ctx with u signed in: what Require does, for handler
// tests without a login.
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}
