package storesql

import (
	"strconv"
	"testing"
)

// TestKeptStaysBounded: a stream of distinct keys never grows the map past
// its bound, the newest entry is always found, and changing a kept key's
// value drops nothing else.
func TestKeptStaysBounded(t *testing.T) {
	k := NewKept[int](8)
	for i := range 100 {
		key := strconv.Itoa(i)
		k.Put(key, i)
		if v, ok := k.Get(key); !ok || v != i {
			t.Fatalf("Get(%q) = %d, %v right after Put", key, v, ok)
		}
		if n := len(k.byKey); n > 8 {
			t.Fatalf("after %d keys the map holds %d, more than its 8", i+1, n)
		}
	}
	before := len(k.byKey)
	for key := range k.byKey {
		k.Put(key, -1)
	}
	if len(k.byKey) != before {
		t.Fatalf("changing kept values left %d entries of %d", len(k.byKey), before)
	}
	for key, v := range k.byKey {
		if v != -1 {
			t.Errorf("%q = %d after its change", key, v)
		}
	}
}
