package sqlite

import (
	"context"
	"database/sql"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyCatalogStore keeps partners, API keys and the GD catalog in SQLite.
type EnergyCatalogStore struct {
	db        *DB
	keyByHash *sql.Stmt // the one hot read: authentication on a cache miss
}

var (
	_ energy.CatalogStore = (*EnergyCatalogStore)(nil)
	_ energy.PartnerStore = (*EnergyCatalogStore)(nil)
)

// newEnergyCatalogStore prepares the store's statements on db.
func newEnergyCatalogStore(ctx context.Context, db *DB) (*EnergyCatalogStore, error) {
	stmt, err := db.reader.PrepareContext(ctx, `SELECT `+storesql.APIKeyColumns+`
		FROM partner_api_keys k JOIN partners p ON p.id = k.partner_id WHERE k.key_hash = ?`)
	if err != nil {
		return nil, err
	}
	return &EnergyCatalogStore{db: db, keyByHash: stmt}, nil
}

// Close releases the prepared statement.
func (s *EnergyCatalogStore) Close() error { return s.keyByHash.Close() }

func (s *EnergyCatalogStore) exec(ctx context.Context, query string, args ...any) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}))
}

// execOne is exec that reports not_found when no row changed.
func (s *EnergyCatalogStore) execOne(ctx context.Context, query string, args ...any) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "not found")
		}
		return nil
	}))
}

func (s *EnergyCatalogStore) CreatePartner(ctx context.Context, p energy.Partner) error {
	return s.exec(ctx, `INSERT INTO partners (id, name, created_at) VALUES (?, ?, ?)`, p.ID, p.Name, sqliteTime(p.CreatedAt))
}

func (s *EnergyCatalogStore) PartnerByName(ctx context.Context, name string) (energy.Partner, error) {
	p, err := storesql.ScanPartner(s.db.reader.QueryRowContext(ctx, `SELECT id, name, created_at FROM partners WHERE name = ?`, name))
	return p, MapError(err)
}

func (s *EnergyCatalogStore) CreateKey(ctx context.Context, k energy.APIKey) error {
	return s.exec(ctx, `INSERT INTO partner_api_keys (id, partner_id, prefix, key_hash, seller_name, admin, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, k.ID, k.PartnerID, k.Prefix, k.Hash, k.SellerName, k.Admin, sqliteTime(k.CreatedAt))
}

func (s *EnergyCatalogStore) KeyByHash(ctx context.Context, hash string) (energy.APIKey, energy.Partner, error) {
	k, p, err := storesql.ScanAPIKey(s.keyByHash.QueryRowContext(ctx, hash))
	return k, p, MapError(err)
}

func (s *EnergyCatalogStore) RevokeKey(ctx context.Context, prefix string, at time.Time) error {
	return s.execOne(ctx, `UPDATE partner_api_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL`, sqliteTime(at), prefix)
}

// LoadCatalog reads the whole catalog in one read transaction: one
// consistent snapshot of the WAL.
func (s *EnergyCatalogStore) LoadCatalog(ctx context.Context) (energy.CatalogData, error) {
	var d energy.CatalogData
	tx, err := s.db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return d, MapError(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+storesql.UtilityColumns+` FROM energy_utilities ORDER BY name`)
	if d.Utilities, err = collect(rows, err, storesql.ScanUtility); err != nil {
		return d, MapError(err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT utility_id, ibge_code FROM energy_operation_areas ORDER BY ibge_code, utility_id`)
	if d.Areas, err = collect(rows, err, storesql.ScanArea); err != nil {
		return d, MapError(err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+storesql.PlanColumns+` FROM energy_plans ORDER BY id`)
	if d.Plans, err = collect(rows, err, storesql.ScanPlan); err != nil {
		return d, MapError(err)
	}
	err = tx.QueryRowContext(ctx, `SELECT free_market_min_cents FROM energy_thresholds WHERE id = 1`).Scan(&d.Thresholds.FreeMarketMinCents)
	return d, MapError(err)
}

func (s *EnergyCatalogStore) CreateUtility(ctx context.Context, u energy.Utility) error {
	return s.exec(ctx, `INSERT INTO energy_utilities (`+storesql.UtilityColumns+`) VALUES (?, ?, ?, ?, ?, ?)`, storesql.UtilityValues(u)...)
}

func (s *EnergyCatalogStore) UpdateUtility(ctx context.Context, u energy.Utility) error {
	return s.execOne(ctx, `UPDATE energy_utilities SET name = ?, uf = ?, qualified = ?, gd_min_natural_cents = ?, gd_min_juridical_cents = ?
		WHERE public_id = ?`, u.Name, u.UF, u.Qualified, u.GDMinNaturalCents, u.GDMinJuridicalCents, u.PublicID)
}

func (s *EnergyCatalogStore) DeleteUtility(ctx context.Context, publicID string) error {
	return s.execOne(ctx, `DELETE FROM energy_utilities WHERE public_id = ?`, publicID)
}

func (s *EnergyCatalogStore) AddAreas(ctx context.Context, areas []energy.OperationArea) (int, error) {
	added := 0
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, a := range areas {
			res, err := tx.ExecContext(ctx, `INSERT INTO energy_operation_areas (utility_id, ibge_code) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, a.UtilityID, a.IBGECode)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	return added, MapError(err)
}

func (s *EnergyCatalogStore) DeleteArea(ctx context.Context, a energy.OperationArea) error {
	return s.execOne(ctx, `DELETE FROM energy_operation_areas WHERE utility_id = ? AND ibge_code = ?`, a.UtilityID, a.IBGECode)
}

func (s *EnergyCatalogStore) CreatePlan(ctx context.Context, p energy.Plan) (energy.Plan, error) {
	benefits, err := storesql.PlanBenefits(p)
	if err != nil {
		return p, err
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO energy_plans (utility_id, name, fidelity_months, discount, benefits)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, p.UtilityID, p.Name, p.FidelityMonths, p.Discount, benefits).Scan(&p.ID)
	})
	return p, MapError(err)
}

func (s *EnergyCatalogStore) UpdatePlan(ctx context.Context, p energy.Plan) error {
	benefits, err := storesql.PlanBenefits(p)
	if err != nil {
		return err
	}
	return s.execOne(ctx, `UPDATE energy_plans SET name = ?, fidelity_months = ?, discount = ?, benefits = ? WHERE id = ?`,
		p.Name, p.FidelityMonths, p.Discount, benefits, p.ID)
}

func (s *EnergyCatalogStore) DeletePlan(ctx context.Context, id int64) error {
	return s.execOne(ctx, `DELETE FROM energy_plans WHERE id = ?`, id)
}

func (s *EnergyCatalogStore) SaveThresholds(ctx context.Context, t energy.Thresholds) error {
	return s.exec(ctx, `UPDATE energy_thresholds SET free_market_min_cents = ? WHERE id = 1`, t.FreeMarketMinCents)
}
