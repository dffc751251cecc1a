package storesql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"partnership-service/internal/storefront"
)

// The storefront's dialect-free pieces: column lists, the scans of its rows
// and the values it writes. Every scan takes columns in the order of the
// matching column list; every value list follows its column list.

// NullInt stores a nil *int as NULL.
func NullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// Date scans a DATE column: SQLite keeps "2006-01-02" text, PostgreSQL a
// date. NULL is the zero time.
type Date struct{ T time.Time }

// Scan implements sql.Scanner.
func (d *Date) Scan(src any) error {
	if b, ok := src.([]byte); ok {
		src = string(b)
	}
	var err error
	switch v := src.(type) {
	case nil:
		d.T = time.Time{}
	case time.Time:
		d.T = time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
	case string:
		if d.T, err = time.Parse(time.DateOnly, v); err != nil {
			return fmt.Errorf("storesql: stored date %q: %w", v, err)
		}
	default:
		return fmt.Errorf("storesql: cannot scan %T into a date", src)
	}
	return nil
}

// ItemTable names the table of an item kind and its link to plans.
type ItemTable struct{ Table, Link, Column string }

// ItemTables are the tables of the three item kinds.
var ItemTables = map[storefront.ItemKind]ItemTable{
	storefront.Categories:     {"storefront_categories", "storefront_plan_categories", "category_id"},
	storefront.PaymentMethods: {"storefront_payment_methods", "storefront_plan_payment_methods", "payment_method_id"},
	storefront.Services:       {"storefront_services", "storefront_plan_services", "service_id"},
}

// ProviderColumns are read by scanProvider.
const ProviderColumns = `id, name, COALESCE(slug, ''), plans_background_color, intro_font_color, footer_color,
	footer_font_color, navbar_color, wallpaper, logo, created_at, updated_at`

func scanProvider(row Row, p *storefront.Provider) error {
	b := &p.Branding
	var created, updated Time
	if err := row.Scan(&p.ID, &p.Name, &p.Slug, &b.PlansBackgroundColor, &b.IntroFontColor, &b.FooterColor,
		&b.FooterFontColor, &b.NavbarColor, &b.Wallpaper, &b.Logo, &created, &updated); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt = created.T, updated.T
	return nil
}

// BrandingValues are a provider's branding in the order of its columns
// after name: plans_background_color … logo.
func BrandingValues(b storefront.Branding) []any {
	return []any{b.PlansBackgroundColor, b.IntroFontColor, b.FooterColor, b.FooterFontColor, b.NavbarColor, b.Wallpaper, b.Logo}
}

// ItemColumns are read by scanItem.
const ItemColumns = `id, name, sort_order`

func scanItem(row Row) (storefront.Item, error) {
	var it storefront.Item
	var order sql.NullInt64
	err := row.Scan(&it.ID, &it.Name, &order)
	it.SortOrder = intPtr(order)
	return it, err
}

// PlanFields are a plan's written columns, in PlanValues order.
const PlanFields = `name, sort_order, monthly_price_cents, installation_fee_upfront,
	installation_fee_installments, upload_speed, download_speed, price_note, detail_line1, detail_line2,
	detail_line3, primary_color, secondary_color, title, html`

// StorefrontPlanColumns are read by scanPlan.
const StorefrontPlanColumns = `id, ` + PlanFields

// PlanValues are p's PlanFields.
func PlanValues(p *storefront.Plan) []any {
	return []any{p.Name, NullInt(p.SortOrder), p.MonthlyPriceCents, p.InstallationFeeUpfront,
		p.InstallationFeeInstallments, p.UploadSpeed, p.DownloadSpeed, p.PriceNote, p.DetailLine1,
		p.DetailLine2, p.DetailLine3, p.PrimaryColor, p.SecondaryColor, p.Title, p.HTML}
}

func scanPlan(row Row) (storefront.Plan, error) {
	var p storefront.Plan
	var order sql.NullInt64
	err := row.Scan(&p.ID, &p.Name, &order, &p.MonthlyPriceCents, &p.InstallationFeeUpfront,
		&p.InstallationFeeInstallments, &p.UploadSpeed, &p.DownloadSpeed, &p.PriceNote, &p.DetailLine1,
		&p.DetailLine2, &p.DetailLine3, &p.PrimaryColor, &p.SecondaryColor, &p.Title, &p.HTML)
	p.SortOrder = intPtr(order)
	return p, err
}

