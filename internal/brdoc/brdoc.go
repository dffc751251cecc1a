// Package brdoc validates and formats Brazilian identifiers and contact data:
// CPF, CNPJ (numeric and the alphanumeric format), CEP, mobile numbers, DDD
// area codes, UF abbreviations, IBGE municipality codes and e-mail addresses.
//
// The usual library for this, github.com/paemuri/brdoc/v3, is not reachable
// through our module proxy, so the check-digit algorithms are written out
// here from the official specifications. Everything is standard library only,
// and the validators do not allocate, because they run on every request that
// carries a document.
package brdoc

import "strings"

// OnlyDigits strips everything but 0-9.
func OnlyDigits(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	// Already clean input is the common case; returning it avoids a copy.
	if n == len(s) {
		return s
	}
	b := make([]byte, 0, n)
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// allSame reports whether every byte of b equals the first one. Sequences such
// as 111.111.111-11 pass the check-digit arithmetic but are never issued.
func allSame(b []byte) bool {
	for _, c := range b[1:] {
		if c != b[0] {
			return false
		}
	}
	return true
}

// collect fills d with the characters of s, the separators in seps
// skipped wherever they stand, each passed through char (its position in d
// and the byte; what to keep, or false to refuse s). It refuses s unless
// s fills d exactly and d is not one character repeated.
func collect(s string, d []byte, seps string, char func(n int, c byte) (byte, bool)) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(seps, c) >= 0 {
			continue
		}
		if n == len(d) {
			return false
		}
		c, ok := char(n, c)
		if !ok {
			return false
		}
		d[n] = c
		n++
	}
	return n == len(d) && !allSame(d)
}

// normalized answers a Normalize function from what its parser made of s:
// the canonical characters d when ok, s itself when it already is d (so a
// value stored normalized is not copied), "" and false when not ok.
func normalized(s string, d []byte, ok bool) (string, bool) {
	switch {
	case !ok:
		return "", false
	case s == string(d): // compiler-optimized: no allocation for the comparison
		return s, true
	}
	return string(d), true
}

// mod11Digit is the check-digit rule shared by CPF and CNPJ.
func mod11Digit(sum int) byte {
	r := sum % 11
	if r < 2 {
		return '0'
	}
	return byte('0' + 11 - r)
}
