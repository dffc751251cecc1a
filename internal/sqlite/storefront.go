package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"partnership-service/internal/storefront"
	"partnership-service/internal/storesql"
)

// StorefrontStore keeps the ISP storefront in SQLite.
type StorefrontStore struct {
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

// sfStamp stores times as TimeLayout text.
func sfStamp(t time.Time) any { return FormatTime(t) }

// newStorefrontStore prepares the storefront's statements on db.
func newStorefrontStore(ctx context.Context, db *DB) (*StorefrontStore, error) {
	s := &StorefrontStore{db: db}
	for _, p := range []struct {
		pool *sql.DB
		dst  **sql.Stmt
		sql  string
	}{
		{db.reader, &s.providerByOrigin, `SELECT provider_id FROM storefront_origins WHERE origin = ?`},
		{db.reader, &s.providerByToken, `SELECT provider_id FROM storefront_tokens WHERE token_hash = ?`},
		{db.reader, &s.couponByID, `SELECT ` + storesql.CouponColumns + ` FROM storefront_coupons WHERE provider_id = ? AND id = ?`},
		{db.reader, &s.couponByName, `SELECT ` + storesql.CouponColumns + ` FROM storefront_coupons WHERE provider_id = ? AND name_key = ?`},
		{db.reader, &s.couponPlans, `SELECT plan_id FROM storefront_coupon_plans WHERE coupon_id = ? ORDER BY plan_id`},
		{db.reader, &s.subscriptionByID, `SELECT ` + storesql.SubscriptionColumns + ` FROM storefront_subscriptions WHERE provider_id = ? AND id = ?`},
		{db.reader, &s.subscriptionFile, `SELECT ` + storesql.FileColumns + ` FROM storefront_subscription_files
			WHERE subscription_id = ? ORDER BY kind`},
		{db.writer, &s.insertSubscription, `INSERT INTO storefront_subscriptions (` + storesql.SubscriptionColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{db.writer, &s.saveSubscription, `UPDATE storefront_subscriptions SET (` + storesql.SubscriptionFields + `)
			= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE provider_id = ? AND id = ?`},
		// The single writer serializes writes, so reading is locking here.
		{db.writer, &s.loadSubscription, `SELECT ` + storesql.SubscriptionColumns + ` FROM storefront_subscriptions WHERE provider_id = ? AND id = ?`},
		// The limit is checked by the UPDATE itself: no row changes when the
		// coupon is at its limit, however many requests race for it.
		{db.writer, &s.redeemCoupon, `UPDATE storefront_coupons SET redemptions = redemptions + 1
			WHERE provider_id = ? AND id = ? AND (max_redemptions IS NULL OR redemptions < max_redemptions)`},
		{db.writer, &s.releaseCoupon, `UPDATE storefront_coupons SET redemptions = redemptions - 1
			WHERE provider_id = ? AND id = ? AND redemptions > 0`},
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

func (s *StorefrontStore) CreateProvider(ctx context.Context, name, origin string, now time.Time) (storefront.Provider, error) {
	p := storefront.Provider{Name: name, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		ts := FormatTime(now)
		if err := tx.QueryRowContext(ctx, `INSERT INTO storefront_providers (name, created_at, updated_at)
			VALUES (?, ?, ?) RETURNING id`, name, ts, ts).Scan(&p.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO storefront_origins (provider_id, origin) VALUES (?, ?)`, p.ID, origin)
		return err
	})
	return p, MapError(err)
}

func (s *StorefrontStore) UpdateProvider(ctx context.Context, p storefront.Provider, now time.Time) error {
	args := append(append([]any{p.Name}, storesql.BrandingValues(p.Branding)...), FormatTime(now), p.ID)
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE storefront_providers SET name = ?, plans_background_color = ?,
			intro_font_color = ?, footer_color = ?, footer_font_color = ?, navbar_color = ?, wallpaper = ?, logo = ?,
			updated_at = ? WHERE id = ?`, args...)
		if err := expectOne(res, err); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM storefront_due_days WHERE provider_id = ?`, p.ID); err != nil {
			return err
		}
		for _, d := range p.DueDays {
			if _, err := tx.ExecContext(ctx, `INSERT INTO storefront_due_days (provider_id, day) VALUES (?, ?)`, p.ID, d); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (s *StorefrontStore) ProviderIDByOrigin(ctx context.Context, origin string) (int64, error) {
	var id int64
	err := s.providerByOrigin.QueryRowContext(ctx, origin).Scan(&id)
	return id, MapError(err)
}

func (s *StorefrontStore) AddOrigin(ctx context.Context, providerID int64, origin string) (storefront.Origin, error) {
	o := storefront.Origin{URL: origin}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO storefront_origins (provider_id, origin) VALUES (?, ?) RETURNING id`,
			providerID, origin).Scan(&o.ID)
	})
	return o, MapError(err)
}

func (s *StorefrontStore) DeleteOrigin(ctx context.Context, providerID, originID int64) error {
	return s.deleteOwned(ctx, "storefront_origins", providerID, originID)
}

// deleteOwned deletes a provider's row of table; table is one of ours,
// never input.
func (s *StorefrontStore) deleteOwned(ctx context.Context, table string, providerID, id int64) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		return expectOne(tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE provider_id = ? AND id = ?`, providerID, id))
	}))
}

func (s *StorefrontStore) CreateToken(ctx context.Context, providerID int64, hash []byte, now time.Time) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO storefront_tokens (token_hash, provider_id, created_at) VALUES (?, ?, ?)`,
			hash, providerID, FormatTime(now))
		return err
	}))
}

