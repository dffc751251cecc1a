package storesql

import (
	"context"
	"database/sql"
	"time"

	"partnership-service/internal/apperr"
	"partnership-service/internal/idempotency"
)

// IdempotencyKeys keeps Idempotency-Key records (idempotency.Store) on
// either engine. The insert is not a method: the engines' write path calls
// InsertPendingKey inside the change's own transaction.
type IdempotencyKeys struct{ DB DB }

var _ idempotency.Store = IdempotencyKeys{}

// GetKey implements idempotency.Store.
func (s IdempotencyKeys) GetKey(ctx context.Context, owner, key string, now time.Time) (idempotency.Record, bool, error) {
	var (
		rec    idempotency.Record
		status sql.NullInt64
	)
	err := s.DB.QueryRow(ctx, `SELECT fingerprint, resource, status, content_type, location, body
		FROM idempotency_keys WHERE owner = ? AND idem_key = ? AND expires_at > ?`, owner, key, Time{T: now}).
		Scan(&rec.Fingerprint, &rec.Resource, &status, &rec.Answer.ContentType, &rec.Answer.Location, &rec.Answer.Body)
	if err != nil {
		if err = s.DB.MapError(err); apperr.CodeOf(err) == apperr.NotFound {
			return rec, false, nil
		}
		return rec, false, err
	}
	rec.Answered, rec.Answer.Status = status.Valid, int(status.Int64)
	return rec, true, nil
}

// AnswerKey implements idempotency.Store.
func (s IdempotencyKeys) AnswerKey(ctx context.Context, owner, key string, a idempotency.Answer) error {
	body := a.Body
	if body == nil {
		body = []byte{}
	}
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return ExecOne(ctx, tx, `UPDATE idempotency_keys SET status = ?, content_type = ?, location = ?, body = ?
			WHERE owner = ? AND idem_key = ?`, a.Status, a.ContentType, a.Location, body, owner, key)
	}))
}

// SweepKeys implements idempotency.Store.
func (s IdempotencyKeys) SweepKeys(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx Querier) (err error) {
		n, err = tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= ?`, Time{T: now})
		return err
	})
	return n, s.DB.MapError(err)
}

// InsertPendingKey writes p's record in the transaction q belongs to,
// after the change it guards. A live record of the same key (another
// request's, committed or in another transaction) refuses it with
// idempotency.ErrInFlight, so the change rolls back with it; an expired
// one is replaced.
func InsertPendingKey(ctx context.Context, q Querier, p *idempotency.Pending) error {
	// An answer the change announced is kept with it (status NULL: none
	// yet, stored right after the commit).
	var status any
	a, answered := p.Answer()
	if answered {
		status = a.Status
	}
	n, err := q.Exec(ctx, `INSERT INTO idempotency_keys (owner, idem_key, fingerprint, resource, status, content_type, location, body, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (owner, idem_key) DO UPDATE SET fingerprint = excluded.fingerprint, resource = excluded.resource,
			status = excluded.status, content_type = excluded.content_type, location = excluded.location, body = excluded.body,
			created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= excluded.created_at`,
		p.Owner, p.Key, p.Fingerprint(), p.Resource(), status, a.ContentType, a.Location, a.Body, Time{T: p.Created}, Time{T: p.Expires})
	if err != nil {
		return err
	}
	if n == 0 {
		p.Refuse()
		return idempotency.ErrInFlight()
	}
	return nil
}
