package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/storefront"
)

// StorefrontStore keeps the ISP storefront in PostgreSQL. pgx prepares and
// caches each statement on first use per connection.
type StorefrontStore struct {
	db *DB
}

var _ storefront.Store = (*StorefrontStore)(nil)

// newStorefrontStore returns the storefront store on db.
func newStorefrontStore(db *DB) *StorefrontStore { return &StorefrontStore{db: db} }

const sfSubscriptionColumns = `id, provider_id, plan_id, coupon_id, payment_method_id, cold_lead, coverage,
	name, email, mobile_phone, document, id_document, birth_date, due_day, upfront_installation,
	installation_fee, street, number, complement, district, city, cep, current_provider,
	latitude, longitude, created_at, updated_at`

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
func sfQueryEach(ctx context.Context, q sfQuerier, sql string, args []any, fn func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, sql, args...)
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

func sfNullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func sfNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func sfNullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func sfIntPtr(p *int32) *int {
	if p == nil {
		return nil
	}
	v := int(*p)
	return &v
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
	b := p.Branding
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE storefront_providers SET name = $1, plans_background_color = $2,
			intro_font_color = $3, footer_color = $4, footer_font_color = $5, navbar_color = $6, wallpaper = $7,
			logo = $8, updated_at = $9 WHERE id = $10`, p.Name, b.PlansBackgroundColor, b.IntroFontColor,
			b.FooterColor, b.FooterFontColor, b.NavbarColor, b.Wallpaper, b.Logo, now.UTC(), p.ID)
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
	tag, err := s.db.Pool.Exec(ctx, `DELETE FROM `+table+` WHERE provider_id = $1 AND id = $2`, providerID, id)
	return MapError(sfExpectOne(tag, err))
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

var sfItemTables = map[storefront.ItemKind]struct{ table, link, column string }{
	storefront.Categories:     {"storefront_categories", "storefront_plan_categories", "category_id"},
	storefront.PaymentMethods: {"storefront_payment_methods", "storefront_plan_payment_methods", "payment_method_id"},
	storefront.Services:       {"storefront_services", "storefront_plan_services", "service_id"},
}

// Catalog reads everything in one repeatable-read transaction, so the
// storefront never serves a half-applied change.
func (s *StorefrontStore) Catalog(ctx context.Context, providerID int64) (storefront.Catalog, error) {
	var c storefront.Catalog
	err := pgx.BeginTxFunc(ctx, s.db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		c, err = sfReadCatalog(ctx, tx, providerID)
		return err
	})
	return c, MapError(err)
}

func sfReadCatalog(ctx context.Context, tx pgx.Tx, providerID int64) (storefront.Catalog, error) {
	var c storefront.Catalog
	p := &c.Provider
	b := &p.Branding
	err := tx.QueryRow(ctx, `SELECT id, name, plans_background_color, intro_font_color, footer_color,
		footer_font_color, navbar_color, wallpaper, logo, created_at, updated_at
		FROM storefront_providers WHERE id = $1`, providerID).Scan(&p.ID, &p.Name, &b.PlansBackgroundColor,
		&b.IntroFontColor, &b.FooterColor, &b.FooterFontColor, &b.NavbarColor, &b.Wallpaper, &b.Logo, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return c, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if err := sfQueryEach(ctx, tx, `SELECT day FROM storefront_due_days WHERE provider_id = $1 ORDER BY day`, []any{providerID},
		func(rows pgx.Rows) error {
			var d int
			err := rows.Scan(&d)
			p.DueDays = append(p.DueDays, d)
			return err
		}); err != nil {
		return c, err
	}
	if err := sfQueryEach(ctx, tx, `SELECT id, origin FROM storefront_origins WHERE provider_id = $1 ORDER BY id`, []any{providerID},
		func(rows pgx.Rows) error {
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
			WHERE provider_id = $1 ORDER BY sort_order IS NULL, sort_order, id`, []any{providerID},
			func(rows pgx.Rows) error {
				var it storefront.Item
				var order *int32
				err := rows.Scan(&it.ID, &it.Name, &order)
				it.SortOrder = sfIntPtr(order)
				*dst = append(*dst, it)
				return err
			})
		if err != nil {
			return c, err
		}
	}
	if err := sfQueryEach(ctx, tx, `SELECT id, name, sort_order, monthly_price_cents, installation_fee_upfront,
		installation_fee_installments, upload_speed, download_speed, price_note, detail_line1, detail_line2,
		detail_line3, primary_color, secondary_color, title, html
		FROM storefront_plans WHERE provider_id = $1 ORDER BY sort_order IS NULL, sort_order, id`, []any{providerID},
		func(rows pgx.Rows) error {
			var pl storefront.Plan
			var order *int32
			err := rows.Scan(&pl.ID, &pl.Name, &order, &pl.MonthlyPriceCents, &pl.InstallationFeeUpfront,
				&pl.InstallationFeeInstallments, &pl.UploadSpeed, &pl.DownloadSpeed, &pl.PriceNote, &pl.DetailLine1,
				&pl.DetailLine2, &pl.DetailLine3, &pl.PrimaryColor, &pl.SecondaryColor, &pl.Title, &pl.HTML)
			pl.SortOrder = sfIntPtr(order)
			c.Plans = append(c.Plans, pl)
			return err
		}); err != nil {
		return c, err
	}
	plans := make(map[int64]*storefront.Plan, len(c.Plans))
	for i := range c.Plans {
		plans[c.Plans[i].ID] = &c.Plans[i]
	}
	for kind, ids := range map[storefront.ItemKind]func(*storefront.Plan) *[]int64{
		storefront.Categories:     func(p *storefront.Plan) *[]int64 { return &p.CategoryIDs },
		storefront.PaymentMethods: func(p *storefront.Plan) *[]int64 { return &p.PaymentMethodIDs },
		storefront.Services:       func(p *storefront.Plan) *[]int64 { return &p.ServiceIDs },
	} {
		t := sfItemTables[kind]
		err := sfQueryEach(ctx, tx, `SELECT plan_id, `+t.column+` FROM `+t.link+` WHERE provider_id = $1 ORDER BY plan_id, `+t.column,
			[]any{providerID}, func(rows pgx.Rows) error {
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
		FROM storefront_coverage_areas WHERE provider_id = $1 ORDER BY id`, []any{providerID},
		func(rows pgx.Rows) error {
			var a storefront.CoverageArea
			var planID *int64
			var start, end *int32
			var geometry *string
			if err := rows.Scan(&a.ID, &planID, &a.Name, &geometry, &start, &end); err != nil {
				return err
			}
			if planID != nil {
				a.PlanID = *planID
			}
			if start != nil && end != nil {
				a.CEPStart, a.CEPEnd = int(*start), int(*end)
			}
			if geometry != nil {
				g, err := storefront.ParseGeometry([]byte(*geometry))
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

// --- categories, payment methods, services ---

func (s *StorefrontStore) CreateItem(ctx context.Context, kind storefront.ItemKind, providerID int64, it storefront.Item) (storefront.Item, error) {
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO `+sfItemTables[kind].table+` (provider_id, name, sort_order)
		VALUES ($1, $2, $3) RETURNING id`, providerID, it.Name, sfNullInt(it.SortOrder)).Scan(&it.ID)
	return it, MapError(err)
}

func (s *StorefrontStore) UpdateItem(ctx context.Context, kind storefront.ItemKind, providerID int64, it storefront.Item) error {
	tag, err := s.db.Pool.Exec(ctx, `UPDATE `+sfItemTables[kind].table+` SET name = $1, sort_order = $2
		WHERE provider_id = $3 AND id = $4`, it.Name, sfNullInt(it.SortOrder), providerID, it.ID)
	return MapError(sfExpectOne(tag, err))
}

func (s *StorefrontStore) DeleteItem(ctx context.Context, kind storefront.ItemKind, providerID, id int64) error {
	return s.deleteOwned(ctx, sfItemTables[kind].table, providerID, id)
}

// --- plans ---

func (s *StorefrontStore) CreatePlan(ctx context.Context, providerID int64, p storefront.Plan) (storefront.Plan, error) {
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO storefront_plans (provider_id, name, sort_order,
			monthly_price_cents, installation_fee_upfront, installation_fee_installments, upload_speed,
			download_speed, price_note, detail_line1, detail_line2, detail_line3, primary_color, secondary_color,
			title, html) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
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
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE storefront_plans SET name = $1, sort_order = $2,
			monthly_price_cents = $3, installation_fee_upfront = $4, installation_fee_installments = $5,
			upload_speed = $6, download_speed = $7, price_note = $8, detail_line1 = $9, detail_line2 = $10,
			detail_line3 = $11, primary_color = $12, secondary_color = $13, title = $14, html = $15
			WHERE provider_id = $16 AND id = $17`,
			p.Name, sfNullInt(p.SortOrder), p.MonthlyPriceCents, p.InstallationFeeUpfront,
			p.InstallationFeeInstallments, p.UploadSpeed, p.DownloadSpeed, p.PriceNote, p.DetailLine1,
			p.DetailLine2, p.DetailLine3, p.PrimaryColor, p.SecondaryColor, p.Title, p.HTML, providerID, p.ID)
		if err := sfExpectOne(tag, err); err != nil {
			return err
		}
		return sfWritePlanLinks(ctx, tx, providerID, &p)
	}))
}

// sfWritePlanLinks replaces a plan's categories, payment methods and
// services. The links carry provider_id, so the foreign keys refuse an id
// of another provider.
func sfWritePlanLinks(ctx context.Context, tx pgx.Tx, providerID int64, p *storefront.Plan) error {
	for kind, ids := range map[storefront.ItemKind][]int64{
		storefront.Categories: p.CategoryIDs, storefront.PaymentMethods: p.PaymentMethodIDs, storefront.Services: p.ServiceIDs,
	} {
		t := sfItemTables[kind]
		if _, err := tx.Exec(ctx, `DELETE FROM `+t.link+` WHERE plan_id = $1`, p.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+t.link+` (provider_id, plan_id, `+t.column+`)
			SELECT $1, $2, unnest($3::bigint[])`, providerID, p.ID, sfNonNil(ids)); err != nil {
			return err
		}
	}
	return nil
}

func sfNonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func (s *StorefrontStore) DeletePlan(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_plans", providerID, id)
}

// --- coupons ---

const sfCouponColumns = `id, name, description, valid_from, valid_until, max_redemptions, redemptions,
	ARRAY(SELECT plan_id FROM storefront_coupon_plans cp WHERE cp.coupon_id = storefront_coupons.id ORDER BY plan_id)`

func sfScanCoupon(row pgx.Row) (storefront.Coupon, error) {
	var c storefront.Coupon
	var from, until *time.Time
	var maxR *int32
	if err := row.Scan(&c.ID, &c.Name, &c.Description, &from, &until, &maxR, &c.Redemptions, &c.PlanIDs); err != nil {
		return c, err
	}
	if from != nil {
		c.ValidFrom = from.UTC()
	}
	if until != nil {
		c.ValidUntil = until.UTC()
	}
	if len(c.PlanIDs) == 0 {
		c.PlanIDs = nil
	}
	c.MaxRedemptions = sfIntPtr(maxR)
	return c, nil
}

func (s *StorefrontStore) Coupons(ctx context.Context, providerID int64) ([]storefront.Coupon, error) {
	var out []storefront.Coupon
	err := sfQueryEach(ctx, s.db.Pool, `SELECT `+sfCouponColumns+` FROM storefront_coupons WHERE provider_id = $1 ORDER BY id`,
		[]any{providerID}, func(rows pgx.Rows) error {
			c, err := sfScanCoupon(rows)
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

func (s *StorefrontStore) CreateCoupon(ctx context.Context, providerID int64, c storefront.Coupon) (storefront.Coupon, error) {
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO storefront_coupons (provider_id, name, name_key, description,
			valid_from, valid_until, max_redemptions) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			providerID, c.Name, storefront.CouponKey(c.Name), c.Description, sfNullTime(c.ValidFrom),
			sfNullTime(c.ValidUntil), sfNullInt(c.MaxRedemptions)).Scan(&c.ID); err != nil {
			return err
		}
		return sfWriteCouponPlans(ctx, tx, providerID, &c)
	})
	return c, MapError(err)
}

func (s *StorefrontStore) UpdateCoupon(ctx context.Context, providerID int64, c storefront.Coupon) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE storefront_coupons SET name = $1, name_key = $2, description = $3,
			valid_from = $4, valid_until = $5, max_redemptions = $6 WHERE provider_id = $7 AND id = $8`,
			c.Name, storefront.CouponKey(c.Name), c.Description, sfNullTime(c.ValidFrom), sfNullTime(c.ValidUntil),
			sfNullInt(c.MaxRedemptions), providerID, c.ID)
		if err := sfExpectOne(tag, err); err != nil {
			return err
		}
		return sfWriteCouponPlans(ctx, tx, providerID, &c)
	}))
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

