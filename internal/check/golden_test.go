package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/zonekeeper/zonekeeper/internal/compliance"
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
	res := func(kind, name, forProvider string) map[string]any {
		var m map[string]any
		src := `{"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "` + kind + `", "metadata": {"name": "` + name + `"}, "spec": {"forProvider": ` + forProvider + `}}`
		if err := json.Unmarshal([]byte(src), &m); err != nil {
			panic(err)
		}
		return m
	}
	good := []map[string]any{
		res("VPC", "main", `{"internetGateway": false, "mapPublicIpOnLaunch": false, "egress": "Inspected", "flowLogs": {"enabled": true}}`),
		res("Key", "main", `{"enableKeyRotation": true, "rotationPeriodInDays": 90}`),
		res("AuditTrail", "main", `{"isMultiRegionTrail": true, "enableLogFileValidation": true, "objectLockEnabled": true, "dataEvents": true, "retentionDays": 4000}`),
		res("Bucket", "footage", `{"serverSideEncryption": "aws:kms", "blockPublicAccess": true, "objectLockEnabled": true, "minimumTLSVersion": "1.3"}`),
	}
	bad := []map[string]any{
		res("VPC", "main", `{"internetGateway": true, "mapPublicIpOnLaunch": true, "egress": "Direct", "flowLogs": {"enabled": false}}`),
		res("Key", "main", `{"enableKeyRotation": false, "rotationPeriodDays": 900}`),
		res("AuditTrail", "main", `{"isMultiRegionTrail": false, "enableLogFileValidation": false, "objectLockEnabled": false, "dataEvents": false, "retentionDays": 30}`),
		res("Bucket", "footage", `{"serverSideEncryption": "AES256", "blockPublicAccess": false, "objectLockEnabled": false, "minimumTLSVersion": "1.0"}`),
		res("Bucket", "a", `{"objectLockEnabled": false}`),
		res("Bucket", "reports", `{"objectLockEnabled": false, "minimumTLSVersion": "1.1"}`),
		res("Bucket", "index", `{"objectLockEnabled": false, "serverSideEncryption": "aws:kms"}`),
	}
	half := []map[string]any{
		res("VPC", "main", `{"internetGateway": true}`),
		res("VPC", "edge", `{"mapPublicIpOnLaunch": true, "flowLogs": {"enabled": true}}`),
		res("Key", "main", `{"rotationPeriodInDays": 400}`),
		res("AuditTrail", "main", `{"dataEvents": false, "retentionDays": 400}`),
		res("Bucket", "records", `{"blockPublicAccess": false}`),
	}
	return map[string][]map[string]any{"good": good, "bad": bad, "half": half}
}

// goldenResult is a verdict or, for an evaluation that failed, its error: the topdown error code
// for a policy that fails at run time (its message quotes Rego file positions), the whole message
// otherwise.
type goldenResult struct {
	Verdict *engine.Verdict
	Error   string
}

func newGoldenResult(v engine.Verdict, err error) goldenResult {
	if err == nil {
		return goldenResult{Verdict: &v}
	}
	var te *topdown.Error
	if errors.As(err, &te) {
		return goldenResult{Error: "policy evaluation failed: " + te.Code}
	}
	return goldenResult{Error: err.Error()}
}

func (r goldenResult) String() string {
	if r.Verdict == nil {
		return "error: " + r.Error
	}
	b, _ := json.Marshal(r.Verdict)
	return string(b)
}

