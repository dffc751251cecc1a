package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
)

// CSRF protects forms of visitors who have no session: a random value in a
// cookie, and in each form the value's HMAC under the service's key (a
// signed double-submit). A cross-site form cannot read the cookie to
// compute the token, and a cookie planted by a sibling domain does not
// match any token without the key.
type CSRF struct {
	key    []byte
	secure bool
}

// CSRFCookie and CSRFField name the cookie and the form field.
const (
	CSRFCookie = "csrf"
	CSRFField  = "csrf"
)

// NewCSRF returns tokens keyed by a key derived from secret (the service's
// secret key), so each use of that key stays apart. secure marks the
// cookie Secure: true whenever the service is reached over https.
func NewCSRF(secret []byte, secure bool) *CSRF {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("partnership-service web csrf v1"))
	return &CSRF{key: m.Sum(nil), secure: secure}
}

// Token returns the token for forms of the page being answered, setting
// the cookie when the visitor has none yet (or a malformed one).
func (c *CSRF) Token(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(CSRFCookie); err == nil && validSeed(ck.Value) {
		return c.sign(ck.Value)
	}
	var b [18]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	seed := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: seed, Path: "/", HttpOnly: true,
		Secure: c.secure, SameSite: http.SameSiteLaxMode})
	// Another form rendered in the same response must see the same seed.
	r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: seed})
	return c.sign(seed)
}

// Valid reports whether token (a form's csrf field, or a query parameter
// for multipart forms, whose body is streamed) matches the visitor's
// cookie.
func (c *CSRF) Valid(r *http.Request, token string) bool {
	ck, err := r.Cookie(CSRFCookie)
	if err != nil || !validSeed(ck.Value) || token == "" {
		return false
	}
	return hmac.Equal([]byte(c.sign(ck.Value)), []byte(token))
}

func (c *CSRF) sign(seed string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(seed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func validSeed(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 18
}

// MaxFormBody caps a page's posted form: a few hundred bytes of fields
// (a lead, a plan and its choices); uploads are streamed and capped apart.
const MaxFormBody = 64 << 10

// ParseForm reads a posted form of at most maxBytes and checks its CSRF
// token. When it reports false it has answered: 413 past the cap, 400 for
// a body it cannot read, 403 (the "form expired" page) without a valid
// token.
func (c *CSRF) ParseForm(w http.ResponseWriter, r *http.Request, maxBytes int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		RenderError(w, r, status)
		return false
	}
	if !c.Valid(r, r.PostForm.Get(CSRFField)) {
		RenderError(w, r, http.StatusForbidden)
		return false
	}
	return true
}
