package storesql

import (
	"context"
	"time"

	"partnership-service/internal/energy"
)

// KeyByHashSQL selects a key with its partner by the key's hash, in
// ScanAPIKey's order: the authentication lookup, which SQLite prepares.
const KeyByHashSQL = `SELECT ` + APIKeyColumns + `
		FROM partner_api_keys k JOIN partners p ON p.id = k.partner_id WHERE k.key_hash = ?`

// EnergyCatalog is energy's catalog, partner and key store, written once
// for both engines: energy.CatalogStore and energy.PartnerStore. An
// adapter embeds it and may shadow a method where its engine does better
// (SQLite prepares KeyByHash).
type EnergyCatalog struct {
	db DB
}

var (
	_ energy.CatalogStore = EnergyCatalog{}
	_ energy.PartnerStore = EnergyCatalog{}
)

// NewEnergyCatalog is the store on db.
func NewEnergyCatalog(db DB) EnergyCatalog { return EnergyCatalog{db: db} }

func (s EnergyCatalog) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.db.Exec(ctx, query, args...)
	return s.db.MapError(err)
}

// execOne is exec that reports not_found when no row changed.
func (s EnergyCatalog) execOne(ctx context.Context, query string, args ...any) error {
	return s.db.MapError(ExecOne(ctx, s.db, query, args...))
}

func (s EnergyCatalog) CreatePartner(ctx context.Context, p energy.Partner) error {
	return s.exec(ctx, `INSERT INTO partners (id, name, created_at) VALUES (?, ?, ?)`, p.ID, p.Name, Time{T: p.CreatedAt})
}

func (s EnergyCatalog) PartnerByName(ctx context.Context, name string) (energy.Partner, error) {
	p, err := ScanPartner(s.db.QueryRow(ctx, `SELECT id, name, created_at FROM partners WHERE name = ?`, name))
	return p, s.db.MapError(err)
}

func (s EnergyCatalog) PartnerByID(ctx context.Context, id string) (energy.Partner, error) {
	p, err := ScanPartner(s.db.QueryRow(ctx, `SELECT id, name, created_at FROM partners WHERE id = ?`, id))
	return p, s.db.MapError(err)
}

func (s EnergyCatalog) Keys(ctx context.Context, partnerID string) ([]energy.APIKey, error) {
	keys, err := QueryAll(ctx, s.db, func(r Row) (energy.APIKey, error) {
		k, _, err := ScanAPIKey(r)
		return k, err
	}, `SELECT `+APIKeyColumns+` FROM partner_api_keys k JOIN partners p ON p.id = k.partner_id
		WHERE k.partner_id = ? ORDER BY k.created_at DESC, k.id`, partnerID)
	return keys, s.db.MapError(err)
}

