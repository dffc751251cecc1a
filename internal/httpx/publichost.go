package httpx

import (
	"fmt"
	"net/http"
	"net/url"
)

// PublicHost makes every request look addressed to publicURL (an http or
// https scheme and host, as serve --public-url validates it): r.Host is
// replaced, and X-Forwarded-Proto says the public scheme. Handlers that
// build absolute links from the request then build them from the
// configuration, whatever Host or X-Forwarded-Proto a client sent. It is
// the backstop while handlers still read the request; links should be
// built from the configured URL directly.
func PublicHost(publicURL string, next http.Handler) (http.Handler, error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("httpx: public URL %q is not http(s)://host", publicURL)
	}
	host := u.Host
	https := u.Scheme == "https"
	proto := []string{u.Scheme}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Host = host
		if https {
			r.Header["X-Forwarded-Proto"] = proto
		} else {
			delete(r.Header, "X-Forwarded-Proto")
		}
		next.ServeHTTP(w, r)
	}), nil
}
