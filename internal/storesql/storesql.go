// Package storesql holds the dialect-free SQL pieces both adapters share:
// column lists, scan functions and value conversions, so that only what
// truly differs per engine (placeholders, RETURNING, locking, how a time is
// stored) is written twice. It imports no driver.
package storesql

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Row is what both engines' rows offer: *sql.Row, *sql.Rows and pgx.Row.
type Row interface {
	Scan(dest ...any) error
}

// TimeLayout is how SQLite stores times: fixed-width UTC text, so text order
// is time order. PostgreSQL stores timestamptz.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Time scans a time from either engine: SQLite's text or PostgreSQL's
// timestamptz. A NULL leaves the zero time.
type Time struct{ T time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.T = time.Time{}
	case time.Time:
		t.T = v.UTC()
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("storesql: cannot scan %T into a time", src)
	}
	return nil
}

func (t *Time) parse(s string) error {
	p, err := time.Parse(TimeLayout, s)
	if err != nil {
		return fmt.Errorf("storesql: stored time %q: %w", s, err)
	}
	t.T = p
	return nil
}

var _ driver.Valuer = Time{}

// Value implements driver.Valuer with SQLite's text form, which
// PostgreSQL also reads into a timestamptz: shared statements bind it on
// both engines.
func (t Time) Value() (driver.Value, error) {
	if t.T.IsZero() {
		return nil, nil
	}
	return t.T.UTC().Format(TimeLayout), nil
}

// Cursor is what both engines' result sets offer for reading: *sql.Rows and
// pgx.Rows. Closing stays with the caller: their Close methods differ.
type Cursor interface {
	Row
	Next() bool
	Err() error
}

// CollectAll scans every row of c with scan; nil when there are none.
func CollectAll[T any](c Cursor, scan func(Row) (T, error)) ([]T, error) {
	var out []T
	err := EachRow(c, func(r Row) error {
		v, err := scan(r)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachRow hands every row of c to fn, stopping at its first error.
func EachRow(c Cursor, fn func(Row) error) error {
	for c.Next() {
		if err := fn(c); err != nil {
			return err
		}
	}
	return c.Err()
}

// NullID binds an optional id: 0 is NULL.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ScanID reads a row of one integer id.
func ScanID(r Row) (int64, error) {
	var id int64
	err := r.Scan(&id)
	return id, err
}
