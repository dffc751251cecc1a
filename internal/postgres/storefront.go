package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/storefront"
	"partnership-service/internal/storesql"
)

// StorefrontStore keeps the ISP storefront in PostgreSQL. pgx prepares and
// caches each statement on first use per connection.
type StorefrontStore struct {
	db *DB
}

var _ storefront.Store = (*StorefrontStore)(nil)

// newStorefrontStore returns the storefront store on db.
func newStorefrontStore(db *DB) *StorefrontStore { return &StorefrontStore{db: db} }

// sfStamp stores times as timestamptz.
func sfStamp(t time.Time) any { return t.UTC() }

// sfQuerier is what a pool and a transaction share.
type sfQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// sfExpectOne turns "no row changed" into not found.
func sfExpectOne(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return pgx.ErrNoRows
	}
	return nil
}

// sfQueryEach runs a query and calls fn for each row.
func sfQueryEach(ctx context.Context, q sfQuerier, sql string, args []any, fn func(storesql.Row) error) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return storesql.EachRow(rows, fn)
}

// sfNonNil makes an empty id list an empty array, not NULL, for unnest.
func sfNonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// --- providers, origins, tokens ---

func (s *StorefrontStore) CreateProvider(ctx context.Context, name, origin string, now time.Time) (storefront.Provider, error) {
	p := storefront.Provider{Name: name, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO storefront_providers (name, created_at, updated_at)
			VALUES ($1, $2, $2) RETURNING id`, name, now.UTC()).Scan(&p.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO storefront_origins (provider_id, origin) VALUES ($1, $2)`, p.ID, origin)
		return err
	})
	return p, MapError(err)
}

func (s *StorefrontStore) UpdateProvider(ctx context.Context, p storefront.Provider, now time.Time) error {
	args := append(append([]any{p.Name}, storesql.BrandingValues(p.Branding)...), now.UTC(), p.ID)
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE storefront_providers SET name = $1, plans_background_color = $2,
			intro_font_color = $3, footer_color = $4, footer_font_color = $5, navbar_color = $6, wallpaper = $7,
			logo = $8, updated_at = $9 WHERE id = $10`, args...)
		if err := sfExpectOne(tag, err); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM storefront_due_days WHERE provider_id = $1`, p.ID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO storefront_due_days (provider_id, day) SELECT $1, unnest($2::int[])`, p.ID, p.DueDays)
		return err
	}))
}

func (s *StorefrontStore) ProviderIDByOrigin(ctx context.Context, origin string) (int64, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `SELECT provider_id FROM storefront_origins WHERE origin = $1`, origin).Scan(&id)
	return id, MapError(err)
}

func (s *StorefrontStore) AddOrigin(ctx context.Context, providerID int64, origin string) (storefront.Origin, error) {
	o := storefront.Origin{URL: origin}
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO storefront_origins (provider_id, origin) VALUES ($1, $2) RETURNING id`,
		providerID, origin).Scan(&o.ID)
	return o, MapError(err)
}

func (s *StorefrontStore) DeleteOrigin(ctx context.Context, providerID, originID int64) error {
	return s.deleteOwned(ctx, "storefront_origins", providerID, originID)
}

// deleteOwned deletes a provider's row of table; table is one of ours,
// never input.
func (s *StorefrontStore) deleteOwned(ctx context.Context, table string, providerID, id int64) error {
	return s.execOne(ctx, `DELETE FROM `+table+` WHERE provider_id = $1 AND id = $2`, providerID, id)
}

// execOne runs a statement that must change exactly one row: none is not
// found.
func (s *StorefrontStore) execOne(ctx context.Context, query string, args ...any) error {
	return MapError(sfExpectOne(s.db.Pool.Exec(ctx, query, args...)))
}

