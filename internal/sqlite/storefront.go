package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"partnership-service/internal/storefront"
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
	updateSubscription *sql.Stmt
	currentCoupon      *sql.Stmt
	redeemCoupon       *sql.Stmt
	releaseCoupon      *sql.Stmt
}

var _ storefront.Store = (*StorefrontStore)(nil)

// sfSubscriptionColumns are read and written in this order everywhere.
const sfSubscriptionColumns = `id, provider_id, plan_id, coupon_id, payment_method_id, cold_lead, coverage,
	name, email, mobile_phone, document, id_document, birth_date, due_day, upfront_installation,
	installation_fee, street, number, complement, district, city, cep, current_provider,
	latitude, longitude, created_at, updated_at`

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
		{db.reader, &s.couponByID, `SELECT ` + sfCouponColumns + ` FROM storefront_coupons WHERE provider_id = ? AND id = ?`},
		{db.reader, &s.couponByName, `SELECT ` + sfCouponColumns + ` FROM storefront_coupons WHERE provider_id = ? AND name_key = ?`},
		{db.reader, &s.couponPlans, `SELECT plan_id FROM storefront_coupon_plans WHERE coupon_id = ? ORDER BY plan_id`},
		{db.reader, &s.subscriptionByID, `SELECT ` + sfSubscriptionColumns + ` FROM storefront_subscriptions WHERE provider_id = ? AND id = ?`},
		{db.reader, &s.subscriptionFile, `SELECT kind, blob_key, file_name, content_type, size, sha256, uploaded_at
			FROM storefront_subscription_files WHERE subscription_id = ? ORDER BY kind`},
		{db.writer, &s.insertSubscription, `INSERT INTO storefront_subscriptions (` + sfSubscriptionColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{db.writer, &s.updateSubscription, `UPDATE storefront_subscriptions SET plan_id = ?, coupon_id = ?,
			payment_method_id = ?, cold_lead = ?, coverage = ?, name = ?, email = ?, mobile_phone = ?, document = ?,
			id_document = ?, birth_date = ?, due_day = ?, upfront_installation = ?, installation_fee = ?, street = ?,
			number = ?, complement = ?, district = ?, city = ?, cep = ?, current_provider = ?, latitude = ?,
			longitude = ?, updated_at = ?
			WHERE provider_id = ? AND id = ?`},
		{db.writer, &s.currentCoupon, `SELECT coupon_id FROM storefront_subscriptions WHERE provider_id = ? AND id = ?`},
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
		s.subscriptionByID, s.subscriptionFile, s.insertSubscription, s.updateSubscription, s.currentCoupon,
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
	b := p.Branding
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE storefront_providers SET name = ?, plans_background_color = ?,
			intro_font_color = ?, footer_color = ?, footer_font_color = ?, navbar_color = ?, wallpaper = ?, logo = ?,
			updated_at = ? WHERE id = ?`, p.Name, b.PlansBackgroundColor, b.IntroFontColor, b.FooterColor,
			b.FooterFontColor, b.NavbarColor, b.Wallpaper, b.Logo, FormatTime(now), p.ID)
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
		res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE provider_id = ? AND id = ?`, providerID, id)
		return expectOne(res, err)
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

// sfItemTables names the table of each item kind and its plan link.
var sfItemTables = map[storefront.ItemKind]struct{ table, link, column string }{
	storefront.Categories:     {"storefront_categories", "storefront_plan_categories", "category_id"},
	storefront.PaymentMethods: {"storefront_payment_methods", "storefront_plan_payment_methods", "payment_method_id"},
	storefront.Services:       {"storefront_services", "storefront_plan_services", "service_id"},
}

// Catalog reads everything in one read transaction, so the storefront
// never serves a half-applied change.
func (s *StorefrontStore) Catalog(ctx context.Context, providerID int64) (storefront.Catalog, error) {
	tx, err := s.db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return storefront.Catalog{}, MapError(err)
	}
	defer tx.Rollback()
	c, err := sfReadCatalog(ctx, tx, providerID)
	return c, MapError(err)
}

