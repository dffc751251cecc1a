package storefront_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob/blobtest"
	"partnership-service/internal/storage"
	"partnership-service/internal/storefront"
	"partnership-service/internal/testdb"
	"partnership-service/internal/testkit"
)

// The storefront's rules, checked on the Service without HTTP: coupon
// redemption and swap, limits under concurrency, provider isolation and
// coverage.

// serviceWorld is a Service with two providers, A and B, each with a
// category, a payment method, two plans and a coverage area.
type serviceWorld struct {
	svc            *storefront.Service
	a, b           int64
	planA, planA2  int64
	planB          int64
	pmA, pmB       int64
	couponB        int64 // provider B's "DOB", no limit
	coveredCEP     string
	uncoveredCEP   string
	planA2OnlyCEP  string // served only on planA2
	batelA, outerA storefront.Point
}

// eachWorld runs fn on a fresh serviceWorld of each engine.
func eachWorld(t *testing.T, fn func(t *testing.T, w *serviceWorld)) {
	testdb.Each(t, func(t *testing.T, stores storage.Stores) { fn(t, newServiceWorld(t, stores)) })
}

func newServiceWorld(t *testing.T, stores storage.Stores) *serviceWorld {
	t.Helper()
	ctx := context.Background()
	blobs, _ := blobtest.NewDir(t)
	clock := testkit.NewClock(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC))
	w := &serviceWorld{
		svc:        storefront.NewService(stores.Storefront(), blobs, clock.Now, maxFileBytes),
		coveredCEP: "80420120", uncoveredCEP: "01310100", planA2OnlyCEP: "80730000",
		batelA: storefront.Point{Lat: -25.4400, Lng: -49.2920}, outerA: storefront.Point{Lat: -25.3587797, Lng: -49.2702625},
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	provider := func(name, origin string) (id, pm, plan, plan2 int64) {
		p, err := w.svc.CreateProvider(ctx, name, origin, "")
		must(err)
		cat, err := w.svc.SaveItem(ctx, storefront.Categories, p.ID, storefront.Item{Name: "Pessoal"})
		must(err)
		pix, err := w.svc.SaveItem(ctx, storefront.PaymentMethods, p.ID, storefront.Item{Name: "Pix"})
		must(err)
		newPlan := func(name string) int64 {
			pl, err := w.svc.SavePlan(ctx, p.ID, storefront.Plan{Name: name, MonthlyPriceCents: 9990,
				CategoryIDs: []int64{cat.ID}, PaymentMethodIDs: []int64{pix.ID}})
			must(err)
			return pl.ID
		}
		return p.ID, pix.ID, newPlan(name + " 300"), newPlan(name + " 600")
	}
	w.a, w.pmA, w.planA, w.planA2 = provider("Fibra A", originA)
	w.b, w.pmB, w.planB, _ = provider("Fibra B", originB)
	_, err := w.svc.SaveCoverageArea(ctx, w.a, storefront.CoverageArea{Name: "Batel", CEPStart: 80420000, CEPEnd: 80420999})
	must(err)
	_, err = w.svc.SaveCoverageArea(ctx, w.a, storefront.CoverageArea{Name: "Só 600", PlanID: w.planA2, CEPStart: 80730000, CEPEnd: 80730999})
	must(err)
	g, err := storefront.ParseGeometry([]byte(batelPolygon))
	must(err)
	_, err = w.svc.SaveCoverageArea(ctx, w.a, storefront.CoverageArea{Name: "Batel (mapa)", Geometry: g})
	must(err)
	// Provider B covers everything provider A does, so a leak would show.
	_, err = w.svc.SaveCoverageArea(ctx, w.b, storefront.CoverageArea{Name: "Tudo", CEPStart: 1000000, CEPEnd: 99999999})
	must(err)
	cb, err := w.svc.SaveCoupon(ctx, w.b, storefront.Coupon{Name: "DOB"})
	must(err)
	w.couponB = cb.ID
	return w
}

