package compliance

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

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

// maxListed bounds each list of status.compliance, and maxMessage each message: a policy that
// reports thousands of violations must not push the object past what the API server stores (it
// refuses the status patch, pass after pass, and the last verdict would stand for good).
const (
	maxListed  = 100
	maxMessage = 1024
)

// Status renders a verdict for status.compliance: every violation counted, at most maxListed of
// each kind listed, deny ones first so that what is listed always shows whether anything denies.
func Status(baselines []string, v engine.Verdict) *lzv1.ComplianceStatus {
	s := &lzv1.ComplianceStatus{Baselines: baselines, ViolationCount: int32(len(v.Violations)), WaivedCount: int32(len(v.Waived))}
	ordered := make([]engine.Violation, len(v.Violations))
	copy(ordered, v.Violations)
	sort.SliceStable(ordered, func(i, j int) bool { return actionRank(ordered[i]) < actionRank(ordered[j]) })
	for _, x := range ordered[:min(len(ordered), maxListed)] {
		s.Violations = append(s.Violations, violation(x))
	}
	for _, w := range v.Waived[:min(len(v.Waived), maxListed)] {
		s.Waived = append(s.Waived, lzv1.WaivedViolation{Violation: violation(w.Violation), Exception: w.Exception})
	}
	return s
}

func actionRank(v engine.Violation) int {
	switch v.EnforcementAction {
	case engine.ActionDeny:
		return 0
	case engine.ActionWarn:
		return 1
	}
	return 2
}

func violation(v engine.Violation) lzv1.Violation {
	msg := v.Message
	if len(msg) > maxMessage {
		cut := maxMessage - len(" ...")
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + " ..."
	}
	return lzv1.Violation{
		Control: v.Control, Baseline: v.Baseline, Severity: v.Severity, Message: msg,
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
