-- +goose Up
-- The companies' _q search (a fragment of the folded name) through a
-- trigram index: FTS5's trigram tokenizer over companies.name_folded, kept
-- by triggers (an external-content table: the names are not stored twice).
-- A MATCH of the fragment as a phrase finds the names that contain it,
-- where LIKE '%…%' read every company; fragments shorter than a trigram
-- still scan (storesql.CompanyList).
CREATE VIRTUAL TABLE companies_name_trigrams USING fts5(
    name_folded, content = 'companies', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO companies_name_trigrams (companies_name_trigrams) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER companies_name_trigrams_insert AFTER INSERT ON companies BEGIN
    INSERT INTO companies_name_trigrams (rowid, name_folded) VALUES (new.id, new.name_folded);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER companies_name_trigrams_delete AFTER DELETE ON companies BEGIN
    INSERT INTO companies_name_trigrams (companies_name_trigrams, rowid, name_folded) VALUES ('delete', old.id, old.name_folded);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER companies_name_trigrams_update AFTER UPDATE OF name_folded ON companies BEGIN
    INSERT INTO companies_name_trigrams (companies_name_trigrams, rowid, name_folded) VALUES ('delete', old.id, old.name_folded);
    INSERT INTO companies_name_trigrams (rowid, name_folded) VALUES (new.id, new.name_folded);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER companies_name_trigrams_update;
DROP TRIGGER companies_name_trigrams_delete;
DROP TRIGGER companies_name_trigrams_insert;
DROP TABLE companies_name_trigrams;
