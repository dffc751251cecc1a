package storefront

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"partnership-service/internal/apperr"
)

// document is an encoded response body and its strong ETag (with the
// ETag header's value, shared by every answer).
type document struct {
	body      []byte
	etag      string
	etagValue []string
}

func newDocument(v any) (document, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return document{}, apperr.Wrap(apperr.Internal, err, "encode catalog")
	}
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	return document{body: b, etag: etag, etagValue: []string{etag}}, nil
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
// reloads one, and a reloaded catalog is encoded again on first use. Every
// catalog read passes here, so reads take no lock.
type documentCache struct {
	byProvider sync.Map // provider id → *catalogDocuments
}

func newDocumentCache() *documentCache { return &documentCache{} }

// of returns c's documents, encoding them when c is not the catalog they
// were encoded from.
func (dc *documentCache) of(c *Catalog) (*catalogDocuments, error) {
	if v, ok := dc.byProvider.Load(c.Provider.ID); ok {
		if d := v.(*catalogDocuments); d.catalog == c {
			return d, nil
		}
	}
	d := &catalogDocuments{catalog: c}
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
	dc.byProvider.Store(c.Provider.ID, d)
	return d, nil
}
