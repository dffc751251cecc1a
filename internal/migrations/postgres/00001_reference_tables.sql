-- +goose Up
CREATE TABLE states (
    ibge_code integer PRIMARY KEY,
    uf        text NOT NULL UNIQUE,
    name      text NOT NULL
);

CREATE TABLE municipalities (
    ibge_code integer PRIMARY KEY,
    name      text NOT NULL,
    uf        text NOT NULL REFERENCES states (uf),
    lat       double precision NOT NULL,
    lon       double precision NOT NULL
);
CREATE INDEX municipalities_uf ON municipalities (uf);

-- State-level ranges have no municipality.
CREATE TABLE cep_ranges (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uf        text NOT NULL REFERENCES states (uf),
    ibge_code integer REFERENCES municipalities (ibge_code),
    cep_start integer NOT NULL,
    cep_end   integer NOT NULL,
    CHECK (cep_start <= cep_end)
);
CREATE INDEX cep_ranges_start ON cep_ranges (cep_start);

-- +goose Down
DROP TABLE cep_ranges;
DROP TABLE municipalities;
DROP TABLE states;
