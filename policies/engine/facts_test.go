package engine

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// versioned gives each classification of in, and its zone, a UID and a resourceVersion, as the
// cluster does, the version derived from the content: the same content, the same version.
func versioned(in Input) Input {
	version := func(obj map[string]any) map[string]any {
		obj = clone(obj)
		b, _ := json.Marshal(obj)
		md, _ := obj["metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{}
			obj["metadata"] = md
		}
		md["uid"] = fmt.Sprintf("uid-%v-%v", obj["kind"], md["name"])
		md["resourceVersion"] = fmt.Sprintf("%x", sha256.Sum256(b))[:12]
		return obj
	}
	classes := make([]map[string]any, len(in.Classifications))
	for i, c := range in.Classifications {
		classes[i] = version(c)
	}
	in.Classifications = classes
	if in.Zone != nil {
		in.Zone = version(in.Zone)
	}
	return in
}

// auditVersion is zone with its classifications asking for days of audit retention, at
// resourceVersions made from rv: another rv, another version of the same classifications.
func auditVersion(zone Input, days int, rv string) Input {
	classes := make([]map[string]any, len(zone.Classifications))
	for i, c := range zone.Classifications {
		c = clone(c)
		c["metadata"].(map[string]any)["resourceVersion"] = fmt.Sprint(rv, i)
		c["spec"].(map[string]any)["audit"].(map[string]any)["retentionDays"] = days
		classes[i] = c
	}
	zone.Classifications = classes
	return zone
}

func TestFactsQualifyRulesOverTheClassificationsAlone(t *testing.T) {
	e := newEngine(t)
	var got []string
	for _, r := range e.current.Load().facts.rules {
		got = append(got, r.String())
	}
	for _, want := range []string{
		"data.zonekeeper.lib.core.classifications",
		"data.zonekeeper.lib.checks.class_audit_days",
		"data.zonekeeper.lib.checks.class_rotation_days",
		"data.zonekeeper.lib.checks.forbidding",
		"data.zonekeeper.lib.checks.fips_requiring",
		"data.zonekeeper.lib.checks.forbidding_names",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("%s does not qualify; qualifying: %v", want, got)
		}
	}
	for _, not := range []string{
		"data.zonekeeper.lib.core.zone_spec",                // the zone
		"data.zonekeeper.lib.core.declared_classifications", // the workload
		"data.zonekeeper.lib.checks.zone_region",
		"data.zonekeeper.lib.checks.residency_doubtful", // the classifications and the zone's region
		"data.zonekeeper.lib.checks.ceiling_clean",
		"data.zonekeeper.lib.checks.audit_days_met",
		"data.zonekeeper.lib.checks.findings",
	} {
		if slices.Contains(got, not) {
			t.Errorf("%s qualifies, but it reads more than the classifications", not)
		}
	}

	// By a Workload's zone too: what reads the zone's spec qualifies, what reads the object or the
	// zone otherwise does not.
	var zoneGot []string
	for _, r := range e.current.Load().facts.zoneRules {
		zoneGot = append(zoneGot, r.String())
	}
	for _, want := range []string{
		"data.zonekeeper.lib.core.classifications",
		"data.zonekeeper.lib.core.zone_spec",
		"data.zonekeeper.lib.checks.class_audit_days",
		"data.zonekeeper.lib.checks.zone_region",
		"data.zonekeeper.lib.checks.zone_clean",
		"data.zonekeeper.lib.checks.residency_doubtful",
		"data.zonekeeper.lib.checks.ceiling_clean",
		"data.zonekeeper.lib.checks.government_clean",
		"data.zonekeeper.lib.checks.audit_days_met",
	} {
		if !slices.Contains(zoneGot, want) {
			t.Errorf("%s does not qualify by a Workload's zone; qualifying: %v", want, zoneGot)
		}
	}
	for _, not := range []string{
		"data.zonekeeper.lib.core.zone",                     // input.zone itself
		"data.zonekeeper.lib.core.zone_name",                // through it
		"data.zonekeeper.lib.core.declared_classifications", // the workload
		"data.zonekeeper.lib.checks.max_level",              // all of input.classifications
		"data.zonekeeper.lib.checks.workload_ceiling_clean",
		"data.zonekeeper.lib.checks.findings",
	} {
		if slices.Contains(zoneGot, not) {
			t.Errorf("%s qualifies by a Workload's zone, but it reads more than the zone's spec and the classifications", not)
		}
	}

	// The analysis itself, on rules written to test it.
	coreModule := ast.MustParseModule(`package zonekeeper.lib.core
classifications := [c | some c in input.classifications] if {
	input.object.kind == "Workload"
} else := object.get(input, "classifications", [])
`)
	c := ast.NewCompiler()
	c.Compile(map[string]*ast.Module{
		"core.rego": coreModule,
		"t.rego": ast.MustParseModule(`package zonekeeper.lib.t
import data.zonekeeper.lib.core
levels := [l | some c in core.classifications; l := c.spec.level]
through_function := count_of(core.classifications)
count_of(xs) := count(xs)
through_rule := count(levels)
constant := {"uk"}
reads_input := input.object.kind
reads_input_whole := object.get(input, "zone", null)
through_impure_function := kind_of(1)
kind_of(_) := input.object.kind
through_impure_rule := count([reads_input])
clock := time.now_ns()
jwt := io.jwt.decode_verify("x.y.z", {"secret": "s"})
with_input := n if { n := count(core.classifications) with input as {"classifications": []} }
f(x) := x
`),
	})
	if c.Failed() {
		t.Fatal(c.Errors)
	}
	got = nil
	for _, r := range newFacts(c, coreModule).rules {
		got = append(got, strings.TrimPrefix(r.String(), "data.zonekeeper.lib."))
	}
	slices.Sort(got)
	want := []string{"core.classifications", "t.constant", "t.levels", "t.through_function", "t.through_rule"}
	if !slices.Equal(got, want) {
		t.Errorf("qualifying rules %v, want %v", got, want)
	}
}

