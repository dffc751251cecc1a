package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCSRF(t *testing.T) {
	c := NewCSRF([]byte("0123456789abcdef0123456789abcdef"), true)
	// A first visit gets a cookie and a token for it.
	w := httptest.NewRecorder()
	token := c.Token(w, httptest.NewRequest(http.MethodGet, "/", nil))
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || !cookies[0].Secure || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookies = %+v", cookies)
	}
	post := func(cookie *http.Cookie) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		return r
	}
	planted := &http.Cookie{Name: CSRFCookie, Value: "AAAAAAAAAAAAAAAAAAAAAAAA"}
	other := NewCSRF([]byte("another key, another service....."), true)
	for _, tc := range []struct {
		name   string
		r      *http.Request
		token  string
		csrf   *CSRF
		wanted bool
	}{
		{"cookie and its token", post(cookies[0]), token, c, true},
		{"no cookie", post(nil), token, c, false},
		{"no token", post(cookies[0]), "", c, false},
		{"a planted cookie", post(planted), token, c, false},
		{"a token of another key", post(cookies[0]), other.sign(cookies[0].Value), c, false},
	} {
		if got := tc.csrf.Valid(tc.r, tc.token); got != tc.wanted {
			t.Errorf("%s: Valid = %v", tc.name, got)
		}
	}
	// A returning visitor keeps its cookie: no new one, the same token.
	w = httptest.NewRecorder()
	if again := c.Token(w, post(cookies[0])); again != token || len(w.Result().Cookies()) != 0 {
		t.Errorf("returning visitor: token %q, cookies %v", again, w.Result().Cookies())
	}
}
