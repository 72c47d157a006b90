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

-- +goose Down
DROP TABLE custody_shares;
ALTER TABLE lots DROP COLUMN stalled;
ALTER TABLE lots DROP COLUMN decrypt_by;
ALTER TABLE lots DROP COLUMN custody;
