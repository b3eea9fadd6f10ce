package check

import (
	"context"
	"encoding/json"
	"flag"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/golden"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// update regenerates the golden verdicts. Regenerate only when a verdict is meant to change, and
// review the diff: the golden file is what keeps performance work on the policies from changing
// any verdict.
var update = flag.Bool("update", false, "rewrite policies/engine/testdata/golden/check.json")

const goldenDir = "../../policies/engine/testdata/golden"

// TestGoldenVerdicts evaluates the objects of config/samples, hack/demo/refused and the hand-made
// variants of policies/engine/testdata/golden/manifests with the input the webhook builds (CRD
// defaults applied, package compliance), against the baselines that apply, all four and each one
// alone, with plans attached and with non-default parameters, and compares every verdict, or
// error, with policies/engine/testdata/golden/check.json. The raw-input corpus is checked by
// policies/engine.TestGoldenVerdicts.
func TestGoldenVerdicts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	four := []string{"cjis-v6", "dod-il5", "nist-800-53-r5-high", "uk-official-sensitive"}
	samples := "../../config/samples"
	worlds := []struct {
		name  string
		paths []string
	}{
		{"samples", []string{samples}},
		{"refused", []string{samples, "../../hack/demo/refused"}},
		{"variants", []string{filepath.Join(samples, "landingzone_v1alpha1_dataclassifications.yaml"), filepath.Join(goldenDir, "manifests")}},
	}
	plain, err := engine.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	params, err := engine.New(ctx,
		engine.WithParams(map[string]any{
			"cjis-v6":               map[string]any{"audit_retention_days": 400, "key_rotation_max_days": 180, "jurisdictions": []string{"us", "uk"}},
			"nist-800-53-r5-high":   map[string]any{"omb_m21_31": true, "require_hsm": false, "min_availability_zones": 3, "allowed_egress": []string{"None"}},
			"dod-il5":               map[string]any{"audit_retention_days": 500, "key_rotation_max_days": 90, "min_availability_zones": 4, "allowed_egress": []string{"Inspected"}},
			"uk-official-sensitive": map[string]any{"allowed_regions": []string{"uksouth", "ukwest", "eu-west-2"}, "jurisdictions": []string{"uk", "us"}, "audit_retention_days": 500},
		}),
		engine.WithEnforcementActions(map[string]string{"nist-800-53-r5-high": engine.ActionWarn}))
	if err != nil {
		t.Fatal(err)
	}
	plans := goldenPlans()

	results := map[string]map[string]goldenResult{}
	for _, w := range worlds {
		objs, err := manifest.ReadPaths(w.paths...)
		if err != nil {
			t.Fatal(err)
		}
		set, err := decode(objs)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range set.evaluate {
			in, err := compliance.Input(ctx, set.resolver, it.obj)
			if err != nil {
				t.Fatalf("%s:%d: %v", it.src.File, it.src.Line, err)
			}
			name := w.name + "/" + it.src.GetKind() + "/" + it.src.GetName()
			if _, dup := results[name]; dup {
				t.Fatalf("two objects named %s", name)
			}
			res := map[string]goldenResult{}
			results[name] = res
			eval := func(key string, e *engine.Engine, in engine.Input, baselines []string) {
				v, err := e.Evaluate(ctx, in, engine.Options{Baselines: baselines, Now: now})
				res[key] = newGoldenResult(v, err)
			}
			eval("applicable", plain, in, nil)
			eval(strings.Join(four, ","), plain, in, four)
			for _, b := range four {
				eval(b, plain, in, []string{b})
			}
			eval("params "+strings.Join(four, ","), params, in, four)
			if it.src.GetKind() == "DataClassification" {
				continue
			}
			for _, pn := range slices.Sorted(maps.Keys(plans)) {
				planned := in
				planned.Plan = plans[pn]
				eval("plan "+pn+" "+strings.Join(four, ","), plain, planned, four)
			}
		}
	}
	compareGolden(t, filepath.Join(goldenDir, "check.json"), results)
}