func sfAreaValues(a storefront.CoverageArea) (geometry, start, end any) {
	if a.Geometry != nil {
		return string(a.Geometry.JSON()), nil, nil
	}
	return nil, a.CEPStart, a.CEPEnd
}

func (s *StorefrontStore) CreateCoverageArea(ctx context.Context, providerID int64, a storefront.CoverageArea) (storefront.CoverageArea, error) {
	geometry, start, end := sfAreaValues(a)
	err := s.db.Pool.QueryRow(ctx, `INSERT INTO storefront_coverage_areas (provider_id, plan_id, name, geometry,
		cep_start, cep_end) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		providerID, sfNullID(a.PlanID), a.Name, geometry, start, end).Scan(&a.ID)
	return a, MapError(err)
}

func (s *StorefrontStore) UpdateCoverageArea(ctx context.Context, providerID int64, a storefront.CoverageArea) error {
	geometry, start, end := sfAreaValues(a)
	tag, err := s.db.Pool.Exec(ctx, `UPDATE storefront_coverage_areas SET plan_id = $1, name = $2, geometry = $3,
		cep_start = $4, cep_end = $5 WHERE provider_id = $6 AND id = $7`,
		sfNullID(a.PlanID), a.Name, geometry, start, end, providerID, a.ID)
	return MapError(sfExpectOne(tag, err))
}

func (s *StorefrontStore) DeleteCoverageArea(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coverage_areas", providerID, id)
}

// --- subscriptions ---

func sfSubscriptionValues(sub *storefront.Subscription) []any {
	var birth, upfront, lat, lng, due any
	if !sub.BirthDate.IsZero() {
		birth = sub.BirthDate
	}
	if sub.UpfrontInstallation != nil {
		upfront = *sub.UpfrontInstallation
	}
	if sub.Location != nil {
		lat, lng = sub.Location.Lat, sub.Location.Lng
	}
	if sub.DueDay != 0 {
		due = sub.DueDay
	}
	return []any{sfNullID(sub.PlanID), sfNullID(sub.CouponID), sfNullID(sub.PaymentMethodID), sub.ColdLead, sub.Coverage,
		sub.Name, sub.Email, sub.MobilePhone, sub.Document, sub.IDDocument, birth, due, upfront,
		sub.InstallationFee, sub.Street, sub.Number, sub.Complement, sub.District, sub.City, sub.CEP,
		sub.CurrentProvider, lat, lng}
}

func sfScanSubscription(row pgx.Row) (storefront.Subscription, error) {
	var sub storefront.Subscription
	var planID, couponID, pmID *int64
	var due *int32
	var birth *time.Time
	var lat, lng *float64
	err := row.Scan(&sub.ID, &sub.ProviderID, &planID, &couponID, &pmID, &sub.ColdLead, &sub.Coverage,
		&sub.Name, &sub.Email, &sub.MobilePhone, &sub.Document, &sub.IDDocument, &birth, &due, &sub.UpfrontInstallation,
		&sub.InstallationFee, &sub.Street, &sub.Number, &sub.Complement, &sub.District, &sub.City, &sub.CEP,
		&sub.CurrentProvider, &lat, &lng, &sub.CreatedAt, &sub.UpdatedAt)
	if err != nil {
		return sub, err
	}
	for _, f := range []struct {
		src *int64
		dst *int64
	}{{planID, &sub.PlanID}, {couponID, &sub.CouponID}, {pmID, &sub.PaymentMethodID}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if due != nil {
		sub.DueDay = int(*due)
	}
	if birth != nil {
		sub.BirthDate = time.Date(birth.Year(), birth.Month(), birth.Day(), 0, 0, 0, 0, time.UTC)
	}
	if lat != nil && lng != nil {
		sub.Location = &storefront.Point{Lat: *lat, Lng: *lng}
	}
	sub.CreatedAt, sub.UpdatedAt = sub.CreatedAt.UTC(), sub.UpdatedAt.UTC()
	return sub, nil
}

func (s *StorefrontStore) CreateSubscription(ctx context.Context, sub storefront.Subscription) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		if sub.CouponID != 0 {
			if err := sfRedeem(ctx, tx, sub.ProviderID, sub.CouponID); err != nil {
				return err
			}
		}
		args := append([]any{sub.ID, sub.ProviderID}, sfSubscriptionValues(&sub)...)
		args = append(args, sub.CreatedAt.UTC(), sub.UpdatedAt.UTC())
		_, err := tx.Exec(ctx, `INSERT INTO storefront_subscriptions (`+sfSubscriptionColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
			$22, $23, $24, $25, $26, $27)`, args...)
		return err
	}))
}

