package storesql

import (
	"testing"
	"time"
)

// TestTotalKeysTellQueriesApart: two counts share a kept total only when
// their version, WHERE text and every bound value are the same.
func TestTotalKeysTellQueriesApart(t *testing.T) {
	at := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	keys := map[string]string{}
	for name, k := range map[string]string{
		"two strings":         totalKey(1, " WHERE x", []any{"a b", "c"}),
		"split elsewhere":     totalKey(1, " WHERE x", []any{"a", "b c"}),
		"a list of one":       totalKey(1, " WHERE x", []any{[]string{"ab"}}),
		"a list of two":       totalKey(1, " WHERE x", []any{[]string{"a", "b"}}),
		"a number":            totalKey(1, " WHERE x", []any{int64(12)}),
		"a number's text":     totalKey(1, " WHERE x", []any{"12"}),
		"a later version":     totalKey(2, " WHERE x", []any{int64(12)}),
		"version 21":          totalKey(21, " WHERE x", nil),
		"version 2, then SQL": totalKey(2, "1 WHERE x", nil),
		"another WHERE":       totalKey(1, " WHERE y", []any{int64(12)}),
		"a time":              totalKey(1, " WHERE x", []any{Time{T: at}}),
		"a second later":      totalKey(1, " WHERE x", []any{Time{T: at.Add(time.Second)}}),
		"the ids as a list":   totalKey(1, " WHERE x", []any{[]int64{1, 2}}),
		"the ids one by one":  totalKey(1, " WHERE x", []any{int64(1), int64(2)}),
	} {
		if other, ok := keys[k]; ok {
			t.Errorf("%s and %s share the key %q", name, other, k)
		}
		keys[k] = name
	}
}
