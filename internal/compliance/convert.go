package compliance

import (
	"fmt"
	"sort"
	"strings"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// CustomPolicy turns a CompliancePolicy into the engine's form.
func CustomPolicy(cp *policyv1.CompliancePolicy) engine.CustomPolicy {
	out := engine.CustomPolicy{
		Name:              cp.Name,
		Modules:           map[string]string{},
		Tests:             map[string]string{},
		EnforcementAction: string(cp.Spec.EnforcementAction),
	}
	for _, m := range cp.Spec.Modules {
		out.Modules[m.Name] = m.Rego
	}
	for _, t := range cp.Spec.Tests {
		out.Tests[t.Name] = t.Rego
	}
	return out
}

// Exception turns a PolicyException into the engine's form.
func Exception(pe *policyv1.PolicyException) engine.Exception {
	ex := engine.Exception{
		Name:          pe.Name,
		Controls:      pe.Spec.Controls,
		ExpiresAt:     pe.Spec.ExpiresAt.Time,
		Justification: pe.Spec.Justification,
		ApprovedBy:    pe.Spec.ApprovedBy,
	}
	for _, t := range pe.Spec.Targets {
		ex.Targets = append(ex.Targets, engine.Target{Kind: t.Kind, Name: t.Name, Namespaces: t.Namespaces, Selector: t.Selector})
	}
	return ex
}

// Exceptions turns a list of PolicyExceptions into the engine's form. Expired ones are passed on
// too: the engine ignores them against its own clock, so expiry has one definition.
func Exceptions(items []policyv1.PolicyException) []engine.Exception {
	out := make([]engine.Exception, 0, len(items))
	for i := range items {
		out = append(out, Exception(&items[i]))
	}
	return out
}

// Status renders a verdict for status.compliance.
func Status(baselines []string, v engine.Verdict) *lzv1.ComplianceStatus {
	s := &lzv1.ComplianceStatus{Baselines: baselines}
	for _, x := range v.Violations {
		s.Violations = append(s.Violations, violation(x))
	}
	for _, w := range v.Waived {
		s.Waived = append(s.Waived, lzv1.WaivedViolation{Violation: violation(w.Violation), Exception: w.Exception})
	}
	return s
}

func violation(v engine.Violation) lzv1.Violation {
	return lzv1.Violation{
		Control: v.Control, Baseline: v.Baseline, Severity: v.Severity, Message: v.Message,
		Field: v.Field, References: v.References, EnforcementAction: v.EnforcementAction,
	}
}

// Summary is a one-line account of violations for condition messages and admission responses:
// every control ID with its field, in the verdict's order, so the message is stable across passes.
func Summary(vs []engine.Violation) string {
	parts := make([]string, 0, len(vs))
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("[%s %s] %s: %s", v.Baseline, v.Control, v.Field, v.Message))
	}
	return strings.Join(parts, "; ")
}

// Controls lists the distinct control IDs of violations, sorted.
func Controls(vs []engine.Violation) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if !seen[v.Control] {
			seen[v.Control] = true
			out = append(out, v.Control)
		}
	}
	sort.Strings(out)
	return out
}
