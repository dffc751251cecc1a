package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyLeadStore keeps the energy surface's leads: the shared reads and
// write primitives (storesql.EnergyLeads, storesql.EnergyLeadTx) on
// statements prepared once, the reads on the reader pool and the writes on
// the writer, bound to its transaction with tx.StmtContext.
type EnergyLeadStore struct {
	storesql.EnergyLeads
	db *DB

	reads, writes statements // storesql.LeadReadSQL, storesql.LeadWriteSQL
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// newEnergyLeadStore prepares the store's statements.
func newEnergyLeadStore(db *DB) (*EnergyLeadStore, error) {
	s := &EnergyLeadStore{db: db}
	var err error
	if s.reads, err = prepareAll(context.Background(), db.reader, storesql.LeadReadSQL); err != nil {
		return nil, fmt.Errorf("sqlite: prepare energy lead statement: %w", err)
	}
	if s.writes, err = prepareAll(context.Background(), db.writer, storesql.LeadWriteSQL); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: prepare energy lead statement: %w", err), s.reads.Close())
	}
	prepared := preparedDB{DB: db.Shared(), db: db, reads: s.reads, writes: s.writes}
	s.EnergyLeads = storesql.NewEnergyLeads(prepared, prepared, "+")
	return s, nil
}

// Close releases the prepared statements.
func (s *EnergyLeadStore) Close() error {
	return errors.Join(s.reads.Close(), s.writes.Close())
}

// WriteLeads implements energy.LeadStore. fn runs on the writer goroutine
// inside the shared write transaction, which is what makes a
// read-modify-write atomic (and the open-lead check exact: no other writer
// runs meanwhile, so the lead's select needs no lock).
func (s *EnergyLeadStore) WriteLeads(ctx context.Context, fn func(energy.LeadTx) error) error {
	return MapError(s.db.Write(ctx, func(tx *sql.Tx) error {
		return fn(storesql.EnergyLeadTx{Ctx: ctx, Tx: s.db.writeTx(tx, s.writes)})
	}))
}