func (s *StorefrontStore) ProviderIDByToken(ctx context.Context, hash []byte) (int64, error) {
	var id int64
	err := s.providerByToken.QueryRowContext(ctx, hash).Scan(&id)
	return id, MapError(err)
}

// --- catalog ---

// sfCatalogQueries read a catalog, in display order: ordenacao first,
// nulls last, then id.
var sfCatalogQueries = func() storesql.CatalogQueries {
	q := storesql.CatalogQueries{
		DueDays:  `SELECT day FROM storefront_due_days WHERE provider_id = ? ORDER BY day`,
		Origins:  `SELECT id, origin FROM storefront_origins WHERE provider_id = ? ORDER BY id`,
		Plans:    `SELECT ` + storesql.StorefrontPlanColumns + ` FROM storefront_plans WHERE provider_id = ? ORDER BY sort_order IS NULL, sort_order, id`,
		Coverage: `SELECT ` + storesql.AreaColumns + ` FROM storefront_coverage_areas WHERE provider_id = ? ORDER BY id`,
		Items:    map[storefront.ItemKind]string{}, PlanLinks: map[storefront.ItemKind]string{},
	}
	for kind, t := range storesql.ItemTables {
		q.Items[kind] = `SELECT ` + storesql.ItemColumns + ` FROM ` + t.Table + ` WHERE provider_id = ? ORDER BY sort_order IS NULL, sort_order, id`
		q.PlanLinks[kind] = `SELECT plan_id, ` + t.Column + ` FROM ` + t.Link + ` WHERE provider_id = ? ORDER BY plan_id, ` + t.Column
	}
	return q
}()

// Catalog reads everything in one read transaction, so the storefront
// never serves a half-applied change.
func (s *StorefrontStore) Catalog(ctx context.Context, providerID int64) (storefront.Catalog, error) {
	tx, err := s.db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return storefront.Catalog{}, MapError(err)
	}
	defer tx.Rollback()
	provider := tx.QueryRowContext(ctx, `SELECT `+storesql.ProviderColumns+` FROM storefront_providers WHERE id = ?`, providerID)
	c, err := storesql.ReadCatalog(provider, func(query string, args []any, fn func(storesql.Row) error) error {
		return sfQueryEach(ctx, tx, query, args, fn)
	}, sfCatalogQueries, providerID)
	return c, MapError(err)
}

// sfQueryEach runs a query and calls fn for each row.
func sfQueryEach(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, fn func(storesql.Row) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	return sfEachRow(rows, err, fn)
}

