package httpapi

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// TestOpenAPIMatchesRoutes holds the OpenAPI document to the routes the
// handler registers: every route is documented and every documented
// operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	var documented, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	h := NewHandler(Config{})
	for _, r := range h.routes() {
		if r.docPaths == nil {
			served = append(served, r.method+" "+r.pattern)
		}
		for _, p := range r.docPaths {
			served = append(served, r.method+" "+p)
		}
	}
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Errorf("documented:\n%s\n\nserved:\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
}

// TestOpenAPIRefsResolve checks that every $ref in the document points at
// something in it.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if k == "$ref" {
					ref := val.(string)
					if !resolves(doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")) {
						t.Errorf("unresolved $ref %s", ref)
					}
				}
				walk(val)
			}
		case []any:
			for _, val := range x {
				walk(val)
			}
		}
	}
	walk(doc)
}

func resolves(v any, path []string) bool {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[p]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPIMergeRefusesDuplicates: a part may not redefine what another
// defines, nor add a section the frame lacks.
func TestOpenAPIMergeRefusesDuplicates(t *testing.T) {
	core := `{"openapi":"3.1.0","paths":{"/a":{}},"components":{"schemas":{"A":{}}}}`
	tests := []struct {
		name, part string
		ok         bool
	}{
		{"new path and schema", `{"paths":{"/b":{}},"components":{"schemas":{"B":{}}}}`, true},
		{"path twice", `{"paths":{"/a":{}}}`, false},
		{"schema twice", `{"components":{"schemas":{"A":{}}}}`, false},
		{"unknown section", `{"webhooks":{"x":{}}}`, false},
		{"not JSON", `{"paths":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"openapi/core.json": {Data: []byte(core)},
				"openapi/part.json": {Data: []byte(tt.part)},
			}
			_, err := mergeOpenAPI(fsys)
			if (err == nil) != tt.ok {
				t.Errorf("merge: err = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
