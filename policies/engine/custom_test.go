package engine

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/zonekeeper/zonekeeper/internal/fixtures"
)

func TestValidatePolicy(t *testing.T) {
	valid := CustomPolicy{
		Name:    "tags",
		Modules: map[string]string{"tags.rego": tagPolicy},
		Tests:   map[string]string{"tags_test.rego": tagPolicyTest},
	}
	with := func(mutate func(*CustomPolicy)) CustomPolicy {
		p := valid
		p.Modules = map[string]string{"tags.rego": tagPolicy}
		p.Tests = map[string]string{"tags_test.rego": tagPolicyTest}
		mutate(&p)
		return p
	}
	module := func(src string) CustomPolicy {
		return with(func(p *CustomPolicy) { p.Modules = map[string]string{"tags.rego": src}; p.Tests = nil })
	}

	cases := map[string]struct {
		reason string
		policy CustomPolicy
		want   string // empty: admitted
	}{
		"Valid": {
			reason: "a compiling policy whose tests pass is admitted",
			policy: valid,
		},
		"ValidWithoutTests": {
			reason: "tests are optional",
			policy: with(func(p *CustomPolicy) { p.Tests = nil }),
		},
		"UsesLibrary": {
			reason: "a custom policy may use the built-in helpers",
			policy: module(`package zonekeeper.custom.tags
import data.zonekeeper.lib.core
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if core.zone_name == "forbidden"
`),
		},
		"ParseError": {
			reason: "a module that does not parse is refused with the parser's message",
			policy: module("package zonekeeper.custom.tags\nviolation contains v if {"),
			want:   "rego_parse_error",
		},
		"UndefinedFunction": {
			reason: "a call of an undefined function is refused with the compiler's message",
			policy: module(`package zonekeeper.custom.tags
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if data.zonekeeper.lib.core.no_such(input)
`),
			want: "undefined function data.zonekeeper.lib.core.no_such",
		},
		"UndefinedReference": {
			reason: "a reference into zonekeeper that no rule defines is refused: it would quietly pass",
			policy: module(`package zonekeeper.custom.tags
import data.zonekeeper.lib.core
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if not core.is_zon
`),
			want: "undefined reference data.zonekeeper.lib.core.is_zon",
		},
		"UnsafeVariable": {
			reason: "an unsafe variable is refused with the compiler's message",
			policy: module(`package zonekeeper.custom.tags
controls := {"ZK-1"}
violation contains v if { x > 1 }
`),
			want: "var",
		},
		"HTTPSend": {
			reason: "http.send is refused: policies may not reach the network",
			policy: module(`package zonekeeper.custom.tags
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": r.body} if {
	r := http.send({"method": "GET", "url": "https://example.com"})
}
`),
			want: "http.send is not allowed in ZoneKeeper policies",
		},
		"NetBuiltin": {
			reason: "net.* builtins are refused",
			policy: module(`package zonekeeper.custom.tags
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if {
	net.lookup_ip_addr("example.com")
}
`),
			want: "net.lookup_ip_addr is not allowed",
		},
		"OPARuntime": {
			reason: "opa.runtime is refused: it exposes the operator's environment",
			policy: module(`package zonekeeper.custom.tags
controls := {"ZK-1"}
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if opa.runtime().env.HOME
`),
			want: "opa.runtime is not allowed",
		},
		"ShadowsBaseline": {
			reason: "a module in a built-in baseline's package is refused: it could turn controls off",
			policy: module("package zonekeeper.baselines.cjis_v6\nviolation := set()\n"),
			want:   "shadows the built-in package zonekeeper.baselines",
		},
		"ShadowsLibrary": {
			reason: "a module in a built-in helper package is refused",
			policy: module("package zonekeeper.lib.core\nis_zone := false\n"),
			want:   "shadows the built-in package zonekeeper.lib",
		},
		"OutsideCustom": {
			reason: "a module outside zonekeeper.custom is refused",
			policy: module("package acme.policies\ncontrols := set()\n"),
			want:   "outside zonekeeper.custom",
		},
		"NoViolationSet": {
			reason: "a policy without a violation set would never report anything",
			policy: module("package zonekeeper.custom.tags\ncontrols := {\"ZK-1\"}\n"),
			want:   "defines no violation set",
		},
		"NoControls": {
			reason: "a policy must declare its controls so exceptions can name them",
			policy: module(`package zonekeeper.custom.tags
violation contains {"control": "ZK-1", "severity": "low", "message": "m"} if true
`),
			want: "no controls set",
		},
		"ViolationNotASet": {
			reason: "violation must be a set",
			policy: module(`package zonekeeper.custom.tags
controls := {"ZK-1"}
violation := {"control": "ZK-1"}
`),
			want: "must be a set",
		},
		"FailingTest": {
			reason: "a policy whose own tests fail is refused, naming the test",
			policy: with(func(p *CustomPolicy) {
				p.Tests = map[string]string{"tags_test.rego": `package zonekeeper.custom.tags_test
import data.zonekeeper.custom.tags
test_labelled_zone_is_reported if {
	count(tags.violation) == 1 with input as {"object": {"kind": "LandingZone", "metadata": {"labels": {"tier": "prod"}}}}
}
`}
			}),
			want: "fails 1 of its 1 tests:\ncustom/tags/tests/tags_test.rego:3: zonekeeper.custom.tags_test.test_labelled_zone_is_reported: failed at",
		},
		"FailingTestInsideAModule": {
			reason: "test rules written in a module run at admission too",
			policy: with(func(p *CustomPolicy) {
				p.Tests = nil
				p.Modules = map[string]string{"tags.rego": tagPolicy + "\ntest_always_fails if false\n"}
			}),
			want: "fails 1 of its 1 tests",
		},
		"TestModulesWithoutTests": {
			reason: "test modules without a test are a mistake worth reporting",
			policy: with(func(p *CustomPolicy) {
				p.Tests = map[string]string{"tags_test.rego": "package zonekeeper.custom.tags_test\nx := 1\n"}
			}),
			want: "has test modules but no tests",
		},
		"EmptyName": {
			reason: "a policy needs a name to be reported under",
			policy: with(func(p *CustomPolicy) { p.Name = "" }),
			want:   "must be non-empty",
		},
		"BuiltinName": {
			reason: "a policy named like a baseline would be confused with it",
			policy: with(func(p *CustomPolicy) { p.Name = "cjis-v6" }),
			want:   "name of a built-in baseline",
		},
		"NoModules": {
			reason: "a policy without modules is refused",
			policy: with(func(p *CustomPolicy) { p.Modules = nil }),
			want:   "no modules",
		},
		"EmptyModule": {
			reason: "an empty module is refused",
			policy: module("  \n"),
			want:   `module "tags.rego" is empty`,
		},
		"BadEnforcementAction": {
			reason: "an enforcement action other than deny, warn or audit is refused",
			policy: with(func(p *CustomPolicy) { p.EnforcementAction = "block" }),
			want:   `enforcementAction "block" is not deny, warn or audit`,
		},
	}
	e := newEngine(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := e.ValidatePolicy(context.Background(), tc.policy)
			if tc.want == "" {
				if err != nil {
					t.Errorf("%s\nValidatePolicy() = %v, want nil", tc.reason, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s\nValidatePolicy() = nil, want an error containing %q", tc.reason, tc.want)
			}
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Errorf("%s\nerror %v is not ErrInvalidPolicy", tc.reason, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s\nerror %q does not contain %q", tc.reason, err, tc.want)
			}
		})
	}
}

