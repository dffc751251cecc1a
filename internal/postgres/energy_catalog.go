package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyCatalogStore keeps partners, API keys and the GD catalog in PostgreSQL.
type EnergyCatalogStore struct {
	db *DB
}

var (
	_ energy.CatalogStore = (*EnergyCatalogStore)(nil)
	_ energy.PartnerStore = (*EnergyCatalogStore)(nil)
)

// newEnergyCatalogStore returns the store.
func newEnergyCatalogStore(db *DB) *EnergyCatalogStore { return &EnergyCatalogStore{db: db} }

func (s *EnergyCatalogStore) exec(ctx context.Context, query string, args ...any) error {
	_, err := s.db.Pool.Exec(ctx, query, args...)
	return MapError(err)
}

// execOne is exec that reports not_found when no row changed.
func (s *EnergyCatalogStore) execOne(ctx context.Context, query string, args ...any) error {
	tag, err := s.db.Pool.Exec(ctx, query, args...)
	if err != nil {
		return MapError(err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.New(apperr.NotFound, "not found")
	}
	return nil
}

func (s *EnergyCatalogStore) CreatePartner(ctx context.Context, p energy.Partner) error {
	return s.exec(ctx, `INSERT INTO partners (id, name, created_at) VALUES ($1, $2, $3)`, p.ID, p.Name, p.CreatedAt)
}

func (s *EnergyCatalogStore) PartnerByName(ctx context.Context, name string) (energy.Partner, error) {
	p, err := storesql.ScanPartner(s.db.Pool.QueryRow(ctx, `SELECT id, name, created_at FROM partners WHERE name = $1`, name))
	return p, MapError(err)
}

func (s *EnergyCatalogStore) CreateKey(ctx context.Context, k energy.APIKey) error {
	return s.exec(ctx, `INSERT INTO partner_api_keys (id, partner_id, prefix, key_hash, seller_name, admin, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, k.ID, k.PartnerID, k.Prefix, k.Hash, k.SellerName, k.Admin, k.CreatedAt)
}

func (s *EnergyCatalogStore) KeyByHash(ctx context.Context, hash string) (energy.APIKey, energy.Partner, error) {
	k, p, err := storesql.ScanAPIKey(s.db.Pool.QueryRow(ctx, `SELECT `+storesql.APIKeyColumns+`
		FROM partner_api_keys k JOIN partners p ON p.id = k.partner_id WHERE k.key_hash = $1`, hash))
	return k, p, MapError(err)
}

func (s *EnergyCatalogStore) RevokeKey(ctx context.Context, prefix string, at time.Time) error {
	return s.execOne(ctx, `UPDATE partner_api_keys SET revoked_at = $1 WHERE prefix = $2 AND revoked_at IS NULL`, at, prefix)
}

// LoadCatalog reads the whole catalog from one snapshot.
func (s *EnergyCatalogStore) LoadCatalog(ctx context.Context) (energy.CatalogData, error) {
	var d energy.CatalogData
	err := pgx.BeginTxFunc(ctx, s.db.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var err error
		if d.Utilities, err = queryAll(ctx, tx, storesql.ScanUtility, `SELECT `+storesql.UtilityColumns+` FROM energy_utilities ORDER BY name`); err != nil {
			return err
		}
		if d.Areas, err = queryAll(ctx, tx, storesql.ScanArea, `SELECT utility_id, ibge_code FROM energy_operation_areas ORDER BY ibge_code, utility_id`); err != nil {
			return err
		}
		if d.Plans, err = queryAll(ctx, tx, storesql.ScanPlan, `SELECT `+storesql.PlanColumns+` FROM energy_plans ORDER BY id`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT free_market_min_cents FROM energy_thresholds WHERE id = 1`).Scan(&d.Thresholds.FreeMarketMinCents)
	})
	return d, MapError(err)
}

func (s *EnergyCatalogStore) CreateUtility(ctx context.Context, u energy.Utility) error {
	return s.exec(ctx, `INSERT INTO energy_utilities (`+storesql.UtilityColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`, storesql.UtilityValues(u)...)
}

func (s *EnergyCatalogStore) UpdateUtility(ctx context.Context, u energy.Utility) error {
	return s.execOne(ctx, `UPDATE energy_utilities SET name = $1, uf = $2, qualified = $3, gd_min_natural_cents = $4, gd_min_juridical_cents = $5
		WHERE public_id = $6`, u.Name, u.UF, u.Qualified, u.GDMinNaturalCents, u.GDMinJuridicalCents, u.PublicID)
}

func (s *EnergyCatalogStore) DeleteUtility(ctx context.Context, publicID string) error {
	return s.execOne(ctx, `DELETE FROM energy_utilities WHERE public_id = $1`, publicID)
}

func (s *EnergyCatalogStore) AddAreas(ctx context.Context, areas []energy.OperationArea) (int, error) {
	added := 0
	err := s.db.Tx(ctx, func(tx pgx.Tx) error {
		for _, a := range areas {
			tag, err := tx.Exec(ctx, `INSERT INTO energy_operation_areas (utility_id, ibge_code) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, a.UtilityID, a.IBGECode)
			if err != nil {
				return err
			}
			added += int(tag.RowsAffected())
		}
		return nil
	})
	return added, MapError(err)
}

func (s *EnergyCatalogStore) DeleteArea(ctx context.Context, a energy.OperationArea) error {
	return s.execOne(ctx, `DELETE FROM energy_operation_areas WHERE utility_id = $1 AND ibge_code = $2`, a.UtilityID, a.IBGECode)
}

func (s *EnergyCatalogStore) CreatePlan(ctx context.Context, p energy.Plan) (energy.Plan, error) {
	benefits, err := storesql.PlanBenefits(p)
	if err != nil {
		return p, err
	}
	err = s.db.Pool.QueryRow(ctx, `INSERT INTO energy_plans (utility_id, name, fidelity_months, discount, benefits)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, p.UtilityID, p.Name, p.FidelityMonths, p.Discount, benefits).Scan(&p.ID)
	return p, MapError(err)
}

func (s *EnergyCatalogStore) UpdatePlan(ctx context.Context, p energy.Plan) error {
	benefits, err := storesql.PlanBenefits(p)
	if err != nil {
		return err
	}
	return s.execOne(ctx, `UPDATE energy_plans SET name = $1, fidelity_months = $2, discount = $3, benefits = $4 WHERE id = $5`,
		p.Name, p.FidelityMonths, p.Discount, benefits, p.ID)
}

func (s *EnergyCatalogStore) DeletePlan(ctx context.Context, id int64) error {
	return s.execOne(ctx, `DELETE FROM energy_plans WHERE id = $1`, id)
}

func (s *EnergyCatalogStore) SaveThresholds(ctx context.Context, t energy.Thresholds) error {
	return s.exec(ctx, `UPDATE energy_thresholds SET free_market_min_cents = $1 WHERE id = 1`, t.FreeMarketMinCents)
}
