-- Bianmin schema 6: citizen ratings of cases (好差评, docs/domain.md 4) and the
-- rectification tasks that bad ratings open (差评整改, 4.4). A case has at most one rating
-- and one appended follow-up rating (追评); nothing updates or deletes a rating. Instants
-- are UTC epoch seconds, days are day numbers (China Standard Time). docs/schema.md
-- describes each table.

CREATE TABLE ratings (
    id                INTEGER PRIMARY KEY,
    county_code       TEXT    NOT NULL,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    kind              TEXT    NOT NULL CHECK (kind IN ('initial', 'follow_up')),
    item_id           INTEGER NOT NULL REFERENCES items(id),
    accepting_unit_id INTEGER NOT NULL REFERENCES org_units(id),
    handling_unit_id  INTEGER NOT NULL REFERENCES org_units(id),
    handler_id        INTEGER REFERENCES users(id),
    channel           TEXT    NOT NULL CHECK (channel IN ('online', 'window_device')),
    level             INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    reasons           TEXT    NOT NULL DEFAULT '',
    comment           TEXT    NOT NULL DEFAULT '',
    is_default        INTEGER NOT NULL DEFAULT 0,
    recorded_by       INTEGER REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    UNIQUE (case_id, kind)
);
CREATE INDEX ratings_created ON ratings(created_at);
CREATE INDEX ratings_unit ON ratings(handling_unit_id, created_at);

CREATE TABLE rectifications (
    id             INTEGER PRIMARY KEY,
    county_code    TEXT    NOT NULL,
    rating_id      INTEGER NOT NULL UNIQUE REFERENCES ratings(id),
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    unit_id        INTEGER NOT NULL REFERENCES org_units(id),
    status         TEXT    NOT NULL,
    callback_due   INTEGER NOT NULL,
    rectify_due    INTEGER NOT NULL,
    appeal_due     INTEGER NOT NULL,
    called_back_at INTEGER NOT NULL DEFAULT 0,
    callback_note  TEXT    NOT NULL DEFAULT '',
    resolved_at    INTEGER NOT NULL DEFAULT 0,
    outcome        TEXT    NOT NULL DEFAULT '',
    appeal_note    TEXT    NOT NULL DEFAULT '',
    decision_note  TEXT    NOT NULL DEFAULT '',
    closed_at      INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX rectifications_unit ON rectifications(unit_id, status);
CREATE INDEX rectifications_status ON rectifications(status, rectify_due);
