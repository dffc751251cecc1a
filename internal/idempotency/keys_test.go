package idempotency

import (
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		values []string
		want   string
		ok     bool
	}{
		{"bare", []string{"8e03978e-40d5-43e8-bc93-6894a57f9324"}, "8e03978e-40d5-43e8-bc93-6894a57f9324", true},
		{"structured-field string", []string{`"pedido 42"`}, "pedido 42", true},
		{"255 characters", []string{strings.Repeat("k", 255)}, strings.Repeat("k", 255), true},
		{"256 characters", []string{strings.Repeat("k", 256)}, "", false},
		{"empty string", []string{`""`}, "", false},
		{"escape inside", []string{`"a\"b"`}, "", false},
		{"control character", []string{"a\tb"}, "", false},
		{"non-ASCII", []string{"pedido-ção"}, "", false},
		{"two headers", []string{"a", "b"}, "", false},
	} {
		got, err := ParseKey(tt.values)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s: ParseKey(%q) = %q, %v", tt.name, tt.values, got, err)
		}
	}
}

// TestFingerprintBindsEveryPart: a key replays only for the same method,
// target, owner and body.
func TestFingerprintBindsEveryPart(t *testing.T) {
	t.Parallel()
	base := fingerprint("POST", "/leads", "energy:k1", []byte("body"))
	for name, other := range map[string]string{
		"method": fingerprint("PUT", "/leads", "energy:k1", []byte("body")),
		"target": fingerprint("POST", "/leads?x=1", "energy:k1", []byte("body")),
		"owner":  fingerprint("POST", "/leads", "energy:k2", []byte("body")),
		"body":   fingerprint("POST", "/leads", "energy:k1", []byte("bodY")),
		// The separators keep parts from sliding into each other.
		"boundary": fingerprint("POST", "/leadse", "nergy:k1", []byte("body")),
	} {
		if other == base {
			t.Errorf("another %s has the same fingerprint", name)
		}
	}
	if fingerprint("POST", "/leads", "energy:k1", []byte("body")) != base {
		t.Error("the same request has another fingerprint")
	}
}
