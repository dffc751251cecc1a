package storefront

import (
	"net/url"
	"strings"
)

// NormalizeOrigin turns a URL into the form origins are registered and
// looked up in: lower-case "scheme://host[:port]", the scheme's default
// port dropped, no trailing slash. Only http and https origins without
// path, query, fragment or credentials are accepted.
func NormalizeOrigin(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 255 {
		return "", false
	}
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Path != "" || u.Opaque != "" || u.Host == "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" {
		return "", false
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port, true
	}
	return scheme + "://" + host, true
}
