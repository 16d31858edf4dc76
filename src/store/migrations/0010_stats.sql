-- Bianmin schema 10: case statistics (docs/domain.md 3.4). Each completed case keeps the
-- working days it used (used_days: counted from acceptance to the decision on the official
-- calendar, pauses skipped; read only once decided_at is set; -1 when unknown, as for cases
-- decided before this schema), and case_stats sums what every case contributes (src/core/stats.h) per
-- accepting township (town_id), handling township or department (dept_id), item version,
-- channel, period and working days used. The store updates it in the transaction of each
-- case write; `bianmin stats verify` recounts it from the cases, `bianmin stats rebuild`
-- rebuilds it (and fills used_days of older cases). Day rows (grain 0) have the day as
-- period, month rows (grain 1) the month's first day.

ALTER TABLE cases ADD COLUMN used_days INTEGER NOT NULL DEFAULT -1;

-- Delivered cases by the instant of delivery: the warning job's default rating (domain.md
-- 4.3) finds those whose 7 days to be rated have just run out.
CREATE INDEX cases_delivered ON cases(closed_at, id) WHERE status = 'delivered';

CREATE TABLE case_stats (
    county_code TEXT    NOT NULL,
    grain       INTEGER NOT NULL CHECK (grain IN (0, 1)),
    period      INTEGER NOT NULL,
    town_id     INTEGER NOT NULL,
    dept_id     INTEGER NOT NULL,
    item_id     INTEGER NOT NULL,
    online      INTEGER NOT NULL,
    received    INTEGER NOT NULL DEFAULT 0,
    online_n    INTEGER NOT NULL DEFAULT 0,
    accepted    INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    completed   INTEGER NOT NULL DEFAULT 0,
    on_time     INTEGER NOT NULL DEFAULT 0,
    early       INTEGER NOT NULL DEFAULT 0,
    overdue     INTEGER NOT NULL DEFAULT 0,
    same_day    INTEGER NOT NULL DEFAULT 0,
    days_sum    INTEGER NOT NULL DEFAULT 0,
    days_known  INTEGER NOT NULL DEFAULT 0,
    delivered   INTEGER NOT NULL DEFAULT 0,
    one_visit   INTEGER NOT NULL DEFAULT 0,
    zero_visit  INTEGER NOT NULL DEFAULT 0,
    rated       INTEGER NOT NULL DEFAULT 0,
    satisfied   INTEGER NOT NULL DEFAULT 0,
    good        INTEGER NOT NULL DEFAULT 0,
    bad         INTEGER NOT NULL DEFAULT 0,
    days        BLOB,
    PRIMARY KEY (county_code, grain, period, town_id, dept_id, item_id, online)
-- A period's rows lie together in the table itself (SQLite), not behind an index.
-- @sqlite
) WITHOUT ROWID;
-- @end
-- @pg
);
-- @end
