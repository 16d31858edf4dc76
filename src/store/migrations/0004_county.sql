-- Bianmin schema 4: the county division code on every table that grows with use, so that a
-- province can partition or shard by county (docs/operations.md, "Province scale"), and one
-- audit chain per county, so that counties sharing a database never wait for each other's
-- audit head. Rows are filled from their parent (a case's children from the case, a
-- session from its user); rows without one (a citizen's account, a log-in failure for an
-- unknown name) take the store's county, the root unit made by `bianmin init`.

ALTER TABLE users ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE users SET county_code = coalesce(
    (SELECT county_code FROM org_units o WHERE o.id = users.org_unit_id),
    (SELECT county_code FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1), '');

ALTER TABLE sessions ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE sessions SET county_code = (SELECT county_code FROM users u WHERE u.id = sessions.user_id);

ALTER TABLE api_tokens ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET county_code =
    (SELECT county_code FROM users u WHERE u.id = api_tokens.user_id);

ALTER TABLE login_failures ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE login_failures SET county_code = coalesce(
    (SELECT county_code FROM users u WHERE u.username = login_failures.username),
    (SELECT county_code FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1), '');

ALTER TABLE item_materials ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE item_materials SET county_code =
    (SELECT county_code FROM items i WHERE i.id = item_materials.item_id);

ALTER TABLE delegation_townships ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE delegation_townships SET county_code =
    (SELECT county_code FROM delegations d WHERE d.id = delegation_townships.delegation_id);

ALTER TABLE powers ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE powers SET county_code = (SELECT county_code FROM org_units o WHERE o.id = powers.township_id);

ALTER TABLE case_counters ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE case_counters SET county_code = substr(town_code, 1, 6);

ALTER TABLE case_materials ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE case_materials SET county_code = (SELECT county_code FROM cases c WHERE c.id = case_materials.case_id);

ALTER TABLE case_events ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE case_events SET county_code = (SELECT county_code FROM cases c WHERE c.id = case_events.case_id);

ALTER TABLE case_pauses ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE case_pauses SET county_code = (SELECT county_code FROM cases c WHERE c.id = case_pauses.case_id);

ALTER TABLE attachments ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE attachments SET county_code = (SELECT county_code FROM cases c WHERE c.id = attachments.case_id);

ALTER TABLE idempotency_keys ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE idempotency_keys SET county_code =
    (SELECT county_code FROM cases c WHERE c.id = idempotency_keys.case_id);

-- A file's content is stored once for the whole store; the column names the county of the
-- case it was first uploaded for.
ALTER TABLE blobs ADD COLUMN county_code TEXT NOT NULL DEFAULT '';
UPDATE blobs SET county_code = coalesce(
    (SELECT c.county_code FROM attachments a JOIN cases c ON c.id = a.case_id
      WHERE a.sha256 = blobs.sha256 ORDER BY a.id LIMIT 1),
    (SELECT county_code FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1), '');

-- One chain per county: entries numbered 1, 2, … within their county, the head kept per
-- county. Existing entries all belong to the store's one county, so the chain is unchanged.
CREATE TABLE audit_log_by_county (
    county_code TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    prev_hash   BLOB    NOT NULL,
    hash        BLOB    NOT NULL,
    PRIMARY KEY (county_code, id)
);
INSERT INTO audit_log_by_county (county_code, id, at, actor_id, actor, action, object_type,
                                 object_id, detail, prev_hash, hash)
    SELECT coalesce((SELECT county_code FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1), ''),
           id, at, actor_id, actor, action, object_type, object_id, detail, prev_hash, hash
    FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_by_county RENAME TO audit_log;

CREATE TABLE audit_head_by_county (
    county_code TEXT    NOT NULL PRIMARY KEY,
    last_id     INTEGER NOT NULL,
    last_hash   BLOB    NOT NULL
);
INSERT INTO audit_head_by_county (county_code, last_id, last_hash)
    SELECT coalesce((SELECT county_code FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1), ''),
           last_id, last_hash
    FROM audit_head;
DROP TABLE audit_head;
ALTER TABLE audit_head_by_county RENAME TO audit_head;
