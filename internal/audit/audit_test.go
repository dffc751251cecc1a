package audit

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after Fields
		want          []Change
	}{
		{"a creation", nil, Fields{"Nome": "Sol", "Slug": ""}, []Change{{Field: "Nome", After: "Sol"}}},
		{"unchanged fields left out", Fields{"Nome": "Sol", "Preço": "1,00"}, Fields{"Nome": "Sol", "Preço": "2,00"},
			[]Change{{Field: "Preço", Before: "1,00", After: "2,00"}}},
		{"a field cleared", Fields{"Slug": "sol"}, Fields{"Slug": ""}, []Change{{Field: "Slug", Before: "sol"}}},
		{"a removal", Fields{"Origem": "https://a.example"}, nil, []Change{{Field: "Origem", Before: "https://a.example"}}},
		{"in the labels' order", nil, Fields{"b": "2", "a": "1"}, []Change{{Field: "a", After: "1"}, {Field: "b", After: "2"}}},
		{"nothing changed", Fields{"Nome": "Sol"}, Fields{"Nome": "Sol"}, nil},
	} {
		if got := Diff(tc.before, tc.after); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Diff = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
