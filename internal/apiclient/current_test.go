package apiclient_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"partnership-service/api"
)

// TestClientIsCurrent fails when the document in api/ changed but the
// client was not regenerated: openapi.json, the input of client.gen.go, must
// be the document the service serves. (scripts/lint-openapi.sh also reruns
// the generator and compares its output.)
func TestClientIsCurrent(t *testing.T) {
	t.Parallel()
	doc := api.Document()
	var want bytes.Buffer
	if err := json.Indent(&want, doc.JSON, "", "  "); err != nil {
		t.Fatal(err)
	}
	want.WriteByte('\n')
	got, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("internal/apiclient is stale: run go generate ./internal/apiclient and commit the result")
	}
}
