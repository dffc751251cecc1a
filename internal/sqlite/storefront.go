package sqlite

import (
	"context"
	"errors"
	"fmt"

	"partnership-service/internal/storefront"
	"partnership-service/internal/storesql"
)

// StorefrontStore keeps the ISP storefront in SQLite: the SQL both engines
// share, promoted from storesql.Storefront, run on prepared statements on
// the hot paths (tenant and token lookups, subscription reads and writes),
// and a coupon read with its plans its own way.
type StorefrontStore struct {
	storesql.Storefront
	reads, writes statements
}

var _ storefront.Store = (*StorefrontStore)(nil)

// newStorefrontStore prepares the storefront's hot statements on db.
func newStorefrontStore(ctx context.Context, db *DB) (*StorefrontStore, error) {
	s := &StorefrontStore{}
	var err error
	if s.reads, err = prepareAll(ctx, db.reader, []string{
		storesql.ProviderByOriginSQL, storesql.ProviderByTokenSQL, storesql.CouponByIDSQL, storesql.CouponByNameSQL,
		storesql.CouponPlansSQL, storesql.SubscriptionByIDSQL, storesql.SubscriptionFilesSQL,
	}); err != nil {
		return nil, fmt.Errorf("sqlite: prepare storefront statement: %w", err)
	}
	// The single writer serializes writes, so reading a subscription in the
	// write transaction is locking it.
	if s.writes, err = prepareAll(ctx, db.writer, []string{
		storesql.InsertSubscriptionSQL, storesql.SaveSubscriptionSQL, storesql.SubscriptionByIDSQL,
		storesql.RedeemCouponSQL, storesql.ReleaseCouponSQL,
	}); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: prepare storefront statement: %w", err), s.reads.Close())
	}
	s.Storefront = storesql.Storefront{DB: preparedDB{DB: db.Shared(), db: db, reads: s.reads, writes: s.writes}}
	return s, nil
}

// Close releases the prepared statements.
func (s *StorefrontStore) Close() error { return errors.Join(s.reads.Close(), s.writes.Close()) }

// --- catalog ---

// --- coupons ---

func (s *StorefrontStore) couponPlanIDs(ctx context.Context, c *storefront.Coupon) error {
	var err error
	c.PlanIDs, err = storesql.QueryAll(ctx, s.Storefront.DB, storesql.Scalar[int64], storesql.CouponPlansSQL, c.ID)
	return err
}

func (s *StorefrontStore) Coupon(ctx context.Context, providerID, id int64) (storefront.Coupon, error) {
	return s.couponWithPlans(ctx, s.Storefront.DB.QueryRow(ctx, storesql.CouponByIDSQL, providerID, id))
}

func (s *StorefrontStore) CouponByName(ctx context.Context, providerID int64, name string) (storefront.Coupon, error) {
	return s.couponWithPlans(ctx, s.Storefront.DB.QueryRow(ctx, storesql.CouponByNameSQL, providerID, storefront.CouponKey(name)))
}

// couponWithPlans scans a coupon's row and reads the plans it applies to.
func (s *StorefrontStore) couponWithPlans(ctx context.Context, row storesql.Row) (storefront.Coupon, error) {
	c, err := storesql.ScanCoupon(row)
	if err == nil {
		err = s.couponPlanIDs(ctx, &c)
	}
	return c, MapError(err)
}