func TestValidatePolicyRefusesAPackageAnotherPolicyUses(t *testing.T) {
	e := newEngine(t)
	if err := e.SetCustomPolicies(context.Background(), []CustomPolicy{customPolicy("tags", tagPolicy)}); err != nil {
		t.Fatalf("SetCustomPolicies: %v", err)
	}
	if err := e.ValidatePolicy(context.Background(), customPolicy("tags", tagPolicy)); err != nil {
		t.Errorf("replacing a policy by a new version of itself: ValidatePolicy() = %v, want nil", err)
	}
	err := e.ValidatePolicy(context.Background(), customPolicy("labels", tagPolicy))
	if !errors.Is(err, ErrInvalidPolicy) || !strings.Contains(err.Error(), `package zonekeeper.custom.tags is already used by policy "tags"`) {
		t.Errorf("another policy in the same package: ValidatePolicy() = %v, want a package collision", err)
	}
}

// TestRestrictedCapabilitiesRefuseNetworkAndRuntime checks the compiler
// itself refuses the builtins, not only the pre-scan that explains why.
func TestRestrictedCapabilitiesRefuseNetworkAndRuntime(t *testing.T) {
	caps := restrictedCapabilities()
	for _, b := range caps.Builtins {
		if forbiddenBuiltin(b.Name) {
			t.Errorf("capabilities still hold %s", b.Name)
		}
	}
	if caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Errorf("AllowNet = %#v, want empty (no host)", caps.AllowNet)
	}
	for _, call := range []string{
		`http.send({"method": "GET", "url": "https://example.com"})`,
		`net.lookup_ip_addr("example.com")`,
		`opa.runtime()`,
		`rand.intn("x", 10)`,
		`uuid.rfc4122("x")`,
	} {
		src := fmt.Sprintf("package zonekeeper.custom.x\np := %s\n", call)
		m := ast.MustParseModule(src)
		c := ast.NewCompiler().WithCapabilities(caps)
		c.Compile(map[string]*ast.Module{"x.rego": m})
		if !c.Failed() || !strings.Contains(c.Errors.Error(), "undefined function") {
			t.Errorf("compiling %s: errors %v, want undefined function", call, c.Errors)
		}
	}
	// Pure functions stay, the CIDR arithmetic among them.
	for _, call := range []string{`net.cidr_contains("10.0.0.0/8", "10.1.1.1")`, `uuid.parse("00000000-0000-0000-0000-000000000000")`} {
		m := ast.MustParseModule(fmt.Sprintf("package zonekeeper.custom.x\np := %s\n", call))
		c := ast.NewCompiler().WithCapabilities(caps)
		if c.Compile(map[string]*ast.Module{"x.rego": m}); c.Failed() {
			t.Errorf("compiling %s: %v, want it allowed", call, c.Errors)
		}
	}
}

