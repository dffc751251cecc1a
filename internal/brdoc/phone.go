package brdoc

// validDDD holds the area codes in use, from ANATEL's numbering plan. A table
// instead of a rule because the gaps (20, 23, 25, 26, 29, 30, ...) have no
// pattern.
var validDDD = func() (t [100]bool) {
	ranges := [][2]int{
		{11, 19}, {21, 22}, {24, 24}, {27, 28}, {31, 35}, {37, 38},
		{41, 49}, {51, 51}, {53, 55}, {61, 69}, {71, 71}, {73, 75},
		{77, 77}, {79, 79}, {81, 89}, {91, 99},
	}
	for _, r := range ranges {
		for d := r[0]; d <= r[1]; d++ {
			t[d] = true
		}
	}
	return t
}()

// IsValidDDD reports whether ddd is a 2-digit area code that exists in
// ANATEL's list: 11-19, 21, 22, 24, 27, 28, 31-35, 37, 38, 41-49, 51, 53-55,
// 61-69, 71, 73-75, 77, 79, 81-89, 91-99.
func IsValidDDD(ddd string) bool {
	if len(ddd) != 2 || !isDigit(ddd[0]) || !isDigit(ddd[1]) {
		return false
	}
	return validDDD[int(ddd[0]-'0')*10+int(ddd[1]-'0')]
}

// NormalizeMobile returns the 11 digits (DDD + 9 + 8 digits) of a Brazilian
// mobile number, ok=false if s is not one. Everything but digits is stripped
// first, so "+55 (11) 91234-5678" is accepted; a leading "55" country code is
// dropped only when 13 digits remain, because 55 is also a valid DDD (RS).
func NormalizeMobile(s string) (string, bool) {
	d := OnlyDigits(s)
	if len(d) == 13 && d[:2] == "55" {
		d = d[2:]
	}
	if len(d) != 11 || !IsValidDDD(d[:2]) || d[2] != '9' {
		return "", false
	}
	return d, true
}

// FormatMobile writes the 11 digits of a mobile number as people read
// them, (11) 91234-5678; anything else is returned as it is.
func FormatMobile(s string) string {
	if len(s) != 11 || !allDigits(s) {
		return s
	}
	return "(" + s[:2] + ") " + s[2:7] + "-" + s[7:]
}
