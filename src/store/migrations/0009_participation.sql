-- Bianmin schema 9: public participation (公众参与, policy section 十四): suggestion
-- campaigns (人民建议征集) and their submissions, hearings on major matters (重大事项听证) and
-- observed meetings (重要会议旁听) with their registrations, and the household register that
-- cadres are assigned to (联系服务群众全覆盖). Citizens' names and phone numbers are sealed
-- with the data key (contact_enc, head_enc); only masked forms are stored in clear.

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    open_from INTEGER NOT NULL,              -- first and last day (CST day numbers)
    open_until INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '',        -- published summary of the responses
    summarized_at INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX campaigns_unit ON campaigns (unit_id);

CREATE TABLE campaign_submissions (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
    content TEXT NOT NULL,
    author_masked TEXT NOT NULL,
    contact_enc BLOB,                        -- sealed "name\nphone"; NULL for a logged-in citizen
    user_id INTEGER REFERENCES users(id),
    response TEXT NOT NULL DEFAULT '',
    responded_by INTEGER REFERENCES users(id),
    responded_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX campaign_submissions_campaign ON campaign_submissions (campaign_id, id);

CREATE TABLE hearings (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units(id),
    kind TEXT NOT NULL,                      -- hearing (听证) or meeting (旁听)
    title TEXT NOT NULL,
    matter TEXT NOT NULL,
    place TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    register_until INTEGER NOT NULL,         -- last day of registration (CST day number)
    capacity INTEGER NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0,   -- kept with the row so capacity holds under races
    minutes TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    recorded_at INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX hearings_unit ON hearings (unit_id);

CREATE TABLE hearing_participants (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    hearing_id INTEGER NOT NULL REFERENCES hearings(id),
    role TEXT NOT NULL,                      -- resident, interested, expert, deputy
    name_masked TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    contact_enc BLOB NOT NULL,               -- sealed "name\nphone"
    contact_hash BLOB NOT NULL,              -- keyed hash of the phone: one registration each
    created_at INTEGER NOT NULL,
    UNIQUE (hearing_id, contact_hash)
);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    village_id INTEGER NOT NULL REFERENCES org_units(id),
    head_masked TEXT NOT NULL,
    head_enc BLOB NOT NULL,                  -- sealed head-of-household name
    address TEXT NOT NULL,
    members INTEGER NOT NULL,
    cadre_id INTEGER REFERENCES users(id),   -- the cadre in contact; NULL: not covered
    assigned_at INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX households_village ON households (village_id, id);

-- Leaders' reception days (接访下访): the schedule of a leader receiving visitors at the
-- township (reception) or going down to a village (visit), the visits recorded on the day,
-- and their follow-up.
CREATE TABLE reception_days (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units(id),
    kind TEXT NOT NULL,                      -- reception (接访) or visit (下访)
    leader_name TEXT NOT NULL,
    leader_title TEXT NOT NULL,
    day INTEGER NOT NULL,                    -- CST day number
    place TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX reception_days_unit ON reception_days (unit_id, day);

CREATE TABLE reception_visits (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    reception_id INTEGER NOT NULL REFERENCES reception_days(id),
    visitor_masked TEXT NOT NULL,
    visitor_enc BLOB NOT NULL,               -- sealed "name\nphone"
    matter TEXT NOT NULL,
    handling TEXT NOT NULL,
    follow_up_due INTEGER,                   -- CST day; NULL: settled on the spot
    follow_up_result TEXT NOT NULL DEFAULT '',
    followed_up_by INTEGER REFERENCES users(id),
    followed_up_at INTEGER NOT NULL DEFAULT 0,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX reception_visits_reception ON reception_visits (reception_id, id);
CREATE INDEX reception_visits_open ON reception_visits (followed_up_at, follow_up_due);

-- Deputies' direct channel (人大代表、政协委员“直通车”): the county registers each deputy of the
-- people's congress (npc) or member of the CPPCC (cppcc) and gives them a personal access
-- token (kept only as a hash); with it they submit matters, which reach the county's queue,
-- are assigned to a township or department and answered, and follow their status.
CREATE TABLE deputies (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES org_units(id),  -- the county or township they sit for
    name TEXT NOT NULL,
    body TEXT NOT NULL,                      -- npc (人大代表) or cppcc (政协委员)
    token_hash BLOB NOT NULL UNIQUE,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE deputy_matters (
    id INTEGER PRIMARY KEY,
    county_code TEXT NOT NULL,
    deputy_id INTEGER NOT NULL REFERENCES deputies(id),
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    is_urgent INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'submitted', -- submitted, assigned, answered
    assignee_unit_id INTEGER REFERENCES org_units(id),
    assigned_at INTEGER NOT NULL DEFAULT 0,
    answer TEXT NOT NULL DEFAULT '',
    answered_by INTEGER REFERENCES users(id),
    answered_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX deputy_matters_deputy ON deputy_matters (deputy_id, id);
CREATE INDEX deputy_matters_queue ON deputy_matters (status, is_urgent, id);
