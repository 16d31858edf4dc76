-- Bianmin schema 1: organisation, accounts, sessions, API tokens, log-in throttling,
-- and the audit chain. Instants are UTC epoch seconds. docs/schema.md describes each table.

CREATE TABLE org_units (
    id              INTEGER PRIMARY KEY,
    parent_id       INTEGER REFERENCES org_units(id),
    kind            TEXT    NOT NULL CHECK (kind IN ('county', 'department', 'township',
                            'office', 'station', 'service_center', 'village')),
    name            TEXT    NOT NULL,
    division_code   TEXT    NOT NULL DEFAULT '',
    credit_code     TEXT    NOT NULL DEFAULT '',
    management_mode TEXT    NOT NULL DEFAULT 'none'
                            CHECK (management_mode IN ('none', 'township', 'county', 'dual')),
    path            TEXT    NOT NULL DEFAULT '',
    county_code     TEXT    NOT NULL,
    is_active       INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX org_units_division_code ON org_units(division_code) WHERE division_code <> '';
CREATE INDEX org_units_parent ON org_units(parent_id);
CREATE INDEX org_units_path ON org_units(path);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE,
    display_name   TEXT    NOT NULL,
    phone          TEXT    NOT NULL DEFAULT '',
    password_hash  TEXT    NOT NULL,
    roles          INTEGER NOT NULL,
    org_unit_id    INTEGER REFERENCES org_units(id),
    is_active      INTEGER NOT NULL DEFAULT 1,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    last_login_at  INTEGER NOT NULL DEFAULT 0,
    password_changed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_org ON users(org_unit_id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    csrf_token   TEXT    NOT NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT    NOT NULL,
    ip       TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL
);

-- The chain's head, kept apart from the entries so that a removed tail is noticed.
CREATE TABLE audit_head (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_id   INTEGER NOT NULL,
    last_hash BLOB    NOT NULL
);
