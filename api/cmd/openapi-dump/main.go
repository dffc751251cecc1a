// Command openapi-dump writes the merged OpenAPI document, merged afresh
// from the parts, to standard output (or -o FILE): YAML by default, JSON
// with -json (indented with -indent, for a file kept under version control).
// With -dist DIR it writes DIR/openapi.json and DIR/openapi.yaml, the copy
// the service embeds and serves (go generate ./api).
// scripts/lint-openapi.sh lints its output and internal/apiclient generates
// the Go client from it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"partnership-service/api"
)

func main() {
	asJSON := flag.Bool("json", false, "write JSON instead of YAML")
	indent := flag.Bool("indent", false, "with -json: indent the JSON")
	outPath := flag.String("o", "", "write to this file instead of standard output")
	distDir := flag.String("dist", "", "write DIR/openapi.json and DIR/openapi.yaml, as the service serves them")
	flag.Parse()
	doc, err := api.Merge()
	if err != nil {
		fmt.Fprintln(os.Stderr, "openapi-dump:", err)
		os.Exit(1)
	}
	if *distDir != "" {
		err = errors.Join(os.WriteFile(filepath.Join(*distDir, "openapi.json"), doc.JSON, 0o644),
			os.WriteFile(filepath.Join(*distDir, "openapi.yaml"), doc.YAML, 0o644))
		if err != nil {
			fmt.Fprintln(os.Stderr, "openapi-dump:", err)
			os.Exit(1)
		}
		return
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
