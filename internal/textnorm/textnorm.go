// Package textnorm is the one text normaliser every surface applies to free
// text before its own checks (issue 10 #11): it refuses what can hide or
// reorder text (control characters, bidi overrides and isolates, zero-width
// characters, the BOM, line and paragraph separators, invalid UTF-8) and
// returns the rest in NFC.
package textnorm

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Message is the Portuguese wording surfaces put after the field name.
const Message = "contém caracteres não permitidos"

// Line checks a single-line field: s trimmed of spaces, in NFC, and whether
// it is allowed. No control character at all is allowed.
func Line(s string) (string, bool) { return clean(s, false) }

// Lines checks a multi-line field: as Line, but "\n" is allowed ("\r\n"
// becomes "\n").
func Lines(s string) (string, bool) {
	return clean(strings.ReplaceAll(s, "\r\n", "\n"), true)
}

// FileName checks an uploaded file's name (not trimmed): refused when it
// holds anything Line refuses.
func FileName(s string) (string, bool) {
	if !Allowed(s, false) {
		return "", false
	}
	return norm.NFC.String(s), true
}

func clean(s string, multiline bool) (string, bool) {
	s = strings.TrimSpace(s)
	if !Allowed(s, multiline) {
		return s, false
	}
	return norm.NFC.String(s), true
}

// Allowed says whether s is valid UTF-8 free of refused characters.
func Allowed(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if refused(r) && !(multiline && r == '\n') {
			return false
		}
	}
	return true
}

func refused(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c: // bidi marks
		return true
	case r >= 0x200b && r <= 0x200d, r == 0x2060, r == 0xfeff: // zero-width, word joiner, BOM
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}
