package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidateException(t *testing.T) {
	valid := Exception{
		Name:          "legacy-egress",
		Controls:      []string{"AU-11"},
		Targets:       []Target{{Kind: "LandingZone", Name: "mpd-evidence-prod"}},
		ExpiresAt:     now.Add(180 * day),
		Justification: "archive account migrates in Q3",
		ApprovedBy:    "ciso@mpd.example",
	}
	with := func(mutate func(*Exception)) Exception {
		ex := valid
		ex.Controls = append([]string(nil), valid.Controls...)
		ex.Targets = append([]Target(nil), valid.Targets...)
		mutate(&ex)
		return ex
	}
	cases := map[string]struct {
		reason string
		ex     Exception
		is     []error
		msg    string
	}{
		"Valid": {
			reason: "a complete exception for a known, uncapped control is admitted",
			ex:     valid,
		},
		"UnknownControl": {
			reason: "a control no loaded policy reports is refused",
			ex:     with(func(ex *Exception) { ex.Controls = []string{"SC-99"} }),
			is:     []error{ErrUnknownControl},
			msg:    `unknown control "SC-99"`,
		},
		"BoundaryControlWithinCap": {
			reason: "nist-800-53-r5-high allows boundary exceptions for 90 days",
			ex:     with(func(ex *Exception) { ex.Controls = []string{"SC-7(4)"}; ex.ExpiresAt = now.Add(90 * day) }),
		},
		"BoundaryControlPastCap": {
			reason: "a boundary exception longer than 90 days is refused, saying until when it may last",
			ex:     with(func(ex *Exception) { ex.Controls = []string{"SC-7(4)"}; ex.ExpiresAt = now.Add(91 * day) }),
			is:     []error{ErrExceptionTooLong},
			msg:    `baseline "dod-il5" allows exceptions for control "SC-7(4)" for at most 90 days; set expiresAt no later than 2026-05-30T12:00:00Z`,
		},
		"Expired": {
			reason: "an exception already expired is refused",
			ex:     with(func(ex *Exception) { ex.ExpiresAt = now.Add(-time.Minute) }),
			is:     []error{ErrInvalidException},
			msg:    "is not in the future",
		},
		"EverythingMissing": {
			reason: "every problem is reported at once",
			ex:     Exception{ExpiresAt: now.Add(day)},
			is:     []error{ErrInvalidException},
			msg:    "name is empty\ninvalid exception: no controls: name the controls it waives\ninvalid exception: no targets: name the objects it applies to\ninvalid exception: justification is empty\ninvalid exception: approvedBy is empty",
		},
		"TargetWithoutKind": {
			reason: "a target must name a kind",
			ex:     with(func(ex *Exception) { ex.Targets = []Target{{Name: "x"}} }),
			is:     []error{ErrInvalidException},
			msg:    "targets[0].kind is empty",
		},
		"InvalidSelector": {
			reason: "a selector that cannot be parsed is refused",
			ex: with(func(ex *Exception) {
				ex.Targets = []Target{{Kind: "Workload", Selector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: "Near"}}}}}
			}),
			is:  []error{ErrInvalidException},
			msg: "targets[0].selector",
		},
		"WorkloadTargetInItsNamespaces": {
			reason: "a Workload target that lists its namespaces is admitted",
			ex: with(func(ex *Exception) {
				ex.Targets = []Target{{Kind: "Workload", Name: "api", Namespaces: []string{"team-a"}}}
			}),
		},
		"WorkloadTargetWithoutNamespaces": {
			reason: "a Workload target must say whose Workloads it covers: their names and labels are chosen in each namespace",
			ex:     with(func(ex *Exception) { ex.Targets = []Target{{Kind: "Workload", Name: "api"}} }),
			is:     []error{ErrInvalidException},
			msg:    "targets[0].namespaces is empty: a Workload target must list its namespaces",
		},
		"ClusterScopedTargetWithNamespaces": {
			reason: "namespaces on a cluster-scoped kind would look like a restriction and be none",
			ex:     with(func(ex *Exception) { ex.Targets = []Target{{Kind: "LandingZone", Namespaces: []string{"team-a"}}} }),
			is:     []error{ErrInvalidException},
			msg:    "targets[0].namespaces is set: LandingZone is cluster-scoped",
		},
		"UnknownAndTooLong": {
			reason: "different problems are all reported and all recognisable",
			ex:     with(func(ex *Exception) { ex.Controls = []string{"SC-7", "XX-1"} }),
			is:     []error{ErrUnknownControl, ErrExceptionTooLong},
		},
	}
	e := newEngine(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := e.ValidateException(tc.ex, now)
			if len(tc.is) == 0 {
				if err != nil {
					t.Errorf("%s\nValidateException() = %v, want nil", tc.reason, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%s\nValidateException() = nil, want an error", tc.reason)
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("%s\nerror %v is not %v", tc.reason, err, target)
				}
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s\nerror %q does not contain %q", tc.reason, err, tc.msg)
			}
		})
	}
}

func TestExceptionTargetsReachWorkloadsOnlyInTheirNamespaces(t *testing.T) {
	workload := func(namespace, name string) map[string]any {
		return map[string]any{"kind": "Workload", "metadata": map[string]any{"namespace": namespace, "name": name, "labels": map[string]any{"tier": "prod"}}}
	}
	prod := &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "prod"}}
	cases := map[string]struct {
		target Target
		obj    map[string]any
		want   bool
	}{
		"TheNamedWorkloadInItsNamespace":  {Target{Kind: "Workload", Name: "api", Namespaces: []string{"team-a"}}, workload("team-a", "api"), true},
		"AWorkloadOfTheSameNameElsewhere": {Target{Kind: "Workload", Name: "api", Namespaces: []string{"team-a"}}, workload("team-b", "api"), false},
		"ASelectedWorkloadElsewhere":      {Target{Kind: "Workload", Namespaces: []string{"team-a"}, Selector: prod}, workload("team-b", "api"), false},
		"ASelectedWorkloadInANamespace":   {Target{Kind: "Workload", Namespaces: []string{"team-a", "team-c"}, Selector: prod}, workload("team-c", "db"), true},
		"NoNamespacesSelectNothing":       {Target{Kind: "Workload", Name: "api"}, workload("team-a", "api"), false},
		"AZoneHasNoNamespace":             {Target{Kind: "LandingZone", Name: "z"}, map[string]any{"kind": "LandingZone", "metadata": map[string]any{"name": "z"}}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := matchesObject([]Target{tc.target}, tc.obj); got != tc.want {
				t.Errorf("target %+v matches %v: %t, want %t", tc.target, tc.obj["metadata"], got, tc.want)
			}
		})
	}
}
