package companies

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/geo"
	"partnership-service/internal/logins"
)

// tokenBytes is the entropy of a token.
const tokenBytes = 32

// newToken returns a random token for the client and its SHA-256, which is
// all the store keeps.
func newToken() (string, []byte, error) {
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	return token, tokenHash(token), nil
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Login checks e-mail and password and issues a token. Every wrong
// combination answers the same 401. Past a limit, or when no hash slot
// frees up in time, it answers 429 without checking anything (see
// logins.Guard).
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (string, time.Time, error) {
	email = normalizeLogin(email)
	var u User
	ok, err := s.logins.Attempt(ctx, logins.Key{Email: email, Addr: logins.AddrKey(clientIP)}, s.now, password,
		func(ctx context.Context) (string, error) {
			var err error
			u, err = s.store.UserByEmail(ctx, email)
			return u.PasswordHash, err
		})
	var refused *logins.Refused
	if errors.As(err, &refused) {
		return "", time.Time{}, errTooManyLogins(refused.Wait)
	}
	if err != nil {
		return "", time.Time{}, err
	}
	if !ok {
		return "", time.Time{}, fail(apperr.Unauthorized, "Credenciais inválidas.")
	}
	return s.issue(ctx, u.ID, LoginTTL)
}

func errTooManyLogins(wait time.Duration) error {
	e := fail(apperr.TooManyRequests, "Muitas tentativas de login. Tente novamente mais tarde.")
	e.Meta[MetaRetryAfter] = strconv.Itoa(int((wait + time.Second - 1) / time.Second))
	return e
}

// NewServiceWith is NewService with its logins run by guard (shared with
// the service's other logins, so the limits hold across them).
func NewServiceWith(store Store, dir *geo.Directory, now func() time.Time, guard *logins.Guard) *Service {
	s := NewService(store, dir, now)
	s.logins = guard
	return s
}
