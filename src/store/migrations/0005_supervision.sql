-- Bianmin schema 5: deadline supervision (电子监察). Each running case keeps the first day
-- its light turns yellow (warn_day, computed by the server from the due day, the time limit
-- and the calendar; see bm_cal_warn_day), so warning lists and the warning job read the
-- cases in warning by index instead of colouring every open case; and which warning its
-- handler and unit head were last sent (warned_level 1 yellow, 2 red) for which due day
-- (warned_due), so that each is sent once per deadline, by one process, and again only if
-- the deadline moves. Open cases of older stores get their warn_day from the job's first
-- round.

ALTER TABLE cases ADD COLUMN warn_day INTEGER;
ALTER TABLE cases ADD COLUMN warned_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN warned_due INTEGER;
-- Running cases by deadline with their warn_day: warning lists walk it in deadline order and
-- skip the cases not in warning without reading their rows.
CREATE INDEX cases_open_warn ON cases(due_day, id, warn_day)
    WHERE status IN ('accepted', 'processing', 'forwarded');

-- Supervision records (domain.md 3.3): notices (督办) on a case, which the handling unit
-- answers, and yellow and red cards against a unit (and an officer of it), which need a
-- written explanation and may be appealed. Issued by a supervisor (rule 'manual') or by the
-- warning job (rule 'overdue': a yellow card when a case passes its promised deadline).
CREATE TABLE supervision_records (
    id             INTEGER PRIMARY KEY,
    county_code    TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('notice', 'yellow_card', 'red_card')),
    rule           TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    case_id        INTEGER REFERENCES cases(id),
    unit_id        INTEGER NOT NULL REFERENCES org_units(id),
    officer_id     INTEGER REFERENCES users(id),
    reason         TEXT    NOT NULL,
    issued_by      INTEGER NOT NULL,
    issued_at      INTEGER NOT NULL,
    answer_due_day INTEGER NOT NULL,
    answer         TEXT    NOT NULL DEFAULT '',
    answered_by    INTEGER NOT NULL DEFAULT 0,
    answered_at    INTEGER NOT NULL DEFAULT 0,
    appeal         TEXT    NOT NULL DEFAULT '',
    appealed_at    INTEGER NOT NULL DEFAULT 0,
    decision       TEXT    NOT NULL DEFAULT '',
    decided_by     INTEGER NOT NULL DEFAULT 0,
    decided_at     INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX supervision_records_unit ON supervision_records(unit_id, id);
CREATE INDEX supervision_records_case ON supervision_records(case_id, id);
