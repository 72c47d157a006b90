-- Land, mining-right and state-property sales (issue 5): the sale with its
-- live state (seq is the per-sale commit sequence taken by UPDATE …
-- RETURNING), the bidders' registrations with their random numbers, the
-- accepted quotes and bids in commit order, the reserve entries (each with
-- its ledger commitment) and the events of the live views. Same tables as
-- ../sqlite/00009_auction.sql.
-- +goose Up
CREATE TABLE sales (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    mode          TEXT NOT NULL,
    title         TEXT NOT NULL,
    region        TEXT NOT NULL,
    seller_id     TEXT NOT NULL REFERENCES entities (id),
    data          TEXT NOT NULL,
    eligibility   TEXT NOT NULL,
    deposit       BIGINT NOT NULL,
    start_price   BIGINT NOT NULL,
    increment     BIGINT NOT NULL,
    params        TEXT NOT NULL,
    notice_at     TIMESTAMPTZ,
    start_at      TIMESTAMPTZ,
    end_at        TIMESTAMPTZ,
    join_by       TIMESTAMPTZ,
    ends_at       TIMESTAMPTZ,
    closed_at     TIMESTAMPTZ,
    status        TEXT NOT NULL,
    result        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    winner        TEXT NOT NULL,
    final         BIGINT NOT NULL,
    price         BIGINT NOT NULL,
    leader        TEXT NOT NULL,
    quotes        INTEGER NOT NULL,
    timed         TEXT,
    reserve       BIGINT NOT NULL,
    has_reserve   BOOLEAN NOT NULL,
    confirmation  TEXT,
    seq           BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL
);
CREATE INDEX sales_status ON sales (status, created_at);
CREATE INDEX sales_seller ON sales (seller_id);

CREATE TABLE sale_registrations (
    id            TEXT PRIMARY KEY,
    sale_id       TEXT NOT NULL REFERENCES sales (id),
    entity_id     TEXT NOT NULL REFERENCES entities (id),
    user_id       TEXT NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    deposit_ref   TEXT NOT NULL,
    deposit_at    TIMESTAMPTZ,
    bidder_no     TEXT NOT NULL,
    binding_index BIGINT NOT NULL,
    joined_at     TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (sale_id, entity_id)
);
CREATE UNIQUE INDEX sale_registrations_number ON sale_registrations (sale_id, bidder_no) WHERE bidder_no <> '';

CREATE TABLE sale_offers (
    sale_id         TEXT NOT NULL REFERENCES sales (id),
    seq             BIGINT NOT NULL,
    stage           TEXT NOT NULL,
    bidder_no       TEXT NOT NULL,
    registration_id TEXT NOT NULL REFERENCES sale_registrations (id),
    amount          BIGINT NOT NULL,
    at              TIMESTAMPTZ NOT NULL,
    ledger_index    BIGINT NOT NULL,
    PRIMARY KEY (sale_id, seq)
);
CREATE UNIQUE INDEX sale_offers_sealed ON sale_offers (sale_id, bidder_no) WHERE stage = 'sealed';

CREATE TABLE sale_reserves (
    sale_id      TEXT NOT NULL REFERENCES sales (id),
    seq          BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL,
    set_at       TIMESTAMPTZ NOT NULL,
    set_by       TEXT NOT NULL,
    PRIMARY KEY (sale_id, seq)
);

CREATE TABLE auction_events (
    sale_id TEXT NOT NULL REFERENCES sales (id),
    seq     BIGINT NOT NULL,
    type    TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (sale_id, seq)
);

-- +goose Down
DROP TABLE auction_events;
DROP TABLE sale_reserves;
DROP TABLE sale_offers;
DROP TABLE sale_registrations;
DROP TABLE sales;
