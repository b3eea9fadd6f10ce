package v1alpha1

// ComplianceStatus is the outcome of the last policy evaluation of a zone or workload: the same
// verdict the admission webhook and `zonekeeper check` give for the same input.
type ComplianceStatus struct {
	// Baselines evaluated: the zone's and those of the classifications in force.
	// +listType=set
	// +optional
	Baselines []string `json:"baselines,omitempty"`

	// Violations found: deny ones first, then warn, then audit, each sorted by baseline, control
	// and field. At most 100 are listed (violationCount says how many there are), so that a
	// policy reporting thousands cannot push the object past what the API server stores.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Violations []Violation `json:"violations,omitempty"`

	// ViolationCount is how many violations were found, listed or not.
	// +optional
	ViolationCount int32 `json:"violationCount,omitempty"`

	// Waived violations, with the PolicyException that waives each; at most 100 are listed.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=100
	// +optional
	Waived []WaivedViolation `json:"waived,omitempty"`

	// WaivedCount is how many violations were waived, listed or not.
	// +optional
	WaivedCount int32 `json:"waivedCount,omitempty"`
}

// Violation is one failed control. Its shape is stable: dashboards and exceptions key on control.
type Violation struct {
	// Control is the NIST SP 800-53 rev5 ID where the framework maps onto one (AU-11, SC-7(4)).
	Control string `json:"control"`
	// Baseline is the built-in baseline or CompliancePolicy that reported it.
	Baseline string `json:"baseline"`
	// Severity is high, medium or low.
	// +optional
	Severity string `json:"severity,omitempty"`
	// Message says what is wrong and what to set to what (at most 1024 characters are kept).
	// +kubebuilder:validation:MaxLength=1024
	Message string `json:"message"`
	// Field is the path of the offending field (spec.audit.retentionDays).
	// +optional
	Field string `json:"field,omitempty"`
	// References are framework citations (CJIS 5.4.7, NCSC-P2).
	// +listType=atomic
	// +optional
	References []string `json:"references,omitempty"`
	// EnforcementAction is deny, warn or audit.
	// +optional
	EnforcementAction string `json:"enforcementAction,omitempty"`
}

// WaivedViolation is a violation an unexpired PolicyException waives.
type WaivedViolation struct {
	Violation `json:",inline"`
	// Exception is the name of the PolicyException.
	Exception string `json:"exception"`
}

// Compliance condition reasons.
const (
	// ReasonCompliant: every applicable baseline passes (waived violations aside).
	ReasonCompliant = "Compliant"
	// ReasonViolations: at least one control fails; status.compliance lists them.
	ReasonViolations = "ViolationsFound"
	// ReasonEvaluationError: the policies could not be evaluated (an unknown baseline, a Rego
	// runtime error, a deadline); the message says which. Never a silent pass.
	ReasonEvaluationError = "EvaluationError"
)