// TestFactsGiveTheVerdictsOfAFullEvaluation evaluates every golden case under every golden
// configuration with the facts cache off, then on twice (the first keeps the facts, the second
// starts from them), and requires the same verdicts or errors.
func TestFactsGiveTheVerdictsOfAFullEvaluation(t *testing.T) {
	ctx := context.Background()
	cases := goldenCases(t)
	seeded, seededWorkloads, seededZones := 0, 0, 0
	for _, cfg := range goldenConfigs() {
		e := newEngine(t, cfg.opts...)
		if len(cfg.custom) > 0 {
			if err := e.SetCustomPolicies(ctx, cfg.custom); err != nil {
				t.Fatalf("%s: SetCustomPolicies: %v", cfg.name, err)
			}
		}
		snap := e.current.Load()
		keptFacts := snap.facts
		for _, c := range cases {
			in := versioned(c.in)
			for _, bs := range cfg.baselines {
				opts := Options{Baselines: bs, Exceptions: cfg.exceptions, Now: goldenNow}
				snap.facts = nil
				want := newGoldenResult(e.Evaluate(ctx, in, opts))
				snap.facts = keptFacts
				for round := range 2 {
					got := newGoldenResult(e.Evaluate(ctx, in, opts))
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s %s %s, round %d with kept facts:\n got %+v\nwant %+v", cfg.name, c.name, baselinesKey(bs), round, got, want)
					}
				}
				if _, key, err := in.value(nil); err == nil {
					k := keptFacts.lookup(key)
					if k.classes != nil || k.zone != nil {
						seeded++
					}
					if key.workload && k.classes != nil {
						seededWorkloads++
					}
					if k.zone != nil {
						seededZones++
					}
				}
			}
		}
	}
	if seeded < 100 || seededWorkloads < 20 || seededZones < 20 {
		t.Errorf("only %d evaluations (%d of Workloads, %d by their zones) could start from kept facts: the test does not exercise them", seeded, seededWorkloads, seededZones)
	}
}

