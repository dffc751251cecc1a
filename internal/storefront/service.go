package storefront

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"partnership-service/internal/apperr"
	"partnership-service/internal/blob"
	"partnership-service/internal/changes"
	"partnership-service/internal/upload"
	"partnership-service/internal/webhook"
)

// Service holds the storefront's business rules.
type Service struct {
	store   Store
	blobs   blob.Store
	now     func() time.Time
	tenants *tenants
	files   upload.Policy
	// bus and log are set by ShareChanges; nil bus: one process.
	bus changes.Bus
	log *slog.Logger
}

// NewService returns a service over store, keeping subscription files in
// blobs, each at most maxFileBytes. now is the clock (time.Now when nil).
func NewService(store Store, blobs blob.Store, now func() time.Time, maxFileBytes int64) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, blobs: blobs, now: now, tenants: newTenants(store), files: filePolicy(maxFileBytes)}
}

// CouponUsedUp is the error of a write that tried to redeem a coupon at its
// redemption limit: the whole write fails.
func CouponUsedUp() error {
	return apperr.Field(apperr.Unprocessable, "coupon_id", "esgotado")
}

// couponNotFound is check_coupon_availability's answer for every coupon that
// cannot be used.
func couponNotFound() error {
	return apperr.Field(apperr.Unprocessable, "coupon", "não encontrado")
}

// couponProblem says why a coupon cannot be used on a plan (0: no plan
// chosen yet) at now, or "".
func couponProblem(c *Coupon, planID int64, now time.Time) string {
	if planID != 0 && len(c.PlanIDs) > 0 {
		if !slices.Contains(c.PlanIDs, planID) {
			return msgNotFound
		}
	}
	if (!c.ValidFrom.IsZero() && now.Before(c.ValidFrom)) || (!c.ValidUntil.IsZero() && now.After(c.ValidUntil)) {
		return "expirado"
	}
	if c.MaxRedemptions != nil && c.Redemptions >= *c.MaxRedemptions {
		return "esgotado"
	}
	return ""
}

