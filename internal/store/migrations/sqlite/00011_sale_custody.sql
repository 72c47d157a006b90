-- One sealed quote (一次报价) under k-of-n custody (DESIGN.md §6.2, issue 5
-- §4): a sale's custodian set, threshold and decryption deadline (its own
-- table, not columns of sales), who holds custody of which sale, the sealed
-- quote packages as received (ciphertext only: the amount is filled in at
-- the opening) and the shares custodians submit after the window. Same
-- tables as ../postgres/00011_sale_custody.sql.
-- +goose Up
CREATE TABLE sale_custody (
    sale_id        TEXT PRIMARY KEY REFERENCES sales (id),
    threshold      INTEGER NOT NULL,
    window_minutes INTEGER NOT NULL,
    custodians     TEXT NOT NULL,
    decrypt_by     TEXT,
    stalled        INTEGER NOT NULL,
    set_at         TEXT NOT NULL,
    set_by         TEXT NOT NULL
);

CREATE TABLE sale_custodians (
    sale_id TEXT NOT NULL REFERENCES sales (id),
    user_id TEXT NOT NULL,
    PRIMARY KEY (sale_id, user_id)
);
CREATE INDEX sale_custodians_user ON sale_custodians (user_id);

CREATE TABLE sale_sealed_quotes (
    sale_id         TEXT NOT NULL REFERENCES sales (id),
    bidder_no       TEXT NOT NULL,
    registration_id TEXT NOT NULL REFERENCES sale_registrations (id),
    seq             BIGINT NOT NULL,
    digest          TEXT NOT NULL,
    header          TEXT NOT NULL,
    package         BLOB NOT NULL,
    at              TEXT NOT NULL,
    ledger_index    BIGINT NOT NULL,
    status          TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    failure         TEXT NOT NULL,
    PRIMARY KEY (sale_id, bidder_no)
);

CREATE TABLE sale_custody_shares (
    sale_id      TEXT NOT NULL REFERENCES sales (id),
    bidder_no    TEXT NOT NULL,
    custodian_id TEXT NOT NULL,
    share        TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (sale_id, bidder_no, custodian_id)
);

-- +goose Down
DROP TABLE sale_custody_shares;
DROP TABLE sale_sealed_quotes;
DROP TABLE sale_custodians;
DROP TABLE sale_custody;
