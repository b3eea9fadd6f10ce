package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestRunTestsRefusesPoliciesThatDoNotLoad: a policy that admission and SetCustomPolicies refuse
// must not have its tests reported as passing: each one's tests pass, and RunTests refuses it.
func TestRunTestsRefusesPoliciesThatDoNotLoad(t *testing.T) {
	passing := "package zonekeeper.custom.bad_test\n\ntest_passes if {\n\ttrue\n}\n"
	cases := map[string]struct {
		policies []CustomPolicy
		want     string
	}{
		"an undefined reference": {
			policies: []CustomPolicy{{Name: "bad", Modules: map[string]string{"bad.rego": `package zonekeeper.custom.bad

import data.zonekeeper.lib.core

controls := {"ZK-1"}

violation contains v if {
	not core.is_zon
	v := core.violation("ZK-1", "low", core.finding("spec", "m"), "why", [])
}
`}, Tests: map[string]string{"bad_test.rego": passing}}},
			want: "undefined reference data.zonekeeper.lib.core.is_zon",
		},
		"a violation set without controls": {
			policies: []CustomPolicy{{Name: "bad", Modules: map[string]string{"bad.rego": `package zonekeeper.custom.bad

violation contains v if {
	v := {"control": "ZK-1", "severity": "low", "message": "m"}
}
`}, Tests: map[string]string{"bad_test.rego": passing}}},
			want: "defines violation but no controls set",
		},
		"two policies in one package": {
			policies: []CustomPolicy{
				{Name: "tags", Modules: map[string]string{"tags.rego": tagPolicy}},
				{Name: "copy", Modules: map[string]string{"tags.rego": tagPolicy}},
			},
			want: "is already used by policy",
		},
		"a policy given twice": {
			policies: []CustomPolicy{
				{Name: "tags", Modules: map[string]string{"tags.rego": tagPolicy}},
				{Name: "tags", Modules: map[string]string{"tags.rego": tagPolicy}},
			},
			want: `policy "tags" is given twice`,
		},
	}
	e := newEngine(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			results, err := e.RunTests(context.Background(), tc.policies...)
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("err = %v (%d results), want ErrInvalidPolicy", err, len(results))
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q should contain %q", err, tc.want)
			}
		})
	}
}

// TestCompilePolicyRefusesWhatValidatePolicyRefusesButRunsNoTest: CompilePolicy is ValidatePolicy
// without the tests.
func TestCompilePolicyRefusesWhatValidatePolicyRefusesButRunsNoTest(t *testing.T) {
	e := newEngine(t)
	failing := CustomPolicy{Name: "tags", Modules: map[string]string{"tags.rego": tagPolicy}, Tests: map[string]string{
		"tags_test.rego": "package zonekeeper.custom.tags_test\n\ntest_fails if {\n\tfalse\n}\n",
	}}
	if err := e.CompilePolicy(context.Background(), failing); err != nil {
		t.Errorf("CompilePolicy of a policy whose tests fail: %v, want nil", err)
	}
	if err := e.ValidatePolicy(context.Background(), failing); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("ValidatePolicy of a policy whose tests fail: %v, want ErrInvalidPolicy", err)
	}
	noControls := CustomPolicy{Name: "bad", Modules: map[string]string{"bad.rego": "package zonekeeper.custom.bad\n\nviolation contains v if {\n\tv := {}\n}\n"}}
	if err := e.CompilePolicy(context.Background(), noControls); !errors.Is(err, ErrInvalidPolicy) {
		t.Errorf("CompilePolicy of a policy without controls: %v, want ErrInvalidPolicy", err)
	}
}
