package pending_test

import (
	"context"
	"errors"
	"testing"

	"partnership-service/internal/pending"
)

type note struct {
	text string
	pending.Once
}

type other struct{ pending.Once }

func TestFrom(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if p := pending.From[note](ctx); p != nil {
		t.Fatalf("From(empty context) = %+v, want nil", p)
	}
	n := &note{text: "a"}
	ctx = pending.With(ctx, n)
	if p := pending.From[other](ctx); p != nil {
		t.Errorf("From[other] = %+v, want nil: each type has its own key", p)
	}
	if p := pending.From[note](ctx); p != n {
		t.Fatalf("From[note] = %p, want %p", p, n)
	}
	n.Committed(errors.New("rolled back"))
	if p := pending.From[note](ctx); p != n {
		t.Errorf("after a rollback From[note] = %p, want %p: the next write carries it", p, n)
	}
	n.Committed(nil)
	if p := pending.From[note](ctx); p != nil {
		t.Errorf("after a commit From[note] = %+v, want nil", p)
	}
	if !n.Written() {
		t.Error("Written() = false after a commit")
	}
}
