-- Bianmin schema 3: one-window case handling. The working-day calendar, cases (办件) with
-- their materials checklist, trace of events and special-procedure pauses, uploaded files
-- (content-addressed), electronic certificates (电子证照) issued by completed cases,
-- idempotency keys of case creation, per-town daily case-number counters, and the
-- notification outbox. Days are day numbers (days since 1970-01-01, China Standard Time);
-- instants are UTC epoch seconds. docs/schema.md describes each table.

CREATE TABLE calendar_years (
    year       INTEGER NOT NULL PRIMARY KEY,
    source     TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);

CREATE TABLE calendar_days (
    day  INTEGER NOT NULL PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES calendar_years(year),
    kind TEXT    NOT NULL CHECK (kind IN ('off', 'work')),
    name TEXT    NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days(year);

-- Case numbers: <12-digit town code><YYYYMMDD><6-digit sequence>, the sequence per town
-- and day, taken inside the creating transaction so numbers stay consecutive.
CREATE TABLE case_counters (
    town_code TEXT    NOT NULL,
    ymd       INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (town_code, ymd)
);

CREATE TABLE cases (
    id                  INTEGER PRIMARY KEY,
    case_no             TEXT    NOT NULL UNIQUE,
    county_code         TEXT    NOT NULL,
    query_code          TEXT    NOT NULL,
    item_id             INTEGER NOT NULL REFERENCES items(id),
    channel             TEXT    NOT NULL CHECK (channel IN ('window', 'online')),
    status              TEXT    NOT NULL,
    stage               TEXT    NOT NULL DEFAULT '',
    decision            TEXT    NOT NULL DEFAULT '',
    proposed            TEXT    NOT NULL DEFAULT '',
    resume_status       TEXT    NOT NULL DEFAULT '',
    resume_stage        TEXT    NOT NULL DEFAULT '',
    suspend_kind        INTEGER NOT NULL DEFAULT 0,
    supplement_requests INTEGER NOT NULL DEFAULT 0,
    extension_days      INTEGER NOT NULL DEFAULT 0,
    needs_approval      INTEGER NOT NULL,
    applicant_type      TEXT    NOT NULL CHECK (applicant_type IN ('resident_id', 'uscc')),
    applicant_masked    TEXT    NOT NULL,
    applicant_enc       BLOB    NOT NULL,
    applicant_hash      BLOB    NOT NULL,
    applicant_user_id   INTEGER REFERENCES users(id),
    accepting_unit_id   INTEGER NOT NULL REFERENCES org_units(id),
    handling_unit_id    INTEGER NOT NULL REFERENCES org_units(id),
    handler_id          INTEGER REFERENCES users(id),
    promised_days       INTEGER NOT NULL,
    summary             TEXT    NOT NULL DEFAULT '',
    submitted_at        INTEGER NOT NULL,
    accepted_at         INTEGER NOT NULL DEFAULT 0,
    accept_day          INTEGER,
    due_day             INTEGER,
    due_provisional     INTEGER NOT NULL DEFAULT 0,
    decided_at          INTEGER NOT NULL DEFAULT 0,
    closed_at           INTEGER NOT NULL DEFAULT 0,
    delivery_method     TEXT    NOT NULL DEFAULT '',
    delivery_ref        TEXT    NOT NULL DEFAULT '',
    visits              INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX cases_handling ON cases(handling_unit_id, status, id);
CREATE INDEX cases_accepting ON cases(accepting_unit_id, status, id);
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_due ON cases(status, due_day, id);
-- Supervision lists: open cases whose clock runs, by deadline.
CREATE INDEX cases_open_due ON cases(due_day, id)
    WHERE status IN ('accepted', 'processing', 'forwarded');
CREATE INDEX cases_handler ON cases(handler_id, status, id);
CREATE INDEX cases_user ON cases(applicant_user_id, id);

-- Electronic certificates (电子证照): results of completed cases, held by the applicant
-- (identified by the keyed hash of the ID number), reused as exempt materials later.
CREATE TABLE certificates (
    id             INTEGER PRIMARY KEY,
    county_code    TEXT    NOT NULL,
    holder_hash    BLOB    NOT NULL,
    holder_masked  TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    number         TEXT    NOT NULL UNIQUE,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    issuer_unit_id INTEGER NOT NULL REFERENCES org_units(id),
    issued_at      INTEGER NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked'))
);
CREATE INDEX certificates_holder ON certificates(holder_hash, name);

CREATE TABLE case_materials (
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    ord            INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    required       INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    provided       INTEGER NOT NULL,
    exempt         INTEGER NOT NULL DEFAULT 0,
    certificate_id INTEGER REFERENCES certificates(id),
    PRIMARY KEY (case_id, ord)
);

CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, id);

-- Special procedures (特别程序) and supplements after acceptance: the clock stops from
-- from_day to to_day inclusive; to_day is NULL while the pause lasts.
CREATE TABLE case_pauses (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('procedure', 'supplement')),
    procedure     TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL,
    expected_days INTEGER NOT NULL DEFAULT 0,
    from_day      INTEGER NOT NULL,
    to_day        INTEGER,
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER NOT NULL DEFAULT 0,
    started_by    INTEGER NOT NULL
);
CREATE INDEX case_pauses_case ON case_pauses(case_id);

-- Uploaded files, stored once per content (SHA-256), referenced by attachments.
CREATE TABLE blobs (
    sha256     BLOB    NOT NULL PRIMARY KEY,
    size       INTEGER NOT NULL,
    content    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    material_ord INTEGER,
    sha256       BLOB    NOT NULL REFERENCES blobs(sha256),
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    filename     TEXT    NOT NULL,
    uploaded_by  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id, id);

CREATE TABLE idempotency_keys (
    user_id    INTEGER NOT NULL,
    idem_key   TEXT    NOT NULL,
    body_hash  BLOB    NOT NULL,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

-- Text messages to applicants, written in the transaction that caused them and delivered
-- afterwards by the server's sender; a claim (locked_until) keeps two processes from
-- sending the same message.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    county_code     TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    recipient_enc   BLOB    NOT NULL,
    template        TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    case_id         INTEGER REFERENCES cases(id),
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox(sent_at, next_attempt_at);