func (s *StorefrontStore) CreateToken(ctx context.Context, providerID int64, hash []byte, now time.Time) error {
	_, err := s.db.Pool.Exec(ctx, `INSERT INTO storefront_tokens (token_hash, provider_id, created_at) VALUES ($1, $2, $3)`,
		hash, providerID, now.UTC())
	return MapError(err)
}

func (s *StorefrontStore) ProviderIDByToken(ctx context.Context, hash []byte) (int64, error) {
	var id int64
	err := s.db.Pool.QueryRow(ctx, `SELECT provider_id FROM storefront_tokens WHERE token_hash = $1`, hash).Scan(&id)
	return id, MapError(err)
}

// --- catalog ---

// sfCatalogQueries read a catalog, in display order: ordenacao first,
// nulls last, then id.
var sfCatalogQueries = func() storesql.CatalogQueries {
	q := storesql.CatalogQueries{
		DueDays:  `SELECT day FROM storefront_due_days WHERE provider_id = $1 ORDER BY day`,
		Origins:  `SELECT id, origin FROM storefront_origins WHERE provider_id = $1 ORDER BY id`,
		Plans:    `SELECT ` + storesql.StorefrontPlanColumns + ` FROM storefront_plans WHERE provider_id = $1 ORDER BY sort_order IS NULL, sort_order, id`,
		Coverage: `SELECT ` + storesql.AreaColumns + ` FROM storefront_coverage_areas WHERE provider_id = $1 ORDER BY id`,
		Items:    map[storefront.ItemKind]string{}, PlanLinks: map[storefront.ItemKind]string{},
	}
	for kind, t := range storesql.ItemTables {
		q.Items[kind] = `SELECT ` + storesql.ItemColumns + ` FROM ` + t.Table + ` WHERE provider_id = $1 ORDER BY sort_order IS NULL, sort_order, id`
		q.PlanLinks[kind] = `SELECT plan_id, ` + t.Column + ` FROM ` + t.Link + ` WHERE provider_id = $1 ORDER BY plan_id, ` + t.Column
	}
	return q
}()

// Catalog reads everything in one repeatable-read transaction, so the
// storefront never serves a half-applied change.
func (s *StorefrontStore) Catalog(ctx context.Context, providerID int64) (storefront.Catalog, error) {
	var c storefront.Catalog
	err := pgx.BeginTxFunc(ctx, s.db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		provider := tx.QueryRow(ctx, `SELECT `+storesql.ProviderColumns+` FROM storefront_providers WHERE id = $1`, providerID)
		var err error
		c, err = storesql.ReadCatalog(provider, func(query string, args []any, fn func(storesql.Row) error) error {
			return sfQueryEach(ctx, tx, query, args, fn)
		}, sfCatalogQueries, providerID)
		return err
	})
	return c, MapError(err)
}

// --- categories, payment methods, services ---

func (s *StorefrontStore) SaveItem(ctx context.Context, kind storefront.ItemKind, providerID int64, it storefront.Item) (storefront.Item, error) {
	table := storesql.ItemTables[kind].Table
	if it.ID == 0 {
		err := s.db.Pool.QueryRow(ctx, `INSERT INTO `+table+` (provider_id, name, sort_order) VALUES ($1, $2, $3) RETURNING id`,
			providerID, it.Name, storesql.NullInt(it.SortOrder)).Scan(&it.ID)
		return it, MapError(err)
	}
	return it, s.execOne(ctx, `UPDATE `+table+` SET name = $1, sort_order = $2 WHERE provider_id = $3 AND id = $4`,
		it.Name, storesql.NullInt(it.SortOrder), providerID, it.ID)
}

func (s *StorefrontStore) DeleteItem(ctx context.Context, kind storefront.ItemKind, providerID, id int64) error {
	return s.deleteOwned(ctx, storesql.ItemTables[kind].Table, providerID, id)
}

// --- plans ---

