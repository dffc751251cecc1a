package brdoc

// cpfLen is the number of digits in a CPF, check digits included.
const cpfLen = 11

// IsCPF reports whether s is a valid CPF. It accepts "123.456.789-09" or
// "12345678909": dots, hyphens and spaces are ignored wherever they appear,
// any other character rejects the value. Wrong length, all-same digits and
// wrong check digits are rejected.
func IsCPF(s string) bool {
	_, ok := parseCPF(s)
	return ok
}

// NormalizeCPF returns the 11 digits of s, ok=false if s is not a valid CPF.
func NormalizeCPF(s string) (string, bool) {
	d, ok := parseCPF(s)
	return normalized(s, d[:], ok)
}

// parseCPF collects the digits into a fixed array so validation never
// allocates.
func parseCPF(s string) ([cpfLen]byte, bool) {
	var d [cpfLen]byte
	ok := collect(s, d[:], ".- ", func(_ int, c byte) (byte, bool) { return c, isDigit(c) })
	return d, ok && d[9] == cpfDigit(d[:9]) && d[10] == cpfDigit(d[:10])
}

// cpfDigit computes the next check digit: weights count down from len+1 to 2.
func cpfDigit(d []byte) byte {
	sum := 0
	w := len(d) + 1
	for _, c := range d {
		sum += int(c-'0') * w
		w--
	}
	return mod11Digit(sum)
}

// FormatCPF turns "12345678909" into "123.456.789-09". The input must already
// be normalized; anything that is not 11 bytes long is returned unchanged.
func FormatCPF(s string) string {
	if len(s) != cpfLen {
		return s
	}
	return s[0:3] + "." + s[3:6] + "." + s[6:9] + "-" + s[9:11]
}

// CompleteCPF appends the two check digits to base, nine digits, giving a
// valid CPF (for generated test and load data).
func CompleteCPF(base string) string {
	d := []byte(base)
	d = append(d, cpfDigit(d))
	return string(append(d, cpfDigit(d)))
}
