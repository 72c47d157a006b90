-- Sealed bids with k-of-n custody (DESIGN.md §6.2): a lot's custodian set and
-- threshold, its decryption window, and the shares custodians submit after
-- the deadline.
-- +goose Up
ALTER TABLE lots ADD COLUMN custody TEXT;
ALTER TABLE lots ADD COLUMN decrypt_by TEXT;
ALTER TABLE lots ADD COLUMN stalled INTEGER NOT NULL DEFAULT 0;

CREATE TABLE custody_shares (
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    bid_id       TEXT NOT NULL,
    custodian_id TEXT NOT NULL,
    share        TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (lot_id, bid_id, custodian_id)
);

-- Who holds custody of which lot (a custodian may serve any agency's lot).
CREATE TABLE lot_custodians (
    lot_id  TEXT NOT NULL REFERENCES lots (id),
    user_id TEXT NOT NULL,
    PRIMARY KEY (lot_id, user_id)
);
CREATE INDEX lot_custodians_user ON lot_custodians (user_id);

-- +goose Down
DROP TABLE lot_custodians;
DROP TABLE custody_shares;
ALTER TABLE lots DROP COLUMN stalled;
ALTER TABLE lots DROP COLUMN decrypt_by;
ALTER TABLE lots DROP COLUMN custody;
