package web

import (
	"strconv"
	"strings"
	"time"
)

// Money formats cents the Brazilian way: R$ 1.234,56.
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + "R$ " + groupThousands(cents/100) + "," + twoDigits(cents%100)
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// brasilia is the zone dates are shown in; Brazil has had no daylight
// saving since 2019, and a fixed zone needs no tz database.
var brasilia = time.FixedZone("BRT", -3*60*60)

// Date formats t as dd/mm/aaaa in Brasília time; the zero time is "".
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(brasilia).Format("02/01/2006")
}

// DateTime formats t as dd/mm/aaaa hh:mm in Brasília time; the zero
// time is "".
func DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(brasilia).Format("02/01/2006 15:04")
}

// DateOnly formats a calendar date (stored as midnight UTC, such as a
// birth date) as dd/mm/aaaa without moving it across zones.
func DateOnly(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("02/01/2006")
}
