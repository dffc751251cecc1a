package storefront

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"partnership-service/internal/apperr"
)

// document is an encoded response body and its strong ETag.
type document struct {
	body []byte
	etag string
}

func newDocument(v any) (document, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return document{}, apperr.Wrap(apperr.Internal, err, "encode catalog")
	}
	sum := sha256.Sum256(b)
	return document{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}, nil
}

// catalogDocuments are the three storefront documents of one loaded
// catalog.
type catalogDocuments struct {
	catalog    *Catalog
	provider   document
	categories document
	plans      document
}

// documentCache keeps each provider's documents encoded for the catalog
// the Service serves now: the Service hands out the same *Catalog until it
// reloads one, and a reloaded catalog is encoded again on first use.
type documentCache struct {
	mu         sync.Mutex
	byProvider map[int64]*catalogDocuments
}

func newDocumentCache() *documentCache {
	return &documentCache{byProvider: map[int64]*catalogDocuments{}}
}

// of returns c's documents, encoding them when c is not the catalog they
// were encoded from.
func (dc *documentCache) of(c *Catalog) (*catalogDocuments, error) {
	dc.mu.Lock()
	d := dc.byProvider[c.Provider.ID]
	dc.mu.Unlock()
	if d != nil && d.catalog == c {
		return d, nil
	}
	d = &catalogDocuments{catalog: c}
	var err error
	if d.provider, err = newDocument(encodeProvider(c)); err != nil {
		return nil, err
	}
	if d.categories, err = newDocument(encodeCategories(c.Categories)); err != nil {
		return nil, err
	}
	if d.plans, err = newDocument(encodePlans(c)); err != nil {
		return nil, err
	}
	dc.mu.Lock()
	dc.byProvider[c.Provider.ID] = d
	dc.mu.Unlock()
	return d, nil
}
