package engine

import (
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Enforcement actions stamped on violations. What a caller does with each is
// its business: the webhook denies on ActionDeny and returns ActionWarn as
// warnings; reconcilers report all three in status.
const (
	ActionDeny  = "deny"
	ActionWarn  = "warn"
	ActionAudit = "audit"
)

var (
	// ErrUnknownBaseline is returned when a baseline name matches no built-in
	// baseline. A misspelt baseline must fail loudly, never pass silently.
	ErrUnknownBaseline = errors.New("unknown baseline")
	// ErrInvalidPolicy is returned when a custom policy cannot be admitted: it
	// does not parse or compile, uses a forbidden builtin, shadows a built-in
	// package, or its own tests fail.
	ErrInvalidPolicy = errors.New("invalid policy")
	// ErrUnknownControl is returned when an exception names a control that no
	// loaded baseline or custom policy can report.
	ErrUnknownControl = errors.New("unknown control")
	// ErrExceptionTooLong is returned when an exception lasts longer than a
	// baseline allows for one of its controls.
	ErrExceptionTooLong = errors.New("exception lasts too long")
	// ErrInvalidException is returned for every other reason an exception is
	// refused (no name, no target, already expired, ...).
	ErrInvalidException = errors.New("invalid exception")
)

// Input is what policies see as `input`: the object under evaluation and what
// it is evaluated with. Objects are JSON-shaped Kubernetes objects, as
// runtime.DefaultUnstructuredConverter produces them.
type Input struct {
	// Object is the LandingZone, Workload or DataClassification evaluated.
	Object map[string]any
	// Classifications are the resolved DataClassifications: for a
	// LandingZone its maxClassification and those of the workloads it hosts;
	// for a Workload those it names (spec.classifications and
	// spec.storage[].classification) plus its zone's maxClassification, which
	// is used only for the level comparison. Names are unique; a repeated
	// name keeps its first entry.
	Classifications []map[string]any
	// Plan are the managed resources to be composed (may be empty).
	Plan []map[string]any
	// Observed are the managed resources' observed states
	// ({kind, name, atProvider}).
	Observed []map[string]any
	// Zone is the LandingZone a Workload lands in; nil otherwise.
	Zone map[string]any
}

// Options select what an evaluation applies.
type Options struct {
	// Baselines to apply; nil means ApplicableBaselines(input). Custom
	// policies are always applied in addition.
	Baselines []string
	// Exceptions that may waive violations.
	Exceptions []Exception
	// Now is the evaluation time: exceptions expire against it and policies
	// read it through time.now_ns. Zero means time.Now().
	Now time.Time
	// IsolateAdvisoryErrors, when set, leaves out of the verdict a custom
	// policy whose enforcement action is warn or audit and that fails to
	// evaluate (a conflict, a type error at run time), reporting it in
	// Verdict.Errors, instead of failing the whole evaluation. Admission sets
	// it: a policy being tried out in warn or audit mode must never refuse a
	// request, nor take the other policies' verdict with it. A deny policy or
	// a built-in baseline that fails still fails the evaluation.
	IsolateAdvisoryErrors bool
	// Unchanging, when set, converts the input's classifications and zone
	// that carry no UID and resourceVersion once for as long as it is used
	// (see Unchanging for what the caller promises).
	Unchanging *Unchanging
}

// Verdict is the result of an evaluation. Both lists are sorted by baseline,
// control, field and message, and are empty rather than nil.
type Verdict struct {
	Violations []Violation       `json:"violations"`
	Waived     []WaivedViolation `json:"waived"`
	// Errors are the warn or audit policies left out because they failed to
	// evaluate (only with Options.IsolateAdvisoryErrors), by policy name.
	Errors []PolicyError `json:"errors,omitempty"`
}

// PolicyError is a custom policy that could not be evaluated.
type PolicyError struct {
	// Policy is the custom policy's name.
	Policy string `json:"policy"`
	// EnforcementAction is the policy's: warn or audit.
	EnforcementAction string `json:"enforcementAction"`
	// Message is OPA's error, with the module and line where it happened.
	Message string `json:"message"`
}

// String tells a person what happened: the one sentence the webhook's warning and the
// reconcilers' Compliant message both give.
func (e PolicyError) String() string {
	return fmt.Sprintf("CompliancePolicy %q (%s) could not be evaluated, so it was left out: %s", e.Policy, e.EnforcementAction, e.Message)
}

// Violation is one failed control. The JSON shape is part of ZoneKeeper's
// public contract (status, webhook messages, `zonekeeper check -o json`).
type Violation struct {
	// Control is the NIST SP 800-53 rev5 ID where the framework maps onto
	// one ("AU-11", "SC-7(4)"), else the framework's own ID.
	Control string `json:"control"`
	// Baseline is the built-in baseline, or the custom policy's name.
	Baseline string `json:"baseline"`
	// Severity is high, medium or low for built-in baselines.
	Severity string `json:"severity"`
	// Message says what is wrong and what to set to what.
	Message string `json:"message"`
	// Field is a JSON path into the object ("spec.audit.retentionDays").
	Field string `json:"field"`
	// References are the framework citations ("CJIS 5.4.7", "NCSC-P2").
	References []string `json:"references"`
	// EnforcementAction is deny, warn or audit.
	EnforcementAction string `json:"enforcementAction"`
}

// WaivedViolation is a violation an unexpired exception waives.
type WaivedViolation struct {
	Violation
	// Exception is the name of the exception that waives it.
	Exception string `json:"exception"`
}

// Denied reports whether any violation's enforcement action is deny.
func (v Verdict) Denied() bool {
	for _, x := range v.Violations {
		if x.EnforcementAction == ActionDeny {
			return true
		}
	}
	return false
}

// Exception waives controls for matching objects until it expires.
type Exception struct {
	Name          string
	Controls      []string
	Targets       []Target
	ExpiresAt     time.Time
	Justification string
	ApprovedBy    string
}

// Target selects the objects an exception applies to: every object of Kind,
// narrowed by Name, Namespaces and Selector (on the object's labels) when they
// are set. A Workload target must list Namespaces (see ValidateException);
// one that does not selects nothing.
type Target struct {
	Kind       string
	Name       string
	Namespaces []string
	Selector   *metav1.LabelSelector
}

// CustomPolicy is a security team's Rego, as a CompliancePolicy carries it.
// Its modules live in packages under zonekeeper.custom; each package with a
// `violation` set must also declare a `controls` set.
type CustomPolicy struct {
	Name string
	// Modules maps a file name to Rego source.
	Modules map[string]string
	// Tests maps a file name to Rego test source; they run at admission.
	Tests map[string]string
	// EnforcementAction is deny (the default when empty), warn or audit.
	EnforcementAction string
}

// TestResult is the outcome of one Rego test.
type TestResult struct {
	Package  string
	Name     string
	File     string
	Row      int
	Pass     bool
	Skip     bool
	Message  string
	Duration time.Duration
}

// PolicyInfo describes a loaded baseline or custom policy.
type PolicyInfo struct {
	Name              string
	Builtin           bool
	Controls          []string
	ExceptionMaxDays  map[string]int
	EnforcementAction string
}
