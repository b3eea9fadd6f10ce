package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RoleInlinePolicyName is the name of the one inline policy ZoneKeeper gives a Role.
const RoleInlinePolicyName = "zonekeeper-least-privilege"

// ServiceAccountReference names the Kubernetes ServiceAccount that assumes a Role.
type ServiceAccountReference struct {
	// Namespace of the ServiceAccount.
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=63
	// +required
	Namespace string `json:"namespace"`

	// Name of the ServiceAccount.
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// RoleParameters are the desired state of an IAM role assumed through IRSA.
//
// +kubebuilder:validation:XValidation:rule="self.roleName == oldSelf.roleName",message="is immutable: the name is the role",fieldPath=".roleName"
// +kubebuilder:validation:XValidation:rule="self.region == oldSelf.region",message="is immutable: the region selects the partition",fieldPath=".region"
type RoleParameters struct {
	// Region selects the partition of the role's ARNs and the IAM endpoint (IAM is global within a
	// partition).
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +required
	Region string `json:"region"`

	// RoleName of the IAM role.
	// +kubebuilder:validation:Pattern=`^[\w+=,.@-]+$`
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	RoleName string `json:"roleName"`

	// ServiceAccountIssuer is the cluster's OIDC issuer without https://, for example
	// oidc.eks.us-gov-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE. Its IAM OIDC
	// provider must exist in the account (ZoneKeeper does not create it).
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9.-]*(:[0-9]+)?(/[A-Za-z0-9._~-]+)*$`
	// +kubebuilder:validation:MaxLength=255
	// +required
	ServiceAccountIssuer string `json:"serviceAccountIssuer"`

	// ServiceAccount that may assume the role, and nothing else.
	// +required
	ServiceAccount ServiceAccountReference `json:"serviceAccount"`

	// KMSKeyARNs the role may encrypt and decrypt with.
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:Pattern=`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$`
	// +listType=set
	// +optional
	KMSKeyARNs []string `json:"kmsKeyARNs,omitempty"`

	// KMSKeyRefs set kmsKeyARNs from Keys in the same namespace once they are Ready.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	KMSKeyRefs []xpv2.Reference `json:"kmsKeyRefs,omitempty"`

	// BucketARNs (bare, no key prefix) the role may list, read and write objects in. It may not
	// delete objects.
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:Pattern=`^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]*[a-z0-9]$`
	// +listType=set
	// +optional
	BucketARNs []string `json:"bucketARNs,omitempty"`

	// BucketRefs set bucketARNs from Buckets in the same namespace once they are Ready.
	// +kubebuilder:validation:MaxItems=20
	// +optional
	BucketRefs []xpv2.Reference `json:"bucketRefs,omitempty"`

	// PermissionsBoundaryARN is the managed policy that bounds the role's permissions.
	// +kubebuilder:validation:Pattern=`^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$`
	// +optional
	PermissionsBoundaryARN string `json:"permissionsBoundaryARN,omitempty"`

	// Tags of the role. ZoneKeeper adds zonekeeper.dev/managed-by.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// RoleObservation is the observed state of a role.
type RoleObservation struct {
	// ARN of the role: what the ServiceAccount's eks.amazonaws.com/role-arn annotation names.
	ARN string `json:"arn,omitempty"`
	// RoleID is IAM's unique ID of the role (AROA...).
	RoleID string `json:"roleID,omitempty"`
}

// RoleSpec is the desired state of a Role.
type RoleSpec struct {
	ResourceSpec `json:",inline"`

	// ForProvider is the desired state of the role.
	// +required
	ForProvider RoleParameters `json:"forProvider"`
}

// RoleStatus is the observed state of a Role.
type RoleStatus struct {
	ResourceStatus `json:",inline"`

	// AtProvider is the role as AWS reports it.
	// +optional
	AtProvider RoleObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="External-Name",type=string,JSONPath=`.metadata.annotations.crossplane\.io/external-name`
// +kubebuilder:printcolumn:name="ARN",type=string,JSONPath=`.status.atProvider.arn`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A Role is an IAM role one Kubernetes ServiceAccount assumes through IRSA (web identity), with one
// least-privilege inline policy: use of the named keys, and reading and writing objects in the named
// buckets.
type Role struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec RoleSpec `json:"spec"`
	// +optional
	Status RoleStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// RoleList is a list of Roles.
type RoleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Role `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Role{}, &RoleList{})
}
