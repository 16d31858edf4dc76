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
CREATE INDEX cases_open_warn ON cases(warn_day, due_day, id)
    WHERE status IN ('accepted', 'processing', 'forwarded');
