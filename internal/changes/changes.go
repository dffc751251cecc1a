// Package changes tells every process sharing a database that cached data
// changed, so each can drop its copy: the one primitive the contexts'
// in-memory caches (catalog snapshot, storefront tenants, partner keys) need
// to stay right across replicas. PostgreSQL implements it with
// LISTEN/NOTIFY; a single process (SQLite) needs nothing, since a process
// already drops its own caches when it writes.
package changes

import "context"

// Bus carries change notices between processes.
type Bus interface {
	// Publish tells every subscribed process, this one included, that
	// topic changed; payload narrows what (a provider id), "" means
	// anything. It is best effort: a notice lost to a failure is caught by
	// each cache's periodic refresh.
	Publish(ctx context.Context, topic, payload string) error
	// Subscribe calls fn for every notice on topic, one at a time, with
	// the payload published. It also calls fn with "" whenever notices may
	// have been missed: once the bus starts listening, and after it lost
	// and regained its connection.
	Subscribe(topic string, fn func(ctx context.Context, payload string))
}

// Local is the bus of a single process: nothing to tell anyone.
type Local struct{}

var _ Bus = Local{}

// Publish implements Bus; nobody else listens.
func (Local) Publish(context.Context, string, string) error { return nil }

// Subscribe implements Bus; no other process can change anything.
func (Local) Subscribe(string, func(context.Context, string)) {}

// Topics every context publishes on.
const (
	EnergyCatalog = "energy_catalog"      // the GD catalog; payload ""
	EnergyKeys    = "energy_keys"         // partner API keys; payload ""
	Storefront    = "storefront_provider" // a provider's catalog; payload: its id
)
