package geo

import (
	"unicode"
	"unicode/utf8"
)

// latin1Fold maps the precomposed Latin-1 letters used in Portuguese (and the
// few foreign ones in municipality names, such as Ü and Ñ) to their plain
// lower-case ASCII letter, indexed by rune-0xC0. Zero means "no mapping". An
// explicit table instead of golang.org/x/text/unicode/norm keeps the package
// standard-library only; the names in the data use nothing outside it.
var latin1Fold = func() (t [0x40]byte) {
	for base, letters := range map[byte]string{
		'a': "ÁÀÂÃÄáàâãä",
		'e': "ÉÈÊËéèêë",
		'i': "ÍÌÎÏíìîï",
		'o': "ÓÒÔÕÖóòôõö",
		'u': "ÚÙÛÜúùûü",
		'c': "Çç",
		'n': "Ññ",
	} {
		for _, r := range letters {
			t[r-0xC0] = base
		}
	}
	return t
}()

// Fold is the normalization used for municipality names: lower case, accents
// removed (precomposed letters through a table, decomposed combining marks
// dropped, so NFC and NFD input fold alike), apostrophes, hyphens and dots
// turned into spaces, runs of spaces collapsed and the result trimmed.
//
//	Fold("  São   João d'Aliança ") == "sao joao d alianca"
func Fold(s string) string {
	return string(foldAppend(make([]byte, 0, len(s)), s))
}

// foldAppend appends Fold(s) to dst. Lookups fold into a stack buffer with it
// so that matching a name does not allocate.
func foldAppend(dst []byte, s string) []byte {
	start := len(dst)
	pendingSpace := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			c := byte(r)
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'' || c == '`' || c == '-' || c == '.' || c == ' ' || ('\t' <= c && c <= '\r'):
				pendingSpace = true
				continue
			}
			dst = appendPendingSpace(dst, start, pendingSpace)
			pendingSpace = false
			dst = append(dst, c)
		case 0x0300 <= r && r <= 0x036F:
			// Combining diacritical mark from decomposed (NFD) input.
		case 0xC0 <= r && r <= 0xFF && latin1Fold[r-0xC0] != 0:
			dst = appendPendingSpace(dst, start, pendingSpace)
			pendingSpace = false
			dst = append(dst, latin1Fold[r-0xC0])
		case isSeparator(r):
			pendingSpace = true
		default:
			dst = appendPendingSpace(dst, start, pendingSpace)
			pendingSpace = false
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
	}
	return dst
}

// appendPendingSpace emits the single space that stands for a run of
// separators, but never at the start: that is what trims the result.
func appendPendingSpace(dst []byte, start int, pending bool) []byte {
	if pending && len(dst) > start {
		return append(dst, ' ')
	}
	return dst
}

// isSeparator covers the non-ASCII look-alikes of apostrophes and hyphens that
// word processors and phone keyboards substitute, plus Unicode spaces such as
// NBSP, so "D’Oeste" and "D'Oeste" fold alike.
func isSeparator(r rune) bool {
	switch r {
	case '\u00B4', // acute accent used as an apostrophe
		'\u2018', '\u2019', '\u02BC', // quotation marks and modifier apostrophe
		'\u2010', '\u2011', '\u2012', '\u2013', '\u2014': // hyphens and dashes
		return true
	}
	return unicode.IsSpace(r)
}
