package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"partnership-service/internal/audit"
	"partnership-service/internal/idempotency"
	"partnership-service/internal/storesql"
)

// withPendingKey extends fn with the insert of the Idempotency-Key record
// pending in ctx (if any), in fn's transaction, so the key commits or rolls
// back with the change. A concurrent request with the same key (another
// replica's) waits on the record's primary key and is refused once the
// first commits. The body's hash is sealed before the transaction begins.
func withPendingKey(ctx context.Context, fn func(pgx.Tx) error) (*idempotency.Pending, func(pgx.Tx) error, error) {
	p := idempotency.FromContext(ctx)
	if p == nil {
		return nil, fn, nil
	}
	if err := p.Seal(); err != nil {
		return nil, nil, err
	}
	return p, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return storesql.InsertPendingKey(ctx, txQuerier{tx}, p)
	}, nil
}

// withPendingAudit extends fn with the insert of the operator's audit
// entry pending in ctx (if any), in fn's transaction, so the entry commits
// or rolls back with the change it records.
func withPendingAudit(ctx context.Context, fn func(pgx.Tx) error) (*audit.Pending, func(pgx.Tx) error) {
	p := audit.FromContext(ctx)
	if p == nil {
		return nil, fn
	}
	return p, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return storesql.InsertAuditEntry(ctx, txQuerier{tx}, p.Entry)
	}
}
