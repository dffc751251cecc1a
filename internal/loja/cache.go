package loja

import (
	"sync"

	"partnership-service/internal/storefront"
)

// perCatalog keeps what is made from each provider's catalog (its theme,
// its home page) for as long as that catalog is current: the storefront
// Service hands out the same *Catalog until it reloads the provider, so a
// new pointer is a changed catalog.
type perCatalog[T any] struct {
	mu         sync.Mutex
	byProvider map[int64]made[T]
}

type made[T any] struct {
	catalog *storefront.Catalog
	value   T
}

// of returns the value made from c, making it with build when c is not
// the catalog it was made from.
func (pc *perCatalog[T]) of(c *storefront.Catalog, build func() (T, error)) (T, error) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if m, ok := pc.byProvider[c.Provider.ID]; ok && m.catalog == c {
		return m.value, nil
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	if pc.byProvider == nil {
		pc.byProvider = map[int64]made[T]{}
	}
	pc.byProvider[c.Provider.ID] = made[T]{catalog: c, value: v}
	return v, nil
}
