package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// LandingZoneReference names a LandingZone.
type LandingZoneReference struct {
	// Name of the LandingZone.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// StorageSpec declares one store of data a workload keeps in its zone (an S3 bucket, a storage
// account container).
type StorageSpec struct {
	// Name of the store, unique within the workload.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +required
	Name string `json:"name"`

	// Classification of the data in this store; one of the workload's spec.classifications.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Classification string `json:"classification"`

	// RetentionDays the data is kept for (object lock / immutability period). Defaults to the
	// classification's retention.minDays.
	// +kubebuilder:validation:Minimum=1
	// +optional
	RetentionDays int32 `json:"retentionDays,omitempty"`
}

// WorkloadSpec places a team's namespace and data into a landing zone.
//
// +kubebuilder:validation:XValidation:rule="!has(self.storage) || self.storage.all(s, s.classification in self.classifications)",message="every spec.storage[].classification must also be listed in spec.classifications",fieldPath=".storage"
type WorkloadSpec struct {
	// LandingZoneRef names the zone the workload runs in. Immutable: moving data to another zone
	// is a new Workload.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: create a new Workload to move data to another zone"
	// +required
	LandingZoneRef LandingZoneReference `json:"landingZoneRef"`

	// Classifications of the data the workload holds: DataClassification names.
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=253
	// +required
	Classifications []string `json:"classifications"`

	// ServiceAccountName is the Kubernetes ServiceAccount in the workload's namespace that is given
	// the workload's cloud identity.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:default=default
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// Storage the workload keeps in its zone.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=32
	// +optional
	Storage []StorageSpec `json:"storage,omitempty"`
}

// WorkloadStatus reports the workload as observed.
type WorkloadStatus struct {
	// ObservedGeneration is the generation the status was last computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, Synced and Compliant.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ClassificationLevel is the highest level among the workload's classifications, as last
	// resolved.
	// +optional
	ClassificationLevel *int32 `json:"classificationLevel,omitempty"`

	// Compliance is the outcome of the last policy evaluation.
	// +optional
	Compliance *ComplianceStatus `json:"compliance,omitempty"`

	// KeyID is the ARN or ID of the workload's own key, once known.
	// +optional
	KeyID string `json:"keyID,omitempty"`

	// RoleID is the ARN of the workload's cloud identity, once known.
	// +optional
	RoleID string `json:"roleID,omitempty"`

	// Storage IDs (bucket ARNs, container IDs) by storage name, once known.
	// +optional
	Storage map[string]string `json:"storage,omitempty"`
}

// Workload places a team's namespace and data into a landing zone, with the controls its data
// needs.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,shortName=wl,categories=zonekeeper
// +kubebuilder:printcolumn:name="Zone",type=string,JSONPath=`.spec.landingZoneRef.name`
// +kubebuilder:printcolumn:name="Classifications",type=string,JSONPath=`.spec.classifications`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Compliant",type=string,JSONPath=`.status.conditions[?(@.type=="Compliant")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Workload struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec WorkloadSpec `json:"spec"`
	// +optional
	Status WorkloadStatus `json:"status,omitempty"`
}

// WorkloadList is a list of Workloads.
//
// +kubebuilder:object:root=true
type WorkloadList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Workload `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Workload{}, &WorkloadList{})
}
