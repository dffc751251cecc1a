package storesql

import (
	"context"
	"time"

	"partnership-service/internal/webauth"
)

// WebAuth keeps console users and sessions (webauth.Store) on either
// engine: the statements are dialect-free.
type WebAuth struct{ DB DB }

var _ webauth.Store = WebAuth{}

const webauthUserColumns = `u.id, u.realm, u.owner_id, COALESCE(u.partner_id, ''), u.role, u.email, u.name`

func scanWebAuthUser(row Row, extra ...any) (webauth.User, error) {
	var u webauth.User
	err := row.Scan(append([]any{&u.ID, &u.Realm, &u.OwnerID, &u.PartnerID, &u.Role, &u.Email, &u.Name}, extra...)...)
	return u, err
}

// CreateUser implements webauth.Store.
func (s WebAuth) CreateUser(ctx context.Context, u webauth.User, passwordHash string, now time.Time) (webauth.User, error) {
	err := s.DB.Write(ctx, func(tx Querier) error {
		return tx.QueryRow(ctx, `INSERT INTO webauth_users (realm, owner_id, partner_id, role, email, name, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Realm, u.OwnerID, nullString(u.PartnerID), u.Role, u.Email, u.Name, passwordHash, Time{T: now}).Scan(&u.ID)
	})
	return u, s.DB.MapError(err)
}

// UserByEmail implements webauth.Store.
func (s WebAuth) UserByEmail(ctx context.Context, realm webauth.Realm, email string) (webauth.User, string, error) {
	var hash string
	u, err := scanWebAuthUser(s.DB.QueryRow(ctx, `SELECT `+webauthUserColumns+`, u.password_hash
		FROM webauth_users u WHERE u.realm = ? AND u.email = ?`, realm, email), &hash)
	return u, hash, s.DB.MapError(err)
}

// CreateSession implements webauth.Store.
func (s WebAuth) CreateSession(ctx context.Context, tokenHash []byte, userID int64, now time.Time) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		_, err := tx.Exec(ctx, `INSERT INTO webauth_sessions (token_hash, user_id, created_at, last_seen_at)
			VALUES (?, ?, ?, ?)`, tokenHash, userID, Time{T: now}, Time{T: now})
		return err
	}))
}

// SessionByHash implements webauth.Store.
func (s WebAuth) SessionByHash(ctx context.Context, tokenHash []byte) (webauth.Session, error) {
	var created, seen Time
	u, err := scanWebAuthUser(s.DB.QueryRow(ctx, `SELECT `+webauthUserColumns+`, s.created_at, s.last_seen_at
		FROM webauth_sessions s JOIN webauth_users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash), &created, &seen)
	return webauth.Session{User: u, Created: created.T, LastSeen: seen.T}, s.DB.MapError(err)
}

// TouchSession implements webauth.Store.
func (s WebAuth) TouchSession(ctx context.Context, tokenHash []byte, now time.Time) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return ExecOne(ctx, tx, `UPDATE webauth_sessions SET last_seen_at = ? WHERE token_hash = ?`, Time{T: now}, tokenHash)
	}))
}

// DeleteSession implements webauth.Store.
func (s WebAuth) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return s.DB.MapError(s.DB.Write(ctx, func(tx Querier) error {
		return ExecOne(ctx, tx, `DELETE FROM webauth_sessions WHERE token_hash = ?`, tokenHash)
	}))
}

// DeleteUserSessions implements webauth.Store.
func (s WebAuth) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	return s.deleteWhere(ctx, `user_id = ?`, userID)
}

// DeleteSessionsSeenBefore implements webauth.Store.
func (s WebAuth) DeleteSessionsSeenBefore(ctx context.Context, t time.Time) (int64, error) {
	return s.deleteWhere(ctx, `last_seen_at < ?`, Time{T: t})
}

func (s WebAuth) deleteWhere(ctx context.Context, cond string, arg any) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx Querier) (err error) {
		n, err = tx.Exec(ctx, `DELETE FROM webauth_sessions WHERE `+cond, arg)
		return err
	})
	return n, s.DB.MapError(err)
}