// AreaFields are a coverage area's written columns, in AreaValues order.
const AreaFields = `plan_id, name, geometry, cep_start, cep_end`

// AreaColumns are read by scanArea.
const AreaColumns = `id, ` + AreaFields

// AreaValues are a's AreaFields: a polygon area has no CEP range, a CEP
// range no geometry.
func AreaValues(a *storefront.CoverageArea) []any {
	if a.Geometry != nil {
		return []any{NullID(a.PlanID), a.Name, string(a.Geometry.JSON()), nil, nil}
	}
	return []any{NullID(a.PlanID), a.Name, nil, a.CEPStart, a.CEPEnd}
}

func scanArea(row Row) (storefront.CoverageArea, error) {
	var a storefront.CoverageArea
	var planID, start, end sql.NullInt64
	var geometry sql.NullString
	if err := row.Scan(&a.ID, &planID, &a.Name, &geometry, &start, &end); err != nil {
		return a, err
	}
	a.PlanID, a.CEPStart, a.CEPEnd = planID.Int64, int(start.Int64), int(end.Int64)
	if geometry.Valid {
		g, err := storefront.ParseGeometry([]byte(geometry.String))
		if err != nil {
			return a, fmt.Errorf("coverage area %d: stored geometry: %w", a.ID, err)
		}
		a.Geometry = g
	}
	return a, nil
}

// The catalog's queries, in display order: ordenacao first, nulls last,
// then id. Each takes the provider id as its only parameter.
var (
	catalogProvider = `SELECT ` + ProviderColumns + ` FROM storefront_providers WHERE id = ?`
	catalogDueDays  = `SELECT day FROM storefront_due_days WHERE provider_id = ? ORDER BY day`
	catalogOrigins  = `SELECT id, origin FROM storefront_origins WHERE provider_id = ? ORDER BY id`
	catalogPlans    = `SELECT ` + StorefrontPlanColumns + ` FROM storefront_plans WHERE provider_id = ? ORDER BY sort_order IS NULL, sort_order, id`
	catalogCoverage = `SELECT ` + AreaColumns + ` FROM storefront_coverage_areas WHERE provider_id = ? ORDER BY id`
	// catalogItems and catalogPlanLinks read each kind's items and their
	// links to plans.
	catalogItems, catalogPlanLinks = func() (items, links map[storefront.ItemKind]string) {
		items, links = map[storefront.ItemKind]string{}, map[storefront.ItemKind]string{}
		for kind, t := range ItemTables {
			items[kind] = `SELECT ` + ItemColumns + ` FROM ` + t.Table + ` WHERE provider_id = ? ORDER BY sort_order IS NULL, sort_order, id`
			links[kind] = `SELECT plan_id, ` + t.Column + ` FROM ` + t.Link + ` WHERE provider_id = ? ORDER BY plan_id, ` + t.Column
		}
		return items, links
	}()
)

