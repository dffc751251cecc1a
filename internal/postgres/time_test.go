package postgres_test

import (
	"context"
	"testing"
	"time"

	"partnership-service/internal/postgres"
	"partnership-service/internal/storesql"
	"partnership-service/internal/testdb"
)

// TestTimesBindAsTimestamptz: a storesql.Time binds to a timestamptz as
// the instant it holds, to the microsecond as its text form did, and the
// zero time as NULL.
func TestTimesBindAsTimestamptz(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.OpenDB(ctx, testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 12, 2, 21, 30, 15, 123456789, time.FixedZone("BRT", -3*3600))
	for _, tt := range []struct {
		name     string
		in       storesql.Time
		wantNull bool
		want     time.Time
	}{
		{"an instant", storesql.Time{T: at}, false, at.Truncate(time.Microsecond)},
		{"the zero time", storesql.Time{}, true, time.Unix(0, 0)},
	} {
		var null bool
		var got time.Time
		err := db.Pool.QueryRow(ctx, `SELECT $1::timestamptz IS NULL, coalesce($1::timestamptz, 'epoch')`, tt.in).Scan(&null, &got)
		if err != nil || null != tt.wantNull || !got.Equal(tt.want) {
			t.Errorf("%s: null %v, %v, %v; want null %v, %v", tt.name, null, got, err, tt.wantNull, tt.want)
		}
	}
}
