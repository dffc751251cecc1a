package httpx

import "testing"

func TestRedactorPath(t *testing.T) {
	rd := NewRedactor("/sales-conversion/sign/", "/x/tok")
	tests := []struct{ name, in, want string }{
		{"no secret", "/sales-conversion/leads/1", "/sales-conversion/leads/1"},
		{"prefix alone", "/sales-conversion/sign/", "/sales-conversion/sign/"},
		{"token", "/sales-conversion/sign/abcdefghijklmnopqrstuvwxyz", "/sales-conversion/sign/abcd…"},
		{"short token keeps nothing", "/sales-conversion/sign/abc", "/sales-conversion/sign/…"},
		{"below the token", "/sales-conversion/sign/abcdefghijklmnopqrstuvwxyz/pdf", "/sales-conversion/sign/abcd…/…"},
		{"trailing slash", "/sales-conversion/sign/abcdefghijklmnopqrstuvwxyz/", "/sales-conversion/sign/abcd…/"},
		{"uncleaned", "/sales-conversion//sign/abcdefghijklmnopqrstuvwxyz", "/sales-conversion/sign/abcd…"},
		{"dot-dot", "/a/../sales-conversion/sign/abcdefghijklmnopqrstuvwxyz", "/sales-conversion/sign/abcd…"},
		{"prefix without slash registered", "/x/tok/abcdefghijklmnopqrstuvwxyz", "/x/tok/abcd…"},
		{"sibling of prefix", "/x/tokens/1", "/x/tokens/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rd.Path(tt.in); got != tt.want {
				t.Fatalf("Path(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { _ = rd.Path("/sales-conversion/leads/123") }); n != 0 {
		t.Fatalf("a path without secrets costs %v allocations", n)
	}
}