// coupon creates a coupon of provider A limited to max redemptions (nil:
// no limit).
func (w *serviceWorld) coupon(t *testing.T, name string, max *int) int64 {
	t.Helper()
	c, err := w.svc.SaveCoupon(context.Background(), w.a, storefront.Coupon{Name: name, MaxRedemptions: max})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func (w *serviceWorld) redemptions(t *testing.T, providerID, couponID int64) int {
	t.Helper()
	c, err := w.svc.Coupon(context.Background(), providerID, couponID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Redemptions
}

func set[T any](v T) storefront.Opt[T] { return storefront.Opt[T]{Set: true, Value: v} }

// input is a complete pre-subscription to plan at cep.
func input(plan, coupon int64, cep string) storefront.SubscriptionInput {
	return storefront.SubscriptionInput{
		PreSubscription: true, PlanID: set(plan), CouponID: set(coupon),
		Name: set("Maria Silva"), MobilePhone: set("(41) 99891-6002"), CEP: set(cep),
		Street: set("Rua Bento Viana"), City: set("Curitiba"),
	}
}

// wantField checks err's code and that field carries msg.
func wantField(t *testing.T, what string, err error, code apperr.Code, field, msg string) {
	t.Helper()
	testkit.WantCode(t, what, err, code)
	if got := apperr.As(err).Fields[field]; !slices.Contains(got, msg) {
		t.Fatalf("%s: %s = %v, want %q (err %v)", what, field, got, msg, err)
	}
}

func intp(n int) *int { return &n }

func TestServiceCouponRedemptionAndSwap(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *serviceWorld) {
		ctx := t.Context()
		for i, tc := range []struct {
			name string
			// from is the coupon the subscription is created with, to the
			// one its update names ("": none).
			from, to    string
			limits      map[string]int // coupons' limits, by name; unlisted: no limit
			taken       map[string]int // redemptions used before the test, by name
			wantErr     string         // the coupon_id message of a refused update, or ""
			wantAfter   map[string]int // redemptions after the update
			wantCoupon  string         // the coupon the stored subscription names
			noCouponSet bool           // the update leaves coupon_id out
		}{
			{name: "keeping the coupon counts nothing", from: "X", to: "X", wantAfter: map[string]int{"X": 1}, wantCoupon: "X"},
			{name: "an update without coupon_id keeps it", from: "X", noCouponSet: true, wantAfter: map[string]int{"X": 1}, wantCoupon: "X"},
			{name: "swapping releases the old and redeems the new", from: "X", to: "Y", wantAfter: map[string]int{"X": 0, "Y": 1}, wantCoupon: "Y"},
			{name: "dropping the coupon releases it", from: "X", to: "", wantAfter: map[string]int{"X": 0}, wantCoupon: ""},
			{name: "naming a coupon on update redeems it", from: "", to: "Y", wantAfter: map[string]int{"Y": 1}, wantCoupon: "Y"},
			{name: "a coupon at its limit fails the update and keeps the old one", from: "X", to: "Y",
				limits: map[string]int{"Y": 1}, taken: map[string]int{"Y": 1}, wantErr: "esgotado",
				wantAfter: map[string]int{"X": 1, "Y": 1}, wantCoupon: "X"},
			{name: "the subscription's own coupon may be kept past its limit", from: "X", to: "X",
				limits: map[string]int{"X": 1}, wantAfter: map[string]int{"X": 1}, wantCoupon: "X"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ids := map[string]int64{"": 0}
				for _, name := range []string{"X", "Y"} {
					var max *int
					if n, ok := tc.limits[name]; ok {
						max = intp(n)
					}
					ids[name] = w.coupon(t, fmt.Sprintf("%s%d", name, i), max)
					for range tc.taken[name] {
						if _, err := w.svc.Subscribe(ctx, w.a, input(w.planA, ids[name], w.coveredCEP)); err != nil {
							t.Fatal(err)
						}
					}
				}
				res, err := w.svc.Subscribe(ctx, w.a, input(w.planA, ids[tc.from], w.coveredCEP))
				if err != nil {
					t.Fatal(err)
				}
				if tc.from != "" {
					if n := w.redemptions(t, w.a, ids[tc.from]); n != 1 {
						t.Fatalf("redemptions of %s after subscribing = %d, want 1", tc.from, n)
					}
				}
				in := input(w.planA, ids[tc.to], w.coveredCEP)
				if tc.noCouponSet {
					in.CouponID = storefront.Opt[int64]{}
				}
				_, err = w.svc.UpdateSubscription(ctx, w.a, res.ID, in)
				if tc.wantErr != "" {
					wantField(t, "update", err, apperr.Unprocessable, "coupon_id", tc.wantErr)
				} else if err != nil {
					t.Fatal(err)
				}
				for name, want := range tc.wantAfter {
					if got := w.redemptions(t, w.a, ids[name]); got != want {
						t.Errorf("redemptions of %s = %d, want %d", name, got, want)
					}
				}
				sub, err := w.svc.Subscription(ctx, w.a, res.ID)
				if err != nil {
					t.Fatal(err)
				}
				if sub.CouponID != ids[tc.wantCoupon] {
					t.Errorf("stored coupon = %d, want %d (%q)", sub.CouponID, ids[tc.wantCoupon], tc.wantCoupon)
				}
			})
		}
	})
}

