package storefront

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// maxAdminBody leaves room for coverage polygons with many vertices.
const maxAdminBody = 4 << 20

// admin authenticates the provider's token (Authorization: Bearer …).
func (h *Handler) admin(next func(http.ResponseWriter, *http.Request, int64)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="storefront-admin"`)
			Render(w, r, errBadToken())
			return
		}
		providerID, err := h.svc.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="storefront-admin"`)
			Render(w, r, err)
			return
		}
		// Every token of a provider acts for it: its keys and its count are
		// the provider's.
		admin := "storefront-admin:" + strconv.FormatInt(providerID, 10)
		httpx.Serve(h.Guard, w, r, httpx.Credential{RateKey: admin, KeyOwner: admin}, Render, providerID, next)
	}
}

// collection is one admin resource kept as a list: list, create, read,
// replace and delete take the same shape for every kind, so one set of
// handlers serves them all.
type collection[T any] struct {
	list   func(ctx context.Context, providerID int64) ([]T, error)
	decode func(w http.ResponseWriter, r *http.Request) (T, error)
	// save creates when the value's id is 0, else replaces.
	save   func(ctx context.Context, providerID int64, v T) (T, error)
	remove func(ctx context.Context, providerID, id int64) error
	id     func(*T) *int64
	encode func(T) any
}

// find returns the record named by the {id} path value.
func (c collection[T]) find(r *http.Request, providerID int64) (T, error) {
	var zero T
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return zero, apperr.Field(apperr.NotFound, "id", msgNotFound)
	}
	items, err := c.list(r.Context(), providerID)
	if err != nil {
		return zero, err
	}
	for _, it := range items {
		if *c.id(&it) == id {
			return it, nil
		}
	}
	return zero, apperr.Field(apperr.NotFound, "id", msgNotFound)
}

// index: GET the collection.
func (c collection[T]) index(w http.ResponseWriter, r *http.Request, providerID int64) {
	items, err := c.list(r.Context(), providerID)
	if err != nil {
		Render(w, r, err)
		return
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		out = append(out, c.encode(it))
	}
	httpx.WriteJSON(w, http.StatusOK, one[[]any]{Data: out})
}

// show: GET one record.
func (c collection[T]) show(w http.ResponseWriter, r *http.Request, providerID int64) {
	it, err := c.find(r, providerID)
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, one[any]{Data: c.encode(it)})
}

// create: POST a new record.
func (c collection[T]) create(w http.ResponseWriter, r *http.Request, providerID int64) {
	c.write(http.StatusCreated, w, r, providerID, 0)
}

// replace: PUT a record in place of one that exists.
func (c collection[T]) replace(w http.ResponseWriter, r *http.Request, providerID int64) {
	it, err := c.find(r, providerID)
	if err != nil {
		Render(w, r, err)
		return
	}
	c.write(http.StatusOK, w, r, providerID, *c.id(&it))
}

func (c collection[T]) write(status int, w http.ResponseWriter, r *http.Request, providerID, id int64) {
	v, err := c.decode(w, r)
	if err == nil {
		*c.id(&v) = id
		v, err = c.save(r.Context(), providerID, v)
	}
	if err != nil {
		Render(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, one[any]{Data: c.encode(v)})
}

// delete: DELETE a record.
func (c collection[T]) delete(w http.ResponseWriter, r *http.Request, providerID int64) {
	it, err := c.find(r, providerID)
	if err == nil {
		err = c.remove(r.Context(), providerID, *c.id(&it))
	}
	if err != nil {
		Render(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// catalogList lists records of the provider's cached catalog.
func catalogList[T any](s *Service, pick func(*Catalog) []T) func(context.Context, int64) ([]T, error) {
	return func(ctx context.Context, providerID int64) ([]T, error) {
		c, err := s.Catalog(ctx, providerID)
		if err != nil {
			return nil, err
		}
		return pick(c), nil
	}
}

func (h *Handler) origins() collection[Origin] {
	s := h.svc
	return collection[Origin]{
		list:   catalogList(s, func(c *Catalog) []Origin { return c.Origins }),
		decode: decodeOrigin,
		save: func(ctx context.Context, providerID int64, o Origin) (Origin, error) {
			return s.AddOrigin(ctx, providerID, o.URL)
		},
		remove: s.DeleteOrigin,
		id:     func(o *Origin) *int64 { return &o.ID },
		encode: encodeOrigin,
	}
}

// items is the collection of one item kind; typ is its resource type.
func (h *Handler) items(kind ItemKind, typ string, pick func(*Catalog) []Item) collection[Item] {
	s := h.svc
	return collection[Item]{
		list:   catalogList(s, pick),
		decode: decodeItem,
		save: func(ctx context.Context, providerID int64, it Item) (Item, error) {
			return s.SaveItem(ctx, kind, providerID, it)
		},
		remove: func(ctx context.Context, providerID, id int64) error {
			return s.DeleteItem(ctx, kind, providerID, id)
		},
		id:     func(it *Item) *int64 { return &it.ID },
		encode: func(it Item) any { return encodeItem(typ, it) },
	}
}

func (h *Handler) plans() collection[Plan] {
	return collection[Plan]{
		list:   catalogList(h.svc, func(c *Catalog) []Plan { return c.Plans }),
		decode: decodePlan, save: h.svc.SavePlan, remove: h.svc.DeletePlan, encode: encodeAdminPlan,
		id: func(p *Plan) *int64 { return &p.ID },
	}
}

func (h *Handler) coupons() collection[Coupon] {
	return collection[Coupon]{
		list:   h.svc.Coupons,
		decode: decodeCoupon, save: h.svc.SaveCoupon, remove: h.svc.DeleteCoupon, encode: encodeCoupon,
		id: func(c *Coupon) *int64 { return &c.ID },
	}
}

func (h *Handler) coverageAreas() collection[CoverageArea] {
	return collection[CoverageArea]{
		list:   catalogList(h.svc, func(c *Catalog) []CoverageArea { return c.Coverage }),
		decode: decodeCoverageArea, save: h.svc.SaveCoverageArea, remove: h.svc.DeleteCoverageArea, encode: encodeCoverageArea,
		id: func(a *CoverageArea) *int64 { return &a.ID },
	}
}
