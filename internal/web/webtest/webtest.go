// Package webtest is what the tests of the server-rendered pages share: the
// service's handler over the surfaces under test on a test server, and a
// browser for it that keeps its cookies, stops at every redirect (a test
// looks at each 303) and posts forms with the CSRF token their page
// carries. Production code never imports it.
package webtest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"partnership-service/internal/server"
	"partnership-service/internal/web"
)

// NewCSRF is the CSRF of a test's pages, under a fixed test key.
func NewCSRF() *web.CSRF { return web.NewCSRF([]byte("test key test key test key test!"), false) }

// Server serves surfaces through the service's handler (server.New, its
// log discarded) until the test ends.
func Server(tb testing.TB, surfaces ...server.Surface) *httptest.Server {
	tb.Helper()
	h, err := server.New(server.Config{Log: slog.New(slog.DiscardHandler), Surfaces: surfaces})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// Browser is one visitor of a test server: its own cookies, redirects not
// followed.
type Browser struct {
	tb     testing.TB
	base   *url.URL
	client *http.Client
	// Header goes with every request: what stands, in a test, for the
	// session webauth keeps, say.
	Header http.Header
	token  string
}

// NewBrowser is a visitor with no cookies yet of the server at serverURL.
func NewBrowser(tb testing.TB, serverURL string) *Browser {
	tb.Helper()
	base, err := url.Parse(serverURL)
	if err != nil {
		tb.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return &Browser{tb: tb, base: base, Header: http.Header{}, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Answer is what a request got.
type Answer struct {
	Status   int
	Location string // of a redirect
	Header   http.Header
	Body     string
}

// Page is the status and the body, or the Location of a 303 See Other:
// the one thing a page test looks at after a form post.
func (a Answer) Page() (int, string) {
	if a.Status == http.StatusSeeOther {
		return a.Status, a.Location
	}
	return a.Status, a.Body
}

// NewRequest is a request for path on the server, for a test that sets
// more on it than Do does (its Host, say) before it Sends it.
func (b *Browser) NewRequest(method, path string, body io.Reader) *http.Request {
	b.tb.Helper()
	req, err := http.NewRequest(method, b.base.String()+path, body)
	if err != nil {
		b.tb.Fatal(err)
	}
	return req
}

// Send sends req with the browser's cookies and Header.
func (b *Browser) Send(req *http.Request) Answer {
	b.tb.Helper()
	for k, v := range b.Header {
		req.Header[k] = v
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.tb.Fatal(err)
	}
	if t, ok := CSRFToken(string(raw)); ok {
		b.token = t
	}
	return Answer{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(raw)}
}

// Do sends body (of contentType, unless "") to path.
func (b *Browser) Do(method, path string, body io.Reader, contentType string) Answer {
	b.tb.Helper()
	req := b.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return b.Send(req)
}

// Get gets path.
func (b *Browser) Get(path string) Answer {
	b.tb.Helper()
	return b.Do(http.MethodGet, path, nil, "")
}

// Form sends form, as it is, to path (nil: no body).
func (b *Browser) Form(method, path string, form url.Values) Answer {
	b.tb.Helper()
	if form == nil {
		return b.Do(method, path, nil, "")
	}
	return b.Do(method, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// Submit posts form to path as a browser does from the page at from: with
// the CSRF token that page carries.
func (b *Browser) Submit(from, path string, form url.Values) Answer {
	b.tb.Helper()
	form.Set(web.CSRFField, b.TokenOf(from))
	return b.Form(http.MethodPost, path, form)
}

// TokenOf gets the page at from and returns its forms' CSRF token; a page
// that is not there or has no form fails the test.
func (b *Browser) TokenOf(from string) string {
	b.tb.Helper()
	a := b.Get(from)
	t, ok := CSRFToken(a.Body)
	if a.Status != http.StatusOK || !ok {
		b.tb.Fatalf("GET %s: %d, no CSRF token\n%s", from, a.Status, a.Body)
	}
	return t
}

// Token is the CSRF token of the last page the browser got with a form
// ("" before any).
func (b *Browser) Token() string { return b.token }

// SetCookies gives the browser cookies for path on the server.
func (b *Browser) SetCookies(path string, cookies ...*http.Cookie) {
	b.client.Jar.SetCookies(b.base.JoinPath(path), cookies)
}

var csrfField = regexp.MustCompile(`name="` + web.CSRFField + `" value="([^"]+)"`)

// CSRFToken finds the CSRF token of a page's form.
func CSRFToken(page string) (string, bool) {
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return "", false
	}
	return m[1], true
}