func TestSetCustomPolicies(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	warn := customPolicy("tags", tagPolicy)
	warn.EnforcementAction = ActionWarn
	if err := e.SetCustomPolicies(ctx, []CustomPolicy{warn}); err != nil {
		t.Fatalf("SetCustomPolicies: %v", err)
	}
	in := govZone(t)
	delete(in.Object["metadata"].(map[string]any), "labels")
	v, err := e.Evaluate(ctx, in, Options{Now: now})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if len(v.Violations) != 1 {
		t.Fatalf("violations = %+v, want the custom policy's one", v.Violations)
	}
	got := v.Violations[0]
	want := Violation{Control: "ZK-TAG-1", Baseline: "tags", Severity: "low", Message: "set metadata.labels.tier",
		Field: "metadata.labels", References: []string{}, EnforcementAction: ActionWarn}
	if got.Control != want.Control || got.Baseline != want.Baseline || got.EnforcementAction != want.EnforcementAction ||
		got.Field != want.Field || got.Message != want.Message || got.Severity != want.Severity {
		t.Errorf("violation = %+v, want %+v", got, want)
	}
	if v.Denied() {
		t.Error("Denied() = true for a warn-only verdict")
	}

	// custom policies apply even where no baseline does
	bare := Input{Object: map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "bare"}}}
	if v, err := e.Evaluate(ctx, bare, Options{Now: now}); err != nil || len(v.Violations) != 1 {
		t.Errorf("without baselines: Evaluate() = %+v, %v; want the custom violation", v, err)
	}

	// spec.baselines may name a custom policy: it is applied once, not refused
	named := Input{Object: map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "bare"},
		"spec": map[string]any{"baselines": []any{"tags"}}}}
	if v, err := e.Evaluate(ctx, named, Options{Now: now}); err != nil || len(v.Violations) != 1 {
		t.Errorf("custom policy named as a baseline: Evaluate() = %+v, %v; want its one violation", v, err)
	}

	// an exception may name a custom policy's control
	ex := Exception{Name: "x", Controls: []string{"ZK-TAG-1"}, Targets: []Target{{Kind: "LandingZone"}},
		ExpiresAt: now.Add(day), Justification: "j", ApprovedBy: "a"}
	if err := e.ValidateException(ex, now); err != nil {
		t.Errorf("ValidateException(custom control) = %v, want nil", err)
	}

	// an invalid set changes nothing
	bad := customPolicy("broken", "package zonekeeper.custom.broken\nviolation contains v if { v := data.zonekeeper.lib.core.nope(1) }\ncontrols := {\"X\"}\n")
	if err := e.SetCustomPolicies(ctx, []CustomPolicy{bad}); !errors.Is(err, ErrInvalidPolicy) || !strings.Contains(err.Error(), `policy "broken"`) {
		t.Errorf("SetCustomPolicies(broken) = %v, want ErrInvalidPolicy naming it", err)
	}
	if v, err := e.Evaluate(ctx, in, Options{Now: now}); err != nil || len(v.Violations) != 1 || v.Violations[0].Baseline != "tags" {
		t.Errorf("after a refused update: Evaluate() = %+v, %v; want the previous set still in force", v, err)
	}

	// and an empty set removes them
	if err := e.SetCustomPolicies(ctx, nil); err != nil {
		t.Fatalf("SetCustomPolicies(nil): %v", err)
	}
	if v, err := e.Evaluate(ctx, in, Options{Now: now}); err != nil || len(v.Violations) != 0 {
		t.Errorf("after removing custom policies: Evaluate() = %+v, %v; want no violations", v, err)
	}
}

