package brdoc

// ibgeStates marks the two-digit IBGE state codes: 11-17 (North), 21-29
// (Northeast), 31-33 and 35 (Southeast), 41-43 (South), 50-53 (Center-West).
var ibgeStates = func() (t [100]bool) {
	for _, r := range [][2]int{{11, 17}, {21, 29}, {31, 33}, {35, 35}, {41, 43}, {50, 53}} {
		for c := r[0]; c <= r[1]; c++ {
			t[c] = true
		}
	}
	return t
}()

// ibgeCheckDigitExceptions are real municipality codes whose seventh digit
// does not follow the IBGE check-digit rule. IBGE assigned them that way and
// they will not change, so they are listed explicitly; the test checks that
// every entry is a real code that really fails the rule, and that every code
// in internal/geo/data/municipalities.csv passes IsIBGECode.
var ibgeCheckDigitExceptions = map[string]struct{}{
	"2201919": {}, // Bom Princípio do Piauí/PI
	"2201988": {}, // Brejo do Piauí/PI
	"2202251": {}, // Canavieira/PI
	"2611533": {}, // Quixaba/PE
	"3117836": {}, // Cônego Marinho/MG
	"3152131": {}, // Ponto Chique/MG
	"4305871": {}, // Coronel Barros/RS
	"5203939": {}, // Buriti de Goiás/GO
	"5203962": {}, // Buritinópolis/GO
}

// IsIBGECode reports whether s is a well-formed IBGE municipality code: 7
// digits, the first two a valid IBGE state code and the last the IBGE check
// digit (weights 1,2,1,2,1,2 over the first six digits, the digits of each
// product summed, check = (10 - sum%10) % 10), or one of the few real codes
// that are known exceptions to that rule. It checks the format only; whether
// the municipality exists is internal/geo's job.
func IsIBGECode(s string) bool {
	if len(s) != 7 || !allDigits(s) {
		return false
	}
	if !ibgeStates[int(s[0]-'0')*10+int(s[1]-'0')] {
		return false
	}
	if ibgeCheckDigit(s[:6]) == s[6] {
		return true
	}
	_, ok := ibgeCheckDigitExceptions[s]
	return ok
}

func ibgeCheckDigit(d string) byte {
	sum := 0
	for i := 0; i < len(d); i++ {
		p := int(d[i] - '0')
		if i%2 == 1 {
			p *= 2
		}
		sum += p/10 + p%10
	}
	return byte('0' + (10-sum%10)%10)
}
