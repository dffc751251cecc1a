// Command openapi-dump writes the merged OpenAPI document, exactly as the
// service serves it, to standard output: YAML by default, JSON with -json.
// scripts/lint-openapi.sh lints its output and internal/apiclient generates
// the Go client from it.
package main

import (
	"flag"
	"fmt"
	"os"

	"partnership-service/api"
)

func main() {
	asJSON := flag.Bool("json", false, "write JSON instead of YAML")
	flag.Parse()
	doc, err := api.Document()
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi-dump:", err)
		os.Exit(1)
	}
	out := doc.YAML
	if *asJSON {
		out = doc.JSON
	}
	if _, err := os.Stdout.Write(out); err != nil {
		fmt.Fprintln(os.Stderr, "openapi-dump:", err)
		os.Exit(1)
	}
}
