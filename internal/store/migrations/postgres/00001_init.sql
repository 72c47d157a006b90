-- ggzy schema v1 (PostgreSQL). Same tables and columns as ../sqlite/00001_init.sql.
-- +goose Up
CREATE TABLE entities (
    id         TEXT PRIMARY KEY,
    uscc       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    legal_rep  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    region     TEXT NOT NULL,
    address    TEXT NOT NULL,
    contact    TEXT NOT NULL,
    created_at TIMESTAMPTZ
);
CREATE INDEX entities_kind_name ON entities (kind, name);
CREATE INDEX entities_name ON entities (name);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    expert_id     TEXT NOT NULL,
    department    TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL,
    created_at    TIMESTAMPTZ
);
CREATE INDEX users_role_username ON users (role, username);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    expires_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    v    BIGINT NOT NULL
);

CREATE TABLE projects (
    id              TEXT PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    region          TEXT NOT NULL,
    principal_id    TEXT NOT NULL,
    agency_id       TEXT NOT NULL,
    state_funded    BOOLEAN NOT NULL,
    funding         TEXT NOT NULL,
    supervisor_dept TEXT NOT NULL,
    description     TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ
);
CREATE INDEX projects_principal ON projects (principal_id);
CREATE INDEX projects_agency ON projects (agency_id);
CREATE INDEX projects_created ON projects (created_at, id);

CREATE TABLE lots (
    id                 TEXT PRIMARY KEY,
    project_id         TEXT NOT NULL REFERENCES projects (id),
    code               TEXT NOT NULL,
    name               TEXT NOT NULL,
    procedure          TEXT NOT NULL,
    method             TEXT NOT NULL,
    estimate           BIGINT NOT NULL,
    ceiling            BIGINT NOT NULL,
    security           BIGINT NOT NULL,
    category_code      TEXT NOT NULL,
    scoring            TEXT,
    committee_size     INTEGER NOT NULL,
    principal_reps     INTEGER NOT NULL,
    allow_alternatives BOOLEAN NOT NULL,
    status             TEXT NOT NULL,
    suspended          BOOLEAN NOT NULL,
    docs_from          TIMESTAMPTZ,
    docs_until         TIMESTAMPTZ,
    bid_deadline       TIMESTAMPTZ,
    opening_place      TEXT NOT NULL,
    opened_at          TIMESTAMPTZ,
    report_at          TIMESTAMPTZ,
    publicity_from     TIMESTAMPTZ,
    publicity_until    TIMESTAMPTZ,
    awarded_at         TIMESTAMPTZ,
    retender_of        TEXT NOT NULL,
    failed_reason      TEXT NOT NULL,
    version            BIGINT NOT NULL,
    created_at         TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ
);
CREATE INDEX lots_project_code ON lots (project_id, code);
CREATE INDEX lots_status ON lots (status);

CREATE TABLE invitees (
    lot_id    TEXT NOT NULL REFERENCES lots (id),
    entity_id TEXT NOT NULL,
    PRIMARY KEY (lot_id, entity_id)
);

CREATE TABLE notices (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL,
    lot_id       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    public       BOOLEAN NOT NULL,
    data         TEXT,
    published_at TIMESTAMPTZ,
    region       TEXT NOT NULL,
    category     TEXT NOT NULL
);
CREATE INDEX notices_published ON notices (published_at, id);
CREATE INDEX notices_kind_published ON notices (kind, published_at);
CREATE INDEX notices_project ON notices (project_id);
CREATE INDEX notices_lot ON notices (lot_id);
CREATE INDEX notices_region ON notices (region);
CREATE INDEX notices_category ON notices (category);

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    lot_id      TEXT NOT NULL REFERENCES lots (id),
    notice_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ
);
CREATE INDEX documents_lot ON documents (lot_id, uploaded_at);

CREATE TABLE document_access (
    lot_id    TEXT NOT NULL REFERENCES lots (id),
    entity_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    at        TIMESTAMPTZ,
    PRIMARY KEY (lot_id, entity_id)
);

CREATE TABLE deposits (
    lot_id      TEXT NOT NULL REFERENCES lots (id),
    entity_id   TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    reference   TEXT NOT NULL,
    recorded_at TIMESTAMPTZ,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (lot_id, entity_id)
);

