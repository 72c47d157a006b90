package api

import (
	"encoding/json"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"unicode"
)

func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas         map[string]any `json:"schemas"`
			SecuritySchemes map[string]struct {
				Type   string `json:"type"`
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	e.do("GET", "/api/openapi.json", "", nil).want(t, 200, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	if b := doc.Components.SecuritySchemes["bearer"]; b.Type != "http" || b.Scheme != "bearer" {
		t.Fatalf("bearer scheme = %+v", b)
	}
	if _, ok := doc.Components.Schemas["ErrorEnvelope"]; !ok {
		t.Fatal("no ErrorEnvelope schema")
	}

	s := e.h.(*server)
	registered := map[string]bool{}
	for _, p := range s.patterns {
		registered[p] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			summary, _ := op["summary"].(string)
			if !strings.ContainsFunc(summary, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: summary %q is not Chinese", key, summary)
			}
			resps, _ := op["responses"].(map[string]any)
			def, _ := json.Marshal(resps["default"])
			if !strings.Contains(string(def), "#/components/schemas/ErrorEnvelope") {
				t.Errorf("%s: default response is not the error envelope", key)
			}
			// The mux routes this method and path template to exactly this pattern.
			concrete := strings.NewReplacer("{id}", "x1", "{docID}", "x2").Replace(path)
			if _, pat := s.mux.Handler(httptest.NewRequest(strings.ToUpper(method), concrete, nil)); pat != key {
				t.Errorf("%s: mux matches %q", key, pat)
			}
		}
	}
	var missing, extra []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("registered but undocumented: %v\ndocumented but not registered: %v", missing, extra)
	}
	if len(registered) < 34 {
		t.Fatalf("only %d routes", len(registered))
	}
}