// goldenPlans are composed plans attached to zones and workloads: one compliant, one contradicting
// the spec everywhere it can, one with a contradiction per resource of a kind.
func goldenPlans() map[string][]map[string]any {
	// Shaped as the composers plan (controllers/landingzone planEntry): a Bucket carries the
	// storage entry it holds in a label.
	res := func(kind, name, storage, forProvider string) map[string]any {
		var m map[string]any
		labels := `{}`
		if storage != "" {
			labels = `{"landingzone.zonekeeper.dev/storage": "` + storage + `"}`
		}
		src := `{"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "` + kind + `", "metadata": {"name": "` + name + `", "labels": ` + labels + `}, "spec": {"forProvider": ` + forProvider + `}}`
		if err := json.Unmarshal([]byte(src), &m); err != nil {
			panic(err)
		}
		return m
	}
	good := []map[string]any{
		res("VPC", "main", "", `{"egress": "Inspected", "flowLogs": {"enabled": true}}`),
		res("Key", "main", "", `{"rotationPeriodDays": 90}`),
		res("AuditTrail", "main", "", `{"dataEvents": true, "retentionDays": 4000}`),
		res("Bucket", "footage", "footage", `{"kmsKeyRef": {"name": "main"}, "legalHold": true, "objectLock": {"enabled": true, "mode": "COMPLIANCE", "retentionDays": 4000}}`),
	}
	bad := []map[string]any{
		res("VPC", "main", "", `{"egress": "Direct", "flowLogs": {"enabled": false}}`),
		res("Key", "main", "", `{"rotationPeriodDays": 900}`),
		res("AuditTrail", "main", "", `{"dataEvents": false, "objectLockMode": "GOVERNANCE", "retentionDays": 30}`),
		res("Bucket", "footage", "footage", `{"legalHold": false, "objectLock": {"enabled": false}}`),
		res("Bucket", "a", "", `{}`),
		res("Bucket", "reports", "reports", `{"kmsKeyRef": {"name": "main"}, "objectLock": {"enabled": true, "retentionDays": 1}}`),
		res("Bucket", "index", "index", `{"kmsKeyARN": "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1", "objectLock": {"enabled": false}}`),
	}
	half := []map[string]any{
		res("VPC", "main", "", `{"egress": "Direct"}`),
		res("VPC", "edge", "", `{"flowLogs": {"enabled": true}}`),
		res("Key", "main", "", `{"rotationPeriodDays": 400}`),
		res("AuditTrail", "main", "", `{"dataEvents": false, "retentionDays": 400}`),
		res("Bucket", "records", "records", `{"kmsKeyRef": {"name": "main"}}`),
	}
	return map[string][]map[string]any{"good": good, "bad": bad, "half": half}
}

// goldenResult is a verdict or, for an evaluation that failed, its error.
type goldenResult = golden.Result[engine.Verdict]

func newGoldenResult(v engine.Verdict, err error) goldenResult { return golden.New(v, err) }

// verdictCodec splits an engine.Verdict for the golden file and joins it again.
var verdictCodec = golden.Codec[engine.Verdict, engine.Violation]{
	Split: func(v engine.Verdict) ([]engine.Violation, []golden.Waived[engine.Violation]) {
		waived := make([]golden.Waived[engine.Violation], len(v.Waived))
		for i, w := range v.Waived {
			waived[i] = golden.Waived[engine.Violation]{Violation: w.Violation, Exception: w.Exception}
		}
		return v.Violations, waived
	},
	Join: func(violations []engine.Violation, waived []golden.Waived[engine.Violation]) engine.Verdict {
		v := engine.Verdict{Violations: violations, Waived: []engine.WaivedViolation{}}
		for _, w := range waived {
			v.Waived = append(v.Waived, engine.WaivedViolation{Violation: w.Violation, Exception: w.Exception})
		}
		return v
	},
}

// compareGolden compares results (case -> evaluation -> verdict or error) with a golden file, or
// rewrites it with -update.
func compareGolden(t *testing.T, path string, results map[string]map[string]goldenResult) {
	t.Helper()
	golden.Compare(t, path, results, verdictCodec, *update)
}
