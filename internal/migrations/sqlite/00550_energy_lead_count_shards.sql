-- +goose Up
-- The counts and tallies gain the shard that PostgreSQL spreads them over
-- (its 00550: concurrent writers of one partner queued on one locked row).
-- Under SQLite's single writer no write waits on a row, so every row stays
-- in shard 0 and the tables keep their rows; the column is there because
-- the statements that adjust them are the same on both engines. SQLite
-- cannot change a primary key in place, so the tables are rebuilt (no
-- table references them).
CREATE TABLE energy_lead_counts_sharded (
    partner_id TEXT NOT NULL REFERENCES partners (id),
    status     TEXT NOT NULL,
    shard      INTEGER NOT NULL DEFAULT 0,
    leads      INTEGER NOT NULL CHECK (leads >= 0),
    PRIMARY KEY (partner_id, status, shard)
);
INSERT INTO energy_lead_counts_sharded (partner_id, status, leads) SELECT partner_id, status, leads FROM energy_lead_counts;
DROP TABLE energy_lead_counts;
ALTER TABLE energy_lead_counts_sharded RENAME TO energy_lead_counts;

CREATE TABLE energy_lead_tallies_sharded (
    partner_id         TEXT NOT NULL REFERENCES partners (id),
    seller_name_folded TEXT NOT NULL,
    created_day        TEXT NOT NULL,
    status             TEXT NOT NULL,
    shard              INTEGER NOT NULL DEFAULT 0,
    leads              INTEGER NOT NULL CHECK (leads >= 0),
    PRIMARY KEY (partner_id, seller_name_folded, created_day, status, shard)
);
INSERT INTO energy_lead_tallies_sharded (partner_id, seller_name_folded, created_day, status, leads)
    SELECT partner_id, seller_name_folded, created_day, status, leads FROM energy_lead_tallies;
DROP TABLE energy_lead_tallies;
ALTER TABLE energy_lead_tallies_sharded RENAME TO energy_lead_tallies;
CREATE INDEX energy_lead_tallies_day ON energy_lead_tallies (partner_id, created_day);

-- +goose Down
CREATE TABLE energy_lead_counts_folded (
    partner_id TEXT NOT NULL REFERENCES partners (id),
    status     TEXT NOT NULL,
    leads      INTEGER NOT NULL CHECK (leads >= 0),
    PRIMARY KEY (partner_id, status)
);
INSERT INTO energy_lead_counts_folded (partner_id, status, leads)
    SELECT partner_id, status, sum(leads) FROM energy_lead_counts GROUP BY 1, 2;
DROP TABLE energy_lead_counts;
ALTER TABLE energy_lead_counts_folded RENAME TO energy_lead_counts;

CREATE TABLE energy_lead_tallies_folded (
    partner_id         TEXT NOT NULL REFERENCES partners (id),
    seller_name_folded TEXT NOT NULL,
    created_day        TEXT NOT NULL,
    status             TEXT NOT NULL,
    leads              INTEGER NOT NULL CHECK (leads >= 0),
    PRIMARY KEY (partner_id, seller_name_folded, created_day, status)
);
INSERT INTO energy_lead_tallies_folded (partner_id, seller_name_folded, created_day, status, leads)
    SELECT partner_id, seller_name_folded, created_day, status, sum(leads) FROM energy_lead_tallies GROUP BY 1, 2, 3, 4;
DROP TABLE energy_lead_tallies;
ALTER TABLE energy_lead_tallies_folded RENAME TO energy_lead_tallies;
CREATE INDEX energy_lead_tallies_day ON energy_lead_tallies (partner_id, created_day);
