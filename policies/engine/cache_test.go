package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestClassificationValuesFollowTheirVersion walks one DataClassification
// through versions: a cached conversion must never stand in for content it
// was not made from.
func TestClassificationValuesFollowTheirVersion(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	zone := govZone(t).Object
	const uid = "0b9e7f4c-cache-test-uid"
	cji := func(rv string, retentionDays int) map[string]any {
		c := clone(govZone(t).Classifications[0])
		md := c["metadata"].(map[string]any)
		md["uid"], md["resourceVersion"] = uid, rv
		c["spec"].(map[string]any)["audit"].(map[string]any)["retentionDays"] = retentionDays
		return c
	}
	auditControls := func(v Verdict) []string {
		var out []string
		for _, x := range v.Violations {
			if x.Control == "AU-11" {
				out = append(out, x.Field)
			}
		}
		return out
	}

	steps := []struct {
		name string
		in   Input
		want []string // fields of the AU-11 violations
	}{
		{
			name: "FirstVersionIsConverted",
			in:   Input{Object: zone, Classifications: []map[string]any{cji("1", 365)}},
			want: nil,
		},
		{
			name: "NewResourceVersionIsConvertedAgain",
			in:   Input{Object: zone, Classifications: []map[string]any{cji("2", 3650)}},
			want: []string{"spec.audit.retentionDays"},
		},
		{
			name: "OlderVersionKeepsItsOwnContent",
			in:   Input{Object: zone, Classifications: []map[string]any{cji("1", 365)}},
			want: nil,
		},
	}
	for _, s := range steps {
		v, err := e.Evaluate(ctx, s.in, Options{Baselines: []string{"cjis-v6"}, Now: now})
		if err != nil {
			t.Fatalf("%s: Evaluate: %v", s.name, err)
		}
		if got := auditControls(v); !slices.Equal(got, s.want) {
			t.Errorf("%s: AU-11 violations on fields %v, want %v (all: %+v)", s.name, got, s.want, v.Violations)
		}
	}

	// On UPDATE the object under review carries the resourceVersion it
	// replaces, with new content: policies must see that content wherever the
	// object appears in the input, never the cached version.
	updated := cji("2", 30)
	updated["kind"] = "DataClassification"
	value, err := Input{Object: updated, Classifications: []map[string]any{updated}}.value()
	if err != nil {
		t.Fatal(err)
	}
	got, err := value.Find(ast.MustParseRef("x.classifications[0].spec.audit.retentionDays")[1:])
	if err != nil {
		t.Fatalf("input has no classifications[0].spec.audit.retentionDays: %v", err)
	}
	if got.Compare(ast.Number("30")) != 0 {
		t.Errorf("the object under review is seen in input.classifications with retentionDays %v, want 30", got)
	}
}
