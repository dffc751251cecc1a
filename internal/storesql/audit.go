package storesql

import (
	"context"
	"encoding/json"

	"partnership-service/internal/audit"
)

// AuditLog keeps the operator console's audit trail (audit.Store) on
// either engine.
type AuditLog struct{ DB DB }

var _ audit.Store = AuditLog{}

// InsertAuditEntry writes e in the transaction q belongs to: the engines'
// write path runs it with the change e records.
func InsertAuditEntry(ctx context.Context, q Querier, e audit.Entry) error {
	changes, err := json.Marshal(e.Changes)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO operator_audit (at, actor, action, subject, changes) VALUES (?, ?, ?, ?, ?)`,
		Time{T: e.At}, e.Actor, e.Action, e.Subject, string(changes))
	return err
}

// AppendEntry implements audit.Store.
func (s AuditLog) AppendEntry(ctx context.Context, e audit.Entry) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error { return InsertAuditEntry(ctx, tx, e) }))
}

// Entries implements audit.Store.
func (s AuditLog) Entries(ctx context.Context, offset, limit int) ([]audit.Entry, int, error) {
	var out []audit.Entry
	var total int
	err := s.DB.ReadSnapshot(ctx, func(tx Querier) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM operator_audit`).Scan(&total); err != nil {
			return err
		}
		var err error
		out, err = QueryAll(ctx, tx, scanAuditEntry,
			`SELECT id, at, actor, action, subject, changes FROM operator_audit ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
		return err
	})
	return out, total, s.DB.MapError(err)
}

func scanAuditEntry(r Row) (audit.Entry, error) {
	var e audit.Entry
	var at Time
	var changes string
	if err := r.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &changes); err != nil {
		return e, err
	}
	e.At = at.T
	return e, json.Unmarshal([]byte(changes), &e.Changes)
}