// CheckCoupon finds a coupon by name, without regard to case, that can be
// used now on the plan (planID 0: on some plan).
func (s *Service) CheckCoupon(ctx context.Context, providerID int64, name string, planID int64) (Coupon, error) {
	t, err := s.tenants.get(ctx, providerID)
	if err != nil {
		return Coupon{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || (planID != 0 && t.plans[planID] == nil) {
		return Coupon{}, couponNotFound()
	}
	c, err := s.store.CouponByName(ctx, t.Provider.ID, name)
	if apperr.Is(err, apperr.NotFound) {
		return Coupon{}, couponNotFound()
	}
	if err != nil {
		return Coupon{}, err
	}
	if couponProblem(&c, planID, s.now()) != "" {
		return Coupon{}, couponNotFound()
	}
	return c, nil
}

// SubscribeResult is the answer to a create or update: the id is "" when
// nothing was stored.
type SubscribeResult struct {
	ID       string
	Coverage bool
}

// Subscribe validates a new subscription to the provider and checks its
// coverage. Only with PreSubscription is it stored (and its coupon
// redeemed).
func (s *Service) Subscribe(ctx context.Context, providerID int64, in SubscriptionInput) (SubscribeResult, error) {
	t, err := s.tenants.get(ctx, providerID)
	if err != nil {
		return SubscribeResult{}, err
	}
	now := s.now()
	sub := Subscription{ProviderID: t.Provider.ID}
	if err := s.prepare(ctx, t, &sub, in, in.PreSubscription, now); err != nil {
		return SubscribeResult{}, err
	}
	if !in.PreSubscription {
		return SubscribeResult{Coverage: sub.Coverage}, nil
	}
	sub.ID = uuid.NewString()
	sub.CreatedAt, sub.UpdatedAt = now, now
	ev, err := subscriptionEvent(webhook.SubscriptionCreated, sub, now)
	if err != nil {
		return SubscribeResult{}, err
	}
	err = s.store.CreateSubscription(ctx, sub.ProviderID, func(tx SubscriptionTx) error {
		return writeSubscription(tx, 0, sub, tx.Insert, ev)
	})
	return subscribed(sub, err)
}

// UpdateSubscription changes the fields present in in, validates the
// result as a whole and re-checks coverage.
func (s *Service) UpdateSubscription(ctx context.Context, providerID int64, id string, in SubscriptionInput) (SubscribeResult, error) {
	t, err := s.tenants.get(ctx, providerID)
	if err != nil {
		return SubscribeResult{}, err
	}
	sub, err := s.subscription(ctx, providerID, id)
	if err != nil {
		return SubscribeResult{}, err
	}
	now := s.now()
	if err := s.prepare(ctx, t, &sub, in, true, now); err != nil {
		return SubscribeResult{}, err
	}
	sub.UpdatedAt = now
	ev, err := subscriptionEvent(webhook.SubscriptionUpdated, sub, now)
	if err != nil {
		return SubscribeResult{}, err
	}
	err = s.store.UpdateSubscription(ctx, sub.ProviderID, sub.ID, func(tx SubscriptionTx, stored Subscription) error {
		// The stored coupon, not the one read before the write, is the one
		// this subscription holds: another update may have changed it since.
		return writeSubscription(tx, stored.CouponID, sub, tx.Save, ev)
	})
	return subscribed(sub, err)
}

// writeSubscription moves sub from coupon fromCoupon to its own, writes it
// with put (tx's Insert or Save) and emits ev, all in tx.
func writeSubscription(tx SubscriptionTx, fromCoupon int64, sub Subscription, put func(Subscription) error, ev webhook.Event) error {
	if err := swapCoupon(tx, fromCoupon, sub.CouponID); err != nil {
		return err
	}
	if err := put(sub); err != nil {
		return err
	}
	return tx.Emit(ev)
}

// subscribed is what Subscribe and UpdateSubscription answer once the
// write of sub ended with err.
func subscribed(sub Subscription, err error) (SubscribeResult, error) {
	if err != nil {
		return SubscribeResult{}, err
	}
	return SubscribeResult{ID: sub.ID, Coverage: sub.Coverage}, nil
}

// swapCoupon moves a subscription from coupon from to coupon to (0: none):
// the old one is released and the new one redeemed; a new coupon at its
// limit fails the write. Keeping a coupon counts nothing.
func swapCoupon(tx SubscriptionTx, from, to int64) error {
	if from == to {
		return nil
	}
	if from != 0 {
		if err := tx.ReleaseCoupon(from); err != nil {
			return err
		}
	}
	if to == 0 {
		return nil
	}
	taken, err := tx.RedeemCoupon(to)
	if err != nil {
		return err
	}
	if !taken {
		return CouponUsedUp()
	}
	return nil
}

// subscription loads a provider's subscription; a malformed id is as
// unknown as a missing one.
func (s *Service) subscription(ctx context.Context, providerID int64, id string) (Subscription, error) {
	if uuid.Validate(id) != nil {
		return Subscription{}, errSubscriptionNotFound()
	}
	sub, err := s.store.Subscription(ctx, providerID, strings.ToLower(id))
	if apperr.Is(err, apperr.NotFound) {
		return Subscription{}, errSubscriptionNotFound()
	}
	return sub, err
}

func errSubscriptionNotFound() error {
	return apperr.Field(apperr.NotFound, "subscription", "não encontrada")
}

// prepare applies in to sub, validates the result (stored: with the fields
// a stored subscription needs) and computes its coverage.
func (s *Service) prepare(ctx context.Context, t *tenant, sub *Subscription, in SubscriptionInput, stored bool, now time.Time) error {
	var errs apperr.Fields
	prevCoupon := sub.CouponID
	applyInput(sub, in, &errs)
	checkRequired(sub, stored, &errs)
	checkAge(sub, now, &errs)
	t.checkReferences(sub, &errs)
	if sub.CouponID != 0 && !errs.Has("coupon_id") && !errs.Has("plan_id") {
		c, err := s.store.Coupon(ctx, t.Provider.ID, sub.CouponID)
		switch {
		case apperr.Is(err, apperr.NotFound):
			errs.Add("coupon_id", "não encontrado")
		case err != nil:
			return err
		default:
			if sub.CouponID == prevCoupon {
				// The subscription redeemed it already, while it was valid:
				// only whether it fits the (maybe new) plan still matters.
				c.MaxRedemptions, c.ValidFrom, c.ValidUntil = nil, time.Time{}, time.Time{}
			}
			if p := couponProblem(&c, sub.PlanID, now); p != "" {
				errs.Add("coupon_id", p)
			}
		}
	}
	if err := errs.Err(apperr.Unprocessable); err != nil {
		return err
	}
	sub.Coverage = t.covers(sub.PlanID, sub.Location, sub.CEP)
	return nil
}

// subscriptionEvent is an event of the subscription's provider carrying sub
// as the admin API's GET answers it (the resource inside its "data").
func subscriptionEvent(typ string, sub Subscription, at time.Time) (webhook.Event, error) {
	// Times as the stores keep them (whole microseconds), so the event
	// says what a GET will.
	sub.CreatedAt, sub.UpdatedAt = sub.CreatedAt.Truncate(time.Microsecond), sub.UpdatedAt.Truncate(time.Microsecond)
	sub.Files = slices.Clone(sub.Files)
	for i := range sub.Files {
		sub.Files[i].UploadedAt = sub.Files[i].UploadedAt.Truncate(time.Microsecond)
	}
	owner := webhook.Owner{Surface: webhook.Storefront, ID: strconv.FormatInt(sub.ProviderID, 10)}
	return webhook.NewEvent(owner, typ, encodeSubscription(sub), at)
}
