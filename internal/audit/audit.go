// Package audit is the operator console's audit trail: every change an
// operator makes (who, when, what, each field's value before and after,
// never a secret) is one Entry.
//
// An entry is recorded in the transaction of the change itself: Record
// puts it in the change's context as a Pending entry, and the engines'
// write path (internal/sqlite, internal/postgres) inserts it with the
// first write the change makes, so the change and its record commit or
// roll back together. A change that makes no write through that path (a
// file store, say) gets its entry appended right after it succeeded.
package audit

import (
	"context"
	"slices"
	"strings"
	"time"

	"partnership-service/internal/pending"
)

// Entry is one operator change.
type Entry struct {
	ID int64
	At time.Time
	// Actor is who made the change: the operator's e-mail.
	Actor string
	// Action says what was done, in pt-BR ("Plano alterado").
	Action string
	// Subject names what it was done to ("Conecte Fibra · Fibra 300").
	Subject string
	// Changes are the fields that changed, each before and after.
	Changes []Change
}

// Change is one field's value before and after; "" for none.
type Change struct {
	Field, Before, After string
}

// Fields are a record's values as the trail shows them, by field label.
// Secrets never go in: a token or key is named by what identifies it
// (its prefix, its expiry), never by its value.
type Fields map[string]string

// Diff lists the fields whose values differ between before and after, in
// the order of their labels.
func Diff(before, after Fields) []Change {
	var out []Change
	for k, a := range after {
		if b := before[k]; b != a {
			out = append(out, Change{Field: k, Before: b, After: a})
		}
	}
	for k, b := range before {
		if _, ok := after[k]; !ok && b != "" {
			out = append(out, Change{Field: k, Before: b})
		}
	}
	slices.SortFunc(out, func(x, y Change) int { return strings.Compare(x.Field, y.Field) })
	return out
}

// Pending is an entry still to be written with the next change made for
// its context.
type Pending struct {
	Entry
	pending.Once
}

// FromContext returns the entry still to be written with the next write
// made for ctx, or nil.
func FromContext(ctx context.Context) *Pending { return pending.From[Pending](ctx) }

// Committed tells p the outcome of the transaction it was inserted in:
// once one committed, no later write carries it again. A nil p is fine.
func (p *Pending) Committed(err error) {
	if p != nil {
		p.Once.Committed(err)
	}
}

// Store keeps the trail.
type Store interface {
	// AppendEntry writes e on its own (the fallback of a change that made
	// no write through the engine).
	AppendEntry(ctx context.Context, e Entry) error
	// Entries returns a page of the trail, newest first, and how many
	// entries there are in all.
	Entries(ctx context.Context, offset, limit int) ([]Entry, int, error)
}

// Log records operator changes.
type Log struct {
	store Store
	now   func() time.Time
}

// NewLog returns the trail kept in store.
func NewLog(store Store, now func() time.Time) *Log {
	if now == nil {
		now = time.Now
	}
	return &Log{store: store, now: now}
}

// Record runs change with e pending in its context, so e commits with the
// change's first write; a change that fails records nothing it did not
// write, and one that succeeded without writing through the engine gets e
// appended afterwards.
func (l *Log) Record(ctx context.Context, e Entry, change func(ctx context.Context) error) error {
	e.At = l.now().UTC()
	p := &Pending{Entry: e}
	if err := change(pending.With(ctx, p)); err != nil {
		return err
	}
	if p.Written() {
		return nil
	}
	return l.store.AppendEntry(ctx, p.Entry)
}

// Page returns a page of the trail, newest first.
func (l *Log) Page(ctx context.Context, offset, limit int) ([]Entry, int, error) {
	return l.store.Entries(ctx, offset, limit)
}