// compareGolden compares results (case -> evaluation -> verdict or error) with a golden file, or
// rewrites it with -update.
func compareGolden(t *testing.T, path string, results map[string]map[string]goldenResult) {
	t.Helper()
	b := encodeGolden(results)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read golden file (generate it with -update): %v", err)
	}
	if bytes.Equal(want, b) {
		return
	}
	wantResults, err := decodeGolden(want)
	if err != nil {
		t.Fatalf("cannot decode %s: %v", path, err)
	}
	keys := func(a, b map[string]goldenResult) []string {
		return slices.Compact(slices.Sorted(func(yield func(string) bool) {
			for k := range a {
				yield(k)
			}
			for k := range b {
				yield(k)
			}
		}))
	}
	cases := slices.Compact(slices.Sorted(func(yield func(string) bool) {
		for k := range wantResults {
			yield(k)
		}
		for k := range results {
			yield(k)
		}
	}))
	diffs := 0
	for _, c := range cases {
		for _, ev := range keys(wantResults[c], results[c]) {
			w, g := wantResults[c][ev].String(), results[c][ev].String()
			if w == g {
				continue
			}
			if diffs++; diffs <= 20 {
				t.Errorf("%s [%s]:\n got  %s\n want %s", c, ev, g, w)
			}
		}
	}
	if diffs == 0 {
		t.Errorf("%s differs in layout only; regenerate it with -update", path)
	} else {
		t.Errorf("%d verdicts differ from %s", diffs, path)
	}
}

// The golden file lists, per case, each distinct violation once (one JSON line each) and, per
// evaluation, the indices of its violations and [index, exception] for its waived ones, or its
// error.
type goldenFileCase struct {
	Violations []engine.Violation          `json:"violations"`
	Verdicts   map[string]goldenFileResult `json:"verdicts"`
}

type goldenFileResult struct {
	Violations []int    `json:"violations,omitempty"`
	Waived     [][2]any `json:"waived,omitempty"`
	Error      string   `json:"error,omitempty"`
}

func encodeGolden(results map[string]map[string]goldenResult) []byte {
	var buf bytes.Buffer
	line := func(indent int, format string, args ...any) {
		buf.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&buf, format, args...)
		buf.WriteByte('\n')
	}
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	comma := func(i, n int) string {
		if i < n-1 {
			return ","
		}
		return ""
	}
	line(0, "{")
	cases := slices.Sorted(maps.Keys(results))
	for ci, c := range cases {
		var table []engine.Violation
		index := map[string]int{}
		id := func(v engine.Violation) int {
			k := js(v)
			if i, ok := index[k]; ok {
				return i
			}
			index[k] = len(table)
			table = append(table, v)
			return len(table) - 1
		}
		evs := slices.Sorted(maps.Keys(results[c]))
		out := map[string]goldenFileResult{}
		for _, ev := range evs {
			r := results[c][ev]
			if r.Verdict == nil {
				out[ev] = goldenFileResult{Error: r.Error}
				continue
			}
			fr := goldenFileResult{Violations: []int{}}
			for _, v := range r.Verdict.Violations {
				fr.Violations = append(fr.Violations, id(v))
			}
			for _, w := range r.Verdict.Waived {
				fr.Waived = append(fr.Waived, [2]any{id(w.Violation), w.Exception})
			}
			out[ev] = fr
		}
		line(1, "%s: {", js(c))
		line(2, `"violations": [`)
		for i, v := range table {
			line(3, "%s%s", js(v), comma(i, len(table)))
		}
		line(2, "],")
		line(2, `"verdicts": {`)
		for i, ev := range evs {
			line(3, "%s: %s%s", js(ev), js(out[ev]), comma(i, len(evs)))
		}
		line(2, "}")
		line(1, "}%s", comma(ci, len(cases)))
	}
	line(0, "}")
	return buf.Bytes()
}

func decodeGolden(b []byte) (map[string]map[string]goldenResult, error) {
	var file map[string]goldenFileCase
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, err
	}
	out := map[string]map[string]goldenResult{}
	for c, fc := range file {
		out[c] = map[string]goldenResult{}
		for ev, fr := range fc.Verdicts {
			if fr.Error != "" {
				out[c][ev] = goldenResult{Error: fr.Error}
				continue
			}
			v := engine.Verdict{Violations: []engine.Violation{}, Waived: []engine.WaivedViolation{}}
			for _, i := range fr.Violations {
				v.Violations = append(v.Violations, fc.Violations[i])
			}
			for _, w := range fr.Waived {
				v.Waived = append(v.Waived, engine.WaivedViolation{Violation: fc.Violations[int(w[0].(float64))], Exception: w[1].(string)})
			}
			out[c][ev] = goldenResult{Verdict: &v}
		}
	}
	return out, nil
}