// sfRedeem counts one use of a coupon. The limit is checked by the UPDATE
// itself: a concurrent redemption waits for the row lock and re-checks the
// condition, so the count never passes the limit.
func sfRedeem(ctx context.Context, tx pgx.Tx, providerID, couponID int64) error {
	tag, err := tx.Exec(ctx, `UPDATE storefront_coupons SET redemptions = redemptions + 1
		WHERE provider_id = $1 AND id = $2 AND (max_redemptions IS NULL OR redemptions < max_redemptions)`,
		providerID, couponID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return storefront.CouponUsedUp()
	}
	return nil
}

func (s *StorefrontStore) UpdateSubscription(ctx context.Context, sub storefront.Subscription) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		var current *int64
		if err := tx.QueryRow(ctx, `SELECT coupon_id FROM storefront_subscriptions
			WHERE provider_id = $1 AND id = $2 FOR UPDATE`, sub.ProviderID, sub.ID).Scan(&current); err != nil {
			return err
		}
		var currentID int64
		if current != nil {
			currentID = *current
		}
		if currentID != sub.CouponID {
			if currentID != 0 {
				if _, err := tx.Exec(ctx, `UPDATE storefront_coupons SET redemptions = redemptions - 1
					WHERE provider_id = $1 AND id = $2 AND redemptions > 0`, sub.ProviderID, currentID); err != nil {
					return err
				}
			}
			if sub.CouponID != 0 {
				if err := sfRedeem(ctx, tx, sub.ProviderID, sub.CouponID); err != nil {
					return err
				}
			}
		}
		args := append(sfSubscriptionValues(&sub), sub.UpdatedAt.UTC(), sub.ProviderID, sub.ID)
		tag, err := tx.Exec(ctx, `UPDATE storefront_subscriptions SET plan_id = $1, coupon_id = $2,
			payment_method_id = $3, cold_lead = $4, coverage = $5, name = $6, email = $7, mobile_phone = $8,
			document = $9, id_document = $10, birth_date = $11, due_day = $12, upfront_installation = $13,
			installation_fee = $14, street = $15, number = $16, complement = $17, district = $18, city = $19,
			cep = $20, current_provider = $21, latitude = $22, longitude = $23, updated_at = $24
			WHERE provider_id = $25 AND id = $26`, args...)
		return sfExpectOne(tag, err)
	}))
}

