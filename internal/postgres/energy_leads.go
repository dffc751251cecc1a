package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"partnership-service/internal/energy"
	"partnership-service/internal/storesql"
)

// EnergyLeadStore keeps the energy surface's leads: the shared reads and
// write primitives (storesql.EnergyLeads, storesql.EnergyLeadTx), whose
// statements pgx prepares and caches.
type EnergyLeadStore struct {
	storesql.EnergyLeads
	db *DB
}

var _ energy.LeadStore = (*EnergyLeadStore)(nil)

// newEnergyLeadStore returns the store.
func newEnergyLeadStore(db *DB) *EnergyLeadStore {
	return &EnergyLeadStore{EnergyLeads: storesql.NewEnergyLeads(db.Shared(), db.Shared(), ""), db: db}
}

// WriteLeads implements energy.LeadStore.
func (s *EnergyLeadStore) WriteLeads(ctx context.Context, fn func(energy.LeadTx) error) error {
	return MapError(s.db.Tx(ctx, func(tx pgx.Tx) error {
		return fn(energyLeadTx{storesql.EnergyLeadTx{Ctx: ctx, Tx: txQuerier{tx}, Lock: " FOR UPDATE", SpreadCounts: true}})
	}))
}

// energyLeadTx is the shared primitives with the lead locked (FOR UPDATE)
// until the commit, so concurrent changes of one lead apply one after the
// other, and the open-lead index's violations marked.
type energyLeadTx struct{ storesql.EnergyLeadTx }

func (t energyLeadTx) Insert(l energy.Lead) error { return openLeadTaken(t.EnergyLeadTx.Insert(l)) }

func (t energyLeadTx) Save(l energy.Lead) error { return openLeadTaken(t.EnergyLeadTx.Save(l)) }

func (t energyLeadTx) InsertNew(leads []energy.Lead) error {
	return openLeadTaken(t.EnergyLeadTx.InsertNew(leads))
}

// openLeadTaken marks the open-lead index's violation: a concurrent
// transaction opened a lead for the customer after this one checked.
func openLeadTaken(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "energy_leads_open_document" {
		return fmt.Errorf("%w: %w", energy.ErrOpenLeadTaken, err)
	}
	return err
}
