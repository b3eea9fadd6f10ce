package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DataClassificationSpec says what a kind of data demands wherever it is stored and which
// compliance baselines apply to it.
type DataClassificationSpec struct {
	// Level orders classifications: a zone whose maxClassification has level N may host data of
	// level N or below. 0 is public data; 10 the most sensitive.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=10
	// +required
	Level int32 `json:"level"`

	// Description says, for people, what data this is (for example "Criminal Justice Information").
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description string `json:"description,omitempty"`

	// Baselines are the compliance baselines every zone or workload holding this data must meet,
	// for example cjis-v6, nist-800-53-r5-high, dod-il5, uk-official-sensitive.
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:items:MaxLength=63
	// +optional
	Baselines []string `json:"baselines,omitempty"`

	// Encryption the data demands at rest and in transit.
	// +optional
	Encryption ClassificationEncryption `json:"encryption,omitempty"`

	// Residency limits where the data may be stored.
	// +optional
	Residency Residency `json:"residency,omitempty"`

	// Network limits how the data may be reached.
	// +optional
	Network ClassificationNetwork `json:"network,omitempty"`

	// Audit says how access to the data must be logged.
	// +optional
	Audit ClassificationAudit `json:"audit,omitempty"`

	// Retention says how long the data itself must be kept.
	// +optional
	Retention ClassificationRetention `json:"retention,omitempty"`
}

// ClassificationEncryption is what the data demands of encryption.
type ClassificationEncryption struct {
	// CustomerManagedKey demands keys the customer controls (AWS KMS CMK, Azure Key Vault key)
	// rather than provider-managed ones.
	// +optional
	CustomerManagedKey bool `json:"customerManagedKey,omitempty"`

	// RotationDays is the longest a key may go without rotation. AWS KMS accepts 90 to 2560.
	// +kubebuilder:validation:Minimum=90
	// +kubebuilder:validation:Maximum=2560
	// +optional
	RotationDays int32 `json:"rotationDays,omitempty"`

	// HSMBacked demands keys held in a hardware security module (Key Vault Premium or Managed HSM,
	// KMS custom key store).
	// +optional
	HSMBacked bool `json:"hsmBacked,omitempty"`

	// FIPSEndpoints demands FIPS 140 validated endpoints for every cloud call.
	// +optional
	FIPSEndpoints bool `json:"fipsEndpoints,omitempty"`
}

// Residency limits where data may be stored.
type Residency struct {
	// Jurisdictions the data must stay within, as lower-case ISO 3166 alpha-2 codes ("us", "gb"
	// is written "uk" by convention here).
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:Pattern=`^[a-z]{2}$`
	// +optional
	Jurisdictions []string `json:"jurisdictions,omitempty"`

	// AllowedRegions, when set, is the exhaustive list of cloud regions the data may be stored in.
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=32
	// +optional
	AllowedRegions []string `json:"allowedRegions,omitempty"`
}

// PublicExposure says whether data may be reachable from the internet.
// +kubebuilder:validation:Enum=Allowed;Forbidden
type PublicExposure string

// PublicExposure values.
const (
	PublicExposureAllowed   PublicExposure = "Allowed"
	PublicExposureForbidden PublicExposure = "Forbidden"
)

// ClassificationNetwork is what the data demands of network exposure.
type ClassificationNetwork struct {
	// PublicExposure Forbidden means no internet path may reach the data: no internet gateway,
	// no public IP, no public endpoint.
	// +kubebuilder:default=Forbidden
	// +optional
	PublicExposure PublicExposure `json:"publicExposure,omitempty"`

	// PrivateEndpointsOnly demands cloud services be reached through private endpoints.
	// +optional
	PrivateEndpointsOnly bool `json:"privateEndpointsOnly,omitempty"`
}

// ClassificationAudit is what the data demands of audit logging.
type ClassificationAudit struct {
	// RetentionDays is the least number of days audit logs must be kept.
	// +kubebuilder:validation:Minimum=1
	// +optional
	RetentionDays int32 `json:"retentionDays,omitempty"`

	// Immutable demands write-once audit logs (S3 Object Lock, immutable blob storage).
	// +optional
	Immutable bool `json:"immutable,omitempty"`

	// DataEvents demands data-plane access logging (object reads and writes), not only
	// management events.
	// +optional
	DataEvents bool `json:"dataEvents,omitempty"`
}

// ClassificationRetention is what the data demands of its own retention.
type ClassificationRetention struct {
	// MinDays is the least number of days the data must be kept.
	// +kubebuilder:validation:Minimum=1
	// +optional
	MinDays int32 `json:"minDays,omitempty"`

	// LegalHold demands that storage for this data supports legal holds (for example evidence).
	// +optional
	LegalHold bool `json:"legalHold,omitempty"`
}

// DataClassificationStatus reports who uses a classification.
type DataClassificationStatus struct {
	// ObservedGeneration is the generation the status was last computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready and Synced.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// LandingZones whose maxClassification is this classification, sorted.
	// +listType=set
	// +optional
	LandingZones []string `json:"landingZones,omitempty"`

	// Workloads (namespace/name) that hold data of this classification, sorted.
	// +listType=set
	// +optional
	Workloads []string `json:"workloads,omitempty"`

	// LandingZoneCount is len(LandingZones), for printer columns.
	// +optional
	LandingZoneCount int32 `json:"landingZoneCount"`

	// WorkloadCount is len(Workloads), for printer columns.
	// +optional
	WorkloadCount int32 `json:"workloadCount"`
}

// DataClassification says what a kind of data demands (encryption, residency, retention, network
// exposure, audit) and which compliance baselines apply wherever it is held.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=dc,categories=zonekeeper
// +kubebuilder:printcolumn:name="Level",type=integer,JSONPath=`.spec.level`
// +kubebuilder:printcolumn:name="Baselines",type=string,JSONPath=`.spec.baselines`
// +kubebuilder:printcolumn:name="Zones",type=integer,JSONPath=`.status.landingZoneCount`
// +kubebuilder:printcolumn:name="Workloads",type=integer,JSONPath=`.status.workloadCount`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type DataClassification struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec DataClassificationSpec `json:"spec"`
	// +optional
	Status DataClassificationStatus `json:"status,omitempty"`
}

// DataClassificationList is a list of DataClassifications.
//
// +kubebuilder:object:root=true
type DataClassificationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DataClassification `json:"items"`
}

func init() {
	SchemeBuilder.Register(&DataClassification{}, &DataClassificationList{})
}