func sfReadCatalog(ctx context.Context, tx *sql.Tx, providerID int64) (storefront.Catalog, error) {
	var c storefront.Catalog
	p := &c.Provider
	b := &p.Branding
	var created, updated string
	err := tx.QueryRowContext(ctx, `SELECT id, name, plans_background_color, intro_font_color, footer_color,
		footer_font_color, navbar_color, wallpaper, logo, created_at, updated_at
		FROM storefront_providers WHERE id = ?`, providerID).Scan(&p.ID, &p.Name, &b.PlansBackgroundColor,
		&b.IntroFontColor, &b.FooterColor, &b.FooterFontColor, &b.NavbarColor, &b.Wallpaper, &b.Logo, &created, &updated)
	if err != nil {
		return c, err
	}
	if p.CreatedAt, err = ParseTime(created); err != nil {
		return c, err
	}
	if p.UpdatedAt, err = ParseTime(updated); err != nil {
		return c, err
	}
	if err := sfQueryEach(ctx, tx, `SELECT day FROM storefront_due_days WHERE provider_id = ? ORDER BY day`, []any{providerID},
		func(rows *sql.Rows) error {
			var d int
			err := rows.Scan(&d)
			p.DueDays = append(p.DueDays, d)
			return err
		}); err != nil {
		return c, err
	}
	if err := sfQueryEach(ctx, tx, `SELECT id, origin FROM storefront_origins WHERE provider_id = ? ORDER BY id`, []any{providerID},
		func(rows *sql.Rows) error {
			var o storefront.Origin
			err := rows.Scan(&o.ID, &o.URL)
			c.Origins = append(c.Origins, o)
			return err
		}); err != nil {
		return c, err
	}
	for kind, dst := range map[storefront.ItemKind]*[]storefront.Item{
		storefront.Categories: &c.Categories, storefront.PaymentMethods: &c.PaymentMethods, storefront.Services: &c.Services,
	} {
		err := sfQueryEach(ctx, tx, `SELECT id, name, sort_order FROM `+sfItemTables[kind].table+`
			WHERE provider_id = ? ORDER BY sort_order IS NULL, sort_order, id`, []any{providerID},
			func(rows *sql.Rows) error {
				var it storefront.Item
				var order sql.NullInt64
				err := rows.Scan(&it.ID, &it.Name, &order)
				it.SortOrder = sfIntPtr(order)
				*dst = append(*dst, it)
				return err
			})
		if err != nil {
			return c, err
		}
	}
	plans := map[int64]*storefront.Plan{}
	if err := sfQueryEach(ctx, tx, `SELECT id, name, sort_order, monthly_price_cents, installation_fee_upfront,
		installation_fee_installments, upload_speed, download_speed, price_note, detail_line1, detail_line2,
		detail_line3, primary_color, secondary_color, title, html
		FROM storefront_plans WHERE provider_id = ? ORDER BY sort_order IS NULL, sort_order, id`, []any{providerID},
		func(rows *sql.Rows) error {
			var pl storefront.Plan
			var order sql.NullInt64
			err := rows.Scan(&pl.ID, &pl.Name, &order, &pl.MonthlyPriceCents, &pl.InstallationFeeUpfront,
				&pl.InstallationFeeInstallments, &pl.UploadSpeed, &pl.DownloadSpeed, &pl.PriceNote, &pl.DetailLine1,
				&pl.DetailLine2, &pl.DetailLine3, &pl.PrimaryColor, &pl.SecondaryColor, &pl.Title, &pl.HTML)
			pl.SortOrder = sfIntPtr(order)
			c.Plans = append(c.Plans, pl)
			return err
		}); err != nil {
		return c, err
	}
	for i := range c.Plans {
		plans[c.Plans[i].ID] = &c.Plans[i]
	}
	for kind, ids := range map[storefront.ItemKind]func(*storefront.Plan) *[]int64{
		storefront.Categories:     func(p *storefront.Plan) *[]int64 { return &p.CategoryIDs },
		storefront.PaymentMethods: func(p *storefront.Plan) *[]int64 { return &p.PaymentMethodIDs },
		storefront.Services:       func(p *storefront.Plan) *[]int64 { return &p.ServiceIDs },
	} {
		t := sfItemTables[kind]
		err := sfQueryEach(ctx, tx, `SELECT plan_id, `+t.column+` FROM `+t.link+` WHERE provider_id = ? ORDER BY plan_id, `+t.column,
			[]any{providerID}, func(rows *sql.Rows) error {
				var planID, id int64
				if err := rows.Scan(&planID, &id); err != nil {
					return err
				}
				if p := plans[planID]; p != nil {
					*ids(p) = append(*ids(p), id)
				}
				return nil
			})
		if err != nil {
			return c, err
		}
	}
	err = sfQueryEach(ctx, tx, `SELECT id, plan_id, name, geometry, cep_start, cep_end
		FROM storefront_coverage_areas WHERE provider_id = ? ORDER BY id`, []any{providerID},
		func(rows *sql.Rows) error {
			var a storefront.CoverageArea
			var planID, start, end sql.NullInt64
			var geometry sql.NullString
			if err := rows.Scan(&a.ID, &planID, &a.Name, &geometry, &start, &end); err != nil {
				return err
			}
			a.PlanID, a.CEPStart, a.CEPEnd = planID.Int64, int(start.Int64), int(end.Int64)
			if geometry.Valid {
				g, err := storefront.ParseGeometry([]byte(geometry.String))
				if err != nil {
					return fmt.Errorf("coverage area %d: stored geometry: %w", a.ID, err)
				}
				a.Geometry = g
			}
			c.Coverage = append(c.Coverage, a)
			return nil
		})
	return c, err
}

