-- +goose Up
-- Console users of the three web realms (operator, partner, provider) in
-- one table: an e-mail is unique within its realm. A partner user names
-- its energy partner (partner_id, text as partners' ids are); a provider
-- user its storefront provider (owner_id; 0 for the other realms).
CREATE TABLE webauth_users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    realm         TEXT NOT NULL CHECK (realm IN ('operator', 'partner', 'provider')),
    owner_id      INTEGER NOT NULL DEFAULT 0,
    partner_id    TEXT REFERENCES partners (id),
    role          TEXT NOT NULL,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (realm, email),
    CHECK ((realm = 'partner') = (partner_id IS NOT NULL))
);

-- A console session: only the SHA-256 of its token is kept.
CREATE TABLE webauth_sessions (
    token_hash   BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES webauth_users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX webauth_sessions_user ON webauth_sessions (user_id);
CREATE INDEX webauth_sessions_last_seen ON webauth_sessions (last_seen_at);

-- +goose Down
DROP TABLE webauth_sessions;
DROP TABLE webauth_users;
