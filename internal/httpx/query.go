package httpx

import (
	"net/url"
	"strings"
)

// Query reads parameters straight from a raw query string, as
// url.Values.Get does (the first value of a name, "" when absent), without
// building the map: the catalog reads are answered from cache, and parsing
// the whole query into a map was most of what they allocated.
type Query string

// Get returns the first value of name, or "".
func (q Query) Get(name string) string {
	rest := string(q)
	for rest != "" {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		// As url.ParseQuery: an empty pair, one with a semicolon, or one
		// whose key or value does not unescape, is skipped.
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(key); err != nil || k != name {
			continue
		}
		if v, err := url.QueryUnescape(value); err == nil {
			return v
		}
	}
	return ""
}
