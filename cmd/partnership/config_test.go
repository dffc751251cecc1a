package main

import (
	"strings"
	"testing"
	"time"

	"partnership-service/internal/energy"
)

// TestPublicURL: issue 10 #10. Links are built from --public-url, which
// must be an http(s) scheme and host alone; without it, the listen address.
func TestPublicURL(t *testing.T) {
	t.Parallel()
	valid := []struct{ in, want string }{
		{"https://parceiros.example.com", "https://parceiros.example.com"},
		{"https://Parceiros.Example.com/", "https://parceiros.example.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://[::1]:8080", "http://[::1]:8080"},
	}
	for _, tt := range valid {
		t.Run(tt.in, func(t *testing.T) {
			cfg := config{PublicURL: tt.in, MaxUploadSize: 1}
			if err := cfg.validate(); err != nil {
				t.Fatal(err)
			}
			if cfg.PublicURL != tt.want || cfg.publicURL("127.0.0.1:1") != tt.want {
				t.Fatalf("PublicURL = %q, want %q", cfg.PublicURL, tt.want)
			}
		})
	}
	for _, in := range []string{
		"parceiros.example.com", "ftp://example.com", "https://", "https://:443", "https://user:pw@example.com",
		"https://example.com/app", "https://example.com?x=1", "https://example.com#top", "https://example.com:99999",
		"javascript:alert(1)", "https://exa mple.com",
	} {
		t.Run(in, func(t *testing.T) {
			cfg := config{PublicURL: in, MaxUploadSize: 1}
			if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "--public-url") {
				t.Fatalf("validate(%q) = %v, want a --public-url error", in, err)
			}
		})
	}
	for listen, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"[::]:8080":      "http://127.0.0.1:8080",
		"0.0.0.0:9000":   "http://127.0.0.1:9000",
		"[::1]:8080":     "http://[::1]:8080",
	} {
		if got := (config{}).publicURL(listen); got != want {
			t.Errorf("default public URL for %s = %q, want %q", listen, got, want)
		}
	}
	env := &environment{getenv: func(k string) string {
		if k == "PARTNERSHIP_PUBLIC_URL" {
			return "https://from-env.example.com"
		}
		return ""
	}, stderr: new(strings.Builder)}
	var cfg config
	if err := newFlagSet(env, "serve", &cfg).Parse(nil); err != nil || cfg.PublicURL != "https://from-env.example.com" {
		t.Fatalf("PARTNERSHIP_PUBLIC_URL: %q, %v", cfg.PublicURL, err)
	}
}

// TestRetentionFlag: --retention takes days or a Go duration, 0 for
// forever, and refuses anything else.
func TestRetentionFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"180d", 180 * 24 * time.Hour, true}, {"2160h", 90 * 24 * time.Hour, true}, {"0", 0, true}, {"0d", 0, true},
		{"-1d", 0, false}, {"-5h", 0, false}, {"abc", 0, false}, {"1.5d", 0, false}, {"", 0, false},
	} {
		var r retentionFlag
		err := r.Set(tt.in)
		if (err == nil) != tt.ok || tt.ok && time.Duration(r) != tt.want {
			t.Errorf("Set(%q) = %v, %v; want %v, ok %v", tt.in, time.Duration(r), err, tt.want, tt.ok)
		}
	}
	if r := retentionFlag(energy.DefaultRetention); r.String() != "180d" {
		t.Errorf("default prints as %q", r.String())
	}
}
