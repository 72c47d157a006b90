-- The unified expert pool (issue 4 §1) and the verifiable draw (§2).
-- pool_experts replaces the spine's experts table (its rows are carried
-- over: active ones stay in the pool, the others exit). History
-- (expert_events) and ratings are never deleted. Times are RFC 3339 text; same
-- tables as ../postgres/00006_pool.sql.
-- +goose Up
CREATE TABLE pool_experts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    id_number     TEXT NOT NULL,
    birth_date    TEXT,
    employer_id   TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    title         TEXT NOT NULL,
    senior        INTEGER NOT NULL,
    field_since   INTEGER NOT NULL,
    specialties   TEXT NOT NULL,
    city          TEXT NOT NULL,
    contact       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    via           TEXT NOT NULL,
    conflicts     TEXT,
    dept_staff_of TEXT NOT NULL,
    status        TEXT NOT NULL,
    status_reason TEXT NOT NULL,
    status_source TEXT NOT NULL,
    status_until  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       BIGINT NOT NULL
);
CREATE UNIQUE INDEX pool_experts_id_number ON pool_experts (id_number) WHERE id_number <> '';
CREATE INDEX pool_experts_user ON pool_experts (user_id);
CREATE INDEX pool_experts_status ON pool_experts (status, id);

-- One row per (expert, code): the draw selects by code prefix.
CREATE TABLE expert_specialties (
    code      TEXT NOT NULL,
    expert_id TEXT NOT NULL REFERENCES pool_experts (id),
    PRIMARY KEY (code, expert_id)
);

INSERT INTO pool_experts (id, name, id_number, birth_date, employer_id, employer_name, title, senior, field_since, specialties, city, contact, user_id, via, conflicts, dept_staff_of, status, status_reason, status_source, status_until, created_at, updated_at, version)
SELECT id, name, '', NULL, employer_id, employer_name, title, TRUE, CAST(strftime('%Y', 'now') AS INTEGER) - years, '["' || specialty || '"]', city, '', user_id, 'employer', NULL, '',
       CASE WHEN active THEN 'active' ELSE 'exited' END, '', '', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1
FROM experts;
INSERT INTO expert_specialties (code, expert_id) SELECT specialty, id FROM experts;
DROP TABLE experts;

CREATE TABLE expert_events (
    expert_id TEXT NOT NULL REFERENCES pool_experts (id),
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    type      TEXT NOT NULL,
    status    TEXT NOT NULL,
    reason    TEXT NOT NULL,
    source    TEXT NOT NULL,
    until     TEXT,
    actor     TEXT NOT NULL,
    ledger    BIGINT NOT NULL,
    PRIMARY KEY (expert_id, seq)
);

CREATE TABLE expert_ratings (
    expert_id TEXT NOT NULL REFERENCES pool_experts (id),
    lot_id    TEXT NOT NULL,
    lot_code  TEXT NOT NULL,
    by_user   TEXT NOT NULL,
    by_role   TEXT NOT NULL,
    score     INTEGER NOT NULL,
    comment   TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (expert_id, lot_id, by_user)
);

-- A draw attempt: request committed first (request_index), then run on the
-- seed of the first checkpoint that covers the request.
CREATE TABLE draws (
    id              TEXT PRIMARY KEY,
    lot_id          TEXT NOT NULL REFERENCES lots (id),
    attempt         INTEGER NOT NULL,
    status          TEXT NOT NULL,
    remote          INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    request         TEXT NOT NULL,
    request_digest  TEXT NOT NULL,
    pool_digest     TEXT NOT NULL,
    pool_size       INTEGER NOT NULL,
    request_index   BIGINT NOT NULL,
    checkpoint_size BIGINT NOT NULL,
    checkpoint      TEXT NOT NULL,
    result          TEXT,
    result_digest   TEXT NOT NULL,
    result_index    BIGINT NOT NULL,
    failure         TEXT NOT NULL,
    reps            TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    done_at         TEXT,
    UNIQUE (lot_id, attempt)
);

-- Pool snapshots by digest (a draw's input, kept for verify-draw).
CREATE TABLE draw_pools (
    digest  TEXT PRIMARY KEY,
    experts TEXT NOT NULL
);

-- Invitations: the drawn members first, backups in drawn order (standby
-- until a seat needs them).
CREATE TABLE draw_invitations (
    id           TEXT PRIMARY KEY,
    draw_id      TEXT NOT NULL REFERENCES draws (id),
    lot_id       TEXT NOT NULL,
    expert_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    need         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    backup       INTEGER NOT NULL,
    status       TEXT NOT NULL,
    deadline     TEXT,
    responded_at TEXT,
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX draw_invitations_draw ON draw_invitations (draw_id, need, seq);
CREATE INDEX draw_invitations_user ON draw_invitations (user_id, status);
CREATE INDEX draw_invitations_expert ON draw_invitations (expert_id, status);

-- +goose Down
DROP TABLE draw_invitations;
DROP TABLE draw_pools;
DROP TABLE draws;
DROP TABLE expert_ratings;
DROP TABLE expert_events;
DROP TABLE expert_specialties;
DROP TABLE pool_experts;
