package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"partnership-service/internal/energyref"
	"partnership-service/internal/geo"
)

// Reference data follows the binary. Migrations 00002 and 00101 load the
// embedded reference data into a new database; when a later binary embeds
// different data (a new municipality, a corrected CEP range, a new or
// renamed utility), syncReference brings an existing database up to date
// on the next migrate or serve start. Each data set is versioned by a hash
// of its parsed rows, recorded in reference_data: equal versions cost one
// read, a changed one is upserted, keyed by stable ids (IBGE codes, the
// utilities' public ids), in one transaction with the new version.
//
// Commercial data is never touched: which utilities are qualified, their
// minimum bills, plans and areas, and an operator's own names. A utility
// is renamed only while it still carries one of its reference names, and
// added only once (energy_reference_utilities), so an operator's deletion
// stands. Rows that disappear from the embedded data are kept: IBGE codes
// are never reused and leads and companies reference municipalities.
// CEP ranges have no identity of their own and nothing references them:
// they are replaced as a whole.

// referenceSet is one versioned data set and how to bring a database to it.
type referenceSet struct {
	name    string
	version string
	sync    func(ctx context.Context, tx *sql.Tx, d Dialect) error
}

func referenceSets() ([]referenceSet, error) {
	dir, err := geo.Load()
	if err != nil {
		return nil, err
	}
	utilities, areas, err := energyref.Catalog()
	if err != nil {
		return nil, err
	}
	return []referenceSet{
		{name: "geo", version: dataVersion(dir.States(), dir.Municipalities(), dir.StateCEPRanges(), dir.MunicipalityCEPRanges()),
			sync: func(ctx context.Context, tx *sql.Tx, d Dialect) error { return syncGeo(ctx, tx, d, dir) }},
		{name: "energy_utilities", version: dataVersion(utilities, energyref.Aliases(), areas),
			sync: func(ctx context.Context, tx *sql.Tx, d Dialect) error {
				return syncUtilities(ctx, tx, d, utilities, areas)
			}},
	}, nil
}

// dataVersion is a short hash of the rows' printed form: formatting the
// CSV differently is no new version, changing a value is.
func dataVersion(rows ...any) string {
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "%v\x00", r)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// syncReference upserts every reference data set whose recorded version
// differs from the binary's, all in one transaction.
func syncReference(ctx context.Context, d Dialect, db *sql.DB) error {
	sets, err := referenceSets()
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.lockReference != "" {
		// Replicas starting together would each replace the CEP ranges;
		// one at a time, the later ones find the version recorded.
		if _, err := tx.ExecContext(ctx, d.lockReference); err != nil {
			return err
		}
	}
	for _, s := range sets {
		var recorded string
		err := tx.QueryRowContext(ctx, d.rebind(`SELECT version FROM reference_data WHERE dataset = ?`), s.name).Scan(&recorded)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reference data %s: %w", s.name, err)
		}
		if recorded == s.version {
			continue
		}
		if err := s.sync(ctx, tx, d); err != nil {
			return fmt.Errorf("reference data %s: %w", s.name, err)
		}
		if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO reference_data (dataset, version, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (dataset) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`),
			s.name, s.version, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("reference data %s: %w", s.name, err)
		}
	}
	return tx.Commit()
}

func syncGeo(ctx context.Context, tx *sql.Tx, d Dialect, dir *geo.Directory) error {
	states := dir.States()
	// A state's UF is referenced by other tables and never changes; its
	// name may be corrected.
	if err := insertRows(ctx, tx, d.bindVar, "states (ibge_code, uf, name)", 3, len(states), func(i int) []any {
		s := states[i]
		return []any{s.IBGECode, s.UF, s.Name}
	}, "ON CONFLICT (ibge_code) DO UPDATE SET name = excluded.name"); err != nil {
		return err
	}
	ms := dir.Municipalities()
	if err := insertRows(ctx, tx, d.bindVar, "municipalities (ibge_code, name, uf, lat, lon)", 5, len(ms), func(i int) []any {
		m := ms[i]
		return []any{m.IBGECode, m.Name, m.UF, m.Lat, m.Lon}
	}, "ON CONFLICT (ibge_code) DO UPDATE SET name = excluded.name, uf = excluded.uf, lat = excluded.lat, lon = excluded.lon"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM cep_ranges`); err != nil {
		return err
	}
	return insertCEPRanges(ctx, tx, d.bindVar, dir)
}

// syncUtilities adds the reference utilities this database has never had,
// with their curated areas, and gives a utility its current name when it
// still carries one of its reference names.
func syncUtilities(ctx context.Context, tx *sql.Tx, d Dialect, utilities []energyref.Utility, areas []energyref.Area) error {
	names := map[string][]any{} // public id → reference names
	for _, u := range utilities {
		names[u.PublicID] = []any{u.ANEELName}
	}
	for _, a := range energyref.Aliases() {
		names[a.UtilityID] = append(names[a.UtilityID], a.Name)
	}
	areasOf := map[string][]int{}
	for _, a := range areas {
		areasOf[a.UtilityID] = append(areasOf[a.UtilityID], a.IBGECode)
	}
	for _, u := range utilities {
		delivered, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO energy_reference_utilities (public_id) VALUES (?) ON CONFLICT DO NOTHING`), u.PublicID)
		if err != nil {
			return err
		}
		if n, err := delivered.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			// New to this database. An operator's utility may hold the
			// name already (names are unique): then it is not added.
			added, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO energy_utilities (public_id, name, uf) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), u.PublicID, u.Name, u.UF)
			if err != nil {
				return err
			}
			if n, err := added.RowsAffected(); err != nil || n == 0 {
				continue
			}
			for _, code := range areasOf[u.PublicID] {
				if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO energy_operation_areas (utility_id, ibge_code) VALUES (?, ?) ON CONFLICT DO NOTHING`), u.PublicID, code); err != nil {
					return err
				}
			}
			continue
		}
		args := append([]any{u.Name, u.PublicID, u.Name}, names[u.PublicID]...)
		args = append(args, u.Name)
		if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE energy_utilities SET name = ?
			WHERE public_id = ? AND name <> ? AND name IN (`+strings.Repeat("?, ", len(names[u.PublicID])-1)+`?)
			AND NOT EXISTS (SELECT 1 FROM energy_utilities other WHERE other.name = ?)`), args...); err != nil {
			return err
		}
	}
	return nil
}

// referenceStatus says, per data set, the version recorded in the
// database and whether it is the binary's.
func referenceStatus(ctx context.Context, d Dialect, db *sql.DB) ([]string, error) {
	sets, err := referenceSets()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range sets {
		var recorded, at string
		err := db.QueryRowContext(ctx, d.rebind(`SELECT version, updated_at FROM reference_data WHERE dataset = ?`), s.name).Scan(&recorded, &at)
		switch {
		case err == nil && recorded == s.version:
			out = append(out, fmt.Sprintf("reference data %-16s %s (updated %s), current", s.name, recorded, at))
		case err == nil:
			out = append(out, fmt.Sprintf("reference data %-16s %s (updated %s), binary has %s: updated on the next migrate or serve", s.name, recorded, at, s.version))
		default: // no row, or no table yet
			out = append(out, fmt.Sprintf("reference data %-16s none recorded, binary has %s: loaded on the next migrate or serve", s.name, s.version))
		}
	}
	return out, nil
}