func (s *StorefrontStore) SavePlan(ctx context.Context, providerID int64, p storefront.Plan) (storefront.Plan, error) {
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		if p.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO storefront_plans (provider_id, `+storesql.PlanFields+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
				append([]any{providerID}, storesql.PlanValues(&p)...)...).Scan(&p.ID); err != nil {
				return err
			}
		} else if err := sfExpectOne(tx.Exec(ctx, `UPDATE storefront_plans SET (`+storesql.PlanFields+`)
			= ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) WHERE provider_id = $16 AND id = $17`,
			append(storesql.PlanValues(&p), providerID, p.ID)...)); err != nil {
			return err
		}
		return sfWritePlanLinks(ctx, tx, providerID, &p)
	})
	return p, MapError(err)
}

// sfWritePlanLinks replaces a plan's categories, payment methods and
// services. The links carry provider_id, so the foreign keys refuse an id
// of another provider.
func sfWritePlanLinks(ctx context.Context, tx pgx.Tx, providerID int64, p *storefront.Plan) error {
	for kind, ids := range storesql.PlanLinks(p) {
		t := storesql.ItemTables[kind]
		if _, err := tx.Exec(ctx, `DELETE FROM `+t.Link+` WHERE plan_id = $1`, p.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+t.Link+` (provider_id, plan_id, `+t.Column+`)
			SELECT $1, $2, unnest($3::bigint[])`, providerID, p.ID, sfNonNil(ids)); err != nil {
			return err
		}
	}
	return nil
}

func (s *StorefrontStore) DeletePlan(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_plans", providerID, id)
}

// --- coupons ---

// sfCouponColumns read a coupon with the plans it applies to.
const sfCouponColumns = storesql.CouponColumns + `,
	ARRAY(SELECT plan_id FROM storefront_coupon_plans cp WHERE cp.coupon_id = storefront_coupons.id ORDER BY plan_id)`

func sfScanCoupon(row storesql.Row) (storefront.Coupon, error) {
	var planIDs []int64
	c, err := storesql.ScanCoupon(row, &planIDs)
	if len(planIDs) > 0 {
		c.PlanIDs = planIDs
	}
	return c, err
}

func (s *StorefrontStore) Coupons(ctx context.Context, providerID int64) ([]storefront.Coupon, error) {
	var out []storefront.Coupon
	err := sfQueryEach(ctx, s.db.Pool, `SELECT `+sfCouponColumns+` FROM storefront_coupons WHERE provider_id = $1 ORDER BY id`,
		[]any{providerID}, func(row storesql.Row) error {
			c, err := sfScanCoupon(row)
			out = append(out, c)
			return err
		})
	return out, MapError(err)
}

func (s *StorefrontStore) Coupon(ctx context.Context, providerID, id int64) (storefront.Coupon, error) {
	c, err := sfScanCoupon(s.db.Pool.QueryRow(ctx, `SELECT `+sfCouponColumns+` FROM storefront_coupons
		WHERE provider_id = $1 AND id = $2`, providerID, id))
	return c, MapError(err)
}

func (s *StorefrontStore) CouponByName(ctx context.Context, providerID int64, name string) (storefront.Coupon, error) {
	c, err := sfScanCoupon(s.db.Pool.QueryRow(ctx, `SELECT `+sfCouponColumns+` FROM storefront_coupons
		WHERE provider_id = $1 AND name_key = $2`, providerID, storefront.CouponKey(name)))
	return c, MapError(err)
}

func (s *StorefrontStore) SaveCoupon(ctx context.Context, providerID int64, c storefront.Coupon) (storefront.Coupon, error) {
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		if c.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO storefront_coupons (provider_id, `+storesql.CouponFields+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				append([]any{providerID}, storesql.CouponValues(&c, sfStamp)...)...).Scan(&c.ID); err != nil {
				return err
			}
		} else if err := sfExpectOne(tx.Exec(ctx, `UPDATE storefront_coupons SET (`+storesql.CouponFields+`)
			= ($1, $2, $3, $4, $5, $6) WHERE provider_id = $7 AND id = $8`,
			append(storesql.CouponValues(&c, sfStamp), providerID, c.ID)...)); err != nil {
			return err
		}
		return sfWriteCouponPlans(ctx, tx, providerID, &c)
	})
	return c, MapError(err)
}

