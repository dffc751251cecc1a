// Package migrations holds the schema of both engines, one folder per
// dialect plus common/ for the migrations whose SQL is the same in both
// (each engine's goose sees its folder and common/ as one), embedded in the
// binary and applied by goose. Version ranges keep
// the contexts apart: 1-99 platform and reference data (2 loads it, 3
// records its version, see reference.go), 100-199 energy (101 loads the
// ANEEL utilities, 110 records which were delivered),
// 200-299 storefront, 300-399 companies, 400-429 webhooks, 480-489 the
// energy lead list at scale.
package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"partnership-service/internal/energyref"
	"partnership-service/internal/geo"
)

//go:embed sqlite/*.sql
var sqliteFS embed.FS

//go:embed postgres/*.sql
var postgresFS embed.FS

//go:embed common/*.sql
var commonFS embed.FS

// Dialect names one engine's migration set.
type Dialect struct {
	goose   goose.Dialect
	files   fs.FS
	bindVar func(n int) string
	// lockReference, when set, serializes reference data syncs of several
	// processes on one database, inside the sync's transaction.
	lockReference string
}

// rebind writes a ?-placeholder query in the dialect's placeholders.
func (d Dialect) rebind(query string) string {
	var sb strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			sb.WriteString(d.bindVar(n))
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

var (
	// SQLite is the embedded engine's migration set.
	SQLite = Dialect{goose: goose.DialectSQLite3, files: merged{sub(sqliteFS, "sqlite"), sub(commonFS, "common")}, bindVar: func(int) string { return "?" }}
	// Postgres is the production engine's migration set.
	Postgres = Dialect{goose: goose.DialectPostgres, files: merged{sub(postgresFS, "postgres"), sub(commonFS, "common")}, bindVar: func(n int) string { return fmt.Sprintf("$%d", n) },
		lockReference: `SELECT pg_advisory_xact_lock(7203114)`}
)

func sub(f embed.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return s
}

// merged is several flat directories of migrations seen as one: an
// engine's own and the common ones. A name in two of them is an error, so
// no migration can hide another.
type merged []fs.FS

func (m merged) Open(name string) (fs.File, error) {
	if name == "." {
		return m[0].Open(name) // its entries are ReadDir's
	}
	for _, f := range m {
		file, err := f.Open(name)
		if !errors.Is(err, fs.ErrNotExist) {
			return file, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (m merged) ReadDir(name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	for _, f := range m {
		entries, err := fs.ReadDir(f, name)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for i := 1; i < len(out); i++ {
		if out[i].Name() == out[i-1].Name() {
			return nil, fmt.Errorf("migrations: %s stands in two folders", out[i].Name())
		}
	}
	return out, nil
}

// ReferenceCounts is how many reference rows a database holds.
type ReferenceCounts struct {
	States, Municipalities, CEPRanges int
}

// Up applies every pending migration of d to db, then brings the reference
// data up to the binary's (see syncReference).
func Up(ctx context.Context, d Dialect, db *sql.DB) error {
	p, err := provider(d, db)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := syncReference(ctx, d, db); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Status lists each migration with whether it is applied, then each
// reference data set's version, for `migrate` and `migrate --status`.
func Status(ctx context.Context, d Dialect, db *sql.DB) ([]string, error) {
	p, err := provider(d, db)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(st)+2)
	for _, s := range st {
		out = append(out, fmt.Sprintf("%05d %-40s %s", s.Source.Version, s.Source.Path, s.State))
	}
	ref, err := referenceStatus(ctx, d, db)
	return append(out, ref...), err
}

func provider(d Dialect, db *sql.DB) (*goose.Provider, error) {
	opts := []goose.ProviderOption{
		goose.WithGoMigrations(
			goose.NewGoMigration(2, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				return loadReferenceData(ctx, tx, d.bindVar)
			}}, nil),
			goose.NewGoMigration(101, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				return loadEnergyUtilities(ctx, tx, d.bindVar)
			}}, nil),
		),
		goose.WithDisableGlobalRegistry(true),
		// Each context owns a version range (see the package comment), so a
		// context's new migration may sort below another context's latest:
		// it must still apply to databases that have the later one.
		goose.WithAllowOutofOrder(true),
	}
	if d.goose == goose.DialectPostgres {
		// Several processes (replicas, parallel test binaries) may migrate
		// the same database at once; an advisory lock serializes them.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(d.goose, db, d.files, opts...)
}

// loadReferenceData copies the embedded IBGE states, municipalities and CEP
// ranges into tables, so other tables can reference them with foreign keys.
func loadReferenceData(ctx context.Context, tx *sql.Tx, bindVar func(int) string) error {
	dir, err := geo.Load()
	if err != nil {
		return err
	}
	states := dir.States()
	if err := insertRows(ctx, tx, bindVar, "states (ibge_code, uf, name)", 3, len(states), func(i int) []any {
		s := states[i]
		return []any{s.IBGECode, s.UF, s.Name}
	}); err != nil {
		return err
	}
	ms := dir.Municipalities()
	if err := insertRows(ctx, tx, bindVar, "municipalities (ibge_code, name, uf, lat, lon)", 5, len(ms), func(i int) []any {
		m := ms[i]
		return []any{m.IBGECode, m.Name, m.UF, m.Lat, m.Lon}
	}); err != nil {
		return err
	}
	return insertCEPRanges(ctx, tx, bindVar, dir)
}

// insertCEPRanges writes the state and municipality CEP ranges.
func insertCEPRanges(ctx context.Context, tx *sql.Tx, bindVar func(int) string, dir *geo.Directory) error {
	ranges := append(dir.StateCEPRanges(), dir.MunicipalityCEPRanges()...)
	return insertRows(ctx, tx, bindVar, "cep_ranges (uf, ibge_code, cep_start, cep_end)", 4, len(ranges), func(i int) []any {
		r := ranges[i]
		var ibge any
		if r.IBGECode != 0 {
			ibge = r.IBGECode
		}
		return []any{r.UF, ibge, r.Start, r.End}
	})
}

// loadEnergyUtilities loads ANEEL's distribuidoras (none qualified: which
// are is commercial data) and the known utility→municipality areas.
func loadEnergyUtilities(ctx context.Context, tx *sql.Tx, bindVar func(int) string) error {
	utilities, areas, err := energyref.Catalog()
	if err != nil {
		return err
	}
	if err := insertRows(ctx, tx, bindVar, "energy_utilities (public_id, name, uf)", 3, len(utilities), func(i int) []any {
		u := utilities[i]
		return []any{u.PublicID, u.Name, u.UF}
	}); err != nil {
		return err
	}
	return insertRows(ctx, tx, bindVar, "energy_operation_areas (utility_id, ibge_code)", 2, len(areas), func(i int) []any {
		return []any{areas[i].UtilityID, areas[i].IBGECode}
	})
}

// insertRows writes n rows with multi-row INSERTs of a few hundred rows each.
// suffix, when set, ends each statement (an ON CONFLICT clause).
func insertRows(ctx context.Context, tx *sql.Tx, bindVar func(int) string, target string, cols, n int, row func(int) []any, suffix ...string) error {
	const perStatement = 400
	for start := 0; start < n; start += perStatement {
		end := min(start+perStatement, n)
		var sb strings.Builder
		args := make([]any, 0, (end-start)*cols)
		sb.WriteString("INSERT INTO " + target + " VALUES ")
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for c := range cols {
				if c > 0 {
					sb.WriteByte(',')
				}
				sb.WriteString(bindVar(len(args) + c + 1))
			}
			sb.WriteByte(')')
			args = append(args, row(i)...)
		}
		for _, x := range suffix {
			sb.WriteString(" " + x)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("load %s: %w", target, err)
		}
	}
	return nil
}

// Fingerprint identifies the schema a dialect produces, so test harnesses
// can cache a migrated template and rebuild it when any migration changes.
func Fingerprint(d Dialect) string {
	h := sha256.New()
	_ = fs.WalkDir(d.files, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(d.files, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	// The Go migrations load embedded data: it is part of the schema too,
	// so a changed CSV must not reuse a template built from the old one.
	if dir, err := geo.Load(); err == nil {
		fmt.Fprint(h, dir.States(), dir.Municipalities(), dir.StateCEPRanges(), dir.MunicipalityCEPRanges())
	}
	utilities, areas, _ := energyref.Catalog()
	fmt.Fprint(h, utilities, areas, energyref.Aliases())
	return hex.EncodeToString(h.Sum(nil))[:16]
}
