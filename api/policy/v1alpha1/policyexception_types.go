package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ExceptionTarget selects the objects an exception applies to: every object of the kind, narrowed
// by name, namespaces and a label selector when they are set.
//
// +kubebuilder:validation:XValidation:rule="self.kind != 'Workload' || (has(self.namespaces) && size(self.namespaces) > 0)",message="a Workload target must list its namespaces: Workload names and labels are chosen in each namespace, so without them the waiver would reach every namespace's Workloads"
// +kubebuilder:validation:XValidation:rule="self.kind == 'Workload' || !has(self.namespaces)",message="namespaces apply to Workload targets only: LandingZones and DataClassifications are cluster-scoped"
type ExceptionTarget struct {
	// Kind of the objects: LandingZone, Workload or DataClassification.
	// +kubebuilder:validation:Enum=LandingZone;Workload;DataClassification
	// +required
	Kind string `json:"kind"`

	// Name of the object; unset means every object of the kind the selector admits.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Name string `json:"name,omitempty"`

	// Namespaces the objects are in: required for Workload targets, and only allowed there. A
	// Workload's name and labels are chosen by whoever may write in its namespace; an approved
	// waiver must say whose Workloads it covers.
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=63
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`

	// Selector on the objects' labels; unset means every object of the kind (with that name).
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// PolicyExceptionSpec waives named controls for selected objects until it expires.
type PolicyExceptionSpec struct {
	// Controls waived, as they appear in violations (for example SC-7(4), AU-11).
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	// +required
	Controls []string `json:"controls"`

	// Targets the exception applies to.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +required
	Targets []ExceptionTarget `json:"targets"`

	// Justification for the waiver, for auditors.
	// +kubebuilder:validation:MinLength=10
	// +kubebuilder:validation:MaxLength=4096
	// +required
	Justification string `json:"justification"`

	// ApprovedBy names who approved the waiver.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	ApprovedBy string `json:"approvedBy"`

	// ExpiresAt (RFC 3339) is when the exception stops applying, everywhere at once. Baselines may
	// cap how far ahead it may be (NIST SC-7(4): boundary exceptions at most 90 days).
	// +required
	ExpiresAt metav1.Time `json:"expiresAt"`
}

// PolicyExceptionStatus reports whether the exception is in force.
type PolicyExceptionStatus struct {
	// ObservedGeneration is the generation the status was last computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Active.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// PolicyException is a time-boxed, approved waiver of named controls for selected objects. An
// expired exception waives nothing, at admission, in the reconcilers and in the CLI alike.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=pex,categories=zonekeeper-policy
// +kubebuilder:printcolumn:name="Controls",type=string,JSONPath=`.spec.controls`
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.spec.expiresAt`
// +kubebuilder:printcolumn:name="Active",type=string,JSONPath=`.status.conditions[?(@.type=="Active")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type PolicyException struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec PolicyExceptionSpec `json:"spec"`
	// +optional
	Status PolicyExceptionStatus `json:"status,omitempty"`
}

// PolicyExceptionList is a list of PolicyExceptions.
//
// +kubebuilder:object:root=true
type PolicyExceptionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PolicyException `json:"items"`
}

func init() {
	SchemeBuilder.Register(&PolicyException{}, &PolicyExceptionList{})
}
