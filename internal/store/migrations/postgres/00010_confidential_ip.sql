-- A confidential entry's client address stays out of its revealed private
-- part (DESIGN.md §6.1: client IPs are never published): the entry commits
-- to it (ip_commitment = SM3(ip_salt ‖ 0 ‖ ip)), and the address with its
-- salt is kept here for auditors, who can check one against the other.
-- +goose Up
ALTER TABLE confidential_entries ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE confidential_entries ADD COLUMN ip_salt TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE confidential_entries DROP COLUMN ip_salt;
ALTER TABLE confidential_entries DROP COLUMN ip;
