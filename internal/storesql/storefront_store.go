package storesql

import (
	"context"
	"encoding/json"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/storefront"
	"partnership-service/internal/webhook"
)

// Storefront is the storefront store's SQL written once for both engines:
// the admin CRUD, the rare reads and the subscription writes. An adapter's
// StorefrontStore embeds it and keeps only what differs per engine (read
// transactions, row locks, SQLite's prepared statements on hot paths); a
// method it defines itself takes the place of the promoted one.
type Storefront struct {
	DB DB
	// RowLock ends a SELECT of a row the transaction goes on to change:
	// " FOR UPDATE" on PostgreSQL; "" on SQLite, whose single writer
	// already serializes the writes.
	RowLock string
}

// --- providers, origins, tokens ---

func (s Storefront) CreateProvider(ctx context.Context, in storefront.Provider, origin string, now time.Time) (storefront.Provider, error) {
	p := storefront.Provider{Name: in.Name, Slug: in.Slug, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	err := s.DB.Write(ctx, func(tx Querier) error {
		ts := Time{T: now}
		if err := tx.QueryRow(ctx, `INSERT INTO storefront_providers (name, slug, created_at, updated_at)
			VALUES (?, ?, ?, ?) RETURNING id`, p.Name, nullSlug(p.Slug), ts, ts).Scan(&p.ID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO storefront_origins (provider_id, origin) VALUES (?, ?)`, p.ID, origin)
		return err
	})
	return p, s.DB.MapError(err)
}

func (s Storefront) UpdateProvider(ctx context.Context, p storefront.Provider, now time.Time) error {
	args := append(append([]any{p.Name, nullSlug(p.Slug)}, BrandingValues(p.Branding)...), Time{T: now}, p.ID)
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		if err := ExecOne(ctx, tx, `UPDATE storefront_providers SET name = ?, slug = ?, plans_background_color = ?,
			intro_font_color = ?, footer_color = ?, footer_font_color = ?, navbar_color = ?, wallpaper = ?, logo = ?,
			updated_at = ? WHERE id = ?`, args...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM storefront_due_days WHERE provider_id = ?`, p.ID); err != nil {
			return err
		}
		for _, d := range p.DueDays {
			if _, err := tx.Exec(ctx, `INSERT INTO storefront_due_days (provider_id, day) VALUES (?, ?)`, p.ID, d); err != nil {
				return err
			}
		}
		return nil
	}))
}

// Catalog reads everything the storefront serves from one snapshot, so it
// never serves a half-applied change.
func (s Storefront) Catalog(ctx context.Context, providerID int64) (storefront.Catalog, error) {
	var c storefront.Catalog
	err := s.DB.ReadSnapshot(ctx, func(q Querier) error {
		var err error
		c, err = ReadCatalog(ctx, q, providerID)
		return err
	})
	return c, s.DB.MapError(err)
}

func (s Storefront) ProviderIDByOrigin(ctx context.Context, origin string) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, ProviderByOriginSQL, origin).Scan(&id)
	return id, s.DB.MapError(err)
}

func (s Storefront) ProviderIDBySlug(ctx context.Context, slug string) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, `SELECT id FROM storefront_providers WHERE slug = ?`, slug).Scan(&id)
	return id, s.DB.MapError(err)
}

// nullSlug stores "no slug" as NULL, which the unique index lets many
// providers share.
func nullSlug(slug string) any {
	if slug == "" {
		return nil
	}
	return slug
}

func (s Storefront) AddOrigin(ctx context.Context, providerID int64, origin string) (storefront.Origin, error) {
	o := storefront.Origin{URL: origin}
	err := s.DB.Write(ctx, func(tx Querier) error {
		return tx.QueryRow(ctx, `INSERT INTO storefront_origins (provider_id, origin) VALUES (?, ?) RETURNING id`,
			providerID, origin).Scan(&o.ID)
	})
	return o, s.DB.MapError(err)
}

func (s Storefront) DeleteOrigin(ctx context.Context, providerID, originID int64) error {
	return s.deleteOwned(ctx, "storefront_origins", providerID, originID)
}