func (s *StorefrontStore) Subscription(ctx context.Context, providerID int64, id string) (storefront.Subscription, error) {
	sub, err := sfScanSubscription(s.db.Pool.QueryRow(ctx, `SELECT `+sfSubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = $1 AND id = $2`, providerID, id))
	if err != nil {
		return sub, MapError(err)
	}
	err = sfQueryEach(ctx, s.db.Pool, `SELECT kind, blob_key, file_name, content_type, size, sha256, uploaded_at
		FROM storefront_subscription_files WHERE subscription_id = $1 ORDER BY kind`, []any{id}, func(rows pgx.Rows) error {
		var f storefront.SubscriptionFile
		var kind string
		err := rows.Scan(&kind, &f.Object.Key, &f.FileName, &f.Object.ContentType, &f.Object.Size, &f.Object.SHA256, &f.UploadedAt)
		f.Kind, f.UploadedAt = storefront.FileKind(kind), f.UploadedAt.UTC()
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
	err := sfQueryEach(ctx, s.db.Pool, `SELECT `+sfSubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
		[]any{providerID, page.Limit, page.Offset}, func(rows pgx.Rows) error {
			sub, err := sfScanSubscription(rows)
			out = append(out, sub)
			return err
		})
	return out, total, MapError(err)
}

func (s *StorefrontStore) EachSubscription(ctx context.Context, providerID int64, fn func(storefront.Subscription) error) error {
	return MapError(sfQueryEach(ctx, s.db.Pool, `SELECT `+sfSubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = $1 ORDER BY created_at, id`, []any{providerID}, func(rows pgx.Rows) error {
		sub, err := sfScanSubscription(rows)
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
			if _, err := tx.Exec(ctx, `INSERT INTO storefront_subscription_files (subscription_id, kind,
				blob_key, file_name, content_type, size, sha256, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (subscription_id, kind) DO UPDATE SET blob_key = excluded.blob_key,
				file_name = excluded.file_name, content_type = excluded.content_type, size = excluded.size,
				sha256 = excluded.sha256, uploaded_at = excluded.uploaded_at`,
				subscriptionID, string(f.Kind), f.Object.Key, f.FileName, f.Object.ContentType, f.Object.Size,
				f.Object.SHA256, f.UploadedAt.UTC()); err != nil {
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
