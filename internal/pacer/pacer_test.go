package pacer_test

import (
	"testing"
	"time"

	"partnership-service/internal/pacer"
)

func TestDue(t *testing.T) {
	t.Parallel()
	var p pacer.Pacer
	t0 := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		at   time.Duration
		want bool
	}{
		{0, true},                          // the first time
		{0, false},                         // the same instant
		{time.Minute - time.Second, false}, // within the interval
		{time.Minute, true},                // a whole interval later
		{time.Minute + time.Second, false},
		{3 * time.Minute, true},
	} {
		if got := p.Due(t0.Add(step.at), time.Minute); got != step.want {
			t.Errorf("Due(t0+%v) = %v, want %v", step.at, got, step.want)
		}
	}
}