// sfQueryEach runs a query and calls fn for each row.
func sfQueryEach(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	return sfEachRow(rows, err, fn)
}

// sfEachRow calls fn for each row of a query's result.
func sfEachRow(rows *sql.Rows, err error, fn func(*sql.Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func sfIntPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func sfNullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// sfNullID stores id 0 as NULL.
func sfNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// --- categories, payment methods, services ---

func (s *StorefrontStore) CreateItem(ctx context.Context, kind storefront.ItemKind, providerID int64, it storefront.Item) (storefront.Item, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO `+sfItemTables[kind].table+` (provider_id, name, sort_order)
			VALUES (?, ?, ?) RETURNING id`, providerID, it.Name, sfNullInt(it.SortOrder)).Scan(&it.ID)
	})
	return it, MapError(err)
}

func (s *StorefrontStore) UpdateItem(ctx context.Context, kind storefront.ItemKind, providerID int64, it storefront.Item) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE `+sfItemTables[kind].table+` SET name = ?, sort_order = ?
			WHERE provider_id = ? AND id = ?`, it.Name, sfNullInt(it.SortOrder), providerID, it.ID)
		return expectOne(res, err)
	}))
}

func (s *StorefrontStore) DeleteItem(ctx context.Context, kind storefront.ItemKind, providerID, id int64) error {
	return s.deleteOwned(ctx, sfItemTables[kind].table, providerID, id)
}

// --- plans ---

func (s *StorefrontStore) CreatePlan(ctx context.Context, providerID int64, p storefront.Plan) (storefront.Plan, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO storefront_plans (provider_id, name, sort_order,
			monthly_price_cents, installation_fee_upfront, installation_fee_installments, upload_speed,
			download_speed, price_note, detail_line1, detail_line2, detail_line3, primary_color, secondary_color,
			title, html) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, p.Name, sfNullInt(p.SortOrder), p.MonthlyPriceCents, p.InstallationFeeUpfront,
			p.InstallationFeeInstallments, p.UploadSpeed, p.DownloadSpeed, p.PriceNote, p.DetailLine1,
			p.DetailLine2, p.DetailLine3, p.PrimaryColor, p.SecondaryColor, p.Title, p.HTML).Scan(&p.ID); err != nil {
			return err
		}
		return sfWritePlanLinks(ctx, tx, providerID, &p)
	})
	return p, MapError(err)
}