// TestFactsFollowTheClassifications: a classification that changes (a new resourceVersion) is
// judged by its new content, never by the facts kept for the old one, and the old one's facts
// stay right for it.
func TestFactsFollowTheClassifications(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	withAudit := func(days int, rv string) Input { return auditVersion(govZone(t), days, rv) }
	au11 := func(in Input) []string {
		t.Helper()
		var msgs []string
		for range 2 { // the second evaluation starts from the kept facts
			v, err := e.Evaluate(ctx, in, Options{Baselines: []string{"cjis-v6"}, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			msgs = msgs[:0]
			for _, x := range v.Violations {
				if x.Control == "AU-11" {
					msgs = append(msgs, x.Message)
				}
			}
		}
		return msgs
	}
	short, long := withAudit(365, "a"), withAudit(3000, "b")
	if got := au11(short); len(got) != 0 {
		t.Fatalf("classifications asking 365 days, zone keeping 400: AU-11 %q", got)
	}
	if got := au11(long); len(got) != 1 || !strings.Contains(got[0], "at least 3000") {
		t.Errorf("classifications changed to ask 3000 days: AU-11 %q, want one asking for 3000", got)
	}
	if got := au11(short); len(got) != 0 {
		t.Errorf("back to the classifications asking 365 days: AU-11 %q", got)
	}
	if _, key, _ := short.value(nil); e.current.Load().facts.lookup(key).classes == nil {
		t.Error("no facts kept for the classifications evaluated")
	}
}

// TestFactsUnderConcurrentEvaluations: evaluations of two versions of the classifications at once
// keep and reuse their facts without mixing them up (run it with -race too).
func TestFactsUnderConcurrentEvaluations(t *testing.T) {
	inputs := [2]Input{auditVersion(govZone(t), 365, "short"), auditVersion(govZone(t), 3000, "long")}
	evaluateAtOnce(t, newEngine(t), inputs, Options{Baselines: []string{"cjis-v6"}, Now: now})
}

// evaluateAtOnce evaluates the two inputs alternately on eight goroutines at once, and requires
// AU-11 reported for the second input only, every time.
func evaluateAtOnce(t *testing.T, e *Engine, inputs [2]Input, opts Options) {
	t.Helper()
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 40 {
				which := (g + i) % 2
				v, err := e.Evaluate(context.Background(), inputs[which], opts)
				if err != nil {
					errs <- err
					return
				}
				au11 := slices.ContainsFunc(v.Violations, func(x Violation) bool { return x.Control == "AU-11" })
				if au11 != (which == 1) {
					errs <- fmt.Errorf("goroutine %d, evaluation %d: AU-11 reported %t for input %d", g, i, au11, which)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestFactsNeedCoreClassificationsAsPinned: facts are kept only while core.classifications is
// input.classifications for every kind but Workload, which the analysis cannot show by itself.
func TestFactsNeedCoreClassificationsAsPinned(t *testing.T) {
	lib := `package zonekeeper.lib.t
import data.zonekeeper.lib.core
levels := [l | some c in core.classifications; l := c.spec.level]
`
	const workloadsAsPinned = pinnedWorkloadSource
	const zoneSpecAsPinned = pinnedZoneSpecSource
	for name, tc := range map[string]struct {
		core      string
		want      bool
		workloads bool // facts kept for Workloads too
		zones     bool // and by their zones
	}{
		"ZoneSpecAsPinned": {workloadsAsPinned + zoneSpecAsPinned, true, true, true},
		"ZoneSpecOfAnotherField": {workloadsAsPinned + strings.Replace(zoneSpecAsPinned, `object.get(input.zone, "spec", {})`,
			`object.get(input.object, ["spec", "zone"], {})`, 1), true, true, false},
		"ZoneSpecWithoutWorkloads": {strings.Replace(workloadsAsPinned, `["spec", "storage"]`, `["spec", "volumes"]`, 1) + zoneSpecAsPinned, true, false, false},
		"AsWritten": {`package zonekeeper.lib.core
classifications := [c | some c in object.get(input, "classifications", [])] if {
	input.object.kind == "Workload"
} else := object.get(input, "classifications", [])
`, true, false, false},
		"WorkloadsAsPinned": {workloadsAsPinned, true, true, false},
		"WorkloadsDeclareMore": {workloadsAsPinned + `
declared_classifications contains name if {
	input.object.kind == "Workload"
	name := input.object.metadata.labels.classification
}
`, true, false, false},
		"WorkloadsDeclareFromElsewhere": {strings.Replace(workloadsAsPinned, `["spec", "storage"]`, `["spec", "volumes"]`, 1), true, false, false},
		"FilteredForZonesToo": {`package zonekeeper.lib.core
classifications := [c | some c in object.get(input, "classifications", [])] if {
	input.object.kind == "Workload"
} else := [c | some c in object.get(input, "classifications", []); c.spec.level < 9]
`, false, false, false},
		"AnotherKindFiltered": {`package zonekeeper.lib.core
classifications := [] if {
	input.object.kind == "LandingZone"
} else := object.get(input, "classifications", [])
`, false, false, false},
		"TwoDefinitions": {`package zonekeeper.lib.core
classifications := object.get(input, "classifications", []) if input.object.kind != "Workload"
classifications := [] if input.object.kind == "Workload"
`, false, false, false},
	} {
		t.Run(name, func(t *testing.T) {
			core := ast.MustParseModule(tc.core)
			c := ast.NewCompiler()
			c.Compile(map[string]*ast.Module{"core.rego": core, "t.rego": ast.MustParseModule(lib)})
			if c.Failed() {
				t.Fatal(c.Errors)
			}
			f := newFacts(c, core)
			if got := len(f.rules) > 0; got != tc.want {
				t.Errorf("facts kept: %t, want %t", got, tc.want)
			}
			if f.workloads != tc.workloads {
				t.Errorf("facts kept for Workloads: %t, want %t", f.workloads, tc.workloads)
			}
			if got := len(f.zoneRules) > 0; got != tc.zones {
				t.Errorf("facts kept by a Workload's zone: %t, want %t", got, tc.zones)
			}
		})
	}
	// The built-in core.rego is as pinned: TestFactsQualifyRulesOverTheClassificationsAlone
	// finds its facts.
}

// TestDeclaredClassificationsIsCoreClassificationsOfAWorkload compares what the engine keys a
// Workload's facts by with what core.classifications evaluates to, on workloads of every shape:
// where declaredClassifications answers, it must answer what Rego does.
func TestDeclaredClassificationsIsCoreClassificationsOfAWorkload(t *testing.T) {
	ctx := context.Background()
	snap := newEngine(t).current.Load()
	if !snap.facts.workloads {
		t.Fatal("the built-in core.rego does not define a Workload's classifications as pinnedWorkload expects")
	}
	pq, err := rego.New(rego.Query("x = data.zonekeeper.lib.core.classifications"), rego.Compiler(snap.compiler), rego.Store(snap.store)).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	class := func(md string) map[string]any {
		return mustObject(`{"kind": "DataClassification", "metadata": ` + md + `, "spec": {"level": 1}}`)
	}
	classes := objects(class(`{"name": "cji"}`), class(`{"name": "evidence"}`), class(`{"name": "public"}`),
		class(`{}`), class(`{"name": ""}`), class(`{"name": "cji-2"}`))
	// Input.value keeps one classification per name as Go reads it, "" for every name that is not
	// a string: shapes of metadata that share that name are tried one at a time.
	odd := map[string][]map[string]any{
		"metadata not an object": objects(class(`"x"`), class(`{"name": "cji"}`)),
		"a name not a string":    objects(class(`{"name": 5}`), class(`{"name": "cji"}`)),
		"a null name":            objects(class(`{"name": null}`), class(`{"name": "cji"}`)),
	}
	for name, tc := range map[string]struct {
		spec    string
		answer  bool   // whether declaredClassifications answers for it
		classes string // a key of odd, or the classes above
	}{
		"Metadata not an object":                    {`{"classifications": ["", "cji"]}`, true, "metadata not an object"},
		"A classification's name not a string":      {`{"classifications": ["cji"]}`, false, "a name not a string"},
		"A classification's name null":              {`{"classifications": ["cji"]}`, false, "a null name"},
		"Metadata not an object, names nothing odd": {`{"classifications": ["cji"]}`, true, "metadata not an object"},
		"Both lists":                      {`{"classifications": ["public", "cji"], "storage": [{"name": "d", "classification": "evidence"}]}`, true, ""},
		"Classifications only":            {`{"classifications": ["evidence"]}`, true, ""},
		"Storage only":                    {`{"storage": [{"name": "d", "classification": "public"}, {"name": "e"}]}`, true, ""},
		"Names nothing":                   {`{"landingZoneRef": {"name": "z"}}`, true, ""},
		"Names what is not there":         {`{"classifications": ["ghost"]}`, true, ""},
		"Names the empty string":          {`{"classifications": [""]}`, true, ""},
		"Names one twice":                 {`{"classifications": ["cji", "cji"], "storage": [{"classification": "cji"}]}`, true, ""},
		"No spec":                         {`null`, true, ""},
		"Spec not an object":              {`"x"`, false, ""},
		"Classifications not an array":    {`{"classifications": "cji"}`, false, ""},
		"Classifications an object":       {`{"classifications": {"a": "cji"}}`, false, ""},
		"A name not a string":             {`{"classifications": [1, "cji"]}`, false, ""},
		"Storage not an array":            {`{"storage": {"classification": "cji"}}`, false, ""},
		"A storage entry not an object":   {`{"storage": ["cji"]}`, false, ""},
		"A storage classification number": {`{"storage": [{"classification": 7}]}`, false, ""},
	} {
		t.Run(name, func(t *testing.T) {
			obj := mustObject(`{"kind": "Workload", "metadata": {"name": "w"}}`)
			if tc.spec != "null" {
				obj["spec"] = mustObject(`{"v": ` + tc.spec + `}`)["v"]
			}
			cs := classes
			if tc.classes != "" {
				cs = odd[tc.classes]
			}
			input, _, err := Input{Object: obj, Classifications: cs}.value(nil)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := pq.Eval(ctx, rego.EvalParsedInput(input))
			if err != nil || len(rs) != 1 {
				t.Fatalf("core.classifications: %v %v", rs, err)
			}
			want, err := ast.InterfaceToValue(rs[0].Bindings["x"])
			if err != nil {
				t.Fatal(err)
			}
			in := input.(ast.Object)
			arr := in.Get(ast.StringTerm("classifications")).Value.(*ast.Array)
			terms := make([]*ast.Term, arr.Len())
			for i := range terms {
				terms[i] = arr.Elem(i)
			}
			got, ok := declaredClassifications(in.Get(ast.StringTerm("object")).Value.(ast.Object), terms)
			if ok != tc.answer {
				t.Fatalf("declaredClassifications answers: %t, want %t", ok, tc.answer)
			}
			if ok && ast.NewArray(got...).Compare(want) != 0 {
				t.Errorf("declaredClassifications %v, core.classifications %v", ast.NewArray(got...), want)
			}
		})
	}
}

// TestZoneFactsFollowTheZone: Workloads over the same classifications in different zones, or in
// a zone that changes (a new resourceVersion), are judged by their own zone, never by the facts
// kept for another, however their evaluations interleave.
func TestZoneFactsFollowTheZone(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	workload := loadInput(t, "uk-workload.json")
	withZone := func(region string, days int) Input {
		in := workload
		in.Zone = clone(in.Zone)
		spec := in.Zone["spec"].(map[string]any)
		spec["cloud"].(map[string]any)["region"] = region
		spec["audit"].(map[string]any)["retentionDays"] = days
		return versioned(in)
	}
	inputs := []struct {
		in   Input
		want []string
	}{
		{withZone("uksouth", 730), nil},
		{withZone("uksouth", 30), []string{"uk-official-sensitive/AU-11"}},
		{withZone("ukwest", 730), nil},
		{withZone("eastus", 730), []string{"uk-official-sensitive/SA-9(5)", "uk-official-sensitive/SA-9(5)", "uk-official-sensitive/SA-9(5)"}},
	}
	for round := range 3 {
		for i, tc := range inputs {
			v, err := e.Evaluate(ctx, tc.in, Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if got := controlsOf(v.Violations); !slices.Equal(got, tc.want) {
				t.Errorf("round %d, zone %d: violations %v, want %v", round, i, got, tc.want)
			}
		}
	}
	for i, tc := range inputs {
		if _, key, _ := tc.in.value(nil); e.current.Load().facts.lookup(key).zone == nil {
			t.Errorf("zone %d: no facts kept by its zone", i)
		}
	}
}

// TestZoneFactsUnderConcurrentEvaluations: Workloads of two versions of a zone, evaluated at once,
// keep and reuse the facts of both stores without mixing them up (run it with -race too).
func TestZoneFactsUnderConcurrentEvaluations(t *testing.T) {
	var inputs [2]Input
	for i, days := range []int{730, 30} {
		in := loadInput(t, "uk-workload.json")
		in.Zone["spec"].(map[string]any)["audit"].(map[string]any)["retentionDays"] = days
		inputs[i] = versioned(in)
	}
	evaluateAtOnce(t, newEngine(t), inputs, Options{Now: now})
}
