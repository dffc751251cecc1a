package brdoc

import (
	"net/mail"
	"strings"
	"unicode"
)

// maxEmailLen is the longest address that fits in an SMTP forward-path
// (RFC 5321 errata 1690).
const maxEmailLen = 254

// IsEmail is a pragmatic address check, not a full RFC 5322 validator: the
// value must parse with net/mail as a bare address (no display name, no
// comments, no quoting that would be rewritten), contain exactly one '@', no
// whitespace, have a domain name (not an address literal) with a dot, and be at most 254 bytes long. It does
// not check that the domain exists.
func IsEmail(s string) bool {
	if len(s) == 0 || len(s) > maxEmailLen || strings.Count(s, "@") != 1 {
		return false
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return false
	}
	// Domain literals ("user@[10.0.0.1]") parse, but no partner contact uses
	// one and they slip past the dot test, so they are refused.
	domain := s[strings.IndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, "[")
}
