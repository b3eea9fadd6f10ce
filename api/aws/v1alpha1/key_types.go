package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KeyAliasPrefix is the prefix of every ZoneKeeper key alias: alias/zonekeeper/<zone>.
const KeyAliasPrefix = "alias/zonekeeper/"

// KeyDeletionWindowDays is the waiting period ZoneKeeper schedules key deletion with: the longest
// KMS allows, so a mistaken deletion can be cancelled for a month.
const KeyDeletionWindowDays = 30

// KeyParameters are the desired state of a KMS key.
//
// +kubebuilder:validation:XValidation:rule="self.region == oldSelf.region",message="is immutable: a KMS key lives in one region",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="self.zone == oldSelf.zone",message="is immutable: the zone names the key's alias",fieldPath=".zone"
type KeyParameters struct {
	// Region the key lives in.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +required
	Region string `json:"region"`

	// Zone is the landing zone the key belongs to. The key's alias is alias/zonekeeper/<zone>, and
	// that alias is how ZoneKeeper finds the key again if its ID was never recorded.
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=63
	// +required
	Zone string `json:"zone"`

	// Description of the key.
	// +kubebuilder:validation:MaxLength=8192
	// +optional
	Description string `json:"description,omitempty"`

	// RotationPeriodDays is how often KMS rotates the key material automatically: 90 to 2560.
	// +kubebuilder:validation:Minimum=90
	// +kubebuilder:validation:Maximum=2560
	// +kubebuilder:default=365
	// +optional
	RotationPeriodDays int32 `json:"rotationPeriodDays,omitempty"`

	// AdministratorARNs may manage the key (policy, rotation, tags, deletion) but not use it.
	// Unset: the account itself (arn:<partition>:iam::<account>:root), so IAM policies in the
	// account decide who administers it. When set, include the role ZoneKeeper runs as, or KMS
	// refuses the policy as one that would lock its caller out.
	// +kubebuilder:validation:MaxItems=20
	// +listType=set
	// +optional
	AdministratorARNs []string `json:"administratorARNs,omitempty"`

	// UserARNs may encrypt, decrypt and generate data keys with the key.
	// +kubebuilder:validation:MaxItems=50
	// +listType=set
	// +optional
	UserARNs []string `json:"userARNs,omitempty"`

	// Tags of the key. ZoneKeeper adds zonekeeper.dev/managed-by.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// KeyObservation is the observed state of a key.
type KeyObservation struct {
	// KeyID of the key.
	KeyID string `json:"keyID,omitempty"`
	// ARN of the key.
	ARN string `json:"arn,omitempty"`
	// Alias of the key.
	Alias string `json:"alias,omitempty"`
	// KeyState as KMS reports it: Enabled, Disabled, PendingDeletion, ...
	KeyState string `json:"keyState,omitempty"`
	// RotationEnabled says whether automatic rotation is on.
	RotationEnabled bool `json:"rotationEnabled,omitempty"`
	// RotationPeriodDays as KMS reports it (unset when the API does not report it).
	RotationPeriodDays int32 `json:"rotationPeriodDays,omitempty"`
}

// KeySpec is the desired state of a Key.
type KeySpec struct {
	ResourceSpec `json:",inline"`

	// ForProvider is the desired state of the key.
	// +required
	ForProvider KeyParameters `json:"forProvider"`
}

// KeyStatus is the observed state of a Key.
type KeyStatus struct {
	ResourceStatus `json:",inline"`

	// AtProvider is the key as AWS reports it.
	// +optional
	AtProvider KeyObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="External-Name",type=string,JSONPath=`.metadata.annotations.crossplane\.io/external-name`
// +kubebuilder:printcolumn:name="Alias",type=string,JSONPath=`.status.atProvider.alias`,priority=1
// +kubebuilder:printcolumn:name="Rotation",type=boolean,JSONPath=`.status.atProvider.rotationEnabled`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A Key is a symmetric customer-managed KMS key with automatic rotation, a least-privilege key
// policy and the alias alias/zonekeeper/<zone>.
type Key struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec KeySpec `json:"spec"`
	// +optional
	Status KeyStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// KeyList is a list of Keys.
type KeyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Key `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Key{}, &KeyList{})
}