func sfWriteCouponPlans(ctx context.Context, tx pgx.Tx, providerID int64, c *storefront.Coupon) error {
	if _, err := tx.Exec(ctx, `DELETE FROM storefront_coupon_plans WHERE coupon_id = $1`, c.ID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO storefront_coupon_plans (provider_id, coupon_id, plan_id)
		SELECT $1, $2, unnest($3::bigint[])`, providerID, c.ID, sfNonNil(c.PlanIDs))
	return err
}

func (s *StorefrontStore) DeleteCoupon(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coupons", providerID, id)
}

// --- coverage areas ---

func (s *StorefrontStore) SaveCoverageArea(ctx context.Context, providerID int64, a storefront.CoverageArea) (storefront.CoverageArea, error) {
	if a.ID == 0 {
		err := s.db.Pool.QueryRow(ctx, `INSERT INTO storefront_coverage_areas (provider_id, `+storesql.AreaFields+`)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, append([]any{providerID}, storesql.AreaValues(&a)...)...).Scan(&a.ID)
		return a, MapError(err)
	}
	return a, s.execOne(ctx, `UPDATE storefront_coverage_areas SET (`+storesql.AreaFields+`) = ($1, $2, $3, $4, $5)
		WHERE provider_id = $6 AND id = $7`, append(storesql.AreaValues(&a), providerID, a.ID)...)
}

func (s *StorefrontStore) DeleteCoverageArea(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coverage_areas", providerID, id)
}

// --- subscriptions ---

// sfSubscriptionTx is a subscription write inside a transaction.
type sfSubscriptionTx struct {
	ctx        context.Context
	tx         pgx.Tx
	providerID int64
}

func (t *sfSubscriptionTx) Insert(sub storefront.Subscription) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO storefront_subscriptions (`+storesql.SubscriptionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
		$22, $23, $24, $25, $26, $27)`, storesql.InsertSubscriptionValues(t.providerID, &sub, sfStamp)...)
	return MapError(err)
}

func (t *sfSubscriptionTx) Save(sub storefront.Subscription) error {
	tag, err := t.tx.Exec(t.ctx, `UPDATE storefront_subscriptions SET (`+storesql.SubscriptionFields+`)
		= ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
		$23, $24) WHERE provider_id = $25 AND id = $26`, append(storesql.SubscriptionValues(&sub, sfStamp), t.providerID, sub.ID)...)
	return MapError(sfExpectOne(tag, err))
}

// RedeemCoupon's UPDATE checks the limit itself: a concurrent redemption
// waits for the row lock and re-checks the condition, so the count never
// passes the limit.
func (t *sfSubscriptionTx) RedeemCoupon(couponID int64) (bool, error) {
	tag, err := t.tx.Exec(t.ctx, `UPDATE storefront_coupons SET redemptions = redemptions + 1
		WHERE provider_id = $1 AND id = $2 AND (max_redemptions IS NULL OR redemptions < max_redemptions)`,
		t.providerID, couponID)
	return err == nil && tag.RowsAffected() == 1, MapError(err)
}

func (t *sfSubscriptionTx) ReleaseCoupon(couponID int64) error {
	_, err := t.tx.Exec(t.ctx, `UPDATE storefront_coupons SET redemptions = redemptions - 1
		WHERE provider_id = $1 AND id = $2 AND redemptions > 0`, t.providerID, couponID)
	return MapError(err)
}

func (s *StorefrontStore) CreateSubscription(ctx context.Context, providerID int64, write func(storefront.SubscriptionTx) error) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		return write(&sfSubscriptionTx{ctx: ctx, tx: tx, providerID: providerID})
	}))
}

