-- +goose Up
-- Sales-conversion leads of energy partners. A lead belongs to the partner
-- whose API key created it; every query filters by partner_id first, and the
-- indexes start with it. *_folded columns hold geo.Fold of the name (lower
-- case, no accents) for the list filters; identification_number is the
-- normalized CPF (11 digits) or CNPJ (14 characters). Columns searched by
-- prefix use the "C" collation, so that ranges compare bytes as in SQLite.
CREATE TABLE energy_leads (
    id                    TEXT PRIMARY KEY,
    partner_id            TEXT NOT NULL REFERENCES partners (id),
    seller_name           TEXT NOT NULL,
    seller_name_folded    TEXT NOT NULL COLLATE "C",
    person_type           TEXT NOT NULL CHECK (person_type IN ('natural', 'juridical')),
    full_name             TEXT NOT NULL,
    full_name_folded      TEXT NOT NULL COLLATE "C",
    company_name          TEXT NOT NULL,
    company_name_folded   TEXT NOT NULL COLLATE "C",
    person_cpf            TEXT NOT NULL,
    email                 TEXT NOT NULL,
    mobile_phone          TEXT NOT NULL,
    utility_bill_holder   TEXT NOT NULL CHECK (utility_bill_holder IN ('natural', 'juridical')),
    utility_bill_cents    BIGINT NOT NULL CHECK (utility_bill_cents > 0),
    identification_number TEXT NOT NULL COLLATE "C",
    nationality           TEXT NOT NULL,
    marital_status        TEXT NOT NULL,
    profession            TEXT NOT NULL,
    installation_number   TEXT NOT NULL,
    birth_date            TEXT NOT NULL,
    zip_code              TEXT NOT NULL,
    state                 TEXT NOT NULL REFERENCES states (uf),
    city                  TEXT NOT NULL,
    ibge_code             INTEGER NOT NULL REFERENCES municipalities (ibge_code),
    street                TEXT NOT NULL,
    number                TEXT NOT NULL,
    neighborhood          TEXT NOT NULL,
    complement            TEXT NOT NULL,
    -- The utility and plan are copied from the catalog when chosen, so a
    -- later catalog change does not rewrite what the customer was offered.
    utility_id            TEXT NOT NULL,
    utility_name          TEXT NOT NULL,
    plan_id               BIGINT,
    plan_name             TEXT NOT NULL,
    plan_discount         TEXT NOT NULL,
    plan_fidelity_months  INTEGER NOT NULL,
    plan_benefit          TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('indicado', 'negociacao', 'assinado', 'desqualificado')),
    status_details        TEXT NOT NULL,
    -- AES-256-GCM sealed utility login; never stored in clear.
    credentials           BYTEA,
    legal_representatives TEXT NOT NULL,
    contract_key          TEXT,
    contract_sha256       TEXT,
    contract_size         BIGINT,
    contract_created_at   TIMESTAMPTZ,
    sign_provider         TEXT,
    -- SHA-256 of the signing token (or a provider's document id).
    sign_reference        TEXT UNIQUE,
    -- The signing link, sealed: it carries the token.
    sign_link             BYTEA,
    sign_expires_at       TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
-- The list: newest first, optionally by status or seller.
CREATE INDEX energy_leads_partner_created ON energy_leads (partner_id, created_at DESC, id DESC);
CREATE INDEX energy_leads_partner_status ON energy_leads (partner_id, status, created_at DESC, id DESC);
CREATE INDEX energy_leads_partner_seller ON energy_leads (partner_id, seller_name_folded, created_at DESC, id DESC);
-- The customer filter: document or name prefix.
CREATE INDEX energy_leads_partner_document ON energy_leads (partner_id, identification_number);
CREATE INDEX energy_leads_partner_full_name ON energy_leads (partner_id, full_name_folded);
CREATE INDEX energy_leads_partner_company_name ON energy_leads (partner_id, company_name_folded) WHERE company_name_folded <> '';
-- One open lead per customer and partner.
CREATE UNIQUE INDEX energy_leads_open_document ON energy_leads (partner_id, identification_number)
    WHERE status IN ('indicado', 'negociacao');

CREATE TABLE energy_lead_documents (
    lead_id      TEXT NOT NULL REFERENCES energy_leads (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('utilityBill', 'constitucional', 'identificacaoFrente', 'identificacaoVerso')),
    blob_key     TEXT NOT NULL UNIQUE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lead_id, kind)
);

CREATE TABLE energy_lead_status_history (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id    TEXT NOT NULL REFERENCES energy_leads (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    details    TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX energy_lead_status_history_lead ON energy_lead_status_history (lead_id, id);

-- Evidence of each signer's acceptance.
CREATE TABLE energy_lead_signatures (
    lead_id         TEXT NOT NULL REFERENCES energy_leads (id) ON DELETE CASCADE,
    signer_cpf      TEXT NOT NULL,
    signer_name     TEXT NOT NULL,
    signed_at       TIMESTAMPTZ NOT NULL,
    ip              TEXT NOT NULL,
    forwarded_for   TEXT NOT NULL,
    user_agent      TEXT NOT NULL,
    contract_sha256 TEXT NOT NULL,
    sign_reference  TEXT NOT NULL,
    PRIMARY KEY (lead_id, signer_cpf)
);

-- How many leads each partner has in each status, kept by the store in the
-- transaction that changes them: the list's total without filters (or with
-- only a status) is then a lookup, not a count over the partner's leads.
CREATE TABLE energy_lead_counts (
    partner_id TEXT NOT NULL REFERENCES partners (id),
    status     TEXT NOT NULL,
    leads      BIGINT NOT NULL CHECK (leads >= 0),
    PRIMARY KEY (partner_id, status)
);

-- +goose Down
DROP TABLE energy_lead_counts;
DROP TABLE energy_lead_signatures;
DROP TABLE energy_lead_status_history;
DROP TABLE energy_lead_documents;
DROP TABLE energy_leads;
