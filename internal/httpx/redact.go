package httpx

import (
	"context"
	"path"
	"strings"
)

// Redactor hides credentials that travel in request paths (a signing
// link's token, say) from everything the service logs. A path segment that
// follows one of its prefixes is a secret: the log keeps its first few
// characters, enough to tell two links apart, and never the rest.
//
// Query strings are never logged at all (they may carry personal data as
// well as tokens), so only paths need redacting.
type Redactor struct {
	prefixes []string
}

// NewRedactor returns a redactor for paths starting with any of prefixes,
// each ending in "/": "/sales-conversion/sign/".
func NewRedactor(prefixes ...string) *Redactor {
	rd := &Redactor{}
	for _, p := range prefixes {
		if p == "" {
			continue
		}
		if !strings.HasSuffix(p, "/") {
			p += "/"
		}
		rd.prefixes = append(rd.prefixes, p)
	}
	return rd
}

// secretKeep is how much of a secret segment a log line keeps.
const secretKeep = 4

// Path returns p with the secret segment after a registered prefix cut to
// a short prefix and "…". A path without secrets is returned as is,
// without allocating. Paths that only reach a prefix once cleaned
// ("//sales-conversion/./sign/…", which ServeMux answers with a redirect)
// are logged cleaned and redacted.
func (rd *Redactor) Path(p string) string {
	if rd == nil || len(rd.prefixes) == 0 {
		return p
	}
	if out, ok := rd.redact(p); ok {
		return out
	}
	if needsClean(p) {
		if out, ok := rd.redact(path.Clean(p)); ok {
			return out
		}
	}
	return p
}

func (rd *Redactor) redact(p string) (string, bool) {
	for _, prefix := range rd.prefixes {
		if len(p) <= len(prefix) || !strings.HasPrefix(p, prefix) {
			continue
		}
		rest := p[len(prefix):]
		seg, tail, _ := strings.Cut(rest, "/")
		if seg == "" {
			continue
		}
		keep := 0
		if len(seg) >= 4*secretKeep {
			keep = secretKeep
		}
		var b strings.Builder
		b.Grow(len(prefix) + keep + len("…") + 1 + len(tail))
		b.WriteString(prefix)
		b.WriteString(seg[:keep])
		b.WriteString("…")
		if len(rest) > len(seg) {
			b.WriteByte('/')
			// Further segments are redacted too: a path under the secret
			// one says nothing the route pattern does not.
			if tail != "" {
				b.WriteString("…")
			}
		}
		return b.String(), true
	}
	return "", false
}

// needsClean reports whether p has empty, "." or ".." segments.
func needsClean(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") || (p != "" && p[0] != '/')
}

// LogPath is r's path as logs may show it, redacted by the Logging
// middleware's Redactor; ctx must be the request's.
func LogPath(ctx context.Context, fallback string) string {
	if info, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		return info.path
	}
	return fallback
}
