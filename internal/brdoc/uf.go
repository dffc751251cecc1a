package brdoc

import "strings"

// ufs lists the 26 states and the Distrito Federal.
var ufs = [...]string{
	"AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
	"PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
}

// NormalizeUF trims spaces and returns the upper-case UF, ok=false if s is
// not one of the 27 (case-insensitive).
func NormalizeUF(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return "", false
	}
	for _, uf := range ufs {
		if strings.EqualFold(s, uf) {
			return uf, true // the table's copy, so no allocation for upper-casing
		}
	}
	return "", false
}
