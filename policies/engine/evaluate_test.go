package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/topdown"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestApplicableBaselines(t *testing.T) {
	zone := map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "z"},
		"spec": map[string]any{"baselines": []any{"nist-800-53-r5-high", "cjis-v6"}}}
	class := func(name string, baselines ...string) map[string]any {
		return map[string]any{"kind": "DataClassification", "metadata": map[string]any{"name": name},
			"spec": map[string]any{"baselines": baselines}}
	}
	workload := map[string]any{"kind": "Workload", "metadata": map[string]any{"name": "w"},
		"spec": map[string]any{
			"classifications": []any{"cji"},
			"storage":         []any{map[string]any{"name": "s", "classification": "evidence"}},
		}}

	cases := map[string]struct {
		reason string
		in     Input
		want   []string
	}{
		"ZoneUnionClassifications": {
			reason: "a zone's own baselines and its classifications' apply, sorted and deduplicated",
			in:     Input{Object: zone, Classifications: []map[string]any{class("cji", "cjis-v6"), class("os", "uk-official-sensitive")}},
			want:   []string{"cjis-v6", "nist-800-53-r5-high", "uk-official-sensitive"},
		},
		"WorkloadTakesItsZoneAndDeclaredClassifications": {
			reason: "a workload's zone and the classifications it names (storage included) apply; its zone's maxClassification does not",
			in: Input{Object: workload, Zone: zone, Classifications: []map[string]any{
				class("cji", "cjis-v6"), class("evidence", "uk-official-sensitive"), class("max", "dod-il5"),
			}},
			want: []string{"cjis-v6", "nist-800-53-r5-high", "uk-official-sensitive"},
		},
		"ClassificationTakesItsOwn": {
			reason: "a DataClassification under evaluation brings its own baselines",
			in:     Input{Object: class("cui", "dod-il5")},
			want:   []string{"dod-il5"},
		},
		"UnknownNamesAreKept": {
			reason: "an unknown name is returned for Evaluate to refuse, not dropped",
			in:     Input{Object: class("x", "cjis-v7")},
			want:   []string{"cjis-v7"},
		},
		"NothingDeclared": {
			reason: "no baselines anywhere means none apply",
			in:     Input{Object: map[string]any{"kind": "LandingZone"}},
			want:   nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := ApplicableBaselines(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("%s\nApplicableBaselines() = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

func TestEvaluateRealisticZoneIsCompliantWithItsBaselines(t *testing.T) {
	e := newEngine(t)
	v, err := e.Evaluate(context.Background(), govZone(t), Options{Now: now})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if len(v.Violations) != 0 || len(v.Waived) != 0 {
		t.Errorf("want no violations, got %+v", v)
	}
	if v.Violations == nil || v.Waived == nil {
		t.Error("want empty, non-nil lists so the JSON shape is stable")
	}
}

func TestEvaluateReportsViolationsSortedAndStamped(t *testing.T) {
	e := newEngine(t, WithEnforcementActions(map[string]string{"nist-800-53-r5-high": ActionWarn}))
	in := withSpec(govZone(t), "network", map[string]any{"egress": "Direct", "availabilityZones": 1.0, "flowLogs": true})
	v, err := e.Evaluate(context.Background(), in, Options{Now: now})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want := []string{"cjis-v6/SC-7", "nist-800-53-r5-high/CP-10", "nist-800-53-r5-high/SC-7", "nist-800-53-r5-high/SC-7(4)"}
	if got := controlsOf(v.Violations); !slices.Equal(got, want) {
		t.Fatalf("violations = %v, want %v", got, want)
	}
	for _, x := range v.Violations {
		wantAction := ActionDeny
		if x.Baseline == "nist-800-53-r5-high" {
			wantAction = ActionWarn
		}
		if x.EnforcementAction != wantAction {
			t.Errorf("%s/%s: enforcementAction = %q, want %q", x.Baseline, x.Control, x.EnforcementAction, wantAction)
		}
		if x.Field == "" || x.Message == "" || x.Severity == "" || len(x.References) == 0 {
			t.Errorf("%s/%s: want field, message, severity and references, got %+v", x.Baseline, x.Control, x)
		}
	}
	if !v.Denied() {
		t.Error("Denied() = false, want true: cjis-v6 denies")
	}
}

func TestEvaluateAppliesExplicitBaselinesOnly(t *testing.T) {
	e := newEngine(t)
	in := withSpec(govZone(t), "network", map[string]any{"egress": "Direct", "availabilityZones": 3.0, "flowLogs": true})
	v, err := e.Evaluate(context.Background(), in, Options{Baselines: []string{"nist-800-53-r5-high", "nist-800-53-r5-high"}, Now: now})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want := []string{"nist-800-53-r5-high/SC-7", "nist-800-53-r5-high/SC-7(4)"}
	if got := controlsOf(v.Violations); !slices.Equal(got, want) {
		t.Errorf("violations = %v, want %v", got, want)
	}
}

func TestEvaluateRefusesBadInput(t *testing.T) {
	e := newEngine(t)
	cases := map[string]struct {
		reason string
		in     Input
		opts   Options
		is     error
		msg    string
	}{
		"UnknownBaselineOption": {
			reason: "a misspelt baseline is an error, never a silent pass",
			in:     govZone(t),
			opts:   Options{Baselines: []string{"cjis-v7"}},
			is:     ErrUnknownBaseline,
			msg:    `"cjis-v7"`,
		},
		"UnknownBaselineInSpec": {
			reason: "an unknown baseline declared by the object is refused the same way",
			in:     withSpec(govZone(t), "baselines", []any{"fedramp-moderate"}),
			is:     ErrUnknownBaseline,
			msg:    `"fedramp-moderate"`,
		},
		"NoObject": {
			reason: "there is nothing to evaluate without an object",
			in:     Input{},
			opts:   Options{Baselines: []string{"cjis-v6"}},
			msg:    "without an object",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := e.Evaluate(context.Background(), tc.in, tc.opts)
			if err == nil {
				t.Fatalf("%s\nwant an error", tc.reason)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%s\nerror %v is not %v", tc.reason, err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s\nerror %q does not mention %q", tc.reason, err, tc.msg)
			}
		})
	}
}

func TestEvaluateWaivesWithExceptions(t *testing.T) {
	e := newEngine(t)
	// SC-7 and SC-7(4) of nist-800-53-r5-high fail; both are capped at 90 days.
	in := withSpec(govZone(t), "network", map[string]any{"egress": "Direct", "availabilityZones": 3.0, "flowLogs": true})
	exception := func(mutate func(*Exception)) []Exception {
		ex := Exception{
			Name: "egress-migration", Controls: []string{"SC-7"},
			Targets:   []Target{{Kind: "LandingZone"}},
			ExpiresAt: now.Add(30 * day), Justification: "migration to the inspection hub", ApprovedBy: "ciso@mpd.example",
		}
		mutate(&ex)
		return []Exception{ex}
	}
	cases := map[string]struct {
		reason     string
		exceptions []Exception
		waived     []string
	}{
		"KindTarget": {
			reason:     "a target with only a kind matches every object of that kind",
			exceptions: exception(func(*Exception) {}),
			waived:     []string{"nist-800-53-r5-high/SC-7"},
		},
		"NamedTarget": {
			reason:     "a named target matches the object of that name",
			exceptions: exception(func(ex *Exception) { ex.Targets[0].Name = "mpd-evidence-prod" }),
			waived:     []string{"nist-800-53-r5-high/SC-7"},
		},
		"OtherName": {
			reason:     "a named target does not match another object",
			exceptions: exception(func(ex *Exception) { ex.Targets[0].Name = "other" }),
		},
		"OtherKind": {
			reason:     "a target of another kind does not match",
			exceptions: exception(func(ex *Exception) { ex.Targets[0].Kind = "Workload" }),
		},
		"SelectorMatches": {
			reason: "a selector matching the object's labels matches",
			exceptions: exception(func(ex *Exception) {
				ex.Targets[0].Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "prod"}}
			}),
			waived: []string{"nist-800-53-r5-high/SC-7"},
		},
		"SelectorMisses": {
			reason: "a selector not matching the object's labels does not match",
			exceptions: exception(func(ex *Exception) {
				ex.Targets[0].Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "dev"}}
			}),
		},
		"SeveralControls": {
			reason:     "an exception waives every control it lists",
			exceptions: exception(func(ex *Exception) { ex.Controls = []string{"SC-7", "SC-7(4)"} }),
			waived:     []string{"nist-800-53-r5-high/SC-7", "nist-800-53-r5-high/SC-7(4)"},
		},
		"UnlistedControl": {
			reason:     "an exception does not waive a control it does not list",
			exceptions: exception(func(ex *Exception) { ex.Controls = []string{"AU-11"} }),
		},
		"Expired": {
			reason:     "an expired exception never applies",
			exceptions: exception(func(ex *Exception) { ex.ExpiresAt = now.Add(-time.Hour) }),
		},
		"ExpiringNow": {
			reason:     "an exception expiring at the evaluation time has expired",
			exceptions: exception(func(ex *Exception) { ex.ExpiresAt = now }),
		},
		"LongerThanTheCap": {
			reason:     "an exception outlasting the baseline's cap for the control does not apply, admitted or not",
			exceptions: exception(func(ex *Exception) { ex.ExpiresAt = now.Add(91 * day) }),
		},
		"AtTheCap": {
			reason:     "an exception lasting exactly the cap applies",
			exceptions: exception(func(ex *Exception) { ex.ExpiresAt = now.Add(90 * day) }),
			waived:     []string{"nist-800-53-r5-high/SC-7"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := e.Evaluate(context.Background(), in, Options{Baselines: []string{"nist-800-53-r5-high"}, Exceptions: tc.exceptions, Now: now})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			var waived []string
			for _, w := range v.Waived {
				waived = append(waived, w.Baseline+"/"+w.Control)
				if w.Exception != "egress-migration" {
					t.Errorf("waived %s by %q, want egress-migration", w.Control, w.Exception)
				}
			}
			if !slices.Equal(waived, tc.waived) {
				t.Errorf("%s\nwaived = %v, want %v", tc.reason, waived, tc.waived)
			}
			if got := len(v.Violations) + len(v.Waived); got != 2 {
				t.Errorf("%s\n%d violations and waived in all, want 2", tc.reason, got)
			}
		})
	}
}

