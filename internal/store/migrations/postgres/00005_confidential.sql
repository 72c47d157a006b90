-- Which confidential ledger entries concern which lot: the opening reveals
-- them all (DESIGN.md §6.1). Entries made before this table existed are not
-- listed, and so not revealed.
-- +goose Up
CREATE TABLE confidential_entries (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    idx    BIGINT NOT NULL,
    PRIMARY KEY (lot_id, idx)
);

-- +goose Down
DROP TABLE confidential_entries;
