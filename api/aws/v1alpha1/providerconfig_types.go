package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CredentialsSource says where the base AWS identity of a ProviderConfig comes from.
// +kubebuilder:validation:Enum=Secret;WebIdentity;InjectedIdentity
type CredentialsSource string

// Credentials sources.
const (
	// CredentialsSecret: static access keys in a Kubernetes Secret.
	CredentialsSecret CredentialsSource = "Secret"
	// CredentialsWebIdentity: a projected service account token exchanged for a role with
	// sts:AssumeRoleWithWebIdentity (IRSA on EKS, or any OIDC provider AWS trusts).
	CredentialsWebIdentity CredentialsSource = "WebIdentity"
	// CredentialsInjectedIdentity: the AWS SDK's default chain in the manager's pod (environment,
	// IRSA variables injected by EKS, EKS Pod Identity, instance profile).
	CredentialsInjectedIdentity CredentialsSource = "InjectedIdentity"
)

// Keys a credentials Secret holds, named as in the AWS shared credentials file.
const (
	SecretKeyAccessKeyID     = "aws_access_key_id"
	SecretKeySecretAccessKey = "aws_secret_access_key"
	SecretKeySessionToken    = "aws_session_token"
)

// DefaultWebIdentityTokenFile is where EKS projects the service account token for IRSA.
const DefaultWebIdentityTokenFile = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"

// DefaultMemberRoleName is the role AWS Organizations creates in every new member account for the
// management account to assume.
const DefaultMemberRoleName = "OrganizationAccountAccessRole"

// SecretReference names a Secret holding aws_access_key_id, aws_secret_access_key and, optionally,
// aws_session_token.
type SecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// Namespace of the Secret. Required for a ClusterProviderConfig; forbidden for a
	// ProviderConfig, which reads Secrets in its own namespace only (the tenant boundary).
	// +kubebuilder:validation:MaxLength=63
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// WebIdentity exchanges a projected service account token for an IAM role.
type WebIdentity struct {
	// RoleARN of the role to assume with the token.
	// +kubebuilder:validation:Pattern=`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`
	// +required
	RoleARN string `json:"roleARN"`

	// TokenFile is the path of the token in the manager's pod.
	// +kubebuilder:default="/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
	// +optional
	TokenFile string `json:"tokenFile,omitempty"`

	// RoleSessionName shown in CloudTrail for calls made with this role. Default zonekeeper.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	RoleSessionName string `json:"roleSessionName,omitempty"`
}

// Credentials is the base identity of a ProviderConfig.
//
// +kubebuilder:validation:XValidation:rule="(self.source == 'Secret') == has(self.secretRef)",message="secretRef is required with source Secret and forbidden otherwise",fieldPath=".secretRef"
// +kubebuilder:validation:XValidation:rule="(self.source == 'WebIdentity') == has(self.webIdentity)",message="webIdentity is required with source WebIdentity and forbidden otherwise",fieldPath=".webIdentity"
type Credentials struct {
	// Source of the base identity: Secret, WebIdentity or InjectedIdentity.
	// +required
	Source CredentialsSource `json:"source"`

	// SecretRef names the Secret holding static access keys (source Secret).
	// +optional
	SecretRef *SecretReference `json:"secretRef,omitempty"`

	// WebIdentity configures token exchange (source WebIdentity).
	// +optional
	WebIdentity *WebIdentity `json:"webIdentity,omitempty"`
}

// AssumeRole is one step of a role chain. Name the role by its ARN, or by the account it lives in
// (the role is then roleName, by default OrganizationAccountAccessRole, in the partition of the
// managed resource's region).
//
// +kubebuilder:validation:XValidation:rule="has(self.roleARN) != has(self.accountID)",message="set exactly one of roleARN and accountID"
// +kubebuilder:validation:XValidation:rule="!has(self.roleName) || has(self.accountID)",message="roleName goes with accountID; a roleARN names its role already",fieldPath=".roleName"
type AssumeRole struct {
	// RoleARN of the role to assume.
	// +kubebuilder:validation:Pattern=`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`
	// +optional
	RoleARN string `json:"roleARN,omitempty"`

	// AccountID of a member account whose roleName is assumed.
	// +kubebuilder:validation:Pattern=`^[0-9]{12}$`
	// +optional
	AccountID string `json:"accountID,omitempty"`

	// RoleName in accountID. Default OrganizationAccountAccessRole.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	RoleName string `json:"roleName,omitempty"`

	// ExternalID the role's trust policy requires, if any. It is a shared identifier, not a secret.
	// +kubebuilder:validation:MaxLength=1224
	// +optional
	ExternalID string `json:"externalID,omitempty"`

	// RoleSessionName shown in CloudTrail. Default zonekeeper.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	RoleSessionName string `json:"roleSessionName,omitempty"`
}

