package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RegoFile is one Rego source file.
type RegoFile struct {
	// Name of the file, used in compiler and test messages (for example encryption.rego).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_.-]+\.rego$`
	// +required
	Name string `json:"name"`

	// Rego source. Policy modules live in packages under zonekeeper.custom and define a
	// `violation` set and a `controls` set.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=262144
	// +required
	Rego string `json:"rego"`
}

// EnforcementAction says what a violation does at admission.
// +kubebuilder:validation:Enum=deny;warn;audit
type EnforcementAction string

// Enforcement actions.
const (
	// EnforcementDeny refuses the request at admission.
	EnforcementDeny EnforcementAction = "deny"
	// EnforcementWarn admits the request and returns the violations as admission warnings.
	EnforcementWarn EnforcementAction = "warn"
	// EnforcementAudit admits the request and only records the violations (status, metrics).
	EnforcementAudit EnforcementAction = "audit"
)

// CompliancePolicySpec is a security team's Rego, evaluated beside the built-in baselines.
type CompliancePolicySpec struct {
	// Description says, for people, what the policy enforces.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`

	// Modules are the policy's Rego modules.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +required
	Modules []RegoFile `json:"modules"`

	// Tests are Rego tests (rules named test_*) run against the modules at admission; a policy
	// whose own tests fail is refused.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=32
	// +optional
	Tests []RegoFile `json:"tests,omitempty"`

	// EnforcementAction for this policy's violations: deny (default), warn or audit.
	// +kubebuilder:default=deny
	// +optional
	EnforcementAction EnforcementAction `json:"enforcementAction,omitempty"`
}

// CompliancePolicyStatus reports whether the policy is in force.
type CompliancePolicyStatus struct {
	// ObservedGeneration is the generation the status was last computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Active.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Controls the policy can report, as declared by its `controls` sets.
	// +listType=set
	// +optional
	Controls []string `json:"controls,omitempty"`
}

// CompliancePolicy adds Rego to the running policy engine without a rebuild or restart. A module
// that does not compile, uses a forbidden built-in (http.send, net.lookup_ip_addr, opa.runtime,
// rand.intn, uuid.rfc4122), shadows a built-in package, or whose own tests fail is refused at
// admission.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=cpol,categories=zonekeeper-policy
// +kubebuilder:printcolumn:name="Action",type=string,JSONPath=`.spec.enforcementAction`
// +kubebuilder:printcolumn:name="Active",type=string,JSONPath=`.status.conditions[?(@.type=="Active")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Active")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type CompliancePolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec CompliancePolicySpec `json:"spec"`
	// +optional
	Status CompliancePolicyStatus `json:"status,omitempty"`
}

// CompliancePolicyList is a list of CompliancePolicies.
//
// +kubebuilder:object:root=true
type CompliancePolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CompliancePolicy `json:"items"`
}

func init() {
	SchemeBuilder.Register(&CompliancePolicy{}, &CompliancePolicyList{})
}
