-- The reference server's tables (PostgreSQL). Codes and tokens are keyed by the SHA-256 digest of
-- their value; client secrets and session ids are sealed with a key derived from the server
-- secret; the session table is keyed by the digest of the session id. Columns that queries
-- filter on are columns; the rest of a record is a JSON document.

CREATE TABLE clients (
    client_id     TEXT PRIMARY KEY,
    secret_sealed BYTEA,
    document      TEXT NOT NULL
);

CREATE TABLE pending_authorizations (
    handle     BYTEA PRIMARY KEY,
    expires_at BIGINT,
    document   TEXT NOT NULL
);
CREATE INDEX pending_authorizations_expiry ON pending_authorizations (expires_at);

CREATE TABLE codes (
    digest         BYTEA PRIMARY KEY,
    grant_id       TEXT NOT NULL,
    session_sealed BYTEA NOT NULL,
    redeemed       BIGINT NOT NULL DEFAULT 0,
    expires_at     BIGINT NOT NULL,
    document       TEXT NOT NULL
);
CREATE INDEX codes_expiry ON codes (expires_at);

CREATE TABLE access_tokens (
    digest         BYTEA PRIMARY KEY,
    grant_id       TEXT,
    session_sealed BYTEA,
    expires_at     BIGINT NOT NULL,
    document       TEXT NOT NULL
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

CREATE TABLE refresh_tokens (
    digest         BYTEA PRIMARY KEY,
    grant_id       TEXT NOT NULL,
    session_sealed BYTEA NOT NULL,
    rotated        BIGINT NOT NULL DEFAULT 0,
    expires_at     BIGINT NOT NULL,
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
    id_digest  BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
