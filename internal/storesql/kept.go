package storesql

import "sync"

// Kept is a map for what an adapter remembers between requests (counts,
// plan choices), safe for concurrent use and bounded: once it holds its
// most, a new entry takes the place of an arbitrary one, so a stream of
// distinct keys cannot grow it without end.
type Kept[V any] struct {
	mu    sync.Mutex
	most  int
	byKey map[string]V
}

// NewKept returns an empty map that holds at most most entries.
func NewKept[V any](most int) *Kept[V] {
	return &Kept[V]{most: most, byKey: make(map[string]V)}
}

// Get returns the value kept under key.
func (k *Kept[V]) Get(key string) (V, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.byKey[key]
	return v, ok
}

// Put keeps v under key.
func (k *Kept[V]) Put(key string, v V) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.byKey[key]; !ok && len(k.byKey) >= k.most {
		for other := range k.byKey { // any one: the map's order is random
			delete(k.byKey, other)
			break
		}
	}
	k.byKey[key] = v
}
