package postgres

import "testing"

func TestRebind(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{"UPDATE t SET a = ? WHERE é = ?", "UPDATE t SET a = $1 WHERE é = $2"},
	} {
		for range 2 { // the second answer comes from the cache
			if got := rebind(tt.in); got != tt.want {
				t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}
