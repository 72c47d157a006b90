-- The public key registry (issue 3 §2): SM2 public keys of market entities
-- (purpose "bid": they sign sealed bids), of custodians (purpose "custody":
-- they receive bid-key shares) and of the platform (purpose "platform": it
-- signs ledger checkpoints). A key is named by its fingerprint (hex SM3 of
-- its PKIX DER). Keys are never deleted; revocation only sets revoked_at.
-- entity_id / user_id are '' when not applicable. Times as in 00001.
-- +goose Up
CREATE TABLE public_keys (
    id             TEXT PRIMARY KEY,
    fingerprint    TEXT NOT NULL UNIQUE,
    purpose        TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    pem            TEXT NOT NULL,
    label          TEXT NOT NULL,
    valid_from     TEXT NOT NULL,
    valid_to       TEXT,
    revoked_at     TEXT,
    revoked_reason TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL
);
CREATE INDEX public_keys_entity ON public_keys (entity_id);
CREATE INDEX public_keys_user ON public_keys (user_id);

-- +goose Down
DROP TABLE public_keys;