func (s *StorefrontStore) UpdatePlan(ctx context.Context, providerID int64, p storefront.Plan) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE storefront_plans SET name = ?, sort_order = ?,
			monthly_price_cents = ?, installation_fee_upfront = ?, installation_fee_installments = ?,
			upload_speed = ?, download_speed = ?, price_note = ?, detail_line1 = ?, detail_line2 = ?,
			detail_line3 = ?, primary_color = ?, secondary_color = ?, title = ?, html = ?
			WHERE provider_id = ? AND id = ?`,
			p.Name, sfNullInt(p.SortOrder), p.MonthlyPriceCents, p.InstallationFeeUpfront,
			p.InstallationFeeInstallments, p.UploadSpeed, p.DownloadSpeed, p.PriceNote, p.DetailLine1,
			p.DetailLine2, p.DetailLine3, p.PrimaryColor, p.SecondaryColor, p.Title, p.HTML, providerID, p.ID)
		if err := expectOne(res, err); err != nil {
			return err
		}
		return sfWritePlanLinks(ctx, tx, providerID, &p)
	}))
}

// sfWritePlanLinks replaces a plan's categories, payment methods and
// services. The links carry provider_id, so the foreign keys refuse an id
// of another provider.
func sfWritePlanLinks(ctx context.Context, tx *sql.Tx, providerID int64, p *storefront.Plan) error {
	for kind, ids := range map[storefront.ItemKind][]int64{
		storefront.Categories: p.CategoryIDs, storefront.PaymentMethods: p.PaymentMethodIDs, storefront.Services: p.ServiceIDs,
	} {
		t := sfItemTables[kind]
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.link+` WHERE plan_id = ?`, p.ID); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+t.link+` (provider_id, plan_id, `+t.column+`) VALUES (?, ?, ?)`,
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

const sfCouponColumns = `id, name, description, valid_from, valid_until, max_redemptions, redemptions`

func sfScanCoupon(row interface{ Scan(...any) error }) (storefront.Coupon, error) {
	var c storefront.Coupon
	var from, until sql.NullString
	var maxR sql.NullInt64
	if err := row.Scan(&c.ID, &c.Name, &c.Description, &from, &until, &maxR, &c.Redemptions); err != nil {
		return c, err
	}
	var err error
	if from.Valid {
		if c.ValidFrom, err = ParseTime(from.String); err != nil {
			return c, err
		}
	}
	if until.Valid {
		if c.ValidUntil, err = ParseTime(until.String); err != nil {
			return c, err
		}
	}
	c.MaxRedemptions = sfIntPtr(maxR)
	return c, nil
}

func sfNullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return FormatTime(t)
}

func (s *StorefrontStore) couponPlanIDs(ctx context.Context, c *storefront.Coupon) error {
	rows, err := s.couponPlans.QueryContext(ctx, c.ID)
	return sfEachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		err := rows.Scan(&id)
		c.PlanIDs = append(c.PlanIDs, id)
		return err
	})
}

func (s *StorefrontStore) Coupons(ctx context.Context, providerID int64) ([]storefront.Coupon, error) {
	var out []storefront.Coupon
	err := sfQueryEach(ctx, s.db.reader, `SELECT `+sfCouponColumns+` FROM storefront_coupons WHERE provider_id = ? ORDER BY id`,
		[]any{providerID}, func(rows *sql.Rows) error {
			c, err := sfScanCoupon(rows)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, MapError(err)
	}
	links := map[int64][]int64{}
	err = sfQueryEach(ctx, s.db.reader, `SELECT coupon_id, plan_id FROM storefront_coupon_plans WHERE provider_id = ?
		ORDER BY coupon_id, plan_id`, []any{providerID}, func(rows *sql.Rows) error {
		var couponID, planID int64
		err := rows.Scan(&couponID, &planID)
		links[couponID] = append(links[couponID], planID)
		return err
	})
	for i := range out {
		out[i].PlanIDs = links[out[i].ID]
	}
	return out, MapError(err)
}

func (s *StorefrontStore) Coupon(ctx context.Context, providerID, id int64) (storefront.Coupon, error) {
	c, err := sfScanCoupon(s.couponByID.QueryRowContext(ctx, providerID, id))
	if err == nil {
		err = s.couponPlanIDs(ctx, &c)
	}
	return c, MapError(err)
}

func (s *StorefrontStore) CouponByName(ctx context.Context, providerID int64, name string) (storefront.Coupon, error) {
	c, err := sfScanCoupon(s.couponByName.QueryRowContext(ctx, providerID, storefront.CouponKey(name)))
	if err == nil {
		err = s.couponPlanIDs(ctx, &c)
	}
	return c, MapError(err)
}

func (s *StorefrontStore) CreateCoupon(ctx context.Context, providerID int64, c storefront.Coupon) (storefront.Coupon, error) {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO storefront_coupons (provider_id, name, name_key, description,
			valid_from, valid_until, max_redemptions) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, c.Name, storefront.CouponKey(c.Name), c.Description, sfNullTime(c.ValidFrom),
			sfNullTime(c.ValidUntil), sfNullInt(c.MaxRedemptions)).Scan(&c.ID); err != nil {
			return err
		}
		return sfWriteCouponPlans(ctx, tx, providerID, &c)
	})
	return c, MapError(err)
}

func (s *StorefrontStore) UpdateCoupon(ctx context.Context, providerID int64, c storefront.Coupon) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE storefront_coupons SET name = ?, name_key = ?, description = ?,
			valid_from = ?, valid_until = ?, max_redemptions = ? WHERE provider_id = ? AND id = ?`,
			c.Name, storefront.CouponKey(c.Name), c.Description, sfNullTime(c.ValidFrom), sfNullTime(c.ValidUntil),
			sfNullInt(c.MaxRedemptions), providerID, c.ID)
		if err := expectOne(res, err); err != nil {
			return err
		}
		return sfWriteCouponPlans(ctx, tx, providerID, &c)
	}))
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

