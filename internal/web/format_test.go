package web

import (
	"testing"
	"time"
)

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		cents int64
		want  string
	}{
		{0, "R$ 0,00"},
		{5, "R$ 0,05"},
		{9990, "R$ 99,90"},
		{123456, "R$ 1.234,56"},
		{100000000, "R$ 1.000.000,00"},
		{-150, "-R$ 1,50"},
	} {
		if got := Money(tc.cents); got != tc.want {
			t.Errorf("Money(%d) = %q, want %q", tc.cents, got, tc.want)
		}
	}
}

func TestDates(t *testing.T) {
	// 01:30 UTC on 2 March is still 1 March in Brasília.
	if got := Date(time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)); got != "01/03/2026" {
		t.Errorf("Date = %q", got)
	}
	if got := DateOnly(time.Date(1990, 7, 9, 0, 0, 0, 0, time.UTC)); got != "09/07/1990" {
		t.Errorf("DateOnly = %q", got)
	}
	if got := DateTime(time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)); got != "01/03/2026 22:30" {
		t.Errorf("DateTime = %q", got)
	}
	if DateTime(time.Time{}) != "" || Date(time.Time{}) != "" || DateOnly(time.Time{}) != "" {
		t.Error("zero time not blank")
	}
}
