-- The evaluation room (issue 4 §3): its state and timers, the members'
-- votes (chair election, "time is insufficient"), the score deviations
-- (评分偏离) with the members' explanations, and the SM2 signature on each
-- sheet. Same tables as ../sqlite/00007_room.sql.
-- +goose Up
CREATE TABLE eval_rooms (
    lot_id        TEXT PRIMARY KEY REFERENCES lots (id),
    status        TEXT NOT NULL,
    remote        BOOLEAN NOT NULL,
    prior         TEXT NOT NULL,
    started_at    TIMESTAMPTZ,
    ends_at       TIMESTAMPTZ,
    extensions    INTEGER NOT NULL,
    chair         TEXT NOT NULL,
    failure       TEXT NOT NULL,
    failed_at     TIMESTAMPTZ,
    resume_by     TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL
);

CREATE TABLE eval_votes (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    kind   TEXT NOT NULL,
    round  INTEGER NOT NULL,
    voter  TEXT NOT NULL,
    value  TEXT NOT NULL,
    at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lot_id, kind, round, voter)
);

CREATE TABLE eval_deviations (
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    member_id    TEXT NOT NULL,
    bid_id       TEXT NOT NULL,
    item         TEXT NOT NULL,
    score        BIGINT NOT NULL,
    mean         BIGINT NOT NULL,
    pct          BIGINT NOT NULL,
    explanation  TEXT NOT NULL,
    explained_at TIMESTAMPTZ,
    PRIMARY KEY (lot_id, member_id, bid_id, item)
);

ALTER TABLE score_sheets ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE score_sheets ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE score_sheets ADD COLUMN signature TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE score_sheets DROP COLUMN signature;
ALTER TABLE score_sheets DROP COLUMN fingerprint;
ALTER TABLE score_sheets DROP COLUMN digest;
DROP TABLE eval_deviations;
DROP TABLE eval_votes;
DROP TABLE eval_rooms;
