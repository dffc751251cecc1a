// Package pending carries a record in a change's context until the
// engines' write path (internal/sqlite, internal/postgres) writes it with
// the change: the first transaction carrying it that commits has written
// it, and no later write made for that context carries it again. The
// Idempotency-Key record (internal/idempotency) and the operator's audit
// entry (internal/audit) travel this way.
package pending

import "context"

// Once, embedded in a record, keeps whether a committed transaction has
// written it.
type Once struct{ written bool }

// Committed tells the record the outcome of the transaction it was
// inserted in: once one committed, the record is written.
func (o *Once) Committed(err error) {
	if err == nil {
		o.written = true
	}
}

// Written says whether a committed transaction has carried the record.
func (o *Once) Written() bool { return o.written }

// record is a pointer to a record type T that embeds Once.
type record[T any] interface {
	*T
	Written() bool
}

// key is the context key of the records of type T, one per type.
type key[T any] struct{}

// With returns ctx carrying p, the record of its type.
func With[T any, P record[T]](ctx context.Context, p P) context.Context {
	return context.WithValue(ctx, key[T]{}, p)
}

// From returns the record of type T carried in ctx, or nil if ctx carries
// none or a committed transaction has written it already.
func From[T any, P record[T]](ctx context.Context) P {
	p, _ := ctx.Value(key[T]{}).(P)
	if p == nil || p.Written() {
		return nil
	}
	return p
}