// setPolicy returns a policy reporting control in package zonekeeper.custom.set
// as many times as given, so a verdict shows which set produced it.
func setPolicy(control string, times int) CustomPolicy {
	return customPolicy("set", fmt.Sprintf(`package zonekeeper.custom.set
controls := {%q}
violation contains {"control": %q, "severity": "low", "message": sprintf("violation %%d", [i])} if {
	some i in numbers.range(1, %d)
}
`, control, control, times))
}

func TestSetCustomPoliciesSwapsAtomically(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	if err := e.SetCustomPolicies(ctx, []CustomPolicy{setPolicy("OLD", 2)}); err != nil {
		t.Fatal(err)
	}
	in := Input{Object: map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "z"}}}

	// an evaluation that started before the swap finishes on the old set
	inFlight := e.current.Load()
	if err := e.SetCustomPolicies(ctx, []CustomPolicy{setPolicy("NEW", 3)}); err != nil {
		t.Fatal(err)
	}
	old, err := inFlight.evaluate(ctx, in, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := controlsOf(old.Violations); !slices.Equal(got, []string{"set/OLD", "set/OLD"}) {
		t.Errorf("in-flight evaluation saw %v, want the old set", got)
	}

	// concurrent evaluations see one set or the other, never a mix
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			p := setPolicy("OLD", 2)
			if i%2 == 0 {
				p = setPolicy("NEW", 3)
			}
			if err := e.SetCustomPolicies(ctx, []CustomPolicy{p}); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 200 {
		v, err := e.Evaluate(ctx, in, Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		got := controlsOf(v.Violations)
		if !slices.Equal(got, []string{"set/OLD", "set/OLD"}) && !slices.Equal(got, []string{"set/NEW", "set/NEW", "set/NEW"}) {
			t.Fatalf("evaluation saw a mixed set: %v", got)
		}
	}
	close(stop)
	wg.Wait()
}

func TestRunTestsRunsCustomPolicyTests(t *testing.T) {
	e := newEngine(t)
	p := CustomPolicy{Name: "tags", Modules: map[string]string{"tags.rego": tagPolicy}, Tests: map[string]string{"tags_test.rego": tagPolicyTest}}
	results, err := e.RunTests(context.Background(), p)
	if err != nil {
		t.Fatalf("RunTests: %v", err)
	}
	var custom []string
	for _, r := range results {
		if strings.HasPrefix(r.File, "custom/tags/") {
			custom = append(custom, r.Name)
			if !r.Pass {
				t.Errorf("%s failed: %s", r.Name, r.Message)
			}
		}
	}
	if want := []string{"test_unlabelled_zone_is_reported", "test_labelled_zone_passes"}; !slices.Equal(custom, want) {
		t.Errorf("custom tests run = %v, want %v", custom, want)
	}
	if len(results) <= len(custom) {
		t.Errorf("built-in tests did not run alongside: %d results", len(results))
	}
}

// TestDocumentedCustomPolicyIsValid keeps the example of docs/policies.md
// working: it is admitted, its tests pass, and it reports what it says.
func TestDocumentedCustomPolicyIsValid(t *testing.T) {
	p := CustomPolicy{
		Name:              "tagging",
		EnforcementAction: ActionWarn,
		Modules: map[string]string{"tagging.rego": `package zonekeeper.custom.tagging

import data.zonekeeper.lib.core

# every control this policy can report, so exceptions can name them
controls := {"ZK-TAG-1"}

violation contains core.violation(
	"ZK-TAG-1", "low",
	core.finding("metadata.labels", "set metadata.labels.cost-centre"),
	"finance charges zones back by cost centre", ["ACME-FIN-7"],
) if {
	core.is_zone
	not input.object.metadata.labels["cost-centre"]
}
`},
		Tests: map[string]string{"tagging_test.rego": `package zonekeeper.custom.tagging_test

import data.zonekeeper.custom.tagging

test_unlabelled_zone_is_reported if {
	count(tagging.violation) == 1 with input as {"object": {"kind": "LandingZone", "metadata": {"name": "z"}}}
}

test_labelled_zone_passes if {
	count(tagging.violation) == 0 with input as {"object": {"kind": "LandingZone", "metadata": {"name": "z", "labels": {"cost-centre": "42"}}}}
}
`},
	}
	ctx := context.Background()
	e := newEngine(t)
	if err := e.ValidatePolicy(ctx, p); err != nil {
		t.Fatalf("ValidatePolicy: %v", err)
	}
	if err := e.SetCustomPolicies(ctx, []CustomPolicy{p}); err != nil {
		t.Fatalf("SetCustomPolicies: %v", err)
	}
	v, err := e.Evaluate(ctx, govZone(t), Options{Now: now})
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want := Violation{Control: "ZK-TAG-1", Baseline: "tagging", Severity: "low", Field: "metadata.labels",
		Message:    "set metadata.labels.cost-centre (finance charges zones back by cost centre)",
		References: []string{"ACME-FIN-7"}, EnforcementAction: ActionWarn}
	if len(v.Violations) != 1 || !reflect.DeepEqual(v.Violations[0], want) {
		t.Errorf("violations = %+v, want [%+v]", v.Violations, want)
	}
}

func TestAFailingAdvisoryPolicyIsLeftOutOnlyWhenAsked(t *testing.T) {
	ctx := context.Background()
	zone := Input{Object: map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "bare"}}}
	cases := map[string]struct {
		action  string
		isolate bool
		// wantErr: the evaluation fails; else the verdict holds the tags violation and the
		// owner policy in Errors.
		wantErr bool
	}{
		"AnAuditPolicyIsLeftOutWhenAsked": {action: ActionAudit, isolate: true},
		"AWarnPolicyIsLeftOutWhenAsked":   {action: ActionWarn, isolate: true},
		"ADenyPolicyFailsTheEvaluation":   {action: ActionDeny, isolate: true, wantErr: true},
		"NotAskedAnyFailureFails":         {action: ActionAudit, isolate: false, wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEngine(t)
			owner := customPolicy("owner", fixtures.ConflictPolicy)
			owner.EnforcementAction = tc.action
			if err := e.SetCustomPolicies(ctx, []CustomPolicy{owner, customPolicy("tags", tagPolicy)}); err != nil {
				t.Fatalf("SetCustomPolicies: %v", err)
			}
			v, err := e.Evaluate(ctx, zone, Options{Now: now, IsolateAdvisoryErrors: tc.isolate})
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), `policy "owner"`) {
					t.Errorf("Evaluate() = %+v, %v; want an error naming policy owner", v, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Evaluate() error = %v; want the owner policy left out", err)
			}
			if len(v.Errors) != 1 || v.Errors[0].Policy != "owner" || v.Errors[0].EnforcementAction != tc.action || !strings.Contains(v.Errors[0].Message, "conflict") {
				t.Errorf("Errors = %+v, want owner (%s) with its conflict", v.Errors, tc.action)
			}
			if len(v.Violations) != 1 || v.Violations[0].Baseline != "tags" {
				t.Errorf("Violations = %+v, want the tags policy's, evaluated without owner", v.Violations)
			}
		})
	}
}

