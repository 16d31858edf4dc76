-- Bianmin schema 11: township performance evaluation (绩效考核, policy section 十七).
-- (Number 10 is taken by the statistics migration on main; this file follows it.)
-- Indicator systems (eval_plans) per year and township type with a tree of indicators;
-- evaluation periods with the townships they cover and the system each is evaluated by; the
-- inputs of a period (manual scores of county departments, third-party survey scores,
-- townships' scores of county departments, and at closing the frozen platform figures);
-- veto items with their provincial approval; computed results; public comments on
-- published results (公示); follow-up of low performers (约谈、整改、通报).
-- Numbers (weights, targets, values, scores) are fixed point: the value times 10 000.

CREATE TABLE eval_plans (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    township_type TEXT NOT NULL,             -- general, agricultural, industrial, ecological, remote
    name TEXT NOT NULL,
    excellent_e4 INTEGER NOT NULL,           -- grade thresholds on the total (优秀 / 良好 / 合格)
    good_e4 INTEGER NOT NULL,
    pass_e4 INTEGER NOT NULL,
    survey_share_e4 INTEGER NOT NULL,        -- share of the survey in public_satisfaction
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (county_code, year, township_type)
);

CREATE TABLE eval_indicators (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    plan_id INTEGER NOT NULL REFERENCES eval_plans(id),
    ord INTEGER NOT NULL,
    code TEXT NOT NULL,
    parent_code TEXT NOT NULL,               -- '' for a top-level dimension
    name TEXT NOT NULL,
    weight_e4 INTEGER NOT NULL,              -- points; children of a node add up to it
    source TEXT NOT NULL,                    -- leaves: where the value comes from; '' inside
    rule TEXT NOT NULL,                      -- leaves: linear, threshold or rank; '' inside
    floor_e4 INTEGER NOT NULL DEFAULT 0,
    target_e4 INTEGER NOT NULL DEFAULT 0,
    steps TEXT NOT NULL DEFAULT '',          -- threshold rule: "min:fraction;..." best first
    department_id INTEGER REFERENCES org_units(id), -- manual: the department that scores it
    UNIQUE (plan_id, code)
);
CREATE INDEX eval_indicators_plan ON eval_indicators (plan_id, ord);

CREATE TABLE eval_periods (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    name TEXT NOT NULL,
    from_day INTEGER NOT NULL,               -- CST day numbers, both included
    to_day INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',     -- open, closed (inputs frozen), published (公示)
    comment_until INTEGER,                   -- last day of the public comment period
    closed_at INTEGER NOT NULL DEFAULT 0,
    published_at INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE eval_period_townships (
    period_id INTEGER NOT NULL REFERENCES eval_periods(id),
    township_id INTEGER NOT NULL REFERENCES org_units(id),
    plan_id INTEGER NOT NULL REFERENCES eval_plans(id),
    county_code TEXT NOT NULL,
    PRIMARY KEY (period_id, township_id)
);

-- kind: manual (a county department's score of a township), survey (third party),
-- dept_rating (a township's score of a county department: subject is the department),
-- platform (a figure computed from the platform's data, written when the period closes).
CREATE TABLE eval_inputs (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    period_id INTEGER NOT NULL REFERENCES eval_periods(id),
    kind TEXT NOT NULL,
    indicator_code TEXT NOT NULL,            -- the indicator, or the platform source code
    subject_unit_id INTEGER NOT NULL REFERENCES org_units(id),
    rater_unit_id INTEGER NOT NULL,          -- the scoring unit; 0 for survey and platform
    value_e4 INTEGER NOT NULL,
    numerator INTEGER NOT NULL DEFAULT 0,
    denominator INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    entered_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (period_id, kind, indicator_code, subject_unit_id, rater_unit_id)
);

CREATE TABLE eval_vetoes (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    period_id INTEGER NOT NULL REFERENCES eval_periods(id),
    township_id INTEGER NOT NULL REFERENCES org_units(id),
    item TEXT NOT NULL,                      -- the approved veto item
    reason TEXT NOT NULL,                    -- what happened in this township
    approval_doc_no TEXT NOT NULL,           -- the provincial approval: document number,
    approving_body TEXT NOT NULL,            -- body and date; never empty
    approval_date INTEGER NOT NULL,
    grade_cap TEXT NOT NULL,                 -- the best grade still possible
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX eval_vetoes_period ON eval_vetoes (period_id, id);

CREATE TABLE eval_results (
    period_id INTEGER NOT NULL REFERENCES eval_periods(id),
    township_id INTEGER NOT NULL REFERENCES org_units(id),
    county_code TEXT NOT NULL,
    plan_id INTEGER NOT NULL REFERENCES eval_plans(id),
    total_e4 INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    grade TEXT NOT NULL,
    is_capped INTEGER NOT NULL,              -- a veto lowered the grade
    detail TEXT NOT NULL,                    -- JSON: every indicator with value and score
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (period_id, township_id)
);

CREATE TABLE eval_comments (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    period_id INTEGER NOT NULL REFERENCES eval_periods(id),
    township_id INTEGER,                     -- NULL: about the evaluation as a whole
    content TEXT NOT NULL,
    author_masked TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX eval_comments_period ON eval_comments (period_id, id);

CREATE TABLE eval_followups (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    period_id INTEGER NOT NULL REFERENCES eval_periods(id),
    township_id INTEGER NOT NULL REFERENCES org_units(id),
    kind TEXT NOT NULL,                      -- talk (约谈), rectify (整改), notice (通报)
    note TEXT NOT NULL,
    due_day INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',     -- open, done
    result TEXT NOT NULL DEFAULT '',
    done_at INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX eval_followups_period ON eval_followups (period_id, id);