// deleteOwned deletes a provider's row of table; table is one of ours,
// never input.
func (s Storefront) deleteOwned(ctx context.Context, table string, providerID, id int64) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return ExecOne(ctx, tx, `DELETE FROM `+table+` WHERE provider_id = ? AND id = ?`, providerID, id)
	}))
}

func (s Storefront) CreateToken(ctx context.Context, providerID int64, hash []byte, now, expiresAt time.Time) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		_, err := tx.Exec(ctx, `INSERT INTO storefront_tokens (token_hash, provider_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			hash, providerID, Time{T: now}, Time{T: expiresAt})
		return err
	}))
}

func (s Storefront) ProviderIDByToken(ctx context.Context, hash []byte, now time.Time) (int64, error) {
	var id int64
	err := s.DB.QueryRow(ctx, ProviderByTokenSQL, hash, Time{T: now}).Scan(&id)
	return id, s.DB.MapError(err)
}

func (s Storefront) RevokeToken(ctx context.Context, hash []byte, now time.Time) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return ExecOne(ctx, tx, `UPDATE storefront_tokens SET revoked_at = ?
			WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, Time{T: now}, hash, Time{T: now})
	}))
}

func (s Storefront) Providers(ctx context.Context) ([]storefront.Provider, error) {
	out, err := QueryAll(ctx, s.DB, func(r Row) (storefront.Provider, error) {
		var p storefront.Provider
		var slug *string
		var created, updated Time
		err := r.Scan(&p.ID, &p.Name, &slug, &created, &updated)
		if slug != nil {
			p.Slug = *slug
		}
		p.CreatedAt, p.UpdatedAt = created.T, updated.T
		return p, err
	}, `SELECT id, name, slug, created_at, updated_at FROM storefront_providers ORDER BY name, id`)
	return out, s.DB.MapError(err)
}

func (s Storefront) Tokens(ctx context.Context, providerID int64) ([]storefront.Token, error) {
	out, err := QueryAll(ctx, s.DB, func(r Row) (storefront.Token, error) {
		var t storefront.Token
		var created, expires, revoked Time
		err := r.Scan(&t.Hash, &created, &expires, &revoked)
		t.CreatedAt, t.ExpiresAt, t.RevokedAt = created.T, expires.T, revoked.T
		return t, err
	}, `SELECT token_hash, created_at, expires_at, revoked_at FROM storefront_tokens
		WHERE provider_id = ? ORDER BY created_at DESC, token_hash`, providerID)
	return out, s.DB.MapError(err)
}

// --- categories, payment methods, services ---

func (s Storefront) SaveItem(ctx context.Context, kind storefront.ItemKind, providerID int64, it storefront.Item) (storefront.Item, error) {
	table := ItemTables[kind].Table
	err := s.DB.Write(ctx, func(tx Querier) error {
		if it.ID == 0 {
			return tx.QueryRow(ctx, `INSERT INTO `+table+` (provider_id, name, sort_order) VALUES (?, ?, ?) RETURNING id`,
				providerID, it.Name, NullInt(it.SortOrder)).Scan(&it.ID)
		}
		return ExecOne(ctx, tx, `UPDATE `+table+` SET name = ?, sort_order = ? WHERE provider_id = ? AND id = ?`,
			it.Name, NullInt(it.SortOrder), providerID, it.ID)
	})
	return it, s.DB.MapError(err)
}

func (s Storefront) DeleteItem(ctx context.Context, kind storefront.ItemKind, providerID, id int64) error {
	return s.deleteOwned(ctx, ItemTables[kind].Table, providerID, id)
}

// --- plans ---

