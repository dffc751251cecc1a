package postgres

import (
	"context"

	"partnership-service/internal/storefront"
	"partnership-service/internal/storesql"
)

// StorefrontStore keeps the ISP storefront in PostgreSQL: the SQL both
// engines share, promoted from storesql.Storefront (rows read for a change
// are locked FOR UPDATE), with a coupon read with its plans in one query
// (ARRAY). pgx prepares
// and caches each statement on first use per connection.
type StorefrontStore struct {
	storesql.Storefront
}

var _ storefront.Store = (*StorefrontStore)(nil)

// newStorefrontStore returns the storefront store on db.
func newStorefrontStore(db *DB) *StorefrontStore {
	return &StorefrontStore{Storefront: storesql.Storefront{DB: db.Shared(), RowLock: " FOR UPDATE"}}
}

// sfCouponColumns read a coupon with the plans it applies to.
const sfCouponColumns = storesql.CouponColumns + `,
	ARRAY(SELECT plan_id FROM storefront_coupon_plans cp WHERE cp.coupon_id = storefront_coupons.id ORDER BY plan_id)`

func sfScanCoupon(row storesql.Row) (storefront.Coupon, error) {
	var planIDs []int64
	c, err := storesql.ScanCoupon(row, &planIDs)
	if len(planIDs) > 0 {
		c.PlanIDs = planIDs
	}
	return c, MapError(err)
}

func (s *StorefrontStore) Coupon(ctx context.Context, providerID, id int64) (storefront.Coupon, error) {
	return sfScanCoupon(s.DB.QueryRow(ctx, `SELECT `+sfCouponColumns+` FROM storefront_coupons
		WHERE provider_id = ? AND id = ?`, providerID, id))
}

func (s *StorefrontStore) CouponByName(ctx context.Context, providerID int64, name string) (storefront.Coupon, error) {
	return sfScanCoupon(s.DB.QueryRow(ctx, `SELECT `+sfCouponColumns+` FROM storefront_coupons
		WHERE provider_id = ? AND name_key = ?`, providerID, storefront.CouponKey(name)))
}