// ReadCatalog assembles a provider's catalog with q, which the adapter
// runs inside one read transaction so the storefront never serves a
// half-applied change. A missing provider is the engine's no-rows error,
// returned as it is.
func ReadCatalog(ctx context.Context, q Querier, providerID int64) (storefront.Catalog, error) {
	var c storefront.Catalog
	if err := scanProvider(q.QueryRow(ctx, catalogProvider, providerID), &c.Provider); err != nil {
		return c, err
	}
	each := func(query string, fn func(Row) error) error {
		rows, err := q.Query(ctx, query, providerID)
		if err != nil {
			return err
		}
		defer rows.Close()
		return EachRow(rows, fn)
	}
	if err := each(catalogDueDays, func(row Row) error {
		var d int
		err := row.Scan(&d)
		c.Provider.DueDays = append(c.Provider.DueDays, d)
		return err
	}); err != nil {
		return c, err
	}
	if err := each(catalogOrigins, func(row Row) error {
		var o storefront.Origin
		err := row.Scan(&o.ID, &o.URL)
		c.Origins = append(c.Origins, o)
		return err
	}); err != nil {
		return c, err
	}
	for kind, dst := range map[storefront.ItemKind]*[]storefront.Item{
		storefront.Categories: &c.Categories, storefront.PaymentMethods: &c.PaymentMethods, storefront.Services: &c.Services,
	} {
		if err := each(catalogItems[kind], func(row Row) error {
			it, err := scanItem(row)
			*dst = append(*dst, it)
			return err
		}); err != nil {
			return c, err
		}
	}
	if err := each(catalogPlans, func(row Row) error {
		p, err := scanPlan(row)
		c.Plans = append(c.Plans, p)
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
		if err := each(catalogPlanLinks[kind], func(row Row) error {
			var planID, id int64
			if err := row.Scan(&planID, &id); err != nil {
				return err
			}
			if p := plans[planID]; p != nil {
				*ids(p) = append(*ids(p), id)
			}
			return nil
		}); err != nil {
			return c, err
		}
	}
	err := each(catalogCoverage, func(row Row) error {
		a, err := scanArea(row)
		c.Coverage = append(c.Coverage, a)
		return err
	})
	return c, err
}

// PlanLinks are a plan's item ids per kind, as its link tables hold them.
func PlanLinks(p *storefront.Plan) map[storefront.ItemKind][]int64 {
	return map[storefront.ItemKind][]int64{
		storefront.Categories: p.CategoryIDs, storefront.PaymentMethods: p.PaymentMethodIDs, storefront.Services: p.ServiceIDs,
	}
}

// CouponFields are a coupon's written columns, in CouponValues order; the
// redemption count is only changed by redeeming and releasing.
const CouponFields = `name, name_key, description, valid_from, valid_until, max_redemptions`

// CouponColumns are read by ScanCoupon.
const CouponColumns = `id, name, description, valid_from, valid_until, max_redemptions, redemptions`

// CouponValues are c's CouponFields.
func CouponValues(c *storefront.Coupon) []any {
	return []any{c.Name, storefront.CouponKey(c.Name), c.Description, Time{T: c.ValidFrom},
		Time{T: c.ValidUntil}, NullInt(c.MaxRedemptions)}
}

// ScanCoupon reads CouponColumns, then into extra the engine's own columns
// that follow them.
func ScanCoupon(row Row, extra ...any) (storefront.Coupon, error) {
	var c storefront.Coupon
	var from, until Time
	var maxR sql.NullInt64
	dest := append([]any{&c.ID, &c.Name, &c.Description, &from, &until, &maxR, &c.Redemptions}, extra...)
	if err := row.Scan(dest...); err != nil {
		return c, err
	}
	c.ValidFrom, c.ValidUntil, c.MaxRedemptions = from.T, until.T, intPtr(maxR)
	return c, nil
}

// SubscriptionFields are a subscription's saved columns, in
// SubscriptionValues order.
const SubscriptionFields = `plan_id, coupon_id, payment_method_id, cold_lead, coverage,
	name, email, mobile_phone, document, id_document, birth_date, due_day, upfront_installation,
	installation_fee, street, number, complement, district, city, cep, current_provider,
	latitude, longitude, updated_at`

// SubscriptionColumns are a subscription's columns: read by
// ScanSubscription, inserted with InsertSubscriptionValues.
const SubscriptionColumns = `id, provider_id, created_at, ` + SubscriptionFields

// SubscriptionValues are sub's SubscriptionFields. A birth date is passed as
// "2006-01-02" text, which both engines' DATE columns take.
func SubscriptionValues(sub *storefront.Subscription) []any {
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
	due := NullID(int64(sub.DueDay))
	return []any{NullID(sub.PlanID), NullID(sub.CouponID), NullID(sub.PaymentMethodID), sub.ColdLead, sub.Coverage,
		sub.Name, sub.Email, sub.MobilePhone, sub.Document, sub.IDDocument, birth, due, upfront,
		sub.InstallationFee, sub.Street, sub.Number, sub.Complement, sub.District, sub.City, sub.CEP,
		sub.CurrentProvider, lat, lng, Time{T: sub.UpdatedAt}}
}

// InsertSubscriptionValues are sub's SubscriptionColumns, for providerID.
func InsertSubscriptionValues(providerID int64, sub *storefront.Subscription) []any {
	return append([]any{sub.ID, providerID, Time{T: sub.CreatedAt}}, SubscriptionValues(sub)...)
}

// ScanSubscription reads SubscriptionColumns.
func ScanSubscription(row Row) (storefront.Subscription, error) {
	var sub storefront.Subscription
	var planID, couponID, pmID, due sql.NullInt64
	var birth Date
	var upfront sql.NullBool
	var lat, lng sql.NullFloat64
	var created, updated Time
	err := row.Scan(&sub.ID, &sub.ProviderID, &created, &planID, &couponID, &pmID, &sub.ColdLead, &sub.Coverage,
		&sub.Name, &sub.Email, &sub.MobilePhone, &sub.Document, &sub.IDDocument, &birth, &due, &upfront,
		&sub.InstallationFee, &sub.Street, &sub.Number, &sub.Complement, &sub.District, &sub.City, &sub.CEP,
		&sub.CurrentProvider, &lat, &lng, &updated)
	if err != nil {
		return sub, err
	}
	sub.PlanID, sub.CouponID, sub.PaymentMethodID, sub.DueDay = planID.Int64, couponID.Int64, pmID.Int64, int(due.Int64)
	sub.BirthDate, sub.CreatedAt, sub.UpdatedAt = birth.T, created.T, updated.T
	if upfront.Valid {
		sub.UpfrontInstallation = &upfront.Bool
	}
	if lat.Valid && lng.Valid {
		sub.Location = &storefront.Point{Lat: lat.Float64, Lng: lng.Float64}
	}
	return sub, nil
}

// FileColumns are a subscription file's columns after subscription_id:
// read by ScanFile, written with FileValues.
const FileColumns = `kind, blob_key, file_name, content_type, size, sha256, uploaded_at`

// FileValues are f's FileColumns.
func FileValues(f *storefront.SubscriptionFile) []any {
	return []any{string(f.Kind), f.Object.Key, f.FileName, f.Object.ContentType, f.Object.Size, f.Object.SHA256, Time{T: f.UploadedAt}}
}

// ScanFile reads FileColumns.
func ScanFile(row Row) (storefront.SubscriptionFile, error) {
	var f storefront.SubscriptionFile
	var kind string
	var uploaded Time
	err := row.Scan(&kind, &f.Object.Key, &f.FileName, &f.Object.ContentType, &f.Object.Size, &f.Object.SHA256, &uploaded)
	f.Kind, f.UploadedAt = storefront.FileKind(kind), uploaded.T
	return f, err
}

// UpsertFile is the conflict clause of a file insert: a new file of a kind
// replaces the old one.
const UpsertFile = `ON CONFLICT (subscription_id, kind) DO UPDATE SET blob_key = excluded.blob_key,
	file_name = excluded.file_name, content_type = excluded.content_type, size = excluded.size,
	sha256 = excluded.sha256, uploaded_at = excluded.uploaded_at`

// The statements of the hot paths, written once: the shared store runs
// them through its Querier; SQLite prepares them.
const (
	ProviderByOriginSQL = `SELECT provider_id FROM storefront_origins WHERE origin = ?`
	ProviderByTokenSQL  = `SELECT provider_id FROM storefront_tokens
		WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`
	CouponByIDSQL        = `SELECT ` + CouponColumns + ` FROM storefront_coupons WHERE provider_id = ? AND id = ?`
	CouponByNameSQL      = `SELECT ` + CouponColumns + ` FROM storefront_coupons WHERE provider_id = ? AND name_key = ?`
	CouponPlansSQL       = `SELECT plan_id FROM storefront_coupon_plans WHERE coupon_id = ? ORDER BY plan_id`
	SubscriptionByIDSQL  = `SELECT ` + SubscriptionColumns + ` FROM storefront_subscriptions WHERE provider_id = ? AND id = ?`
	SubscriptionFilesSQL = `SELECT ` + FileColumns + ` FROM storefront_subscription_files
		WHERE subscription_id = ? ORDER BY kind`
	InsertSubscriptionSQL = `INSERT INTO storefront_subscriptions (` + SubscriptionColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	SaveSubscriptionSQL = `UPDATE storefront_subscriptions SET (` + SubscriptionFields + `)
		= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE provider_id = ? AND id = ?`
	// RedeemCouponSQL checks the limit itself: no row changes when the
	// coupon is at its limit, however many requests race for it (on
	// PostgreSQL a concurrent redemption waits for the row lock and
	// re-checks the condition).
	RedeemCouponSQL = `UPDATE storefront_coupons SET redemptions = redemptions + 1
		WHERE provider_id = ? AND id = ? AND (max_redemptions IS NULL OR redemptions < max_redemptions)`
	ReleaseCouponSQL = `UPDATE storefront_coupons SET redemptions = redemptions - 1
		WHERE provider_id = ? AND id = ? AND redemptions > 0`
	// InsertFileSQL adds a subscription's file; a new file of a kind
	// replaces the old one.
	InsertFileSQL = `INSERT INTO storefront_subscription_files (subscription_id, ` + FileColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ` + UpsertFile
)
