-- +goose Up
-- The lead list at scale (issue 13): a partner with a million leads, most
-- sharing a first name, a day and a seller, must list in milliseconds with
-- any filter of the seed.
--
-- energy_lead_tallies counts the leads per partner, seller, São Paulo day
-- and status, kept by the store in the transaction that changes a lead
-- (like energy_lead_counts): the exact total of any mix of the seller, day
-- and status filters is then a sum over a few rows, never a count over the
-- matching leads. created_day is the lead's created_at as a calendar day in
-- America/Sao_Paulo (YYYY-MM-DD), the calendar of the created_at filter.
CREATE TABLE energy_lead_tallies (
    partner_id         TEXT NOT NULL REFERENCES partners (id),
    seller_name_folded TEXT NOT NULL,
    created_day        TEXT NOT NULL,
    status             TEXT NOT NULL,
    leads              INTEGER NOT NULL CHECK (leads >= 0),
    PRIMARY KEY (partner_id, seller_name_folded, created_day, status)
);
CREATE INDEX energy_lead_tallies_day ON energy_lead_tallies (partner_id, created_day);
-- The São Paulo day of each lead already stored, from the time zone
-- database (as the store computes it for new leads).
INSERT INTO energy_lead_tallies (partner_id, seller_name_folded, created_day, status, leads)
    SELECT partner_id, seller_name_folded, to_char(created_at AT TIME ZONE 'America/Sao_Paulo', 'YYYY-MM-DD'), status, count(*)
    FROM energy_leads GROUP BY 1, 2, 3, 4;

-- Seller and status together, newest first: without it a status the seller
-- has no lead in is found by reading every lead of the seller.
CREATE INDEX energy_leads_partner_seller_status ON energy_leads (partner_id, seller_name_folded, status, created_at DESC, id DESC);
-- The customer filter's indexes carry the order and the other filters'
-- columns, so a customer's matches are counted, filtered and sorted from
-- the index alone (a covering scan), the table read only for the page.
-- The company name's also carries the full name: a lead whose two names
-- match is counted once, by its full name.
DROP INDEX energy_leads_partner_document;
DROP INDEX energy_leads_partner_full_name;
DROP INDEX energy_leads_partner_company_name;
CREATE INDEX energy_leads_partner_document ON energy_leads (partner_id, identification_number, created_at, id, status, seller_name_folded);
CREATE INDEX energy_leads_partner_full_name ON energy_leads (partner_id, full_name_folded, created_at, id, status, seller_name_folded);
CREATE INDEX energy_leads_partner_company_name ON energy_leads (partner_id, company_name_folded, created_at, id, status, seller_name_folded, full_name_folded)
    WHERE company_name_folded <> '';

-- +goose Down
DROP INDEX energy_leads_partner_company_name;
DROP INDEX energy_leads_partner_full_name;
DROP INDEX energy_leads_partner_document;
CREATE INDEX energy_leads_partner_document ON energy_leads (partner_id, identification_number);
CREATE INDEX energy_leads_partner_full_name ON energy_leads (partner_id, full_name_folded);
CREATE INDEX energy_leads_partner_company_name ON energy_leads (partner_id, company_name_folded) WHERE company_name_folded <> '';
DROP INDEX energy_leads_partner_seller_status;
DROP TABLE energy_lead_tallies;
