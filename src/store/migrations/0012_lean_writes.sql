-- Bianmin schema 12: fewer index entries written per case (docs/performance.md, "Fewer
-- index entries, system calls and locks per request"). Every new case wrote ten index
-- entries and sixteen for its materials; each is a b-tree insert inside the write lock.

-- cases_open_warn (due_day, id, warn_day), with the same condition, serves every deadline
-- list cases_open_due served.
DROP INDEX cases_open_due;

-- Window cases have no applicant account and new cases no handler: partial indexes leave
-- those NULLs out (a query for "= ?" implies IS NOT NULL, so both engines still use them).
DROP INDEX cases_handler;
CREATE INDEX cases_handler ON cases(handler_id, status, id) WHERE handler_id IS NOT NULL;
DROP INDEX cases_user;
CREATE INDEX cases_user ON cases(applicant_user_id, id) WHERE applicant_user_id IS NOT NULL;

-- A case's materials lie together in the table itself, found by (case_id, ord), instead of
-- in a rowid table plus its primary-key index (SQLite; PostgreSQL keeps its heap and index).
-- @sqlite
CREATE TABLE case_materials_new (
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    ord            INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    required       INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    provided       INTEGER NOT NULL,
    exempt         INTEGER NOT NULL DEFAULT 0,
    certificate_id INTEGER REFERENCES certificates(id),
    county_code    TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, ord)
) WITHOUT ROWID;
INSERT INTO case_materials_new (case_id, ord, name, required, source, provided, exempt,
                                certificate_id, county_code)
    SELECT case_id, ord, name, required, source, provided, exempt, certificate_id, county_code
    FROM case_materials ORDER BY case_id, ord;
DROP TABLE case_materials;
ALTER TABLE case_materials_new RENAME TO case_materials;
-- @end