func (s *StorefrontStore) UpdateSubscription(ctx context.Context, providerID int64, id string, write func(storefront.SubscriptionTx, storefront.Subscription) error) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		// Locking the row serializes updates of one subscription, so each
		// sees the coupon the last one left.
		stored, err := storesql.ScanSubscription(tx.QueryRow(ctx, `SELECT `+storesql.SubscriptionColumns+`
			FROM storefront_subscriptions WHERE provider_id = $1 AND id = $2 FOR UPDATE`, providerID, id))
		if err != nil {
			return err
		}
		return write(&sfSubscriptionTx{ctx: ctx, tx: tx, providerID: providerID}, stored)
	}))
}

func (s *StorefrontStore) Subscription(ctx context.Context, providerID int64, id string) (storefront.Subscription, error) {
	sub, err := storesql.ScanSubscription(s.db.Pool.QueryRow(ctx, `SELECT `+storesql.SubscriptionColumns+`
		FROM storefront_subscriptions WHERE provider_id = $1 AND id = $2`, providerID, id))
	if err != nil {
		return sub, MapError(err)
	}
	err = sfQueryEach(ctx, s.db.Pool, `SELECT `+storesql.FileColumns+` FROM storefront_subscription_files
		WHERE subscription_id = $1 ORDER BY kind`, []any{id}, func(row storesql.Row) error {
		f, err := storesql.ScanFile(row)
		sub.Files = append(sub.Files, f)
		return err
	})
	return sub, MapError(err)
}

func (s *StorefrontStore) Subscriptions(ctx context.Context, providerID int64, page storefront.Page) ([]storefront.Subscription, int, error) {
	var total int
	if err := s.db.Pool.QueryRow(ctx, `SELECT count(*) FROM storefront_subscriptions WHERE provider_id = $1`,
		providerID).Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	var out []storefront.Subscription
	err := sfQueryEach(ctx, s.db.Pool, `SELECT `+storesql.SubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
		[]any{providerID, page.Limit, page.Offset}, func(row storesql.Row) error {
			sub, err := storesql.ScanSubscription(row)
			out = append(out, sub)
			return err
		})
	return out, total, MapError(err)
}

func (s *StorefrontStore) EachSubscription(ctx context.Context, providerID int64, fn func(storefront.Subscription) error) error {
	return MapError(sfQueryEach(ctx, s.db.Pool, `SELECT `+storesql.SubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = $1 ORDER BY created_at, id`, []any{providerID}, func(row storesql.Row) error {
		sub, err := storesql.ScanSubscription(row)
		if err != nil {
			return err
		}
		return fn(sub)
	}))
}

func (s *StorefrontStore) PutSubscriptionFiles(ctx context.Context, providerID int64, subscriptionID string, files []storefront.SubscriptionFile) ([]storefront.SubscriptionFile, error) {
	var replaced []storefront.SubscriptionFile
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		replaced = nil
		var one int
		// Locking the subscription serializes uploads to it, so each
		// replaced file is reported exactly once.
		if err := tx.QueryRow(ctx, `SELECT 1 FROM storefront_subscriptions WHERE provider_id = $1 AND id = $2 FOR UPDATE`,
			providerID, subscriptionID).Scan(&one); err != nil {
			return err
		}
		for _, f := range files {
			old := storefront.SubscriptionFile{Kind: f.Kind}
			err := tx.QueryRow(ctx, `SELECT blob_key FROM storefront_subscription_files
				WHERE subscription_id = $1 AND kind = $2`, subscriptionID, string(f.Kind)).Scan(&old.Object.Key)
			switch {
			case err == nil:
				replaced = append(replaced, old)
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO storefront_subscription_files (subscription_id, `+storesql.FileColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) `+storesql.UpsertFile,
				append([]any{subscriptionID}, storesql.FileValues(&f, sfStamp)...)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, MapError(err)
	}
	return replaced, nil
}