CREATE TABLE clarifications (
    id           TEXT PRIMARY KEY,
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    text         TEXT NOT NULL,
    issued_at    TIMESTAMPTZ,
    old_deadline TIMESTAMPTZ,
    new_deadline TIMESTAMPTZ,
    issued_by    TEXT NOT NULL
);
CREATE INDEX clarifications_lot ON clarifications (lot_id, issued_at);

CREATE TABLE objections (
    id          TEXT PRIMARY KEY,
    lot_id      TEXT NOT NULL REFERENCES lots (id),
    stage       TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    text        TEXT NOT NULL,
    filed_at    TIMESTAMPTZ,
    due_at      TIMESTAMPTZ,
    answer      TEXT NOT NULL,
    answered_at TIMESTAMPTZ,
    answered_by TEXT NOT NULL
);
CREATE INDEX objections_lot ON objections (lot_id, filed_at);

CREATE TABLE bids (
    id           TEXT PRIMARY KEY,
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    entity_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    status       TEXT NOT NULL,
    format       TEXT NOT NULL,
    content      BYTEA,
    content_hash TEXT NOT NULL,
    files        TEXT,
    submitted_at TIMESTAMPTZ,
    receipt_seq  BIGINT NOT NULL,
    opened       TEXT,
    reject       TEXT,
    UNIQUE (lot_id, entity_id)
);
CREATE INDEX bids_lot_submitted ON bids (lot_id, submitted_at);
CREATE INDEX bids_entity ON bids (entity_id, submitted_at);

CREATE TABLE openings (
    lot_id       TEXT PRIMARY KEY REFERENCES lots (id),
    as_of        TIMESTAMPTZ,
    ran_at       TIMESTAMPTZ,
    bidder_count INTEGER NOT NULL,
    failed       BOOLEAN NOT NULL,
    row_data     TEXT
);

CREATE TABLE experts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    specialty     TEXT NOT NULL,
    employer_id   TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    title         TEXT NOT NULL,
    years         INTEGER NOT NULL,
    city          TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    user_id       TEXT NOT NULL
);
CREATE INDEX experts_specialty ON experts (specialty);

CREATE TABLE members (
    id        TEXT PRIMARY KEY,
    lot_id    TEXT NOT NULL REFERENCES lots (id),
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    expert_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    name      TEXT NOT NULL,
    chair     BOOLEAN NOT NULL
);
CREATE INDEX members_lot ON members (lot_id, seq);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE score_sheets (
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    member_id    TEXT NOT NULL,
    lines        TEXT,
    submitted_at TIMESTAMPTZ,
    PRIMARY KEY (lot_id, member_id)
);

CREATE TABLE reports (
    lot_id      TEXT PRIMARY KEY REFERENCES lots (id),
    method      TEXT NOT NULL,
    failed      BOOLEAN NOT NULL,
    finished_at TIMESTAMPTZ,
    body        TEXT NOT NULL
);

CREATE TABLE awards (
    lot_id           TEXT PRIMARY KEY REFERENCES lots (id),
    bid_id           TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    entity_name      TEXT NOT NULL,
    price            BIGINT NOT NULL,
    rank             INTEGER NOT NULL,
    exception_reason TEXT NOT NULL,
    notified_at      TIMESTAMPTZ,
    decided_by       TEXT NOT NULL
);

CREATE TABLE contracts (
    lot_id      TEXT PRIMARY KEY REFERENCES lots (id),
    amount      BIGINT NOT NULL,
    signed_at   TIMESTAMPTZ,
    recorded_at TIMESTAMPTZ,
    recorded_by TEXT NOT NULL
);

CREATE TABLE warnings (
    id         TEXT PRIMARY KEY,
    lot_id     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    basis      TEXT NOT NULL,
    created_at TIMESTAMPTZ
);
CREATE INDEX warnings_lot_created ON warnings (lot_id, created_at);
CREATE INDEX warnings_created ON warnings (created_at);

CREATE TABLE ledger (
    idx        BIGINT PRIMARY KEY,
    at         TIMESTAMPTZ,
    type       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    public     TEXT,
    private    TEXT,
    salt       TEXT NOT NULL,
    commitment TEXT NOT NULL
);
CREATE INDEX ledger_subject ON ledger (subject, idx);

CREATE TABLE ledger_head (
    id   INTEGER PRIMARY KEY,
    size BIGINT NOT NULL
);
INSERT INTO ledger_head (id, size) VALUES (1, 0);

CREATE TABLE holidays (
    date TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);