// sfEachRow calls fn for each row of a query's result.
func sfEachRow(rows *sql.Rows, err error, fn func(storesql.Row) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	return storesql.EachRow(rows, fn)
}

// --- categories, payment methods, services ---

func (s *StorefrontStore) SaveItem(ctx context.Context, kind storefront.ItemKind, providerID int64, it storefront.Item) (storefront.Item, error) {
	table := storesql.ItemTables[kind].Table
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if it.ID == 0 {
			return tx.QueryRowContext(ctx, `INSERT INTO `+table+` (provider_id, name, sort_order) VALUES (?, ?, ?) RETURNING id`,
				providerID, it.Name, storesql.NullInt(it.SortOrder)).Scan(&it.ID)
		}
		return expectOne(tx.ExecContext(ctx, `UPDATE `+table+` SET name = ?, sort_order = ? WHERE provider_id = ? AND id = ?`,
			it.Name, storesql.NullInt(it.SortOrder), providerID, it.ID))
	})
	return it, MapError(err)
}

func (s *StorefrontStore) DeleteItem(ctx context.Context, kind storefront.ItemKind, providerID, id int64) error {
	return s.deleteOwned(ctx, storesql.ItemTables[kind].Table, providerID, id)
}

// --- plans ---

func (s *StorefrontStore) SavePlan(ctx context.Context, providerID int64, p storefront.Plan) (storefront.Plan, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if p.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO storefront_plans (provider_id, `+storesql.PlanFields+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				append([]any{providerID}, storesql.PlanValues(&p)...)...).Scan(&p.ID); err != nil {
				return err
			}
		} else if err := expectOne(tx.ExecContext(ctx, `UPDATE storefront_plans SET (`+storesql.PlanFields+`)
			= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE provider_id = ? AND id = ?`,
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
func sfWritePlanLinks(ctx context.Context, tx *sql.Tx, providerID int64, p *storefront.Plan) error {
	for kind, ids := range storesql.PlanLinks(p) {
		t := storesql.ItemTables[kind]
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.Link+` WHERE plan_id = ?`, p.ID); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+t.Link+` (provider_id, plan_id, `+t.Column+`) VALUES (?, ?, ?)`,
				providerID, p.ID, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *StorefrontStore) DeletePlan(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_plans", providerID, id)
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

func (s *StorefrontStore) Coupons(ctx context.Context, providerID int64) ([]storefront.Coupon, error) {
	var out []storefront.Coupon
	err := sfQueryEach(ctx, s.db.reader, `SELECT `+storesql.CouponColumns+` FROM storefront_coupons WHERE provider_id = ? ORDER BY id`,
		[]any{providerID}, func(row storesql.Row) error {
			c, err := storesql.ScanCoupon(row)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, MapError(err)
	}
	links := map[int64][]int64{}
	err = sfQueryEach(ctx, s.db.reader, `SELECT coupon_id, plan_id FROM storefront_coupon_plans WHERE provider_id = ?
		ORDER BY coupon_id, plan_id`, []any{providerID}, func(row storesql.Row) error {
		var couponID, planID int64
		err := row.Scan(&couponID, &planID)
		links[couponID] = append(links[couponID], planID)
		return err
	})
	for i := range out {
		out[i].PlanIDs = links[out[i].ID]
	}
	return out, MapError(err)
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

func (s *StorefrontStore) SaveCoupon(ctx context.Context, providerID int64, c storefront.Coupon) (storefront.Coupon, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if c.ID == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO storefront_coupons (provider_id, `+storesql.CouponFields+`)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				append([]any{providerID}, storesql.CouponValues(&c, sfStamp)...)...).Scan(&c.ID); err != nil {
				return err
			}
		} else if err := expectOne(tx.ExecContext(ctx, `UPDATE storefront_coupons SET (`+storesql.CouponFields+`)
			= (?, ?, ?, ?, ?, ?) WHERE provider_id = ? AND id = ?`,
			append(storesql.CouponValues(&c, sfStamp), providerID, c.ID)...)); err != nil {
			return err
		}
		return sfWriteCouponPlans(ctx, tx, providerID, &c)
	})
	return c, MapError(err)
}

func sfWriteCouponPlans(ctx context.Context, tx *sql.Tx, providerID int64, c *storefront.Coupon) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM storefront_coupon_plans WHERE coupon_id = ?`, c.ID); err != nil {
		return err
	}
	for _, planID := range c.PlanIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO storefront_coupon_plans (provider_id, coupon_id, plan_id) VALUES (?, ?, ?)`,
			providerID, c.ID, planID); err != nil {
			return err
		}
	}
	return nil
}

func (s *StorefrontStore) DeleteCoupon(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coupons", providerID, id)
}

// --- coverage areas ---

func (s *StorefrontStore) SaveCoverageArea(ctx context.Context, providerID int64, a storefront.CoverageArea) (storefront.CoverageArea, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if a.ID == 0 {
			return tx.QueryRowContext(ctx, `INSERT INTO storefront_coverage_areas (provider_id, `+storesql.AreaFields+`)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, append([]any{providerID}, storesql.AreaValues(&a)...)...).Scan(&a.ID)
		}
		return expectOne(tx.ExecContext(ctx, `UPDATE storefront_coverage_areas SET (`+storesql.AreaFields+`) = (?, ?, ?, ?, ?)
			WHERE provider_id = ? AND id = ?`, append(storesql.AreaValues(&a), providerID, a.ID)...))
	})
	return a, MapError(err)
}

