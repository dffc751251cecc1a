package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"partnership-service/internal/storefront"
	"partnership-service/internal/storesql"
)

// StorefrontStore keeps the ISP storefront in SQLite: the SQL both engines
// share, promoted from storesql.Storefront, with the hot paths on prepared
// statements and the catalog in one read transaction.
type StorefrontStore struct {
	storesql.Storefront
	db *DB

	// Hot reads, prepared on the reader pool.
	providerByOrigin *sql.Stmt
	providerByToken  *sql.Stmt
	couponByID       *sql.Stmt
	couponByName     *sql.Stmt
	couponPlans      *sql.Stmt
	subscriptionByID *sql.Stmt
	subscriptionFile *sql.Stmt

	// Hot writes, prepared on the writer and bound to each transaction.
	insertSubscription *sql.Stmt
	saveSubscription   *sql.Stmt
	loadSubscription   *sql.Stmt
	redeemCoupon       *sql.Stmt
	releaseCoupon      *sql.Stmt
}

var _ storefront.Store = (*StorefrontStore)(nil)

// newStorefrontStore prepares the storefront's statements on db.
func newStorefrontStore(ctx context.Context, db *DB) (*StorefrontStore, error) {
	s := &StorefrontStore{Storefront: storesql.Storefront{DB: db.Shared()}, db: db}
	for _, p := range []struct {
		pool *sql.DB
		dst  **sql.Stmt
		sql  string
	}{
		{db.reader, &s.providerByOrigin, storesql.ProviderByOriginSQL},
		{db.reader, &s.providerByToken, storesql.ProviderByTokenSQL},
		{db.reader, &s.couponByID, storesql.CouponByIDSQL},
		{db.reader, &s.couponByName, storesql.CouponByNameSQL},
		{db.reader, &s.couponPlans, storesql.CouponPlansSQL},
		{db.reader, &s.subscriptionByID, storesql.SubscriptionByIDSQL},
		{db.reader, &s.subscriptionFile, storesql.SubscriptionFilesSQL},
		{db.writer, &s.insertSubscription, storesql.InsertSubscriptionSQL},
		{db.writer, &s.saveSubscription, storesql.SaveSubscriptionSQL},
		// The single writer serializes writes, so reading is locking here.
		{db.writer, &s.loadSubscription, storesql.SubscriptionByIDSQL},
		{db.writer, &s.redeemCoupon, storesql.RedeemCouponSQL},
		{db.writer, &s.releaseCoupon, storesql.ReleaseCouponSQL},
	} {
		stmt, err := p.pool.PrepareContext(ctx, p.sql)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("sqlite: prepare storefront statement: %w", err)
		}
		*p.dst = stmt
	}
	return s, nil
}

// Close releases the prepared statements.
func (s *StorefrontStore) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.providerByOrigin, s.providerByToken, s.couponByID, s.couponByName, s.couponPlans,
		s.subscriptionByID, s.subscriptionFile, s.insertSubscription, s.saveSubscription, s.loadSubscription,
		s.redeemCoupon, s.releaseCoupon} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// --- providers, origins, tokens ---

func (s *StorefrontStore) ProviderIDByOrigin(ctx context.Context, origin string) (int64, error) {
	var id int64
	err := s.providerByOrigin.QueryRowContext(ctx, origin).Scan(&id)
	return id, MapError(err)
}

func (s *StorefrontStore) ProviderIDByToken(ctx context.Context, hash []byte) (int64, error) {
	var id int64
	err := s.providerByToken.QueryRowContext(ctx, hash).Scan(&id)
	return id, MapError(err)
}

// --- catalog ---

// Catalog reads everything in one read transaction, so the storefront
// never serves a half-applied change.
func (s *StorefrontStore) Catalog(ctx context.Context, providerID int64) (storefront.Catalog, error) {
	tx, err := s.db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return storefront.Catalog{}, MapError(err)
	}
	defer tx.Rollback()
	c, err := storesql.ReadCatalog(ctx, txQuerier{tx}, providerID)
	return c, MapError(err)
}

// sfEachRow calls fn for each row of a query's result.
func sfEachRow(rows *sql.Rows, err error, fn func(storesql.Row) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	return storesql.EachRow(rows, fn)
}

