-- Bianmin schema 2: the service catalog (items with their versions and materials), the
-- powers delegated from county departments to townships, and the townships' power and
-- responsibility lists. Lines between "-- @sqlite" or "-- @pg" and "-- @end" are for that
-- engine only (search indexes differ); everything else is shared SQL.

CREATE TABLE items (
    id                   INTEGER PRIMARY KEY,
    code                 TEXT    NOT NULL,
    item_version         INTEGER NOT NULL,
    status               TEXT    NOT NULL
                                 CHECK (status IN ('draft', 'published', 'superseded', 'retired')),
    catalog_code         TEXT    NOT NULL DEFAULT '',
    name                 TEXT    NOT NULL,
    type                 TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    objects              INTEGER NOT NULL,
    level                TEXT    NOT NULL,
    case_kind            TEXT    NOT NULL,
    result_type          TEXT    NOT NULL,
    deliveries           INTEGER NOT NULL,
    implementing_unit_id INTEGER NOT NULL REFERENCES org_units(id),
    county_code          TEXT    NOT NULL,
    conditions           TEXT    NOT NULL DEFAULT '',
    legal_basis          TEXT    NOT NULL DEFAULT '',
    process              TEXT    NOT NULL DEFAULT '',
    faq                  TEXT    NOT NULL DEFAULT '',
    keywords             TEXT    NOT NULL DEFAULT '',
    legal_days           INTEGER NOT NULL,
    promised_days        INTEGER NOT NULL,
    is_fee               INTEGER NOT NULL DEFAULT 0,
    fee_standard         TEXT    NOT NULL DEFAULT '',
    fee_basis            TEXT    NOT NULL DEFAULT '',
    visits               INTEGER NOT NULL DEFAULT 1,
    visits_reason        TEXT    NOT NULL DEFAULT '',
    online_depth         INTEGER NOT NULL DEFAULT 0,
    online_url           TEXT    NOT NULL DEFAULT '',
    county_wide          INTEGER NOT NULL DEFAULT 0,
    needs_approval       INTEGER NOT NULL DEFAULT 0,
    result_name          TEXT    NOT NULL DEFAULT '',
    consult_phone        TEXT    NOT NULL DEFAULT '',
    complaint_phone      TEXT    NOT NULL DEFAULT '',
    window_address       TEXT    NOT NULL DEFAULT '',
    office_hours         TEXT    NOT NULL DEFAULT '',
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    published_at         INTEGER NOT NULL DEFAULT 0,
    retired_at           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (code, item_version)
);
-- At most one draft and one published version of an item at a time.
CREATE UNIQUE INDEX items_one_draft ON items(code) WHERE status = 'draft';
CREATE UNIQUE INDEX items_one_published ON items(code) WHERE status = 'published';
CREATE INDEX items_status ON items(status, category);
CREATE INDEX items_unit ON items(implementing_unit_id);

CREATE TABLE item_materials (
    item_id        INTEGER NOT NULL REFERENCES items(id),
    ord            INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    required       INTEGER NOT NULL,
    original_count INTEGER NOT NULL,
    copy_count     INTEGER NOT NULL,
    source         TEXT    NOT NULL CHECK (source IN ('applicant', 'government', 'shared')),
    notes          TEXT    NOT NULL DEFAULT '',
    form_url       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, ord)
);

CREATE TABLE delegations (
    id                        INTEGER PRIMARY KEY,
    county_code               TEXT    NOT NULL,
    name                      TEXT    NOT NULL,
    from_unit_id              INTEGER NOT NULL REFERENCES org_units(id),
    legal_basis               TEXT    NOT NULL,
    approval_document         TEXT    NOT NULL,
    approval_date             TEXT    NOT NULL,
    procedure                 TEXT    NOT NULL DEFAULT '',
    department_responsibility TEXT    NOT NULL DEFAULT '',
    township_responsibility   TEXT    NOT NULL DEFAULT '',
    status                    TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    version                   INTEGER NOT NULL DEFAULT 1,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
);

CREATE TABLE delegation_townships (
    delegation_id INTEGER NOT NULL REFERENCES delegations(id),
    township_id   INTEGER NOT NULL REFERENCES org_units(id),
    PRIMARY KEY (delegation_id, township_id)
);

