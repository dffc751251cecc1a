package sqlite

import (
	"context"
	"database/sql"

	"partnership-service/internal/audit"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/storesql"
)

// withPendingKey extends fn with the insert of the Idempotency-Key record
// pending in ctx (if any), under fn's own savepoint, so the key commits or
// rolls back with the change. The body's hash is sealed here, on the
// caller's goroutine, before the write is queued: the writer never waits
// on a client.
func (db *DB) withPendingKey(ctx context.Context, fn func(*sql.Tx) error) (*idempotency.Pending, func(*sql.Tx) error, error) {
	p := idempotency.FromContext(ctx)
	if p == nil {
		return nil, fn, nil
	}
	if err := p.Seal(); err != nil {
		return nil, nil, err
	}
	return p, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return storesql.InsertPendingKey(ctx, db.writeTx(tx, nil), p)
	}, nil
}

// withPendingAudit extends fn with the insert of the operator's audit
// entry pending in ctx (if any), under fn's savepoint, so the entry
// commits or rolls back with the change it records.
func (db *DB) withPendingAudit(ctx context.Context, fn func(*sql.Tx) error) (*audit.Pending, func(*sql.Tx) error) {
	p := audit.FromContext(ctx)
	if p == nil {
		return nil, fn
	}
	return p, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return storesql.InsertAuditEntry(ctx, db.writeTx(tx, nil), p.Entry)
	}
}