// replicasPolicy reads a number out of an annotation: to_number fails on one that is not a
// number, which OPA would make undefined, and the rule would silently not fire.
const replicasPolicy = `package zonekeeper.custom.replicas

controls := {"ZK-REP-1"}

violation contains {"control": "ZK-REP-1", "severity": "low", "field": "metadata.annotations.replicas", "message": "at most 5 replicas"} if {
	to_number(input.object.metadata.annotations.replicas) > 5
}
`

func TestABuiltinErrorInACustomPolicyIsNoSilentPass(t *testing.T) {
	ctx := context.Background()
	zone := func(replicas string) Input {
		return Input{Object: map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "z", "annotations": map[string]any{"replicas": replicas}}}}
	}
	for _, action := range []string{ActionDeny, ActionAudit} {
		t.Run(action, func(t *testing.T) {
			e := newEngine(t)
			p := customPolicy("replicas", replicasPolicy)
			p.EnforcementAction = action
			if err := e.SetCustomPolicies(ctx, []CustomPolicy{p}); err != nil {
				t.Fatalf("SetCustomPolicies: %v", err)
			}
			if v, err := e.Evaluate(ctx, zone("9"), Options{Now: now}); err != nil || len(v.Violations) != 1 {
				t.Fatalf("a well-formed value: Evaluate() = %+v, %v; want its violation", v, err)
			}
			v, err := e.Evaluate(ctx, zone("9 "), Options{Now: now})
			if err == nil || !strings.Contains(err.Error(), `policy "replicas"`) || !strings.Contains(err.Error(), "to_number") {
				t.Errorf("a value to_number refuses: Evaluate() = %+v, %v; want an error naming the policy and the built-in", v, err)
			}
			v, err = e.Evaluate(ctx, zone("9 "), Options{Now: now, IsolateAdvisoryErrors: true})
			switch {
			case action == ActionDeny && err == nil:
				t.Errorf("a deny policy's built-in error was isolated: %+v", v)
			case action == ActionAudit && (err != nil || len(v.Errors) != 1 || v.Errors[0].Policy != "replicas"):
				t.Errorf("an audit policy's built-in error: Evaluate() = %+v, %v; want it left out and named", v, err)
			}
		})
	}
}

