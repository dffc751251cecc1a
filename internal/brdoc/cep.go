package brdoc

// NormalizeCEP accepts "01310-100" or "01310100" and returns the 8 digits.
// The only separator allowed is a single hyphen in its usual place, after the
// fifth digit; anything else (spaces, dots, a misplaced hyphen) is rejected,
// since a CEP typed differently is more likely a typo than a format choice.
func NormalizeCEP(s string) (string, bool) {
	switch {
	case len(s) == 8 && allDigits(s):
		return s, true
	case len(s) == 9 && s[5] == '-' && allDigits(s[:5]) && allDigits(s[6:]):
		return s[:5] + s[6:], true
	}
	return "", false
}

// FormatCEP turns "01310100" into "01310-100". Anything that is not 8 bytes
// long is returned unchanged.
func FormatCEP(s string) string {
	if len(s) != 8 {
		return s
	}
	return s[:5] + "-" + s[5:]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
