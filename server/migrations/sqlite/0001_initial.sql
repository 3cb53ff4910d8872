-- The reference server's tables (SQLite). Codes and tokens are keyed by the SHA-256 digest of
-- their value; client secrets and session ids are sealed with a key derived from the server
-- secret; the session table is keyed by the digest of the session id. Columns that queries
-- filter on are columns; the rest of a record is a JSON document.

CREATE TABLE clients (
    client_id     TEXT PRIMARY KEY,
    secret_sealed BLOB,
    document      TEXT NOT NULL
);

CREATE TABLE pending_authorizations (
    handle     BLOB PRIMARY KEY,
    expires_at INTEGER,
    document   TEXT NOT NULL
);
CREATE INDEX pending_authorizations_expiry ON pending_authorizations (expires_at);

CREATE TABLE codes (
    digest         BLOB PRIMARY KEY,
    grant_id       TEXT NOT NULL,
    session_sealed BLOB NOT NULL,
    redeemed       INTEGER NOT NULL DEFAULT 0,
    expires_at     INTEGER NOT NULL,
    document       TEXT NOT NULL
);
CREATE INDEX codes_expiry ON codes (expires_at);

CREATE TABLE access_tokens (
    digest         BLOB PRIMARY KEY,
    grant_id       TEXT,
    session_sealed BLOB,
    expires_at     INTEGER NOT NULL,
    document       TEXT NOT NULL
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

CREATE TABLE refresh_tokens (
    digest         BLOB PRIMARY KEY,
    grant_id       TEXT NOT NULL,
    session_sealed BLOB NOT NULL,
    rotated        INTEGER NOT NULL DEFAULT 0,
    expires_at     INTEGER NOT NULL,
    document       TEXT NOT NULL
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

CREATE TABLE users (
    id        TEXT PRIMARY KEY,
    email_key TEXT NOT NULL UNIQUE,
    document  TEXT NOT NULL
);

CREATE TABLE sessions (
    id_digest  BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
