-- Control relations between registered entities (控股、实际控制): the
-- entity that controls this one, '' when none is registered. The expert
-- draw recuses experts whose employer controls or is controlled by a party
-- of the lot (issue 4 §2); bids of entities under one control on one lot
-- are void (《招标投标法实施条例》第三十四条).
-- +goose Up
ALTER TABLE entities ADD COLUMN controller_id TEXT NOT NULL DEFAULT '';
CREATE INDEX entities_controller ON entities (controller_id);

-- +goose Down
DROP INDEX entities_controller;
ALTER TABLE entities DROP COLUMN controller_id;
