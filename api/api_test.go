package api

import (
	"bytes"
	"testing"
)

// TestDistIsCurrent: the served copy in dist/ is what the parts merge to,
// so a change to a part that was not followed by go generate ./api fails
// here rather than serving the old contract.
func TestDistIsCurrent(t *testing.T) {
	fresh, err := Merge()
	if err != nil {
		t.Fatal(err)
	}
	served := Document()
	if !bytes.Equal(fresh.JSON, served.JSON) || !bytes.Equal(fresh.YAML, served.YAML) {
		t.Fatal("api/dist is stale: run go generate ./api and commit api/dist")
	}
}
