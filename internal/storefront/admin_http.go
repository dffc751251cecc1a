package storefront

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"partnership-service/internal/apperr"
	"partnership-service/internal/httpx"
)

// adminPrefix is where a provider manages its storefront with its token.
const adminPrefix = "/api/v2/admin"

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
		next(w, r, providerID)
	}
}

// collection is one admin resource kept as a list: list, create, read,
// replace and delete all take the same shape, so one set of handlers
// serves every kind.
type collection[T any] struct {
	path   string
	list   func(ctx context.Context, providerID int64) ([]T, error)
	decode func(w http.ResponseWriter, r *http.Request) (T, error)
	// save creates when the value's id is 0, else replaces.
	save   func(ctx context.Context, providerID int64, v T) (T, error)
	delete func(ctx context.Context, providerID, id int64) error
	id     func(*T) *int64
	encode func(T) any
	// replaceable is false for records that can only be added and removed.
	replaceable bool
}

func mountCollection[T any](mux *http.ServeMux, h *Handler, c collection[T]) {
	find := func(r *http.Request, providerID int64) (T, int64, error) {
		var zero T
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			return zero, 0, apperr.Field(apperr.NotFound, "id", msgNotFound)
		}
		items, err := c.list(r.Context(), providerID)
		if err != nil {
			return zero, 0, err
		}
		for _, it := range items {
			if *c.id(&it) == id {
				return it, id, nil
			}
		}
		return zero, 0, apperr.Field(apperr.NotFound, "id", msgNotFound)
	}
	mux.HandleFunc("GET "+c.path, h.admin(func(w http.ResponseWriter, r *http.Request, providerID int64) {
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
	}))
	mux.HandleFunc("GET "+c.path+"/{id}", h.admin(func(w http.ResponseWriter, r *http.Request, providerID int64) {
		it, _, err := find(r, providerID)
		if err != nil {
			Render(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, one[any]{Data: c.encode(it)})
	}))
	write := func(status int, w http.ResponseWriter, r *http.Request, providerID, id int64) {
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
	mux.HandleFunc("POST "+c.path, h.admin(func(w http.ResponseWriter, r *http.Request, providerID int64) {
		write(http.StatusCreated, w, r, providerID, 0)
	}))
	if c.replaceable {
		mux.HandleFunc("PUT "+c.path+"/{id}", h.admin(func(w http.ResponseWriter, r *http.Request, providerID int64) {
			_, id, err := find(r, providerID)
			if err != nil {
				Render(w, r, err)
				return
			}
			write(http.StatusOK, w, r, providerID, id)
		}))
	}
	mux.HandleFunc("DELETE "+c.path+"/{id}", h.admin(func(w http.ResponseWriter, r *http.Request, providerID int64) {
		_, id, err := find(r, providerID)
		if err == nil {
			err = c.delete(r.Context(), providerID, id)
		}
		if err != nil {
			Render(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
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

func (h *Handler) adminRoutes(mux *http.ServeMux) {
	s := h.svc
	mux.HandleFunc("GET "+adminPrefix+"/provider", h.admin(h.getProvider))
	mux.HandleFunc("PUT "+adminPrefix+"/provider", h.admin(h.putProvider))

	mountCollection(mux, h, collection[Origin]{
		path:   adminPrefix + "/origins",
		list:   catalogList(s, func(c *Catalog) []Origin { return c.Origins }),
		decode: decodeOrigin,
		save: func(ctx context.Context, providerID int64, o Origin) (Origin, error) {
			return s.AddOrigin(ctx, providerID, o.URL)
		},
		delete: s.DeleteOrigin,
		id:     func(o *Origin) *int64 { return &o.ID },
		encode: encodeOrigin,
	})
	for _, k := range []struct {
		kind ItemKind
		name string
		pick func(*Catalog) []Item
	}{
		{Categories, "categories", func(c *Catalog) []Item { return c.Categories }},
		{PaymentMethods, "payment_methods", func(c *Catalog) []Item { return c.PaymentMethods }},
		{Services, "services", func(c *Catalog) []Item { return c.Services }},
	} {
		mountCollection(mux, h, collection[Item]{
			path:   adminPrefix + "/" + k.name,
			list:   catalogList(s, k.pick),
			decode: decodeItem,
			save: func(ctx context.Context, providerID int64, it Item) (Item, error) {
				return s.SaveItem(ctx, k.kind, providerID, it)
			},
			delete: func(ctx context.Context, providerID, id int64) error {
				return s.DeleteItem(ctx, k.kind, providerID, id)
			},
			id:          func(it *Item) *int64 { return &it.ID },
			encode:      func(it Item) any { return encodeItem(k.name, it) },
			replaceable: true,
		})
	}
	mountCollection(mux, h, collection[Plan]{
		path:        adminPrefix + "/plans",
		list:        catalogList(s, func(c *Catalog) []Plan { return c.Plans }),
		decode:      decodePlan,
		save:        s.SavePlan,
		delete:      s.DeletePlan,
		id:          func(p *Plan) *int64 { return &p.ID },
		encode:      encodeAdminPlan,
		replaceable: true,
	})
	mountCollection(mux, h, collection[Coupon]{
		path:        adminPrefix + "/coupons",
		list:        s.Coupons,
		decode:      decodeCoupon,
		save:        s.SaveCoupon,
		delete:      s.DeleteCoupon,
		id:          func(c *Coupon) *int64 { return &c.ID },
		encode:      encodeCoupon,
		replaceable: true,
	})
	mountCollection(mux, h, collection[CoverageArea]{
		path:        adminPrefix + "/coverage_areas",
		list:        catalogList(s, func(c *Catalog) []CoverageArea { return c.Coverage }),
		decode:      decodeCoverageArea,
		save:        s.SaveCoverageArea,
		delete:      s.DeleteCoverageArea,
		id:          func(a *CoverageArea) *int64 { return &a.ID },
		encode:      encodeCoverageArea,
		replaceable: true,
	})

	mux.HandleFunc("GET "+adminPrefix+"/subscriptions", h.admin(h.listSubscriptions))
	mux.HandleFunc("GET "+adminPrefix+"/subscriptions/export", h.admin(h.exportSubscriptions))
	mux.HandleFunc("GET "+adminPrefix+"/subscriptions/{uuid}", h.admin(h.getSubscription))
	mux.HandleFunc("GET "+adminPrefix+"/subscriptions/{uuid}/files/{kind}", h.admin(h.downloadFile))
}
