package brdoc

// cnpjLen is the number of characters in a CNPJ, check digits included.
const cnpjLen = 14

// Weights for the first and second check digits (IN RFB 2.229/2024, which
// keeps the numeric algorithm and only widens the alphabet).
var (
	cnpjWeights1 = [12]int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	cnpjWeights2 = [13]int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
)

// IsCNPJ reports whether s is a valid CNPJ, numeric or alphanumeric (the
// format issued from July 2026 on, IN RFB 2.229/2024).
//
// After removing '.', '/', '-' and spaces, s must have 14 characters: 12
// characters in [0-9A-Z] (lower case is accepted) followed by two numeric
// check digits. Each character is worth its ASCII code minus 48, so digits
// keep their value and 'A'..'Z' are 17..42; the check digits are mod 11 with
// the usual CNPJ weights. All-same values such as "00000000000000" are
// rejected. Example: "12.ABC.345/01DE-35" is valid.
func IsCNPJ(s string) bool {
	_, ok := parseCNPJ(s)
	return ok
}

// NormalizeCNPJ returns the 14 upper-case characters of s, ok=false if s is
// not a valid CNPJ.
func NormalizeCNPJ(s string) (string, bool) {
	d, ok := parseCNPJ(s)
	return normalized(s, d[:], ok)
}

func parseCNPJ(s string) ([cnpjLen]byte, bool) {
	var d [cnpjLen]byte
	ok := collect(s, d[:], "./- ", cnpjChar)
	return d, ok && d[12] == cnpjDigit(d[:12], cnpjWeights1[:]) &&
		d[13] == cnpjDigit(d[:13], cnpjWeights2[:])
}

// cnpjChar is the character at position n of a CNPJ, upper-cased: a digit,
// or in the base (the first 12) a letter A-Z.
func cnpjChar(n int, c byte) (byte, bool) {
	if 'a' <= c && c <= 'z' {
		c -= 'a' - 'A'
	}
	// Letters are only allowed in the base; the check digits are numeric.
	return c, isDigit(c) || n < 12 && 'A' <= c && c <= 'Z'
}

func cnpjDigit(d []byte, weights []int) byte {
	sum := 0
	for i, c := range d {
		sum += int(c-'0') * weights[i]
	}
	return mod11Digit(sum)
}

// FormatCNPJ turns "12ABC34501DE35" into "12.ABC.345/01DE-35". The input must
// already be normalized; anything that is not 14 bytes long is returned
// unchanged.
func FormatCNPJ(s string) string {
	if len(s) != cnpjLen {
		return s
	}
	return s[0:2] + "." + s[2:5] + "." + s[5:8] + "/" + s[8:12] + "-" + s[12:14]
}