func TestEvaluateFailsLoudly(t *testing.T) {
	cases := map[string]struct {
		reason  string
		policy  string
		module  string
		timeout time.Duration
		check   func(t *testing.T, err error)
	}{
		"ConflictingCompleteRule": {
			policy: "conflict",
			reason: "a complete rule with two values is a runtime error naming the policy, not an empty verdict",
			module: `package zonekeeper.custom.conflict
controls := {"ZK-1"}
level := 1 if input.object.kind == "LandingZone"
level := 2 if input.object.metadata.name != ""
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if level > 5
`,
			check: func(t *testing.T, err error) {
				var te *topdown.Error
				if !errors.As(err, &te) || te.Code != topdown.ConflictErr {
					t.Errorf("error %v is not an %s", err, topdown.ConflictErr)
				}
				if !strings.Contains(err.Error(), `policy "conflict"`) {
					t.Errorf("error %q does not name the policy", err)
				}
			},
		},
		"Deadline": {
			policy:  "slow",
			reason:  "a policy that runs past the timeout is cut off with an error",
			timeout: 50 * time.Millisecond,
			module: `package zonekeeper.custom.slow
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if {
	xs := numbers.range(1, 100000)
	some a in xs
	some b in xs
	a * b == -1
}
`,
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v is not context.DeadlineExceeded", err)
				}
				if !strings.Contains(err.Error(), `"slow"`) || !strings.Contains(err.Error(), "50ms") {
					t.Errorf("error %q does not name the policy and the timeout", err)
				}
			},
		},
		"ViolationWithoutControl": {
			policy: "sloppy",
			reason: "a violation the engine cannot read is an error, not dropped",
			module: `package zonekeeper.custom.sloppy
controls := {"ZK-1"}
violation contains {"message": "no control"} if true
`,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), `policy "sloppy"`) || !strings.Contains(err.Error(), "must carry a control") {
					t.Errorf("error %q does not say what is wrong", err)
				}
			},
		},
		"ReferenceNotAString": {
			policy: "badref",
			reason: "a reference that is not a string is an error, not dropped",
			module: `package zonekeeper.custom.badref
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": "m", "references": ["ok", 7]} if true
`,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), `policy "badref": violation references must be strings, got 7`) {
					t.Errorf("error %q does not say what is wrong", err)
				}
			},
		},
		"ViolationNotAnObject": {
			policy: "scalar",
			reason: "a violation that is not an object is an error naming it",
			module: `package zonekeeper.custom.scalar
controls := {"ZK-1"}
violation contains "ZK-1" if true
`,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), `policy "scalar": violation must be an object, got "ZK-1"`) {
					t.Errorf("error %q does not say what is wrong", err)
				}
			},
		},
		"UndeclaredControl": {
			policy: "undeclared",
			reason: "a violation of a control the policy does not declare is an error: no exception could name it",
			module: `package zonekeeper.custom.undeclared
controls := {"ZK-1"}
violation contains {"control": "ZK-2", "severity": "low", "message": "m"} if true
`,
			check: func(t *testing.T, err error) {
				if !strings.Contains(err.Error(), `control "ZK-2", which is not in its controls set`) {
					t.Errorf("error %q does not say what is wrong", err)
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var opts []Option
			if tc.timeout > 0 {
				opts = append(opts, WithTimeout(tc.timeout))
			}
			e := newEngine(t, opts...)
			if err := e.SetCustomPolicies(context.Background(), []CustomPolicy{customPolicy(tc.policy, tc.module)}); err != nil {
				t.Fatalf("SetCustomPolicies: %v", err)
			}
			start := time.Now()
			v, err := e.Evaluate(context.Background(), govZone(t), Options{Now: now})
			if err == nil {
				t.Fatalf("%s\nwant an error, got verdict %+v", tc.reason, v)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("%s\nEvaluate took %s", tc.reason, elapsed)
			}
			tc.check(t, err)
		})
	}
}

