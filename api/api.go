// Package api embeds the OpenAPI 3.1 contract. Each context owns one part
// (energy.yaml, storefront.yaml, companies.yaml) next to the base document
// (openapi.yaml); Merge merges them into the one document the service
// serves and the tests validate against. go generate keeps the merged
// document in dist/, embedded, so that a start neither parses 280 KB of
// YAML nor keeps the merge's garbage (it cost about 0.3 s and 15 MB of
// heap at every start); TestDistIsCurrent fails when dist/ is stale.
package api

//go:generate go run ./cmd/openapi-dump -dist dist

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed *.yaml
var files embed.FS

// The merged contract as go generate last wrote it, embedded as byte
// slices: they point into the binary's data, which the kernel pages in when
// the document is first served, where an embed.FS ReadFile copied both
// (800 KB) into the heap at every start.
var (
	//go:embed dist/openapi.json
	distJSON []byte
	//go:embed dist/openapi.yaml
	distYAML []byte
)

// Document returns the merged contract as go generate last wrote it. Its
// bytes are shared by every caller: read them, never change them.
func Document() Contract { return Contract{JSON: distJSON, YAML: distYAML} }

// base is the root document; every other *.yaml is a part.
const base = "openapi.yaml"

// Merge merges the parts into the contract, as JSON and as YAML.
func Merge() (Contract, error) {
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
	addGuard(doc)
	js, err := json.Marshal(doc)
	if err != nil {
		return Contract{}, fmt.Errorf("api: encode JSON: %w", err)
	}
	ym, err := yaml.Marshal(doc)
	if err != nil {
		return Contract{}, fmt.Errorf("api: encode YAML: %w", err)
	}
	return Contract{JSON: js, YAML: ym}, nil
}

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

// guardedSurface is a surface whose credentialed routes run behind
// httpx.Guard: every operation is rate-limited, and writes take an
// Idempotency-Key.
type guardedSurface struct {
	prefixes, except []string
	// limited is the 429 response; badRequest, inFlight and mismatch are
	// the 400, 409 and 422 a write may answer for its key, each added
	// where the operation does not list that status already.
	limited, badRequest, inFlight, mismatch string
}

var guardedSurfaces = []guardedSurface{
	{prefixes: []string{"/distribuited-generation/", "/distributed-generation/", "/sales-conversion/", "/admin/energy/"},
		except:  []string{"/sales-conversion/sign/"},
		limited: "EnergyTooManyRequests", badRequest: "EnergyBadRequest", inFlight: "EnergyIdempotencyConflict", mismatch: "EnergyIdempotencyMismatch"},
	{prefixes: []string{"/api/v2/"},
		limited: "StorefrontTooManyRequests", badRequest: "StorefrontBadRequest", inFlight: "StorefrontIdempotencyConflict", mismatch: "StorefrontUnprocessable"},
	{prefixes: []string{"/api/v4/", "/api/v3/"}, except: []string{"/api/v4/auth/", "/api/v4/states", "/api/v4/cities"},
		limited: "CompaniesTooManyRequests", badRequest: "CompaniesBadRequest", inFlight: "CompaniesIdempotencyConflict", mismatch: "CompaniesUnprocessable"},
}

func (g guardedSurface) covers(path string) bool {
	has := func(prefixes []string) bool {
		return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(path, p) })
	}
	return has(g.prefixes) && !has(g.except)
}

// addGuard declares, on every operation of a guarded surface, the
// RateLimit headers on its answers and its 429; on its POST, PUT and PATCH
// operations also the Idempotency-Key parameter, Idempotent-Replayed on
// the 2xx answers, and the 400, 409 and 422 the key may cause. So no part
// repeats them, and none can forget them.
func addGuard(doc map[string]any) {
	ref := func(kind, name string) map[string]any {
		return map[string]any{"$ref": "#/components/" + kind + "/" + name}
	}
	components, _ := doc["components"].(map[string]any)
	shared, _ := components["responses"].(map[string]any)
	addHeaders := func(resp map[string]any, names ...string) {
		if r, ok := resp["$ref"].(string); ok {
			// A shared response gets the headers once, where it is defined.
			resp, _ = shared[strings.TrimPrefix(r, "#/components/responses/")].(map[string]any)
			if resp == nil {
				return
			}
		}
		headers, _ := resp["headers"].(map[string]any)
		if headers == nil {
			headers = map[string]any{}
			resp["headers"] = headers
		}
		for _, n := range names {
			headers[n] = ref("headers", strings.ReplaceAll(n, "-", ""))
		}
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		i := slices.IndexFunc(guardedSurfaces, func(g guardedSurface) bool { return g.covers(path) })
		if i < 0 {
			continue
		}
		g := guardedSurfaces[i]
		ops, _ := paths[path].(map[string]any)
		for _, method := range []string{"get", "put", "post", "delete", "options", "head", "patch"} {
			op, ok := ops[method].(map[string]any)
			if !ok {
				continue
			}
			rs, _ := op["responses"].(map[string]any)
			write := method == "post" || method == "put" || method == "patch"
			add := map[string]string{"429": g.limited}
			if write {
				add["400"], add["409"], add["422"] = g.badRequest, g.inFlight, g.mismatch
				params, _ := op["parameters"].([]any)
				op["parameters"] = append(params, ref("parameters", "IdempotencyKey"))
			}
			for status, name := range add {
				if _, listed := rs[status]; !listed {
					rs[status] = ref("responses", name)
				}
			}
			for status, r := range rs {
				resp, _ := r.(map[string]any)
				if resp == nil {
					continue
				}
				addHeaders(resp, "RateLimit-Policy", "RateLimit")
				if write && strings.HasPrefix(status, "2") {
					addHeaders(resp, "Idempotent-Replayed")
				}
			}
		}
	}
}