// Endpoint overrides where AWS calls go.
type Endpoint struct {
	// URL every AWS service is called at instead of the partition's own endpoints: an emulator
	// such as moto in tests, or a proxy. FIPS endpoint selection does not apply to an override.
	// +kubebuilder:validation:Pattern=`^https?://[^\s]+$`
	// +kubebuilder:validation:MaxLength=2048
	// +required
	URL string `json:"url"`
}

// ProviderConfigStatus is what the usage controller observed: how many managed resources use the
// config, and, while its deletion waits for them, a Terminating condition naming some of them.
type ProviderConfigStatus struct {
	xpv2.ProviderConfigStatus `json:",inline"`
}

// ProviderConfigSpec says how ZoneKeeper authenticates to AWS for the managed resources that
// reference it.
type ProviderConfigSpec struct {
	// Credentials is the base identity.
	// +required
	Credentials Credentials `json:"credentials"`

	// AssumeRoleChain is assumed in order on top of the base identity: for example the management
	// account's deployment role, then OrganizationAccountAccessRole in a member account.
	// +kubebuilder:validation:MaxItems=5
	// +listType=atomic
	// +optional
	AssumeRoleChain []AssumeRole `json:"assumeRoleChain,omitempty"`

	// FIPS selects FIPS 140 validated endpoints. Unset means on in partition aws-us-gov and off
	// elsewhere.
	// +optional
	FIPS *bool `json:"fips,omitempty"`

	// Endpoint overrides where calls go; unset uses the partition's endpoints.
	// +optional
	Endpoint *Endpoint `json:"endpoint,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.spec.credentials.source`
// +kubebuilder:printcolumn:name="Users",type=integer,JSONPath=`.status.users`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A ProviderConfig holds AWS credentials for the managed resources in its namespace. It reads its
// Secret from its own namespace only, so a tenant can never borrow another tenant's keys.
type ProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +kubebuilder:validation:XValidation:rule="!has(self.credentials.secretRef) || !has(self.credentials.secretRef.__namespace__)",message="a ProviderConfig reads Secrets in its own namespace only: remove secretRef.namespace, or use a ClusterProviderConfig",fieldPath=".credentials.secretRef.namespace"
	// +required
	Spec ProviderConfigSpec `json:"spec"`

	// +optional
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ProviderConfigList is a list of ProviderConfigs.
type ProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfig `json:"items"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Source",type=string,JSONPath=`.spec.credentials.source`
// +kubebuilder:printcolumn:name="Users",type=integer,JSONPath=`.status.users`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A ClusterProviderConfig holds AWS credentials any namespace's managed resources may reference.
// It is what an unset providerConfigRef defaults to (name default), as in crossplane v2.
type ClusterProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +kubebuilder:validation:XValidation:rule="!has(self.credentials.secretRef) || has(self.credentials.secretRef.__namespace__)",message="a ClusterProviderConfig must name the namespace of its Secret",fieldPath=".credentials.secretRef.namespace"
	// +required
	Spec ProviderConfigSpec `json:"spec"`

	// +optional
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ClusterProviderConfigList is a list of ClusterProviderConfigs.
type ClusterProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterProviderConfig `json:"items"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Config-Kind",type=string,JSONPath=`.providerConfigRef.kind`
// +kubebuilder:printcolumn:name="Config-Name",type=string,JSONPath=`.providerConfigRef.name`
// +kubebuilder:printcolumn:name="Resource-Kind",type=string,JSONPath=`.resourceRef.kind`
// +kubebuilder:printcolumn:name="Resource-Name",type=string,JSONPath=`.resourceRef.name`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A ProviderConfigUsage records that a managed resource uses a ProviderConfig or
// ClusterProviderConfig. ZoneKeeper writes one, named by the resource's UID and in its namespace,
// each time the resource connects to AWS; the resource controls it, so it goes with the resource.
// A config is not deleted while usages of it remain.
type ProviderConfigUsage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	xpv2.TypedProviderConfigUsage `json:",inline"`
}

// +kubebuilder:object:root=true

// ProviderConfigUsageList is a list of ProviderConfigUsages.
type ProviderConfigUsageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfigUsage `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ProviderConfig{}, &ProviderConfigList{}, &ClusterProviderConfig{}, &ClusterProviderConfigList{},
		&ProviderConfigUsage{}, &ProviderConfigUsageList{})
}