func (s Storefront) SavePlan(ctx context.Context, providerID int64, p storefront.Plan) (storefront.Plan, error) {
	err := s.DB.Write(ctx, func(tx Querier) error {
		if p.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO storefront_plans (provider_id, `+PlanFields+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				append([]any{providerID}, PlanValues(&p)...)...).Scan(&p.ID); err != nil {
				return err
			}
		} else if err := ExecOne(ctx, tx, `UPDATE storefront_plans SET (`+PlanFields+`)
			= (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE provider_id = ? AND id = ?`,
			append(PlanValues(&p), providerID, p.ID)...); err != nil {
			return err
		}
		return writePlanLinks(ctx, tx, providerID, &p)
	})
	return p, s.DB.MapError(err)
}

// writePlanLinks replaces a plan's categories, payment methods and
// services. The links carry provider_id, so the foreign keys refuse an id
// of another provider.
func writePlanLinks(ctx context.Context, tx Querier, providerID int64, p *storefront.Plan) error {
	for kind, ids := range PlanLinks(p) {
		t := ItemTables[kind]
		if _, err := tx.Exec(ctx, `DELETE FROM `+t.Link+` WHERE plan_id = ?`, p.ID); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.Exec(ctx, `INSERT INTO `+t.Link+` (provider_id, plan_id, `+t.Column+`) VALUES (?, ?, ?)`,
				providerID, p.ID, id); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s Storefront) DeletePlan(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_plans", providerID, id)
}

// --- coupons ---

func (s Storefront) Coupons(ctx context.Context, providerID int64) ([]storefront.Coupon, error) {
	out, err := QueryAll(ctx, s.DB, func(row Row) (storefront.Coupon, error) { return ScanCoupon(row) },
		`SELECT `+CouponColumns+` FROM storefront_coupons WHERE provider_id = ? ORDER BY id`, providerID)
	if err != nil {
		return nil, s.DB.MapError(err)
	}
	links := map[int64][]int64{}
	rows, err := s.DB.Query(ctx, `SELECT coupon_id, plan_id FROM storefront_coupon_plans WHERE provider_id = ?
		ORDER BY coupon_id, plan_id`, providerID)
	if err != nil {
		return out, s.DB.MapError(err)
	}
	defer rows.Close()
	err = EachRow(rows, func(row Row) error {
		var couponID, planID int64
		err := row.Scan(&couponID, &planID)
		links[couponID] = append(links[couponID], planID)
		return err
	})
	for i := range out {
		out[i].PlanIDs = links[out[i].ID]
	}
	return out, s.DB.MapError(err)
}

func (s Storefront) SaveCoupon(ctx context.Context, providerID int64, c storefront.Coupon) (storefront.Coupon, error) {
	err := s.DB.Write(ctx, func(tx Querier) error {
		if c.ID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO storefront_coupons (provider_id, `+CouponFields+`)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				append([]any{providerID}, CouponValues(&c)...)...).Scan(&c.ID); err != nil {
				return err
			}
		} else if err := ExecOne(ctx, tx, `UPDATE storefront_coupons SET (`+CouponFields+`)
			= (?, ?, ?, ?, ?, ?) WHERE provider_id = ? AND id = ?`,
			append(CouponValues(&c), providerID, c.ID)...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM storefront_coupon_plans WHERE coupon_id = ?`, c.ID); err != nil {
			return err
		}
		for _, planID := range c.PlanIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO storefront_coupon_plans (provider_id, coupon_id, plan_id) VALUES (?, ?, ?)`,
				providerID, c.ID, planID); err != nil {
				return err
			}
		}
		return nil
	})
	return c, s.DB.MapError(err)
}

func (s Storefront) DeleteCoupon(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coupons", providerID, id)
}

// --- coverage areas ---

func (s Storefront) SaveCoverageArea(ctx context.Context, providerID int64, a storefront.CoverageArea) (storefront.CoverageArea, error) {
	err := s.DB.Write(ctx, func(tx Querier) error {
		if a.ID == 0 {
			return tx.QueryRow(ctx, `INSERT INTO storefront_coverage_areas (provider_id, `+AreaFields+`)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, append([]any{providerID}, AreaValues(&a)...)...).Scan(&a.ID)
		}
		return ExecOne(ctx, tx, `UPDATE storefront_coverage_areas SET (`+AreaFields+`) = (?, ?, ?, ?, ?)
			WHERE provider_id = ? AND id = ?`, append(AreaValues(&a), providerID, a.ID)...)
	})
	return a, s.DB.MapError(err)
}

func (s Storefront) DeleteCoverageArea(ctx context.Context, providerID, id int64) error {
	return s.deleteOwned(ctx, "storefront_coverage_areas", providerID, id)
}

// --- subscriptions ---

