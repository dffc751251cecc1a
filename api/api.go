// Package api embeds the OpenAPI 3.1 contract. Each context owns one part
// (energy.yaml, storefront.yaml, companies.yaml) next to the base document
// (openapi.yaml); Document merges them into the one document the service
// serves and the tests validate against.
package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed *.yaml
var files embed.FS

// base is the root document; every other *.yaml is a part.
const base = "openapi.yaml"

// Document returns the merged contract as JSON and as YAML.
var Document = sync.OnceValues(func() (Contract, error) {
	doc, err := load(base)
	if err != nil {
		return Contract{}, err
	}
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		return Contract{}, err
	}
	for _, name := range names {
		if name == base {
			continue
		}
		part, err := load(name)
		if err != nil {
			return Contract{}, err
		}
		if err := merge(doc, part, name); err != nil {
			return Contract{}, err
		}
	}
	addRequestID(doc)
	js, err := json.Marshal(doc)
	if err != nil {
		return Contract{}, fmt.Errorf("api: encode JSON: %w", err)
	}
	ym, err := yaml.Marshal(doc)
	if err != nil {
		return Contract{}, fmt.Errorf("api: encode YAML: %w", err)
	}
	return Contract{JSON: js, YAML: ym}, nil
})

// Contract is the merged document in both encodings.
type Contract struct {
	JSON []byte
	YAML []byte
}

func load(name string) (map[string]any, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("api: %s: %w", name, err)
	}
	return doc, nil
}

// merge adds a part's paths, tags and components to doc. A name defined
// twice is an error: two contexts must never silently shadow each other.
func merge(doc, part map[string]any, name string) error {
	for _, key := range []string{"paths", "webhooks"} {
		if err := mergeMap(doc, part, key, name+": "+key); err != nil {
			return err
		}
	}
	if tags, ok := part["tags"].([]any); ok {
		existing, _ := doc["tags"].([]any)
		doc["tags"] = append(existing, tags...)
	}
	pc, ok := part["components"].(map[string]any)
	if !ok {
		return nil
	}
	dc, _ := doc["components"].(map[string]any)
	if dc == nil {
		dc = map[string]any{}
		doc["components"] = dc
	}
	for _, section := range slices.Sorted(maps.Keys(pc)) {
		if err := mergeMap(dc, pc, section, name+": components."+section); err != nil {
			return err
		}
	}
	return nil
}

func mergeMap(dst, src map[string]any, key, where string) error {
	s, ok := src[key].(map[string]any)
	if !ok {
		return nil
	}
	d, _ := dst[key].(map[string]any)
	if d == nil {
		d = map[string]any{}
		dst[key] = d
	}
	for k, v := range s {
		if _, dup := d[k]; dup {
			return fmt.Errorf("api: %s: %q is defined twice", where, k)
		}
		d[k] = v
	}
	return nil
}

// requestIDHeader is the X-Request-Id every answer carries (the logging
// middleware sets it before any handler runs).
var requestIDHeader = map[string]any{"$ref": "#/components/headers/RequestId"}

// addRequestID declares X-Request-Id on every response of doc, in the
// operations and in components.responses, so that no part has to repeat it.
// A response given as a $ref gets it from the component it names.
func addRequestID(doc map[string]any) {
	declare := func(responses any) {
		rs, _ := responses.(map[string]any)
		for _, r := range rs {
			resp, _ := r.(map[string]any)
			if resp == nil || resp["$ref"] != nil {
				continue
			}
			headers, _ := resp["headers"].(map[string]any)
			if headers == nil {
				headers = map[string]any{}
				resp["headers"] = headers
			}
			headers["X-Request-Id"] = requestIDHeader
		}
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, item := range paths {
		ops, _ := item.(map[string]any)
		for _, method := range []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"} {
			if op, ok := ops[method].(map[string]any); ok {
				declare(op["responses"])
			}
		}
	}
	if c, ok := doc["components"].(map[string]any); ok {
		declare(c["responses"])
	}
}
