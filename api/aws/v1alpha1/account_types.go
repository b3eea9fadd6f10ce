package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AnnotationCreateAccountRequestID records the Organizations create request of an Account as soon
// as CreateAccount or CreateGovCloudAccount returns, beside the external-name. It outlives the
// request: a GovCloud account's ID is only ever reported by DescribeCreateAccountStatus.
const AnnotationCreateAccountRequestID = "aws.zonekeeper.dev/create-account-request-id"

// AnnotationReinviteAfter, set to the ID of a GovCloud invitation that was declined, canceled or
// expired, lets ZoneKeeper invite the GovCloud account again. Without it an ended invitation is
// reported and left alone: someone may have declined it on purpose.
const AnnotationReinviteAfter = "aws.zonekeeper.dev/govcloud-reinvite-after"

// GovCloudOrganizationRegion is where AWS Organizations is called for a GovCloud organization: the
// service has one endpoint in the partition, in us-gov-west-1.
const GovCloudOrganizationRegion = "us-gov-west-1"

// GovCloudOrganization says which AWS GovCloud (US) organization the GovCloud account of a
// CreateGovCloudAccount pair joins. CreateGovCloudAccount leaves that account standalone, outside
// any organization, so without this it carries none of the GovCloud organization's policies.
//
// +kubebuilder:validation:XValidation:rule="self.providerConfigRef.kind in ['ProviderConfig', 'ClusterProviderConfig']",message="kind must be ProviderConfig or ClusterProviderConfig",fieldPath=".providerConfigRef.kind"
type GovCloudOrganization struct {
	// ProviderConfigRef names the ProviderConfig or ClusterProviderConfig of the GovCloud
	// organization's management account. The invitation is sent with it, and accepted inside the
	// GovCloud account through roleName, assumed from it.
	// +required
	ProviderConfigRef xpv2.ProviderConfigReference `json:"providerConfigRef"`

	// OrganizationalUnit is the path of the OU below the GovCloud organization's root the account
	// is placed in once it has joined. The OUs must exist. Unset: the root.
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:Pattern=`^[^/]+(/[^/]+)*$`
	// +optional
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`

	// RoleName is the role in the GovCloud account that accepts the invitation. Unset: the
	// account's spec.forProvider.roleName, which CreateGovCloudAccount makes in the GovCloud
	// account too, for the GovCloud account paired with the commercial management account
	// (normally the GovCloud organization's management account).
	// +kubebuilder:validation:MaxLength=64
	// +optional
	RoleName string `json:"roleName,omitempty"`
}

// AccountParameters are the desired state of an AWS account in AWS Organizations.
//
// +kubebuilder:validation:XValidation:rule="self.email == oldSelf.email",message="is immutable: the email identifies the AWS account; create another Account for another account",fieldPath=".email"
// +kubebuilder:validation:XValidation:rule="self.govCloud == oldSelf.govCloud",message="is immutable: an account cannot move between the commercial and GovCloud partitions",fieldPath=".govCloud"
// +kubebuilder:validation:XValidation:rule="self.region == oldSelf.region",message="is immutable: the region selects the organization the account belongs to",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="!self.govCloud || !self.region.startsWith('us-gov-')",message="CreateGovCloudAccount is called in the commercial organization: with govCloud true, region must be a commercial region such as us-east-1",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="self.govCloud || !has(self.govCloudOrganization)",message="only the GovCloud account of a govCloud pair can join a GovCloud organization: set govCloud true or remove govCloudOrganization",fieldPath=".govCloudOrganization"
type AccountParameters struct {
	// Region of the Organizations endpoint called: a commercial region (us-east-1) for a commercial
	// organization, including one creating GovCloud accounts, or us-gov-west-1 for a GovCloud
	// organization. It also selects the partition of the account's ARNs.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +required
	Region string `json:"region"`

	// Name of the account in AWS Organizations.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=50
	// +required
	Name string `json:"name"`

	// Email of the account's root user. Unique across AWS, and how an existing account is found
	// before a new one is ever created.
	// +kubebuilder:validation:MinLength=6
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[^\s@]+@[^\s@]+\.[^\s@]+$`
	// +required
	Email string `json:"email"`

	// OrganizationalUnit is the path of the OU below the root the account is placed in, for
	// example Workloads/Prod. The OUs must exist. Unset: the root.
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:Pattern=`^[^/]+(/[^/]+)*$`
	// +optional
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`

	// GovCloud creates the account with CreateGovCloudAccount: a commercial account in this
	// organization paired with an AWS GovCloud (US) account. A GovCloud account cannot be closed
	// by ZoneKeeper, so deletionPolicy Delete is refused with it (see docs/aws.md).
	// +kubebuilder:default=false
	// +optional
	GovCloud bool `json:"govCloud,omitempty"`

	// RoleName is the role Organizations creates in the new account for the management account to
	// assume. Used only when the account is created.
	// +kubebuilder:default=OrganizationAccountAccessRole
	// +kubebuilder:validation:MaxLength=64
	// +optional
	RoleName string `json:"roleName,omitempty"`

	// GovCloudOrganization, with govCloud, has the GovCloud account join this AWS GovCloud (US)
	// organization: ZoneKeeper invites it from the organization's management account, accepts
	// the invitation inside the account, and moves it to its OU. Unset: the GovCloud account stays
	// standalone.
	// +optional
	GovCloudOrganization *GovCloudOrganization `json:"govCloudOrganization,omitempty"`

	// Tags of the account in AWS Organizations. ZoneKeeper adds zonekeeper.dev/managed-by.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// AccountObservation is the observed state of an account.
type AccountObservation struct {
	// AccountID of the account in this organization (for a GovCloud pair, the commercial one).
	AccountID string `json:"accountID,omitempty"`
	// ARN of the account.
	ARN string `json:"arn,omitempty"`
	// GovCloudAccountID of the AWS GovCloud (US) account paired with AccountID.
	GovCloudAccountID string `json:"govCloudAccountID,omitempty"`
	// Status of the account: ACTIVE, SUSPENDED or PENDING_CLOSURE.
	Status string `json:"status,omitempty"`
	// ParentID is the ID of the root or OU the account is in.
	ParentID string `json:"parentID,omitempty"`
	// CreateRequestID of the CreateAccount or CreateGovCloudAccount request.
	CreateRequestID string `json:"createRequestID,omitempty"`
	// CreateState of that request: IN_PROGRESS, SUCCEEDED or FAILED.
	CreateState string `json:"createState,omitempty"`
	// FailureReason AWS gave when CreateState is FAILED.
	FailureReason string `json:"failureReason,omitempty"`
	// GovCloudOrganization is the GovCloud account's membership of spec.forProvider.govCloudOrganization.
	GovCloudOrganization *GovCloudMembership `json:"govCloudOrganization,omitempty"`
}

// GovCloudMembership is how far the GovCloud account has got into its GovCloud organization.
type GovCloudMembership struct {
	// Joined is true once the GovCloud organization lists the account as a member.
	Joined bool `json:"joined"`
	// ParentID is the ID of the root or OU the account is in, once joined.
	ParentID string `json:"parentID,omitempty"`
	// HandshakeID of the latest invitation of the account.
	HandshakeID string `json:"handshakeID,omitempty"`
	// HandshakeState of that invitation: REQUESTED, OPEN, ACCEPTED, DECLINED, CANCELED or EXPIRED.
	HandshakeState string `json:"handshakeState,omitempty"`
}

// AccountSpec is the desired state of an Account.
//
// +kubebuilder:validation:XValidation:rule="!(self.forProvider.govCloud && self.deletionPolicy == 'Delete')",message="a GovCloud account cannot be closed through AWS Organizations CloseAccount; deletionPolicy must stay Orphan (see docs/aws.md)",fieldPath=".deletionPolicy"
type AccountSpec struct {
	ResourceSpec `json:",inline"`

	// ForProvider is the desired state of the account.
	// +required
	ForProvider AccountParameters `json:"forProvider"`
}

// AccountStatus is the observed state of an Account.
type AccountStatus struct {
	ResourceStatus `json:",inline"`

	// AtProvider is the account as AWS reports it.
	// +optional
	AtProvider AccountObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="External-Name",type=string,JSONPath=`.metadata.annotations.crossplane\.io/external-name`
// +kubebuilder:printcolumn:name="Email",type=string,JSONPath=`.spec.forProvider.email`,priority=1
// +kubebuilder:printcolumn:name="GovCloud-ID",type=string,JSONPath=`.status.atProvider.govCloudAccountID`,priority=1
// +kubebuilder:printcolumn:name="GovCloud-Joined",type=boolean,JSONPath=`.status.atProvider.govCloudOrganization.joined`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// An Account is an AWS account in AWS Organizations, created with CreateAccount or
// CreateGovCloudAccount, placed in an organizational unit and tagged.
type Account struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec AccountSpec `json:"spec"`
	// +optional
	Status AccountStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// AccountList is a list of Accounts.
type AccountList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Account `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Account{}, &AccountList{})
}
