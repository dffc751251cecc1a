-- +goose Up
-- Every write of a lead adjusted its partner's row of energy_lead_counts
-- and the row of energy_lead_tallies for its seller and day, and
-- PostgreSQL holds an updated row's lock until the transaction commits, its
-- WAL flush included: under 32 concurrent creates of one partner, 29
-- backends waited on that one row, and the partner's creates topped out
-- near 800 a second however many replicas served them (621 with a pool of
-- 32). Both tables are now spread over 16 shards, picked by the last hex
-- digit of the lead's id (a UUID, so random): concurrent writes of one
-- partner mostly lock different rows. A lead's rise and its fall land on
-- the same shard, so each shard is still a count of leads and its check
-- still holds; the readers already sum. The shards are rebuilt from the
-- leads, the rows a lead's own writes would have made.
ALTER TABLE energy_lead_counts DROP CONSTRAINT energy_lead_counts_pkey;
ALTER TABLE energy_lead_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
DELETE FROM energy_lead_counts;
INSERT INTO energy_lead_counts (partner_id, status, shard, leads)
    SELECT partner_id, status, position(right(id, 1) IN '0123456789abcdef') - 1, count(*)
    FROM energy_leads GROUP BY 1, 2, 3;
ALTER TABLE energy_lead_counts ADD PRIMARY KEY (partner_id, status, shard);

ALTER TABLE energy_lead_tallies DROP CONSTRAINT energy_lead_tallies_pkey;
ALTER TABLE energy_lead_tallies ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
DELETE FROM energy_lead_tallies;
INSERT INTO energy_lead_tallies (partner_id, seller_name_folded, created_day, status, shard, leads)
    SELECT partner_id, seller_name_folded, to_char(created_at AT TIME ZONE 'America/Sao_Paulo', 'YYYY-MM-DD'), status,
        position(right(id, 1) IN '0123456789abcdef') - 1, count(*)
    FROM energy_leads GROUP BY 1, 2, 3, 4, 5;
ALTER TABLE energy_lead_tallies ADD PRIMARY KEY (partner_id, seller_name_folded, created_day, status, shard);

-- +goose Down
CREATE TEMPORARY TABLE folded_counts AS
    SELECT partner_id, status, sum(leads)::bigint AS leads FROM energy_lead_counts GROUP BY 1, 2;
DELETE FROM energy_lead_counts;
ALTER TABLE energy_lead_counts DROP CONSTRAINT energy_lead_counts_pkey;
ALTER TABLE energy_lead_counts DROP COLUMN shard;
ALTER TABLE energy_lead_counts ADD PRIMARY KEY (partner_id, status);
INSERT INTO energy_lead_counts (partner_id, status, leads) SELECT partner_id, status, leads FROM folded_counts;
DROP TABLE folded_counts;

CREATE TEMPORARY TABLE folded_tallies AS
    SELECT partner_id, seller_name_folded, created_day, status, sum(leads)::integer AS leads
    FROM energy_lead_tallies GROUP BY 1, 2, 3, 4;
DELETE FROM energy_lead_tallies;
ALTER TABLE energy_lead_tallies DROP CONSTRAINT energy_lead_tallies_pkey;
ALTER TABLE energy_lead_tallies DROP COLUMN shard;
ALTER TABLE energy_lead_tallies ADD PRIMARY KEY (partner_id, seller_name_folded, created_day, status);
INSERT INTO energy_lead_tallies (partner_id, seller_name_folded, created_day, status, leads)
    SELECT partner_id, seller_name_folded, created_day, status, leads FROM folded_tallies;
DROP TABLE folded_tallies;