func (s *StorefrontStore) DeleteCoverageArea(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coverage_areas", providerID, id)
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
		storesql.InsertSubscriptionValues(t.providerID, &sub, sfStamp)...)
	return MapError(err)
}

func (t *sfSubscriptionTx) Save(sub storefront.Subscription) error {
	args := append(storesql.SubscriptionValues(&sub, sfStamp), t.providerID, sub.ID)
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

func (s *StorefrontStore) Subscriptions(ctx context.Context, providerID int64, page storefront.Page) ([]storefront.Subscription, int, error) {
	var total int
	if err := s.db.reader.QueryRowContext(ctx, `SELECT count(*) FROM storefront_subscriptions WHERE provider_id = ?`,
		providerID).Scan(&total); err != nil {
		return nil, 0, MapError(err)
	}
	var out []storefront.Subscription
	err := sfQueryEach(ctx, s.db.reader, `SELECT `+storesql.SubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		[]any{providerID, page.Limit, page.Offset}, func(row storesql.Row) error {
			sub, err := storesql.ScanSubscription(row)
			out = append(out, sub)
			return err
		})
	return out, total, MapError(err)
}

func (s *StorefrontStore) EachSubscription(ctx context.Context, providerID int64, fn func(storefront.Subscription) error) error {
	return MapError(sfQueryEach(ctx, s.db.reader, `SELECT `+storesql.SubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = ? ORDER BY created_at, id`, []any{providerID}, func(row storesql.Row) error {
		sub, err := storesql.ScanSubscription(row)
		if err != nil {
			return err
		}
		return fn(sub)
	}))
}

func (s *StorefrontStore) PutSubscriptionFiles(ctx context.Context, providerID int64, subscriptionID string, files []storefront.SubscriptionFile) ([]storefront.SubscriptionFile, error) {
	var replaced []storefront.SubscriptionFile
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		replaced = nil
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM storefront_subscriptions WHERE provider_id = ? AND id = ?`,
			providerID, subscriptionID).Scan(&one); err != nil {
			return err
		}
		for _, f := range files {
			old := storefront.SubscriptionFile{Kind: f.Kind}
			err := tx.QueryRowContext(ctx, `SELECT blob_key FROM storefront_subscription_files
				WHERE subscription_id = ? AND kind = ?`, subscriptionID, string(f.Kind)).Scan(&old.Object.Key)
			switch {
			case err == nil:
				replaced = append(replaced, old)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO storefront_subscription_files (subscription_id, `+storesql.FileColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) `+storesql.UpsertFile,
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