func sfAreaValues(a storefront.CoverageArea) (geometry, start, end any) {
	if a.Geometry != nil {
		return string(a.Geometry.JSON()), nil, nil
	}
	return nil, a.CEPStart, a.CEPEnd
}

func (s *StorefrontStore) CreateCoverageArea(ctx context.Context, providerID int64, a storefront.CoverageArea) (storefront.CoverageArea, error) {
	geometry, start, end := sfAreaValues(a)
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO storefront_coverage_areas (provider_id, plan_id, name, geometry,
			cep_start, cep_end) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, sfNullID(a.PlanID), a.Name, geometry, start, end).Scan(&a.ID)
	})
	return a, MapError(err)
}

func (s *StorefrontStore) UpdateCoverageArea(ctx context.Context, providerID int64, a storefront.CoverageArea) error {
	geometry, start, end := sfAreaValues(a)
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE storefront_coverage_areas SET plan_id = ?, name = ?, geometry = ?,
			cep_start = ?, cep_end = ? WHERE provider_id = ? AND id = ?`,
			sfNullID(a.PlanID), a.Name, geometry, start, end, providerID, a.ID)
		return expectOne(res, err)
	}))
}

func (s *StorefrontStore) DeleteCoverageArea(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coverage_areas", providerID, id)
}

// --- subscriptions ---

// sfSubscriptionValues are sub's columns in sfSubscriptionColumns order, minus
// id, provider_id and the timestamps.
func sfSubscriptionValues(sub *storefront.Subscription) []any {
	var birth, upfront, lat, lng any
	if !sub.BirthDate.IsZero() {
		birth = sub.BirthDate.Format(time.DateOnly)
	}
	if sub.UpfrontInstallation != nil {
		upfront = *sub.UpfrontInstallation
	}
	if sub.Location != nil {
		lat, lng = sub.Location.Lat, sub.Location.Lng
	}
	var due any
	if sub.DueDay != 0 {
		due = sub.DueDay
	}
	return []any{sfNullID(sub.PlanID), sfNullID(sub.CouponID), sfNullID(sub.PaymentMethodID), sub.ColdLead, sub.Coverage,
		sub.Name, sub.Email, sub.MobilePhone, sub.Document, sub.IDDocument, birth, due, upfront,
		sub.InstallationFee, sub.Street, sub.Number, sub.Complement, sub.District, sub.City, sub.CEP,
		sub.CurrentProvider, lat, lng}
}

func sfScanSubscription(row interface{ Scan(...any) error }) (storefront.Subscription, error) {
	var sub storefront.Subscription
	var planID, couponID, pmID, due sql.NullInt64
	var birth sql.NullString
	var upfront sql.NullBool
	var lat, lng sql.NullFloat64
	var created, updated string
	err := row.Scan(&sub.ID, &sub.ProviderID, &planID, &couponID, &pmID, &sub.ColdLead, &sub.Coverage,
		&sub.Name, &sub.Email, &sub.MobilePhone, &sub.Document, &sub.IDDocument, &birth, &due, &upfront,
		&sub.InstallationFee, &sub.Street, &sub.Number, &sub.Complement, &sub.District, &sub.City, &sub.CEP,
		&sub.CurrentProvider, &lat, &lng, &created, &updated)
	if err != nil {
		return sub, err
	}
	sub.PlanID, sub.CouponID, sub.PaymentMethodID, sub.DueDay = planID.Int64, couponID.Int64, pmID.Int64, int(due.Int64)
	if birth.Valid {
		if sub.BirthDate, err = time.Parse(time.DateOnly, birth.String); err != nil {
			return sub, err
		}
	}
	if upfront.Valid {
		sub.UpfrontInstallation = &upfront.Bool
	}
	if lat.Valid && lng.Valid {
		sub.Location = &storefront.Point{Lat: lat.Float64, Lng: lng.Float64}
	}
	if sub.CreatedAt, err = ParseTime(created); err != nil {
		return sub, err
	}
	sub.UpdatedAt, err = ParseTime(updated)
	return sub, err
}

func (s *StorefrontStore) CreateSubscription(ctx context.Context, sub storefront.Subscription) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		if sub.CouponID != 0 {
			if err := sfRedeem(ctx, tx.StmtContext(ctx, s.redeemCoupon), sub.ProviderID, sub.CouponID); err != nil {
				return err
			}
		}
		args := append([]any{sub.ID, sub.ProviderID}, sfSubscriptionValues(&sub)...)
		args = append(args, FormatTime(sub.CreatedAt), FormatTime(sub.UpdatedAt))
		_, err := tx.StmtContext(ctx, s.insertSubscription).ExecContext(ctx, args...)
		return err
	}))
}

// sfRedeem counts one use of a coupon, failing when it is at its limit.
func sfRedeem(ctx context.Context, stmt *sql.Stmt, providerID, couponID int64) error {
	res, err := stmt.ExecContext(ctx, providerID, couponID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return storefront.CouponUsedUp()
	}
	return nil
}

func (s *StorefrontStore) UpdateSubscription(ctx context.Context, sub storefront.Subscription) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		var current sql.NullInt64
		if err := tx.StmtContext(ctx, s.currentCoupon).QueryRowContext(ctx, sub.ProviderID, sub.ID).Scan(&current); err != nil {
			return err
		}
		if current.Int64 != sub.CouponID {
			if current.Valid {
				if _, err := tx.StmtContext(ctx, s.releaseCoupon).ExecContext(ctx, sub.ProviderID, current.Int64); err != nil {
					return err
				}
			}
			if sub.CouponID != 0 {
				if err := sfRedeem(ctx, tx.StmtContext(ctx, s.redeemCoupon), sub.ProviderID, sub.CouponID); err != nil {
					return err
				}
			}
		}
		args := append(sfSubscriptionValues(&sub), FormatTime(sub.UpdatedAt), sub.ProviderID, sub.ID)
		res, err := tx.StmtContext(ctx, s.updateSubscription).ExecContext(ctx, args...)
		return expectOne(res, err)
	}))
}

func (s *StorefrontStore) Subscription(ctx context.Context, providerID int64, id string) (storefront.Subscription, error) {
	sub, err := sfScanSubscription(s.subscriptionByID.QueryRowContext(ctx, providerID, id))
	if err != nil {
		return sub, MapError(err)
	}
	rows, err := s.subscriptionFile.QueryContext(ctx, id)
	err = sfEachRow(rows, err, func(rows *sql.Rows) error {
		var f storefront.SubscriptionFile
		var kind, uploaded string
		if err := rows.Scan(&kind, &f.Object.Key, &f.FileName, &f.Object.ContentType, &f.Object.Size,
			&f.Object.SHA256, &uploaded); err != nil {
			return err
		}
		f.Kind = storefront.FileKind(kind)
		var err error
		f.UploadedAt, err = ParseTime(uploaded)
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
	err := sfQueryEach(ctx, s.db.reader, `SELECT `+sfSubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		[]any{providerID, page.Limit, page.Offset}, func(rows *sql.Rows) error {
			sub, err := sfScanSubscription(rows)
			out = append(out, sub)
			return err
		})
	return out, total, MapError(err)
}

func (s *StorefrontStore) EachSubscription(ctx context.Context, providerID int64, fn func(storefront.Subscription) error) error {
	return MapError(sfQueryEach(ctx, s.db.reader, `SELECT `+sfSubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = ? ORDER BY created_at, id`, []any{providerID}, func(rows *sql.Rows) error {
		sub, err := sfScanSubscription(rows)
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
			var old storefront.SubscriptionFile
			err := tx.QueryRowContext(ctx, `SELECT blob_key FROM storefront_subscription_files
				WHERE subscription_id = ? AND kind = ?`, subscriptionID, string(f.Kind)).Scan(&old.Object.Key)
			switch {
			case err == nil:
				old.Kind = f.Kind
				replaced = append(replaced, old)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO storefront_subscription_files (subscription_id, kind,
				blob_key, file_name, content_type, size, sha256, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (subscription_id, kind) DO UPDATE SET blob_key = excluded.blob_key,
				file_name = excluded.file_name, content_type = excluded.content_type, size = excluded.size,
				sha256 = excluded.sha256, uploaded_at = excluded.uploaded_at`,
				subscriptionID, string(f.Kind), f.Object.Key, f.FileName, f.Object.ContentType, f.Object.Size,
				f.Object.SHA256, FormatTime(f.UploadedAt)); err != nil {
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
