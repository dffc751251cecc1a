// Command openapi-dump writes the merged OpenAPI document, exactly as the
// service serves it, to standard output (or -o FILE): YAML by default, JSON
// with -json (indented with -indent, for a file kept under version control).
// scripts/lint-openapi.sh lints its output and internal/apiclient generates
// the Go client from it.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"partnership-service/api"
)

func main() {
	asJSON := flag.Bool("json", false, "write JSON instead of YAML")
	indent := flag.Bool("indent", false, "with -json: indent the JSON")
	outPath := flag.String("o", "", "write to this file instead of standard output")
	flag.Parse()
	doc, err := api.Document()
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi-dump:", err)
		os.Exit(1)
	}
	out := doc.YAML
	if *asJSON {
		out = doc.JSON
		if *indent {
			var b bytes.Buffer
			if err := json.Indent(&b, doc.JSON, "", "  "); err != nil {
				fmt.Fprintln(os.Stderr, "openapi-dump:", err)
				os.Exit(1)
			}
			b.WriteByte('\n')
			out = b.Bytes()
		}
	}
	if *outPath != "" {
		err = os.WriteFile(*outPath, out, 0o644)
	} else {
		_, err = os.Stdout.Write(out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi-dump:", err)
		os.Exit(1)
	}
}
