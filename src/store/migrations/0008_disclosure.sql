-- Bianmin schema: government-affairs and village-affairs disclosure (政务公开 / 村务公开,
-- docs/domain.md 9). A publication belongs to a township or one of its villages; it is
-- public while status = 'released' and publish_at <= now < withdraw_at (0: no end), which
-- the server computes at read time. Files reuse the content-addressed blobs of cases.

CREATE TABLE publications (
    id              INTEGER PRIMARY KEY,
    county_code     TEXT    NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES org_units(id),
    category        TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'draft', -- draft | released | withdrawn
    publish_at      INTEGER NOT NULL DEFAULT 0,
    withdraw_at     INTEGER NOT NULL DEFAULT 0,
    released_at     INTEGER NOT NULL DEFAULT 0,       -- when a person published it
    released_by     INTEGER NOT NULL DEFAULT 0,
    withdrawn_at    INTEGER NOT NULL DEFAULT 0,       -- when a person withdrew it early
    withdrawn_by    INTEGER NOT NULL DEFAULT 0,
    withdraw_reason TEXT    NOT NULL DEFAULT '',
    created_by      INTEGER NOT NULL,
    updated_by      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX publications_public ON publications(status, publish_at);
CREATE INDEX publications_unit ON publications(unit_id, id);

-- Attachments of a publication (PDF, JPEG or PNG), the bytes in blobs.
CREATE TABLE publication_files (
    id             INTEGER PRIMARY KEY,
    publication_id INTEGER NOT NULL REFERENCES publications(id),
    sha256         BLOB    NOT NULL REFERENCES blobs(sha256),
    content_type   TEXT    NOT NULL,
    size           INTEGER NOT NULL,
    filename       TEXT    NOT NULL,
    uploaded_by    INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    county_code    TEXT    NOT NULL
);
CREATE INDEX publication_files_pub ON publication_files(publication_id, id);

-- The record of who did what when to a publication (create, edit, attach, publish, withdraw),
-- beside the county's audit chain, which holds the same entries.
CREATE TABLE publication_events (
    id             INTEGER PRIMARY KEY,
    publication_id INTEGER NOT NULL REFERENCES publications(id),
    at             INTEGER NOT NULL,
    actor_id       INTEGER NOT NULL,
    actor_name     TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    detail         TEXT    NOT NULL,
    county_code    TEXT    NOT NULL
);
CREATE INDEX publication_events_pub ON publication_events(publication_id, id);
