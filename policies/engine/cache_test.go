package engine

import (
	"context"
	"fmt"
	"reflect"
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
	value, _, err := Input{Object: updated, Classifications: []map[string]any{updated}}.value(nil)
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

// TestUnchangingConvertsWhatFilesShareOnce follows zonekeeper check: objects
// read from files carry no UID or resourceVersion, and many are evaluated
// against the same classification and zone maps. Those are converted once;
// the object evaluated never is kept, nor anything that has a version; and
// the verdicts are those of evaluating without it.
func TestUnchangingConvertsWhatFilesShareOnce(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	fromFile := func(m map[string]any) map[string]any {
		m = clone(m)
		md := m["metadata"].(map[string]any)
		delete(md, "uid")
		delete(md, "resourceVersion")
		return m
	}
	gov := govZone(t)
	zone := fromFile(gov.Object)
	zone["kind"] = "LandingZone"
	cji, evidence := fromFile(gov.Classifications[0]), fromFile(gov.Classifications[1])
	workload := func(name string, retentionDays float64) map[string]any {
		return map[string]any{"apiVersion": "landingzone.zonekeeper.dev/v1alpha1", "kind": "Workload",
			"metadata": map[string]any{"name": name, "namespace": "evidence"},
			"spec": map[string]any{
				"landingZoneRef":  map[string]any{"name": nameOf(zone)},
				"classifications": []any{"cji"},
				"storage":         []any{map[string]any{"name": "footage", "classification": "evidence", "retentionDays": retentionDays}},
			}}
	}
	classification := fromFile(gov.Classifications[0]) // a DataClassification evaluated: its own only classification
	versioned := gov.Classifications[1]                // from the API server: its version is its key

	inputs := []Input{
		{Object: workload("bwv", 3650), Zone: zone, Classifications: []map[string]any{cji, evidence}},
		{Object: workload("short", 30), Zone: zone, Classifications: []map[string]any{cji, evidence}},
		{Object: zone, Classifications: []map[string]any{evidence, cji}},
		{Object: classification, Classifications: []map[string]any{classification}},
		{Object: workload("mixed", 3650), Zone: zone, Classifications: []map[string]any{cji, versioned}},
	}
	u := NewUnchanging()
	violations := 0
	for round := range 2 {
		for i, in := range inputs {
			want, err := e.Evaluate(ctx, in, Options{Now: now})
			if err != nil {
				t.Fatalf("input %d: Evaluate: %v", i, err)
			}
			got, err := e.Evaluate(ctx, in, Options{Now: now, Unchanging: u})
			if err != nil {
				t.Fatalf("input %d, round %d: Evaluate with Unchanging: %v", i, round, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("input %d, round %d: verdict %+v, want %+v", i, round, got, want)
			}
			violations += len(want.Violations)
		}
	}
	if violations == 0 {
		t.Fatal("no input has a violation: the verdicts compared say nothing")
	}

	maps := map[string]map[string]any{
		"zone": zone, "cji": cji, "evidence": evidence,
		"the classification evaluated": classification, "the versioned classification": versioned,
		"a workload evaluated": inputs[0].Object,
	}
	var kept []string
	for label, m := range maps {
		if _, ok := u.values[identity(m)]; ok {
			kept = append(kept, label)
		}
	}
	slices.Sort(kept)
	if want := []string{"cji", "evidence", "zone"}; !slices.Equal(kept, want) || len(u.values) != len(want) {
		t.Errorf("kept %v (%d values), want exactly %v", kept, len(u.values), want)
	}
}

// TestUnchangingStaysBounded: a run over ever more files must not keep ever
// more values.
func TestUnchangingStaysBounded(t *testing.T) {
	u := NewUnchanging()
	conv := newConverter()
	defer conv.release()
	for i := range 3 * maxUnchangingValues {
		m := map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": fmt.Sprintf("zone-%d", i)}}
		v, err := u.value(conv, m)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.(ast.Object).Get(ast.StringTerm("metadata")).Get(ast.StringTerm("name")); got == nil || !got.Equal(ast.StringTerm(fmt.Sprintf("zone-%d", i))) {
			t.Fatalf("zone-%d converted to %v", i, v)
		}
		if len(u.values) > maxUnchangingValues {
			t.Fatalf("%d values kept after %d maps, want at most %d", len(u.values), i+1, maxUnchangingValues)
		}
	}
}
