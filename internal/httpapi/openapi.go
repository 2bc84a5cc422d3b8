package httpapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"

	"truce/internal/auth"
)

// The OpenAPI document is kept in parts, one per feature (openapi/*.json):
// core.json holds the document's frame and the core routes, and every other
// part adds paths and components. TestOpenAPIMatchesRoutes holds the merged
// document to the routes the handler serves.
//
//go:embed openapi/*.json
var openAPIParts embed.FS

// openAPIDoc is the merged document.
var openAPIDoc = mustMergeOpenAPI(openAPIParts)

// mustMergeOpenAPI merges the parts into core.json; a path or component
// defined twice is a programming error.
func mustMergeOpenAPI(parts fs.FS) []byte {
	doc, err := mergeOpenAPI(parts)
	if err != nil {
		panic(err)
	}
	return doc
}

func mergeOpenAPI(parts fs.FS) ([]byte, error) {
	var doc map[string]any
	if err := readJSON(parts, "openapi/core.json", &doc); err != nil {
		return nil, err
	}
	names, err := fs.Glob(parts, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if name == "openapi/core.json" {
			continue
		}
		var part map[string]any
		if err := readJSON(parts, name, &part); err != nil {
			return nil, err
		}
		for key, v := range part {
			add, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("openapi: %s: %s is not an object", name, key)
			}
			if key == "components" {
				comps, _ := doc["components"].(map[string]any)
				for kind, v := range add {
					into, _ := comps[kind].(map[string]any)
					if into == nil {
						into = map[string]any{}
						comps[kind] = into
					}
					if err := mergeInto(into, v, name+": components."+kind); err != nil {
						return nil, err
					}
				}
				continue
			}
			into, _ := doc[key].(map[string]any)
			if into == nil {
				return nil, fmt.Errorf("openapi: %s: unknown section %s", name, key)
			}
			if err := mergeInto(into, add, name+": "+key); err != nil {
				return nil, err
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func mergeInto(into map[string]any, v any, where string) error {
	add, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("openapi: %s is not an object", where)
	}
	for k := range add {
		if _, dup := into[k]; dup {
			return fmt.Errorf("openapi: %s: %s defined twice", where, k)
		}
	}
	maps.Copy(into, add)
	return nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("openapi: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("openapi: %s: %w", name, err)
	}
	return nil
}

func (h *Handler) openAPI(w http.ResponseWriter, _ *http.Request, _ *auth.User) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
	return nil
}
