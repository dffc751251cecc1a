-- +goose Up
-- Every reference utility the embedded data has delivered to this
-- database, kept when an operator deletes the utility: the reference sync
-- adds a utility the binary ships only once, so a deletion stands. Until
-- now migration 00101 delivered all of them.
CREATE TABLE energy_reference_utilities (
    public_id text PRIMARY KEY
);
INSERT INTO energy_reference_utilities (public_id) SELECT public_id FROM energy_utilities;

-- +goose Down
DROP TABLE energy_reference_utilities;