// slowPolicy outlives a short deadline: nine million iterations.
const slowPolicy = `package zonekeeper.custom.slow

controls := {"ZK-SLOW-1"}

violation contains {"control": "ZK-SLOW-1", "severity": "low", "field": "spec", "message": "slow"} if {
	count([1 | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000)]) < 0
}
`

// TestAnAdvisoryPolicyThatOutlivesTheDeadlineIsLeftOut: a deadline names no policy, so every
// warn or audit policy is left out and the rest judged again; a deny policy's timeout still fails.
func TestAnAdvisoryPolicyThatOutlivesTheDeadlineIsLeftOut(t *testing.T) {
	ctx := context.Background()
	zone := Input{Object: map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "bare"}}}
	for _, action := range []string{ActionWarn, ActionDeny} {
		t.Run(action, func(t *testing.T) {
			e := newEngine(t, WithTimeout(200*time.Millisecond))
			slow := customPolicy("slow", slowPolicy)
			slow.EnforcementAction = action
			if err := e.SetCustomPolicies(ctx, []CustomPolicy{slow, customPolicy("tags", tagPolicy)}); err != nil {
				t.Fatalf("SetCustomPolicies: %v", err)
			}
			v, err := e.Evaluate(ctx, zone, Options{Now: now, IsolateAdvisoryErrors: true})
			if action == ActionDeny {
				if err == nil || !strings.Contains(err.Error(), "within 200ms") {
					t.Errorf("Evaluate() = %+v, %v; want the deadline's error", v, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Evaluate() error = %v; want the slow warn policy left out", err)
			}
			if len(v.Errors) != 1 || v.Errors[0].Policy != "slow" || !strings.Contains(v.Errors[0].Message, "within 200ms") {
				t.Errorf("Errors = %+v, want slow, left out for the deadline", v.Errors)
			}
			if len(v.Violations) != 1 || v.Violations[0].Baseline != "tags" {
				t.Errorf("Violations = %+v, want the tags policy's, judged without slow", v.Violations)
			}
		})
	}
}