-- A township's power list; responsibilities and accountability are JSON arrays checked by
-- the API ([{"stage","duty"}] and ["situation", ...]).
CREATE TABLE powers (
    id               INTEGER PRIMARY KEY,
    township_id      INTEGER NOT NULL REFERENCES org_units(id),
    name             TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    legal_basis      TEXT    NOT NULL,
    responsibilities TEXT    NOT NULL,
    accountability   TEXT    NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX powers_township ON powers(township_id);

-- Search. SQLite: an FTS5 trigram index kept in step by triggers for terms of three or more
-- characters, a bigram table for two-character terms, and a narrow covering index scanned for
-- single characters. PostgreSQL: pg_trgm GIN indexes.
-- @sqlite
-- Two-character terms (低保, 医保), which a trigram cannot index: a bigram table kept by
-- triggers, lower-cased like the trigram index (APP and app match alike). `bm_seq` numbers the character positions (names and keywords are at most 200
-- characters each).
CREATE TABLE bm_seq (i INTEGER PRIMARY KEY);
INSERT INTO bm_seq (i) SELECT a.i * 20 + b.i + 1 FROM
    (SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
     UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9
     UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13
     UNION ALL SELECT 14 UNION ALL SELECT 15 UNION ALL SELECT 16 UNION ALL SELECT 17
     UNION ALL SELECT 18 UNION ALL SELECT 19 UNION ALL SELECT 20) AS a,
    (SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
     UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9
     UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13
     UNION ALL SELECT 14 UNION ALL SELECT 15 UNION ALL SELECT 16 UNION ALL SELECT 17
     UNION ALL SELECT 18 UNION ALL SELECT 19) AS b;
CREATE TABLE item_bigrams (
    bigram  TEXT    NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (bigram, item_id)
) WITHOUT ROWID;
CREATE TRIGGER items_bigrams_insert AFTER INSERT ON items BEGIN
    INSERT OR IGNORE INTO item_bigrams (bigram, item_id)
        SELECT lower(substr(new.name || ' ' || new.keywords, s.i, 2)), new.id FROM bm_seq s
        WHERE s.i < length(new.name || ' ' || new.keywords)
          AND instr(substr(new.name || ' ' || new.keywords, s.i, 2), ' ') = 0;
END;
CREATE TRIGGER items_bigrams_delete AFTER DELETE ON items BEGIN
    DELETE FROM item_bigrams WHERE item_id = old.id;
END;
CREATE TRIGGER items_bigrams_update AFTER UPDATE OF name, keywords ON items BEGIN
    DELETE FROM item_bigrams WHERE item_id = old.id;
    INSERT OR IGNORE INTO item_bigrams (bigram, item_id)
        SELECT lower(substr(new.name || ' ' || new.keywords, s.i, 2)), new.id FROM bm_seq s
        WHERE s.i < length(new.name || ' ' || new.keywords)
          AND instr(substr(new.name || ' ' || new.keywords, s.i, 2), ' ') = 0;
END;
-- A narrow covering index: single-character searches scan it instead of the wide rows.
CREATE INDEX items_search ON items(status, name, keywords, category, objects, county_wide,
                                   online_depth, implementing_unit_id);
CREATE VIRTUAL TABLE items_fts USING fts5(name, keywords, content='items', content_rowid='id',
                                          tokenize='trigram');
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, name, keywords) VALUES (new.id, new.name, new.keywords);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, name, keywords)
        VALUES ('delete', old.id, old.name, old.keywords);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF name, keywords ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, name, keywords)
        VALUES ('delete', old.id, old.name, old.keywords);
    INSERT INTO items_fts (rowid, name, keywords) VALUES (new.id, new.name, new.keywords);
END;
-- @pg
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX items_name_trgm ON items USING gin (name gin_trgm_ops);
CREATE INDEX items_keywords_trgm ON items USING gin (keywords gin_trgm_ops);
-- Two-character terms, which pg_trgm cannot narrow: the same bigram table as on SQLite.
CREATE TABLE item_bigrams (
    bigram  TEXT   NOT NULL,
    item_id BIGINT NOT NULL,
    PRIMARY KEY (bigram, item_id)
);
CREATE FUNCTION items_bigrams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM item_bigrams WHERE item_id = NEW.id;
    INSERT INTO item_bigrams (bigram, item_id)
        SELECT DISTINCT lower(substr(t, i, 2)), NEW.id
        FROM (SELECT NEW.name || ' ' || NEW.keywords AS t) s,
             generate_series(1, greatest(length(s.t) - 1, 0)) AS i
        WHERE position(' ' IN substr(t, i, 2)) = 0
    ON CONFLICT DO NOTHING;
    RETURN NEW;
END
$$;
CREATE TRIGGER items_bigrams_insert AFTER INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION items_bigrams();
CREATE TRIGGER items_bigrams_update AFTER UPDATE OF name, keywords ON items
    FOR EACH ROW EXECUTE FUNCTION items_bigrams();
-- @end