// --- coupons ---

func (s *StorefrontStore) couponPlanIDs(ctx context.Context, c *storefront.Coupon) error {
	rows, err := s.couponPlans.QueryContext(ctx, c.ID)
	return sfEachRow(rows, err, func(row storesql.Row) error {
		var id int64
		err := row.Scan(&id)
		c.PlanIDs = append(c.PlanIDs, id)
		return err
	})
}

func (s *StorefrontStore) Coupon(ctx context.Context, providerID, id int64) (storefront.Coupon, error) {
	return s.couponWithPlans(ctx, s.couponByID.QueryRowContext(ctx, providerID, id))
}

func (s *StorefrontStore) CouponByName(ctx context.Context, providerID int64, name string) (storefront.Coupon, error) {
	return s.couponWithPlans(ctx, s.couponByName.QueryRowContext(ctx, providerID, storefront.CouponKey(name)))
}

// couponWithPlans scans a coupon's row and reads the plans it applies to.
func (s *StorefrontStore) couponWithPlans(ctx context.Context, row storesql.Row) (storefront.Coupon, error) {
	c, err := storesql.ScanCoupon(row)
	if err == nil {
		err = s.couponPlanIDs(ctx, &c)
	}
	return c, MapError(err)
}

// --- subscriptions ---

// sfSubscriptionTx is a subscription write inside the writer's transaction.
type sfSubscriptionTx struct {
	ctx        context.Context
	s          *StorefrontStore
	tx         *sql.Tx
	providerID int64
}

func (t *sfSubscriptionTx) Insert(sub storefront.Subscription) error {
	_, err := t.tx.StmtContext(t.ctx, t.s.insertSubscription).ExecContext(t.ctx,
		storesql.InsertSubscriptionValues(t.providerID, &sub)...)
	return MapError(err)
}

func (t *sfSubscriptionTx) Save(sub storefront.Subscription) error {
	args := append(storesql.SubscriptionValues(&sub), t.providerID, sub.ID)
	return MapError(expectOne(t.tx.StmtContext(t.ctx, t.s.saveSubscription).ExecContext(t.ctx, args...)))
}

func (t *sfSubscriptionTx) RedeemCoupon(couponID int64) (bool, error) {
	res, err := t.tx.StmtContext(t.ctx, t.s.redeemCoupon).ExecContext(t.ctx, t.providerID, couponID)
	if err != nil {
		return false, MapError(err)
	}
	n, err := res.RowsAffected()
	return n == 1, MapError(err)
}

func (t *sfSubscriptionTx) ReleaseCoupon(couponID int64) error {
	_, err := t.tx.StmtContext(t.ctx, t.s.releaseCoupon).ExecContext(t.ctx, t.providerID, couponID)
	return MapError(err)
}

func (s *StorefrontStore) CreateSubscription(ctx context.Context, providerID int64, write func(storefront.SubscriptionTx) error) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		return write(&sfSubscriptionTx{ctx: ctx, s: s, tx: tx, providerID: providerID})
	}))
}

func (s *StorefrontStore) UpdateSubscription(ctx context.Context, providerID int64, id string, write func(storefront.SubscriptionTx, storefront.Subscription) error) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		stored, err := storesql.ScanSubscription(tx.StmtContext(ctx, s.loadSubscription).QueryRowContext(ctx, providerID, id))
		if err != nil {
			return err
		}
		return write(&sfSubscriptionTx{ctx: ctx, s: s, tx: tx, providerID: providerID}, stored)
	}))
}

func (s *StorefrontStore) Subscription(ctx context.Context, providerID int64, id string) (storefront.Subscription, error) {
	sub, err := storesql.ScanSubscription(s.subscriptionByID.QueryRowContext(ctx, providerID, id))
	if err != nil {
		return sub, MapError(err)
	}
	rows, err := s.subscriptionFile.QueryContext(ctx, id)
	err = sfEachRow(rows, err, func(row storesql.Row) error {
		f, err := storesql.ScanFile(row)
		sub.Files = append(sub.Files, f)
		return err
	})
	return sub, MapError(err)
}
