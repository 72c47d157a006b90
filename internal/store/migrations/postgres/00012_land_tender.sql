-- Land-use rights sold by tender (土地使用权招标出让, issue 5 §1) on the
-- tender procedure: a project's trading category (works or land), a land
-- lot's plot and start price (JSON, NULL for works), and the seller's
-- reserve (底价) entries, each committed in the ledger and revealed with the
-- result — kept in their own table so that no read of a lot carries it.
-- Same tables as ../sqlite/00012_land_tender.sql.
-- +goose Up
ALTER TABLE projects ADD COLUMN category TEXT NOT NULL DEFAULT 'works';
ALTER TABLE lots ADD COLUMN land TEXT;

CREATE TABLE lot_reserves (
    lot_id       TEXT NOT NULL REFERENCES lots (id),
    seq          BIGINT NOT NULL,
    amount       BIGINT NOT NULL,
    ledger_index BIGINT NOT NULL,
    set_at       TIMESTAMPTZ NOT NULL,
    set_by       TEXT NOT NULL,
    PRIMARY KEY (lot_id, seq)
);

-- +goose Down
DROP TABLE lot_reserves;
ALTER TABLE lots DROP COLUMN land;
ALTER TABLE projects DROP COLUMN category;