// SubscriptionTx is a subscription write inside one write transaction,
// with the statements both engines run.
type SubscriptionTx struct {
	Ctx        context.Context
	Tx         Querier
	ProviderID int64
}

var _ storefront.SubscriptionTx = SubscriptionTx{}

func (t SubscriptionTx) Insert(sub storefront.Subscription) error {
	_, err := t.Tx.Exec(t.Ctx, InsertSubscriptionSQL, InsertSubscriptionValues(t.ProviderID, &sub)...)
	return err
}

func (t SubscriptionTx) Save(sub storefront.Subscription) error {
	return ExecOne(t.Ctx, t.Tx, SaveSubscriptionSQL, append(SubscriptionValues(&sub), t.ProviderID, sub.ID)...)
}

func (t SubscriptionTx) RedeemCoupon(couponID int64) (bool, error) {
	n, err := t.Tx.Exec(t.Ctx, RedeemCouponSQL, t.ProviderID, couponID)
	return err == nil && n == 1, err
}

func (t SubscriptionTx) Emit(ev webhook.Event) error { return Emit(t.Ctx, t.Tx, ev) }

func (t SubscriptionTx) ReleaseCoupon(couponID int64) error {
	_, err := t.Tx.Exec(t.Ctx, ReleaseCouponSQL, t.ProviderID, couponID)
	return err
}

func (t SubscriptionTx) DeleteFiles(subscriptionID string) ([]storefront.SubscriptionFile, error) {
	files, err := QueryAll(t.Ctx, t.Tx, ScanFile, SubscriptionFilesSQL, subscriptionID)
	if err != nil {
		return nil, err
	}
	_, err = t.Tx.Exec(t.Ctx, `DELETE FROM storefront_subscription_files WHERE subscription_id = ?`, subscriptionID)
	return files, err
}

func (t SubscriptionTx) RecordErasure(subscriptionID string, e storefront.Erasure) error {
	fields, _ := json.Marshal(e.Fields) // strings always encode
	_, err := t.Tx.Exec(t.Ctx, `INSERT INTO storefront_subscription_erasures (subscription_id, erased_at, erased_by, fields)
		VALUES (?, ?, ?, ?)`, subscriptionID, Time{T: e.At}, e.By, string(fields))
	return err
}

func (s Storefront) Erasures(ctx context.Context, providerID int64, subscriptionID string) ([]storefront.Erasure, error) {
	out, err := QueryAll(ctx, s.DB, func(r Row) (storefront.Erasure, error) {
		var e storefront.Erasure
		var at Time
		var fields string
		if err := r.Scan(&at, &e.By, &fields); err != nil {
			return e, err
		}
		e.At = at.T
		return e, json.Unmarshal([]byte(fields), &e.Fields)
	}, `SELECT e.erased_at, e.erased_by, e.fields FROM storefront_subscription_erasures e
		JOIN storefront_subscriptions s ON s.id = e.subscription_id
		WHERE s.provider_id = ? AND e.subscription_id = ? ORDER BY e.erased_at, e.id`, providerID, subscriptionID)
	return out, s.DB.MapError(err)
}

func (s Storefront) CreateSubscription(ctx context.Context, providerID int64, write func(storefront.SubscriptionTx) error) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return write(SubscriptionTx{Ctx: ctx, Tx: tx, ProviderID: providerID})
	}))
}

func (s Storefront) Subscription(ctx context.Context, providerID int64, id string) (storefront.Subscription, error) {
	sub, err := ScanSubscription(s.DB.QueryRow(ctx, SubscriptionByIDSQL, providerID, id))
	if err != nil {
		return sub, s.DB.MapError(err)
	}
	sub.Files, err = QueryAll(ctx, s.DB, ScanFile, SubscriptionFilesSQL, id)
	return sub, s.DB.MapError(err)
}