func (s EnergyCatalog) CreateKey(ctx context.Context, k energy.APIKey) error {
	return s.exec(ctx, `INSERT INTO partner_api_keys (id, partner_id, prefix, key_hash, seller_name, admin, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.ID, k.PartnerID, k.Prefix, k.Hash, k.SellerName, k.Admin, Time{T: k.CreatedAt})
}

func (s EnergyCatalog) KeyByHash(ctx context.Context, hash string) (energy.APIKey, energy.Partner, error) {
	k, p, err := ScanAPIKey(s.db.QueryRow(ctx, KeyByHashSQL, hash))
	return k, p, s.db.MapError(err)
}

func (s EnergyCatalog) RevokeKey(ctx context.Context, prefix string, at time.Time) error {
	return s.execOne(ctx, `UPDATE partner_api_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL`, Time{T: at}, prefix)
}

func (s EnergyCatalog) Partners(ctx context.Context) ([]energy.Partner, error) {
	out, err := QueryAll(ctx, s.db, ScanPartner, `SELECT id, name, created_at FROM partners ORDER BY name, id`)
	return out, s.db.MapError(err)
}

// LoadCatalog reads the whole catalog from one snapshot.
func (s EnergyCatalog) LoadCatalog(ctx context.Context) (energy.CatalogData, error) {
	var d energy.CatalogData
	err := s.db.ReadSnapshot(ctx, func(q Querier) error {
		var err error
		if d.Utilities, err = QueryAll(ctx, q, ScanUtility, `SELECT `+UtilityColumns+` FROM energy_utilities ORDER BY name`); err != nil {
			return err
		}
		if d.Areas, err = QueryAll(ctx, q, ScanArea, `SELECT utility_id, ibge_code FROM energy_operation_areas ORDER BY ibge_code, utility_id`); err != nil {
			return err
		}
		if d.Plans, err = QueryAll(ctx, q, ScanPlan, `SELECT `+PlanColumns+` FROM energy_plans ORDER BY id`); err != nil {
			return err
		}
		return q.QueryRow(ctx, `SELECT free_market_min_cents FROM energy_thresholds WHERE id = 1`).Scan(&d.Thresholds.FreeMarketMinCents)
	})
	return d, s.db.MapError(err)
}

func (s EnergyCatalog) CreateUtility(ctx context.Context, u energy.Utility) error {
	return s.exec(ctx, `INSERT INTO energy_utilities (`+UtilityColumns+`) VALUES (?, ?, ?, ?, ?, ?)`, UtilityValues(u)...)
}

func (s EnergyCatalog) UpdateUtility(ctx context.Context, u energy.Utility) error {
	return s.execOne(ctx, `UPDATE energy_utilities SET name = ?, uf = ?, qualified = ?, gd_min_natural_cents = ?, gd_min_juridical_cents = ?
		WHERE public_id = ?`, u.Name, u.UF, u.Qualified, u.GDMinNaturalCents, u.GDMinJuridicalCents, u.PublicID)
}

func (s EnergyCatalog) DeleteUtility(ctx context.Context, publicID string) error {
	return s.execOne(ctx, `DELETE FROM energy_utilities WHERE public_id = ?`, publicID)
}

func (s EnergyCatalog) AddAreas(ctx context.Context, areas []energy.OperationArea) (int, error) {
	added := 0
	err := s.db.Write(ctx, func(tx Querier) error {
		added = 0 // fn may run again
		for _, a := range areas {
			n, err := tx.Exec(ctx, `INSERT INTO energy_operation_areas (utility_id, ibge_code) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, a.UtilityID, a.IBGECode)
			if err != nil {
				return err
			}
			added += int(n)
		}
		return nil
	})
	return added, s.db.MapError(err)
}

func (s EnergyCatalog) DeleteArea(ctx context.Context, a energy.OperationArea) error {
	return s.execOne(ctx, `DELETE FROM energy_operation_areas WHERE utility_id = ? AND ibge_code = ?`, a.UtilityID, a.IBGECode)
}

func (s EnergyCatalog) CreatePlan(ctx context.Context, p energy.Plan) (energy.Plan, error) {
	benefits, err := PlanBenefits(p)
	if err != nil {
		return p, err
	}
	err = s.db.Write(ctx, func(tx Querier) error {
		return tx.QueryRow(ctx, `INSERT INTO energy_plans (utility_id, name, fidelity_months, discount, benefits)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, p.UtilityID, p.Name, p.FidelityMonths, p.Discount, benefits).Scan(&p.ID)
	})
	return p, s.db.MapError(err)
}

func (s EnergyCatalog) UpdatePlan(ctx context.Context, p energy.Plan) error {
	benefits, err := PlanBenefits(p)
	if err != nil {
		return err
	}
	return s.execOne(ctx, `UPDATE energy_plans SET name = ?, fidelity_months = ?, discount = ?, benefits = ? WHERE id = ?`,
		p.Name, p.FidelityMonths, p.Discount, benefits, p.ID)
}

func (s EnergyCatalog) DeletePlan(ctx context.Context, id int64) error {
	return s.execOne(ctx, `DELETE FROM energy_plans WHERE id = ?`, id)
}

func (s EnergyCatalog) SaveThresholds(ctx context.Context, t energy.Thresholds) error {
	return s.exec(ctx, `UPDATE energy_thresholds SET free_market_min_cents = ? WHERE id = 1`, t.FreeMarketMinCents)
}
