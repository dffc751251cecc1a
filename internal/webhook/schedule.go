package webhook

import (
	"fmt"
	"strings"
	"time"
)

// Schedule is the wait before each retry of a failed delivery: the first
// attempt is immediate, retry n waits Schedule[n-1] after attempt n; when
// the last retry fails the delivery fails for good.
type Schedule []time.Duration

// DefaultSchedule is Standard Webhooks' (and Svix's): eight attempts over
// about 27 hours.
const DefaultSchedule = "5s,5m,30m,2h,5h,10h,10h"

// Retention is how long an event and its deliveries stay in the log once
// none of them is pending: every event is kept, with or without endpoints,
// so the outbox would otherwise grow with every change.
const Retention = 30 * 24 * time.Hour

// DisableAfter is how long an endpoint may fail every attempt before it is
// disabled.
const DisableAfter = 5 * 24 * time.Hour

// ParseSchedule reads comma-separated Go durations ("5s,5m,30m"), each
// positive.
func ParseSchedule(s string) (Schedule, error) {
	var out Schedule
	for _, part := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("webhook retry schedule: %q is not a positive duration such as 5s or 2h", part)
		}
		out = append(out, d)
	}
	return out, nil
}

// next is when a delivery that failed its attempts-th attempt at now is
// tried again; ok is false when the schedule is spent.
func (s Schedule) next(attempts int, now time.Time) (at time.Time, ok bool) {
	if attempts < 1 || attempts > len(s) {
		return time.Time{}, false
	}
	return now.Add(s[attempts-1]), true
}

func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}
