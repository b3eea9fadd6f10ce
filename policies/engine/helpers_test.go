package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func newEngine(t testing.TB, opts ...Option) *Engine {
	t.Helper()
	e, err := New(context.Background(), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

// loadInput reads a testdata file shaped like the Rego input.
func loadInput(t testing.TB, name string) Input {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Object          map[string]any   `json:"object"`
		Classifications []map[string]any `json:"classifications"`
		Plan            []map[string]any `json:"plan"`
		Observed        []map[string]any `json:"observed"`
		Zone            map[string]any   `json:"zone"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("cannot decode %s: %v", name, err)
	}
	return Input(raw)
}

// govZone is the realistic GovCloud zone of testdata, compliant with the
// cjis-v6 and nist-800-53-r5-high baselines it declares.
func govZone(t testing.TB) Input {
	return loadInput(t, "govcloud-zone.json")
}

// withSpec returns a copy of the input whose object has spec[key] = value.
func withSpec(in Input, key string, value any) Input {
	obj := clone(in.Object)
	spec := obj["spec"].(map[string]any)
	spec[key] = value
	in.Object = obj
	return in
}

// clone deep-copies a JSON-shaped map.
func clone(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func controlsOf(vs []Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Baseline + "/" + v.Control
	}
	return out
}

// policy builds a custom policy from one module.
func customPolicy(name, module string) CustomPolicy {
	return CustomPolicy{Name: name, Modules: map[string]string{"policy.rego": module}}
}

const tagPolicy = `package zonekeeper.custom.tags

controls := {"ZK-TAG-1"}

violation contains {"control": "ZK-TAG-1", "severity": "low", "field": "metadata.labels", "message": "set metadata.labels.tier"} if {
	not input.object.metadata.labels.tier
}
`

const tagPolicyTest = `package zonekeeper.custom.tags_test

import data.zonekeeper.custom.tags

test_unlabelled_zone_is_reported if {
	count(tags.violation) == 1 with input as {"object": {"kind": "LandingZone", "metadata": {"name": "z"}}}
}

test_labelled_zone_passes if {
	count(tags.violation) == 0 with input as {"object": {"kind": "LandingZone", "metadata": {"name": "z", "labels": {"tier": "prod"}}}}
}
`