func TestServiceSubscribeCoupons(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *serviceWorld) {
		ctx := t.Context()
		for i, tc := range []struct {
			name            string
			limit           *int
			preSubscription bool
			subscribers     int // sequential subscriptions naming the coupon
			wantStored      int // how many got an id
			wantRedemptions int
			wantLastErr     string // coupon_id message of the last one, or ""
		}{
			{name: "a stored subscription redeems its coupon", preSubscription: true, subscribers: 2, wantStored: 2, wantRedemptions: 2},
			{name: "a coverage check stores and redeems nothing", preSubscription: false, subscribers: 2, wantStored: 0, wantRedemptions: 0},
			{name: "past the limit the subscription is refused", limit: intp(2), preSubscription: true, subscribers: 3,
				wantStored: 2, wantRedemptions: 2, wantLastErr: "esgotado"},
			{name: "a limit of zero takes none", limit: intp(0), preSubscription: true, subscribers: 1,
				wantStored: 0, wantRedemptions: 0, wantLastErr: "esgotado"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				coupon := w.coupon(t, fmt.Sprintf("S%d", i), tc.limit)
				stored := 0
				var err error
				for range tc.subscribers {
					in := input(w.planA, coupon, w.coveredCEP)
					in.PreSubscription = tc.preSubscription
					var res storefront.SubscribeResult
					res, err = w.svc.Subscribe(ctx, w.a, in)
					if err == nil && res.ID != "" {
						stored++
					}
				}
				if tc.wantLastErr != "" {
					wantField(t, "last subscription", err, apperr.Unprocessable, "coupon_id", tc.wantLastErr)
				} else if err != nil {
					t.Fatal(err)
				}
				if stored != tc.wantStored {
					t.Errorf("stored %d subscriptions, want %d", stored, tc.wantStored)
				}
				if n := w.redemptions(t, w.a, coupon); n != tc.wantRedemptions {
					t.Errorf("redemptions = %d, want %d", n, tc.wantRedemptions)
				}
			})
		}
	})
}

// TestServiceCouponLimitUnderConcurrency races more subscribers than the
// limit: the validation passes for all of them, so only the conditional
// UPDATE inside each write keeps the count at the limit.
func TestServiceCouponLimitUnderConcurrency(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *serviceWorld) {
		ctx := t.Context()
		const limit, racers = 3, 12
		coupon := w.coupon(t, "CORRIDA", intp(limit))
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				_, errs[i] = w.svc.Subscribe(ctx, w.a, input(w.planA, coupon, w.coveredCEP))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			default:
				wantField(t, "refused subscriber", err, apperr.Unprocessable, "coupon_id", "esgotado")
			}
		}
		if ok != limit {
			t.Errorf("%d subscriptions stored, want %d", ok, limit)
		}
		if n := w.redemptions(t, w.a, coupon); n != limit {
			t.Errorf("redemptions = %d, want %d", n, limit)
		}
	})
}