func TestWithParams(t *testing.T) {
	cases := map[string]struct {
		reason string
		params map[string]any
		err    string
		want   []string
	}{
		"OverrideRaisesTheBar": {
			reason: "an overridden parameter replaces the documented default",
			params: map[string]any{"cjis-v6": map[string]any{"audit_retention_days": 500}},
			want:   []string{"cjis-v6/AU-11"},
		},
		"OverrideOfAnotherBaseline": {
			reason: "parameters of one baseline do not touch another",
			params: map[string]any{"dod-il5": map[string]any{"audit_retention_days": 500}},
			want:   []string{},
		},
		"GoTypedValues": {
			reason: "Go slices and integers are taken as the JSON arrays and numbers they marshal to",
			params: map[string]any{"nist-800-53-r5-high": map[string]any{"allowed_egress": []string{"None"}, "min_availability_zones": int64(2)}},
			want:   []string{"nist-800-53-r5-high/SC-7(4)"},
		},
		"UnknownBaseline": {
			reason: "parameters for an unknown baseline are refused",
			params: map[string]any{"cjis_v6": map[string]any{"audit_retention_days": 500}},
			err:    `baseline "cjis_v6": unknown baseline`,
		},
		"UnknownParameter": {
			reason: "a parameter the baseline does not declare is refused, listing those it has",
			params: map[string]any{"cjis-v6": map[string]any{"audit_days": 500}},
			err:    `parameter "audit_days" of baseline "cjis-v6": it has none by that name (it has audit_retention_days`,
		},
		"WrongType": {
			reason: "a parameter of another type than its default is refused",
			params: map[string]any{"cjis-v6": map[string]any{"audit_retention_days": "500"}},
			err:    "want a number like the default 365, got string",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := New(context.Background(), WithParams(tc.params))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s\nNew() error = %v, want it to contain %q", tc.reason, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			v, err := e.Evaluate(context.Background(), govZone(t), Options{Now: now})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if got := controlsOf(v.Violations); !slices.Equal(got, tc.want) {
				t.Errorf("%s\nviolations = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	cases := map[string]struct {
		reason string
		opts   []Option
		err    string
	}{
		"UnknownBaselineAction": {
			reason: "an enforcement action for an unknown baseline is refused",
			opts:   []Option{WithEnforcementActions(map[string]string{"cjis": ActionWarn})},
			err:    "unknown baseline",
		},
		"UnknownAction": {
			reason: "an enforcement action other than deny, warn or audit is refused",
			opts:   []Option{WithEnforcementActions(map[string]string{"cjis-v6": "dryrun"})},
			err:    `"dryrun" is not deny, warn or audit`,
		},
		"ZeroTimeout": {
			reason: "an evaluation needs time",
			opts:   []Option{WithTimeout(0)},
			err:    "timeout must be positive",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := New(context.Background(), tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s\nNew() error = %v, want it to contain %q", tc.reason, err, tc.err)
			}
		})
	}
}

func TestEvaluateInputContract(t *testing.T) {
	// A custom policy that reports what it sees of the input.
	const probe = `package zonekeeper.custom.probe

controls := {"PROBE"}

violation contains {"control": "PROBE", "severity": "low", "message": "managedFields"} if input.object.metadata.managedFields

violation contains {"control": "PROBE", "severity": "low", "message": "duplicate classification"} if count(input.classifications) != 1
`
	e := newEngine(t)
	if err := e.SetCustomPolicies(context.Background(), []CustomPolicy{customPolicy("probe", probe)}); err != nil {
		t.Fatal(err)
	}
	class := map[string]any{"kind": "DataClassification", "metadata": map[string]any{"name": "public"}, "spec": map[string]any{"level": 0}}
	in := Input{
		Object: map[string]any{"kind": "LandingZone", "metadata": map[string]any{
			"name":          "z",
			"managedFields": []any{map[string]any{"manager": "kubectl"}},
		}},
		Classifications: []map[string]any{class, class},
	}
	v, err := e.Evaluate(context.Background(), in, Options{Baselines: []string{}, Now: now})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	for _, x := range v.Violations {
		t.Errorf("policies saw %s; want metadata.managedFields dropped and classifications deduplicated by name", x.Message)
	}
	if _, ok := in.Object["metadata"].(map[string]any)["managedFields"]; !ok {
		t.Error("Evaluate modified the caller's object")
	}
}

func TestCustomViolationReferencesAreReadFromArraysAndSets(t *testing.T) {
	cases := map[string]struct {
		references string
		want       []string
	}{
		"Array":  {references: `["CJIS 5.4", "NCSC-P2"]`, want: []string{"CJIS 5.4", "NCSC-P2"}},
		"Set":    {references: `{"NCSC-P2", "CJIS 5.4"}`, want: []string{"CJIS 5.4", "NCSC-P2"}},
		"Absent": {want: []string{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			refs := ""
			if tc.references != "" {
				refs = `, "references": ` + tc.references
			}
			module := "package zonekeeper.custom.refs\ncontrols := {\"ZK-1\"}\n" +
				`violation contains {"control": "ZK-1", "severity": "low", "field": "spec", "message": "m"` + refs + "} if true\n"
			e := newEngine(t)
			if err := e.SetCustomPolicies(context.Background(), []CustomPolicy{customPolicy("refs", module)}); err != nil {
				t.Fatalf("SetCustomPolicies: %v", err)
			}
			v, err := e.Evaluate(context.Background(), govZone(t), Options{Baselines: []string{}, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var got *Violation
			for i := range v.Violations {
				if v.Violations[i].Baseline == "refs" {
					got = &v.Violations[i]
				}
			}
			if got == nil {
				t.Fatalf("no violation of policy refs in %+v", v.Violations)
			}
			if got.Control != "ZK-1" || got.Severity != "low" || got.Field != "spec" || got.Message != "m" {
				t.Errorf("violation %+v, want control ZK-1, severity low, field spec, message m", *got)
			}
			if !slices.Equal(got.References, tc.want) {
				t.Errorf("references %q, want %q", got.References, tc.want)
			}
		})
	}
}
