-- The ledger becomes a Merkle tree (RFC 6962 with SM3, DESIGN.md §6.1). The
-- head keeps the tree size and its frontier (the compact range [0, size));
-- nodes are every completed subtree hash; checkpoints are signed notes.
-- Existing entries are integrated by the application at start-up (the hash
-- cannot be computed in SQL), so the tree starts empty here.
-- +goose Up
ALTER TABLE ledger_head ADD COLUMN frontier BLOB NOT NULL DEFAULT x'';
UPDATE ledger_head SET size = 0, frontier = x'' WHERE id = 1;

CREATE TABLE ledger_node (
    level INTEGER NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_checkpoint (
    size BIGINT PRIMARY KEY,
    root BLOB NOT NULL,
    at   TEXT NOT NULL,
    note TEXT NOT NULL
);

-- +goose Down
DROP TABLE ledger_checkpoint;
DROP TABLE ledger_node;
ALTER TABLE ledger_head DROP COLUMN frontier;
