-- Bianmin schema: demands (诉求) as work orders (docs/domain.md 5). A demand is filed online,
-- at a window or imported from the 12345 hotline, dispatched to a unit, answered, called back
-- and closed; every step is kept in demand_events. The citizen's name and phone are sealed
-- with the data key (contact_enc, empty for an anonymous report); only masked forms are clear.

-- Ticket numbers count per county and day, like case numbers.
CREATE TABLE demand_counters (
    county_code TEXT    NOT NULL,
    ymd         INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    PRIMARY KEY (county_code, ymd)
);

CREATE TABLE demands (
    id              INTEGER PRIMARY KEY,
    ticket_no       TEXT    NOT NULL UNIQUE,
    county_code     TEXT    NOT NULL,
    query_code      TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    urgency         TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    hotline_no      TEXT    NOT NULL DEFAULT '',
    content         TEXT    NOT NULL,
    location        TEXT    NOT NULL DEFAULT '',
    is_anonymous    INTEGER NOT NULL DEFAULT 0,
    contact_masked  TEXT    NOT NULL DEFAULT '',
    phone_masked    TEXT    NOT NULL DEFAULT '',
    contact_enc     BLOB    NOT NULL,
    status          TEXT    NOT NULL,
    intake_unit_id  INTEGER REFERENCES org_units(id),
    unit_id         INTEGER REFERENCES org_units(id),
    handler_id      INTEGER REFERENCES users(id),
    reply           TEXT    NOT NULL DEFAULT '',
    resolved        INTEGER NOT NULL DEFAULT -1,
    satisfaction    TEXT    NOT NULL DEFAULT '',
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    extension_days  INTEGER NOT NULL DEFAULT 0,
    merged_into     TEXT    NOT NULL DEFAULT '',
    submitted_at    INTEGER NOT NULL,
    dispatched_at   INTEGER NOT NULL DEFAULT 0,
    due_at          INTEGER NOT NULL DEFAULT 0,
    replied_at      INTEGER NOT NULL DEFAULT 0,
    closed_at       INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- The hotline's own order number makes an import idempotent.
CREATE UNIQUE INDEX demands_hotline ON demands(hotline_no) WHERE hotline_no <> '';
CREATE INDEX demands_unit ON demands(unit_id, status);
CREATE INDEX demands_county ON demands(county_code, id);

CREATE TABLE demand_events (
    id          INTEGER PRIMARY KEY,
    demand_id   INTEGER NOT NULL REFERENCES demands(id),
    county_code TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor_name  TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    note        TEXT    NOT NULL
);
CREATE INDEX demand_events_demand ON demand_events(demand_id, id);
