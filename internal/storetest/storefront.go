package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testkit"
	"partnership-service/internal/webhook"
)

// storefrontWorld is two providers with a little catalog each.
type storefrontWorld struct {
	s                storefront.Store
	a, b             int64
	catA, catB       int64 // a category each
	pmA, pmB         int64 // a payment method each
	planA, planA2    int64 // provider A's plans
	planB            int64
	couponA, couponB int64 // "Promo" each, A's limited to 2
	now              time.Time
	seq              int // numbers subscription ids
}

func newStorefrontWorld(t *testing.T, s storefront.Store) *storefrontWorld {
	t.Helper()
	ctx := context.Background()
	w := &storefrontWorld{s: s, now: time.Date(2026, 6, 15, 12, 0, 0, 123456000, time.UTC)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pa, err := s.CreateProvider(ctx, storefront.Provider{Name: "Fibra A", Slug: "fibra-a"}, "https://a.example", w.now)
	must(err)
	pb, err := s.CreateProvider(ctx, storefront.Provider{Name: "Fibra B"}, "https://b.example", w.now)
	must(err)
	w.a, w.b = pa.ID, pb.ID
	item := func(kind storefront.ItemKind, provider int64, name string) int64 {
		it, err := s.SaveItem(ctx, kind, provider, storefront.Item{Name: name})
		must(err)
		return it.ID
	}
	w.catA, w.catB = item(storefront.Categories, w.a, "Pessoal"), item(storefront.Categories, w.b, "Pessoal")
	w.pmA, w.pmB = item(storefront.PaymentMethods, w.a, "Pix"), item(storefront.PaymentMethods, w.b, "Pix")
	plan := func(provider int64, name string, cat, pm int64) int64 {
		p, err := s.SavePlan(ctx, provider, storefront.Plan{Name: name, MonthlyPriceCents: 9990,
			CategoryIDs: []int64{cat}, PaymentMethodIDs: []int64{pm}})
		must(err)
		return p.ID
	}
	w.planA, w.planA2, w.planB = plan(w.a, "A1", w.catA, w.pmA), plan(w.a, "A2", w.catA, w.pmA), plan(w.b, "B1", w.catB, w.pmB)
	two := 2
	ca, err := s.SaveCoupon(ctx, w.a, storefront.Coupon{Name: "Promo", MaxRedemptions: &two, PlanIDs: []int64{w.planA}})
	must(err)
	cb, err := s.SaveCoupon(ctx, w.b, storefront.Coupon{Name: "Promo"})
	must(err)
	w.couponA, w.couponB = ca.ID, cb.ID
	return w
}

func (w *storefrontWorld) subscription(provider, plan int64) storefront.Subscription {
	w.seq++
	return storefront.Subscription{
		ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", w.seq), ProviderID: provider, PlanID: plan,
		Name: "Maria", MobilePhone: "(41) 99891-6002", CEP: "80420120", CreatedAt: w.now, UpdatedAt: w.now,
	}
}

// create stores sub as the Service does: its coupon redeemed in the same
// write, a refused redemption failing the write with CouponUsedUp.
// mustCreate stores sub as create does, failing t on an error.
func (w *storefrontWorld) mustCreate(t *testing.T, sub storefront.Subscription) storefront.Subscription {
	t.Helper()
	if err := w.create(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	return sub
}

func (w *storefrontWorld) create(ctx context.Context, sub storefront.Subscription) error {
	return w.s.CreateSubscription(ctx, sub.ProviderID, func(tx storefront.SubscriptionTx) error {
		if err := redeem(tx, sub.CouponID); err != nil {
			return err
		}
		return tx.Insert(sub)
	})
}

// update saves sub as the Service does: when its coupon differs from the
// stored one, the stored one is released and the new one redeemed.
func (w *storefrontWorld) update(ctx context.Context, sub storefront.Subscription) error {
	return w.s.UpdateSubscription(ctx, sub.ProviderID, sub.ID, func(tx storefront.SubscriptionTx, stored storefront.Subscription) error {
		if stored.CouponID != sub.CouponID {
			if stored.CouponID != 0 {
				if err := tx.ReleaseCoupon(stored.CouponID); err != nil {
					return err
				}
			}
			if err := redeem(tx, sub.CouponID); err != nil {
				return err
			}
		}
		return tx.Save(sub)
	})
}

func redeem(tx storefront.SubscriptionTx, couponID int64) error {
	if couponID == 0 {
		return nil
	}
	taken, err := tx.RedeemCoupon(couponID)
	if err == nil && !taken {
		err = storefront.CouponUsedUp()
	}
	return err
}

var wantCode = testkit.WantCode

// errOf is the error of a call that also returns a value.
func errOf[T any](_ T, err error) error { return err }

// runStorefront checks a storefront store: round trips, provider
// isolation on every record, the references a provider may make, coupon
// names and limits, subscription order and pagination, and file records.
func runStorefront(t *testing.T, open func(t *testing.T) storefront.Store) {
	ctx := context.Background()

	t.Run("providers, origins and tokens", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		_, err := s.CreateProvider(ctx, storefront.Provider{Name: "Copy"}, "https://a.example", w.now)
		wantCode(t, "duplicate origin", err, apperr.Conflict)
		if id, err := s.ProviderIDByOrigin(ctx, "https://b.example"); err != nil || id != w.b {
			t.Fatalf("ProviderIDByOrigin = %d, %v; want %d", id, err, w.b)
		}
		_, err = s.ProviderIDByOrigin(ctx, "https://c.example")
		wantCode(t, "unknown origin", err, apperr.NotFound)
		o, err := s.AddOrigin(ctx, w.a, "http://localhost:8080")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.AddOrigin(ctx, w.b, "http://localhost:8080")
		wantCode(t, "origin of another provider", err, apperr.Conflict)
		wantCode(t, "delete as another provider", s.DeleteOrigin(ctx, w.b, o.ID), apperr.NotFound)
		if err := s.DeleteOrigin(ctx, w.a, o.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.ProviderIDByOrigin(ctx, "http://localhost:8080")
		wantCode(t, "deleted origin", err, apperr.NotFound)

		hash := []byte("0123456789abcdef0123456789abcdef")
		expires := w.now.Add(time.Hour)
		if err := s.CreateToken(ctx, w.b, hash, w.now, expires); err != nil {
			t.Fatal(err)
		}
		if id, err := s.ProviderIDByToken(ctx, hash, w.now); err != nil || id != w.b {
			t.Fatalf("ProviderIDByToken = %d, %v", id, err)
		}
		_, err = s.ProviderIDByToken(ctx, []byte("other"), w.now)
		wantCode(t, "unknown token", err, apperr.NotFound)
		_, err = s.ProviderIDByToken(ctx, hash, expires)
		wantCode(t, "token at its expiry", err, apperr.NotFound)
		wantCode(t, "revoke an expired token", s.RevokeToken(ctx, hash, expires), apperr.NotFound)
		if err := s.RevokeToken(ctx, hash, w.now); err != nil {
			t.Fatalf("RevokeToken: %v", err)
		}
		_, err = s.ProviderIDByToken(ctx, hash, w.now)
		wantCode(t, "revoked token", err, apperr.NotFound)
		wantCode(t, "revoke twice", s.RevokeToken(ctx, hash, w.now), apperr.NotFound)

		// The operator's lists: providers by name, a provider's tokens
		// newest first, with their expiry and revocation.
		later := []byte("fedcba9876543210fedcba9876543210")
		if err := s.CreateToken(ctx, w.b, later, w.now.Add(time.Minute), expires); err != nil {
			t.Fatal(err)
		}
		tokens, err := s.Tokens(ctx, w.b)
		if err != nil || len(tokens) != 2 || string(tokens[0].Hash) != string(later) || !tokens[0].RevokedAt.IsZero() ||
			!tokens[1].RevokedAt.Equal(w.now) || !tokens[1].ExpiresAt.Equal(expires) || !tokens[1].CreatedAt.Equal(w.now) {
			t.Fatalf("Tokens = %+v, %v", tokens, err)
		}
		if other, err := s.Tokens(ctx, w.a); err != nil || len(other) != 0 {
			t.Fatalf("another provider's tokens = %+v, %v", other, err)
		}
		providers, err := s.Providers(ctx)
		if err != nil || len(providers) != 2 || providers[0].Name != "Fibra A" || providers[0].Slug != "fibra-a" ||
			providers[1].ID != w.b || providers[1].Slug != "" {
			t.Fatalf("Providers = %+v, %v", providers, err)
		}
	})

	t.Run("provider slugs", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		if id, err := s.ProviderIDBySlug(ctx, "fibra-a"); err != nil || id != w.a {
			t.Fatalf("ProviderIDBySlug = %d, %v; want %d", id, err, w.a)
		}
		_, err := s.ProviderIDBySlug(ctx, "fibra-b")
		wantCode(t, "provider without that slug", err, apperr.NotFound)
		_, err = s.CreateProvider(ctx, storefront.Provider{Name: "Copy", Slug: "fibra-a"}, "https://c.example", w.now)
		wantCode(t, "duplicate slug on create", err, apperr.Conflict)
		// Many providers may have no slug: a second one without stores fine.
		if _, err := s.CreateProvider(ctx, storefront.Provider{Name: "No slug"}, "https://d.example", w.now); err != nil {
			t.Fatal(err)
		}
		c, err := s.Catalog(ctx, w.b)
		if err != nil {
			t.Fatal(err)
		}
		p := c.Provider
		p.Slug = "fibra-a"
		wantCode(t, "duplicate slug on update", s.UpdateProvider(ctx, p, w.now), apperr.Conflict)
		p.Slug = "fibra-b"
		if err := s.UpdateProvider(ctx, p, w.now); err != nil {
			t.Fatal(err)
		}
		if c, err := s.Catalog(ctx, w.b); err != nil || c.Provider.Slug != "fibra-b" {
			t.Fatalf("Catalog slug = %q, %v; want fibra-b", c.Provider.Slug, err)
		}
		p.Slug = ""
		if err := s.UpdateProvider(ctx, p, w.now); err != nil {
			t.Fatal(err)
		}
		_, err = s.ProviderIDBySlug(ctx, "fibra-b")
		wantCode(t, "removed slug", err, apperr.NotFound)
	})

	t.Run("catalog round trip and order", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		p := storefront.Provider{ID: w.a, Name: "Fibra A+", DueDays: []int{5, 10}, Branding: storefront.Branding{
			PlansBackgroundColor: "#1", IntroFontColor: "#2", FooterColor: "#3", FooterFontColor: "#4", NavbarColor: "#5",
			Wallpaper: "w.png", Logo: "l.svg"}}
		if err := s.UpdateProvider(ctx, p, w.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "update unknown provider", s.UpdateProvider(ctx, storefront.Provider{ID: 987654, Name: "x"}, w.now), apperr.NotFound)
		one, two := 1, 2
		svc, err := s.SaveItem(ctx, storefront.Services, w.a, storefront.Item{Name: "Wi-Fi", SortOrder: &two})
		if err != nil {
			t.Fatal(err)
		}
		first, err := s.SaveItem(ctx, storefront.Categories, w.a, storefront.Item{Name: "Primeira", SortOrder: &one})
		if err != nil {
			t.Fatal(err)
		}
		full := storefront.Plan{Name: "Completo", SortOrder: &one, MonthlyPriceCents: 12345, InstallationFeeUpfront: "100",
			InstallationFeeInstallments: "2x R$ 60,00", UploadSpeed: 100, DownloadSpeed: 300, PriceNote: "promo",
			DetailLine1: "1", DetailLine2: "2", DetailLine3: "3", PrimaryColor: "#a", SecondaryColor: "#b", Title: "T",
			HTML: "<b>x</b>", CategoryIDs: []int64{w.catA, first.ID}, PaymentMethodIDs: []int64{w.pmA}, ServiceIDs: []int64{svc.ID}}
		full, err = s.SavePlan(ctx, w.a, full)
		if err != nil {
			t.Fatal(err)
		}
		g, err := storefront.ParseGeometry([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`))
		if err != nil {
			t.Fatal(err)
		}
		area, err := s.SaveCoverageArea(ctx, w.a, storefront.CoverageArea{Name: "tri", PlanID: full.ID, Geometry: g})
		if err != nil {
			t.Fatal(err)
		}
		ceps, err := s.SaveCoverageArea(ctx, w.a, storefront.CoverageArea{Name: "ceps", CEPStart: 1310000, CEPEnd: 1310999})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Catalog(ctx, w.a)
		if err != nil {
			t.Fatal(err)
		}
		if c.Provider.Name != "Fibra A+" || c.Provider.Branding != p.Branding || !reflect.DeepEqual(c.Provider.DueDays, []int{5, 10}) ||
			!c.Provider.UpdatedAt.Equal(w.now.Add(time.Hour)) || !c.Provider.CreatedAt.Equal(w.now) {
			t.Errorf("provider = %+v", c.Provider)
		}
		if len(c.Origins) != 1 || c.Origins[0].URL != "https://a.example" {
			t.Errorf("origins = %+v", c.Origins)
		}
		// ordenacao first, nulls last, then id.
		if len(c.Categories) != 2 || c.Categories[0].ID != first.ID || c.Categories[1].ID != w.catA {
			t.Errorf("categories = %+v", c.Categories)
		}
		if len(c.Plans) != 3 || c.Plans[0].ID != full.ID || c.Plans[1].ID != w.planA || c.Plans[2].ID != w.planA2 {
			t.Fatalf("plans = %+v", c.Plans)
		}
		got := c.Plans[0]
		want := full
		want.CategoryIDs = sortedIDs(w.catA, first.ID)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("plan round trip:\n got %+v\nwant %+v", got, want)
		}
		if len(c.Coverage) != 2 || c.Coverage[0].ID != area.ID || c.Coverage[0].PlanID != full.ID || c.Coverage[0].Geometry == nil ||
			!c.Coverage[0].Geometry.Contains(storefront.Point{Lat: 0.2, Lng: 0.5}) || c.Coverage[1].ID != ceps.ID ||
			c.Coverage[1].CEPStart != 1310000 || c.Coverage[1].CEPEnd != 1310999 || c.Coverage[1].PlanID != 0 {
			t.Errorf("coverage = %+v", c.Coverage)
		}
		// Provider B's catalog holds none of it.
		cb, err := s.Catalog(ctx, w.b)
		if err != nil {
			t.Fatal(err)
		}
		if len(cb.Plans) != 1 || len(cb.Categories) != 1 || len(cb.Services) != 0 || len(cb.Coverage) != 0 || len(cb.Provider.DueDays) != 0 {
			t.Errorf("provider B's catalog = %+v", cb)
		}
		_, err = s.Catalog(ctx, 987654)
		wantCode(t, "unknown provider's catalog", err, apperr.NotFound)
	})

	t.Run("records are scoped to their provider", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		// Linking another provider's records is refused by the database.
		_, err := s.SavePlan(ctx, w.a, storefront.Plan{Name: "x", CategoryIDs: []int64{w.catB}})
		wantCode(t, "plan in another provider's category", err, apperr.Invalid)
		_, err = s.SavePlan(ctx, w.a, storefront.Plan{Name: "x", PaymentMethodIDs: []int64{w.pmB}})
		wantCode(t, "plan with another provider's payment method", err, apperr.Invalid)
		_, err = s.SaveCoupon(ctx, w.a, storefront.Coupon{Name: "x", PlanIDs: []int64{w.planB}})
		wantCode(t, "coupon for another provider's plan", err, apperr.Invalid)
		_, err = s.SaveCoverageArea(ctx, w.a, storefront.CoverageArea{PlanID: w.planB, CEPStart: 1, CEPEnd: 2})
		wantCode(t, "area for another provider's plan", err, apperr.Invalid)
		// Changing or deleting another provider's records finds nothing.
		wantCode(t, "update item", errOf(s.SaveItem(ctx, storefront.Categories, w.b, storefront.Item{ID: w.catA, Name: "x"})), apperr.NotFound)
		wantCode(t, "delete item", s.DeleteItem(ctx, storefront.PaymentMethods, w.b, w.pmA), apperr.NotFound)
		wantCode(t, "update plan", errOf(s.SavePlan(ctx, w.b, storefront.Plan{ID: w.planA, Name: "x"})), apperr.NotFound)
		wantCode(t, "delete plan", s.DeletePlan(ctx, w.b, w.planA), apperr.NotFound)
		wantCode(t, "update coupon", errOf(s.SaveCoupon(ctx, w.b, storefront.Coupon{ID: w.couponA, Name: "x"})), apperr.NotFound)
		wantCode(t, "delete coupon", s.DeleteCoupon(ctx, w.b, w.couponA), apperr.NotFound)
		_, err = s.Coupon(ctx, w.b, w.couponA)
		wantCode(t, "read coupon", err, apperr.NotFound)
		area, err := s.SaveCoverageArea(ctx, w.a, storefront.CoverageArea{CEPStart: 1, CEPEnd: 2})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, "update area", errOf(s.SaveCoverageArea(ctx, w.b, storefront.CoverageArea{ID: area.ID, CEPStart: 1, CEPEnd: 3})), apperr.NotFound)
		wantCode(t, "delete area", s.DeleteCoverageArea(ctx, w.b, area.ID), apperr.NotFound)
		// A's records are intact.
		c, err := s.Catalog(ctx, w.a)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Plans) != 2 || c.Plans[0].Name != "A1" || len(c.Categories) != 1 || c.Categories[0].Name != "Pessoal" || len(c.Coverage) != 1 {
			t.Fatalf("provider A's catalog changed: %+v", c)
		}
		// Deleting a category takes it off the plans; updating a plan replaces its links.
		if _, err := s.SavePlan(ctx, w.a, storefront.Plan{ID: w.planA, Name: "A1", PaymentMethodIDs: []int64{w.pmA}}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteItem(ctx, storefront.Categories, w.a, w.catA); err != nil {
			t.Fatal(err)
		}
		c, _ = s.Catalog(ctx, w.a)
		if len(c.Plans[0].CategoryIDs) != 0 || len(c.Plans[1].CategoryIDs) != 0 || !reflect.DeepEqual(c.Plans[0].PaymentMethodIDs, []int64{w.pmA}) {
			t.Fatalf("links after changes: %+v", c.Plans)
		}
	})

	t.Run("coupons", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		_, err := s.SaveCoupon(ctx, w.a, storefront.Coupon{Name: "PROMO"})
		wantCode(t, "same name in other case", err, apperr.Conflict)
		c, err := s.CouponByName(ctx, w.a, " promo ")
		if err != nil || c.ID != w.couponA || !reflect.DeepEqual(c.PlanIDs, []int64{w.planA}) || c.MaxRedemptions == nil || *c.MaxRedemptions != 2 {
			t.Fatalf("CouponByName = %+v, %v", c, err)
		}
		if c, err := s.CouponByName(ctx, w.b, "PROMO"); err != nil || c.ID != w.couponB || c.MaxRedemptions != nil || c.PlanIDs != nil {
			t.Fatalf("provider B's coupon = %+v, %v", c, err)
		}
		_, err = s.CouponByName(ctx, w.a, "nada")
		wantCode(t, "unknown name", err, apperr.NotFound)
		full := storefront.Coupon{ID: w.couponA, Name: "Promo2", Description: "d", PlanIDs: []int64{w.planA, w.planA2},
			ValidFrom: w.now, ValidUntil: w.now.Add(24 * time.Hour)}
		if _, err := s.SaveCoupon(ctx, w.a, full); err != nil {
			t.Fatal(err)
		}
		got, err := s.Coupon(ctx, w.a, w.couponA)
		if err != nil {
			t.Fatal(err)
		}
		full.PlanIDs = sortedIDs(w.planA, w.planA2)
		if !reflect.DeepEqual(got, full) {
			t.Fatalf("coupon round trip:\n got %+v\nwant %+v", got, full)
		}
		other, err := s.SaveCoupon(ctx, w.a, storefront.Coupon{Name: "Outro"})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, "rename onto another", errOf(s.SaveCoupon(ctx, w.a, storefront.Coupon{ID: other.ID, Name: "promo2"})), apperr.Conflict)
		all, err := s.Coupons(ctx, w.a)
		if err != nil || len(all) != 2 || all[0].ID != w.couponA || all[1].ID != other.ID || len(all[0].PlanIDs) != 2 {
			t.Fatalf("Coupons = %+v, %v", all, err)
		}
	})

	t.Run("subscriptions and coupon redemptions", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		yes := true
		full := w.subscription(w.a, w.planA)
		full.CouponID, full.PaymentMethodID, full.ColdLead, full.Coverage = w.couponA, w.pmA, true, true
		full.Email, full.Document, full.IDDocument, full.DueDay = "m@x.com", "45826486813", "123", 10
		full.BirthDate = time.Date(1990, 2, 28, 0, 0, 0, 0, time.UTC)
		full.UpfrontInstallation, full.InstallationFee = &yes, "50"
		full.Street, full.Number, full.Complement, full.District, full.City = "Rua", "1", "ap 2", "Batel", "Curitiba"
		full.CurrentProvider, full.Location = "Vivo", &storefront.Point{Lat: -25.44, Lng: -49.29}
		if err := w.create(ctx, full); err != nil {
			t.Fatal(err)
		}
		got, err := s.Subscription(ctx, w.a, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, full) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, full)
		}
		_, err = s.Subscription(ctx, w.b, full.ID)
		wantCode(t, "another provider's subscription", err, apperr.NotFound)
		wantCode(t, "update as another provider", w.update(ctx, storefront.Subscription{ID: full.ID, ProviderID: w.b, UpdatedAt: w.now}), apperr.NotFound)
		_, err = s.PutSubscriptionFiles(ctx, w.b, full.ID, []storefront.SubscriptionFile{{Kind: storefront.Selfie}}, filesEvent(t, w.b))
		wantCode(t, "files as another provider", err, apperr.NotFound)

		// The limit is 2: the second redemption fits, the third does not,
		// and a refused redemption stores nothing.
		second := w.subscription(w.a, w.planA)
		second.CouponID = w.couponA
		if err := w.create(ctx, second); err != nil {
			t.Fatal(err)
		}
		third := w.subscription(w.a, w.planA)
		third.CouponID = w.couponA
		wantCode(t, "past the limit", w.create(ctx, third), apperr.Unprocessable)
		_, err = s.Subscription(ctx, w.a, third.ID)
		wantCode(t, "refused subscription", err, apperr.NotFound)
		redemptions := func(id int64, provider int64) int {
			c, err := s.Coupon(ctx, provider, id)
			if err != nil {
				t.Fatal(err)
			}
			return c.Redemptions
		}
		if n := redemptions(w.couponA, w.a); n != 2 {
			t.Fatalf("redemptions = %d, want 2", n)
		}
		// Dropping the coupon releases it; re-saving without change does not count.
		second.CouponID = 0
		if err := w.update(ctx, second); err != nil {
			t.Fatal(err)
		}
		if err := w.update(ctx, full); err != nil {
			t.Fatal(err)
		}
		if n := redemptions(w.couponA, w.a); n != 1 {
			t.Fatalf("redemptions after release = %d, want 1", n)
		}
		// A coupon, payment method or plan a subscription refers to cannot be deleted.
		wantCode(t, "delete coupon in use", s.DeleteCoupon(ctx, w.a, w.couponA), apperr.Invalid)
		wantCode(t, "delete plan in use", s.DeletePlan(ctx, w.a, w.planA), apperr.Invalid)
		wantCode(t, "delete payment method in use", s.DeleteItem(ctx, storefront.PaymentMethods, w.a, w.pmA), apperr.Invalid)
		// Nor may a subscription name another provider's coupon or plan.
		stray := w.subscription(w.a, w.planB)
		wantCode(t, "another provider's plan", w.create(ctx, stray), apperr.Invalid)
		stray = w.subscription(w.a, w.planA)
		stray.CouponID = w.couponB
		if err := w.create(ctx, stray); !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Unprocessable) {
			t.Fatalf("another provider's coupon: err = %v", err)
		}
		if n := redemptions(w.couponB, w.b); n != 0 {
			t.Fatalf("provider B's coupon redeemed by A: %d", n)
		}
	})

	t.Run("subscription write primitives", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		// A write that fails after inserting stores nothing, and its
		// error comes back as it is.
		sub := w.subscription(w.a, w.planA)
		refused := storefront.CouponUsedUp()
		err := s.CreateSubscription(ctx, w.a, func(tx storefront.SubscriptionTx) error {
			if err := tx.Insert(sub); err != nil {
				return err
			}
			if taken, err := tx.RedeemCoupon(w.couponA); err != nil || !taken {
				t.Errorf("first redemption: taken %v, %v", taken, err)
			}
			return refused
		})
		if apperr.As(err) != apperr.As(refused) {
			t.Fatalf("failed write: err = %v, want the write's own error", err)
		}
		_, err = s.Subscription(ctx, w.a, sub.ID)
		wantCode(t, "subscription of a failed write", err, apperr.NotFound)
		if c, _ := s.Coupon(ctx, w.a, w.couponA); c.Redemptions != 0 {
			t.Fatalf("redemptions after a failed write = %d, want 0", c.Redemptions)
		}
		// Redemptions report whether they took: A's coupon takes two.
		var took []bool
		err = s.CreateSubscription(ctx, w.a, func(tx storefront.SubscriptionTx) error {
			for range 3 {
				taken, err := tx.RedeemCoupon(w.couponA)
				if err != nil {
					return err
				}
				took = append(took, taken)
			}
			// Another provider's coupon is not this write's to redeem.
			if taken, err := tx.RedeemCoupon(w.couponB); err != nil || taken {
				t.Errorf("redeeming another provider's coupon: taken %v, %v", taken, err)
			}
			return tx.Insert(sub)
		})
		if err != nil || !reflect.DeepEqual(took, []bool{true, true, false}) {
			t.Fatalf("redemptions took %v, %v", took, err)
		}
		// The update sees what is stored, and a release gives one use back.
		err = s.UpdateSubscription(ctx, w.a, sub.ID, func(tx storefront.SubscriptionTx, stored storefront.Subscription) error {
			if stored.ID != sub.ID || stored.Name != "Maria" || !stored.CreatedAt.Equal(w.now) {
				t.Errorf("stored = %+v", stored)
			}
			if err := tx.ReleaseCoupon(w.couponA); err != nil {
				return err
			}
			stored.Name = "Maria Silva"
			return tx.Save(stored)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Subscription(ctx, w.a, sub.ID); err != nil || got.Name != "Maria Silva" {
			t.Fatalf("saved = %+v, %v", got, err)
		}
		if c, _ := s.Coupon(ctx, w.a, w.couponA); c.Redemptions != 1 {
			t.Fatalf("redemptions after a release = %d, want 1", c.Redemptions)
		}
		called := false
		err = s.UpdateSubscription(ctx, w.b, sub.ID, func(storefront.SubscriptionTx, storefront.Subscription) error {
			called = true
			return nil
		})
		wantCode(t, "update of another provider's subscription", err, apperr.NotFound)
		if called {
			t.Fatal("the write ran for another provider's subscription")
		}
	})

	t.Run("subscription list, order and export", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		var ids []string
		for i := range 5 {
			sub := w.subscription(w.a, w.planA)
			sub.CreatedAt = w.now.Add(time.Duration(i) * time.Second)
			w.mustCreate(t, sub)
			ids = append(ids, sub.ID)
		}
		if err := w.create(ctx, w.subscription(w.b, w.planB)); err != nil {
			t.Fatal(err)
		}
		page, total, err := s.Subscriptions(ctx, w.a, storefront.Page{Limit: 2, Offset: 2})
		if err != nil || total != 5 || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] {
			t.Fatalf("page = %v, total %d, %v", subscriptionIDs(page), total, err)
		}
		var seen []string
		if err := s.EachSubscription(ctx, w.a, func(sub storefront.Subscription) error {
			seen = append(seen, sub.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(seen, ids) {
			t.Fatalf("EachSubscription = %v, want %v", seen, ids)
		}
	})

	t.Run("subscriptions by status", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		put := func(sub storefront.Subscription, kinds ...storefront.FileKind) {
			t.Helper()
			if err := w.create(ctx, sub); err != nil {
				t.Fatal(err)
			}
			var files []storefront.SubscriptionFile
			for _, k := range kinds {
				files = append(files, storefront.SubscriptionFile{Kind: k, FileName: "f", UploadedAt: w.now,
					Object: blob.Object{Key: sub.ID + string(k), Size: 1, SHA256: "ab", ContentType: "image/png"}})
			}
			if len(files) > 0 {
				if _, err := s.PutSubscriptionFiles(ctx, sub.ProviderID, sub.ID, files, filesEvent(t, sub.ProviderID)); err != nil {
					t.Fatal(err)
				}
			}
		}
		cold := w.subscription(w.a, w.planA)
		cold.ColdLead = true
		put(cold, storefront.Selfie)
		put(w.subscription(w.a, w.planA))
		put(w.subscription(w.a, w.planA), storefront.Selfie, storefront.IdentityDocument)
		put(w.subscription(w.a, w.planA), storefront.FileKinds...)
		put(w.subscription(w.b, w.planB), storefront.FileKinds...)
		for status, want := range map[storefront.SubscriptionStatus]int{
			storefront.StatusColdLead: 1, storefront.StatusAwaitingDocuments: 2, storefront.StatusComplete: 1, "paga": 0,
		} {
			list, total, err := s.Subscriptions(ctx, w.a, storefront.Page{Limit: 10, Status: status})
			if err != nil || total != want || len(list) != want {
				t.Errorf("status %s: %d of %d, %v; want %d", status, len(list), total, err, want)
			}
			// The filter and Subscription.Status agree.
			for _, sub := range list {
				full, err := s.Subscription(ctx, w.a, sub.ID)
				if err != nil || full.Status() != status {
					t.Errorf("status %s lists %s, whose status is %s (%v)", status, sub.ID, full.Status(), err)
				}
			}
		}
	})

	t.Run("subscription files", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		sub := w.mustCreate(t, w.subscription(w.a, w.planA))
		file := func(kind storefront.FileKind, key string) storefront.SubscriptionFile {
			return storefront.SubscriptionFile{Kind: kind, FileName: string(kind) + ".png", UploadedAt: w.now,
				Object: blob.Object{Key: key, Size: 10, SHA256: "ab", ContentType: "image/png"}}
		}
		replaced, err := s.PutSubscriptionFiles(ctx, w.a, sub.ID, []storefront.SubscriptionFile{
			file(storefront.Selfie, "k1"), file(storefront.IdentityDocument, "k2")}, filesEvent(t, w.a))
		if err != nil || len(replaced) != 0 {
			t.Fatalf("first put: %v, %v", replaced, err)
		}
		replaced, err = s.PutSubscriptionFiles(ctx, w.a, sub.ID, []storefront.SubscriptionFile{file(storefront.Selfie, "k3")}, filesEvent(t, w.a))
		if err != nil || len(replaced) != 1 || replaced[0].Object.Key != "k1" {
			t.Fatalf("replacing put: %v, %v", replaced, err)
		}
		got, err := s.Subscription(ctx, w.a, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []storefront.SubscriptionFile{file(storefront.IdentityDocument, "k2"), file(storefront.Selfie, "k3")}
		if !reflect.DeepEqual(got.Files, want) {
			t.Fatalf("files:\n got %+v\nwant %+v", got.Files, want)
		}
		_, err = s.PutSubscriptionFiles(ctx, w.a, "00000000-0000-4000-8000-999999999999", []storefront.SubscriptionFile{file(storefront.Selfie, "k4")}, filesEvent(t, w.a))
		wantCode(t, "unknown subscription", err, apperr.NotFound)
	})

	t.Run("erasure primitives", func(t *testing.T) {
		t.Parallel()
		w := newStorefrontWorld(t, open(t))
		s := w.s
		sub := w.mustCreate(t, w.subscription(w.a, w.planA))
		if _, err := s.PutSubscriptionFiles(ctx, w.a, sub.ID, []storefront.SubscriptionFile{{Kind: storefront.Selfie, FileName: "s.png",
			UploadedAt: w.now, Object: blob.Object{Key: "er1", Size: 1, SHA256: "ab", ContentType: "image/png"}}}, filesEvent(t, w.a)); err != nil {
			t.Fatal(err)
		}
		e := storefront.Erasure{At: w.now, By: "token abc", Fields: []string{"email", "files"}}
		var dropped []storefront.SubscriptionFile
		err := s.UpdateSubscription(ctx, w.a, sub.ID, func(tx storefront.SubscriptionTx, _ storefront.Subscription) error {
			var err error
			if dropped, err = tx.DeleteFiles(sub.ID); err != nil {
				return err
			}
			return tx.RecordErasure(sub.ID, e)
		})
		if err != nil || len(dropped) != 1 || dropped[0].Object.Key != "er1" {
			t.Fatalf("DeleteFiles = %+v, %v; want the selfie", dropped, err)
		}
		if got, err := s.Subscription(ctx, w.a, sub.ID); err != nil || len(got.Files) != 0 {
			t.Fatalf("files after DeleteFiles: %+v, %v", got.Files, err)
		}
		if got, err := s.Erasures(ctx, w.a, sub.ID); err != nil || !reflect.DeepEqual(got, []storefront.Erasure{e}) {
			t.Fatalf("Erasures = %+v, %v; want %+v", got, err, e)
		}
		if got, err := s.Erasures(ctx, w.b, sub.ID); err != nil || len(got) != 0 {
			t.Fatalf("another provider's Erasures = %+v, %v; want none", got, err)
		}
	})
}

func sortedIDs(a, b int64) []int64 {
	if a > b {
		a, b = b, a
	}
	return []int64{a, b}
}

func subscriptionIDs(subs []storefront.Subscription) []string {
	ids := make([]string, len(subs))
	for i, s := range subs {
		ids[i] = s.ID
	}
	return ids
}

// filesEvent is an event for a files upload of provider's.
func filesEvent(tb testing.TB, provider int64) webhook.Event {
	tb.Helper()
	ev, err := webhook.NewEvent(webhook.Owner{Surface: webhook.Storefront, ID: strconv.FormatInt(provider, 10)},
		webhook.SubscriptionFilesUploaded, map[string]string{"id": "test"}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}