func (s Storefront) Subscriptions(ctx context.Context, providerID int64, page storefront.Page) ([]storefront.Subscription, int, error) {
	// A change feed reads the provider's subscriptions changed after a
	// time in update order, on the (provider_id, updated_at, id) index.
	where, order, args := `provider_id = ?`, ` ORDER BY created_at DESC, id DESC`, []any{providerID}
	if !page.UpdatedSince.IsZero() {
		where, order, args = where+` AND updated_at > ?`, ` ORDER BY updated_at, id`, append(args, Time{T: page.UpdatedSince})
	}
	if page.Status != "" {
		cond, condArgs := subscriptionStatusWhere(page.Status)
		where, args = where+` AND `+cond, append(args, condArgs...)
	}
	var total int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM storefront_subscriptions WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, s.DB.MapError(err)
	}
	out, err := QueryAll(ctx, s.DB, ScanSubscription, `SELECT `+SubscriptionColumns+` FROM storefront_subscriptions
		WHERE `+where+order+` LIMIT ? OFFSET ?`, append(args, page.Limit, page.Offset)...)
	return out, total, s.DB.MapError(err)
}

// subscriptionStatusWhere selects the subscriptions of status, by
// storefront.Subscription.Status's rule: cold leads; covered ones with
// fewer than every document; covered ones with all.
func subscriptionStatusWhere(status storefront.SubscriptionStatus) (string, []any) {
	const files = `(SELECT count(*) FROM storefront_subscription_files f WHERE f.subscription_id = storefront_subscriptions.id)`
	switch status {
	case storefront.StatusColdLead:
		return `cold_lead = ?`, []any{true}
	case storefront.StatusAwaitingDocuments:
		return `cold_lead = ? AND ` + files + ` < ?`, []any{false, len(storefront.FileKinds)}
	case storefront.StatusComplete:
		return `cold_lead = ? AND ` + files + ` >= ?`, []any{false, len(storefront.FileKinds)}
	}
	return `1 = 0`, nil // no such status: nothing
}

func (s Storefront) EachSubscription(ctx context.Context, providerID int64, fn func(storefront.Subscription) error) error {
	rows, err := s.DB.Query(ctx, `SELECT `+SubscriptionColumns+` FROM storefront_subscriptions
		WHERE provider_id = ? ORDER BY created_at, id`, providerID)
	if err != nil {
		return s.DB.MapError(err)
	}
	defer rows.Close()
	return s.DB.MapError(EachRow(rows, func(row Row) error {
		sub, err := ScanSubscription(row)
		if err != nil {
			return err
		}
		return fn(sub)
	}))
}

func (s Storefront) UpdateSubscription(ctx context.Context, providerID int64, id string, write func(storefront.SubscriptionTx, storefront.Subscription) error) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		// Locking the row serializes updates of one subscription, so each
		// sees the coupon the last one left.
		stored, err := ScanSubscription(tx.QueryRow(ctx, SubscriptionByIDSQL+s.RowLock, providerID, id))
		if err != nil {
			return err
		}
		return write(SubscriptionTx{Ctx: ctx, Tx: tx, ProviderID: providerID}, stored)
	}))
}

func (s Storefront) PutSubscriptionFiles(ctx context.Context, providerID int64, subscriptionID string, files []storefront.SubscriptionFile, ev webhook.Event) ([]storefront.SubscriptionFile, error) {
	var replaced []storefront.SubscriptionFile
	err := s.DB.Write(ctx, func(tx Querier) error {
		replaced = nil
		var one int
		// Locking the subscription serializes uploads to it, so each
		// replaced file is reported exactly once.
		if err := tx.QueryRow(ctx, `SELECT 1 FROM storefront_subscriptions WHERE provider_id = ? AND id = ?`+s.RowLock,
			providerID, subscriptionID).Scan(&one); err != nil {
			return err
		}
		for _, f := range files {
			old := storefront.SubscriptionFile{Kind: f.Kind}
			err := tx.QueryRow(ctx, `SELECT blob_key FROM storefront_subscription_files
				WHERE subscription_id = ? AND kind = ?`, subscriptionID, string(f.Kind)).Scan(&old.Object.Key)
			switch {
			case err == nil:
				replaced = append(replaced, old)
			case !apperr.Is(s.DB.MapError(err), apperr.NotFound):
				return err
			}
			if _, err := tx.Exec(ctx, InsertFileSQL, append([]any{subscriptionID}, FileValues(&f)...)...); err != nil {
				return err
			}
		}
		return Emit(ctx, tx, ev)
	})
	if err != nil {
		return nil, s.DB.MapError(err)
	}
	return replaced, nil
}