func TestServiceProviderIsolation(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *serviceWorld) {
		ctx := t.Context()
		subA, err := w.svc.Subscribe(ctx, w.a, input(w.planA, 0, w.coveredCEP))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			do    func() error
			code  apperr.Code
			field string
			msg   string
		}{
			{"another provider's plan", func() error {
				_, err := w.svc.Subscribe(ctx, w.a, input(w.planB, 0, w.coveredCEP))
				return err
			}, apperr.Unprocessable, "plan_id", "não encontrado"},
			{"another provider's coupon", func() error {
				_, err := w.svc.Subscribe(ctx, w.a, input(w.planA, w.couponB, w.coveredCEP))
				return err
			}, apperr.Unprocessable, "coupon_id", "não encontrado"},
			{"another provider's payment method", func() error {
				in := input(w.planA, 0, w.coveredCEP)
				in.PaymentMethodID = set(w.pmB)
				_, err := w.svc.Subscribe(ctx, w.a, in)
				return err
			}, apperr.Unprocessable, "forma_pagamentos_id", "não encontrado"},
			{"another provider's coupon by name", func() error {
				_, err := w.svc.CheckCoupon(ctx, w.a, "dob", 0)
				return err
			}, apperr.Unprocessable, "coupon", "não encontrado"},
			{"updating another provider's subscription", func() error {
				_, err := w.svc.UpdateSubscription(ctx, w.b, subA.ID, input(w.planB, 0, w.coveredCEP))
				return err
			}, apperr.NotFound, "subscription", "não encontrada"},
			{"reading another provider's subscription", func() error {
				_, err := w.svc.Subscription(ctx, w.b, subA.ID)
				return err
			}, apperr.NotFound, "subscription", "não encontrada"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantField(t, tc.name, tc.do(), tc.code, tc.field, tc.msg)
			})
		}
		if n := w.redemptions(t, w.b, w.couponB); n != 0 {
			t.Errorf("provider B's coupon redeemed %d times by provider A's subscribers", n)
		}
		if c, err := w.svc.CheckCoupon(ctx, w.b, "dob", w.planB); err != nil || c.ID != w.couponB {
			t.Errorf("provider B's own coupon check = %+v, %v", c, err)
		}
	})
}

func TestServiceCoverage(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *serviceWorld) {
		ctx := t.Context()
		for _, tc := range []struct {
			name     string
			provider int64
			plan     int64
			cep      string
			location *storefront.Point
			want     bool
		}{
			{name: "CEP inside a range", provider: w.a, plan: w.planA, cep: w.coveredCEP, want: true},
			{name: "CEP only another provider covers", provider: w.a, plan: w.planA, cep: w.uncoveredCEP, want: false},
			{name: "area of another plan", provider: w.a, plan: w.planA, cep: w.planA2OnlyCEP, want: false},
			{name: "area of the chosen plan", provider: w.a, plan: w.planA2, cep: w.planA2OnlyCEP, want: true},
			{name: "point inside the polygon", provider: w.a, plan: w.planA, cep: w.uncoveredCEP, location: &w.batelA, want: true},
			{name: "point outside the polygon", provider: w.a, plan: w.planA, cep: w.uncoveredCEP, location: &w.outerA, want: false},
			{name: "the other provider's own area", provider: w.b, plan: w.planB, cep: w.uncoveredCEP, want: true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := input(tc.plan, 0, tc.cep)
				in.PreSubscription = false
				if tc.location != nil {
					in.Location = set(tc.location)
				}
				res, err := w.svc.Subscribe(ctx, tc.provider, in)
				if err != nil {
					t.Fatal(err)
				}
				if res.Coverage != tc.want || res.ID != "" {
					t.Errorf("coverage = %v (id %q), want %v and nothing stored", res.Coverage, res.ID, tc.want)
				}
			})
		}
	})
}
