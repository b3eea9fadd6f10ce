package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CloudProvider names a cloud.
// +kubebuilder:validation:Enum=AWS;Azure
type CloudProvider string

// Cloud providers.
const (
	ProviderAWS   CloudProvider = "AWS"
	ProviderAzure CloudProvider = "Azure"
)

// AWSPartition names an AWS partition.
// +kubebuilder:validation:Enum=aws;aws-us-gov
type AWSPartition string

// AWS partitions.
const (
	PartitionAWS      AWSPartition = "aws"
	PartitionAWSUSGov AWSPartition = "aws-us-gov"
)

// AzureEnvironment names an Azure cloud.
// +kubebuilder:validation:Enum=AzurePublic;AzureUSGovernment
type AzureEnvironment string

// Azure environments.
const (
	EnvironmentAzurePublic       AzureEnvironment = "AzurePublic"
	EnvironmentAzureUSGovernment AzureEnvironment = "AzureUSGovernment"
)

// CloudSpec says which cloud, partition and region a zone lives in. It cannot change once the
// zone exists: moving a zone is creating another.
//
// The region rules are written out here so that the API server itself refuses a combination that
// does not exist, before any reconciler or cloud call sees it.
//
// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: provider, partition, environment and region cannot change after creation; create a new LandingZone instead"
// +kubebuilder:validation:XValidation:rule="self.provider != 'AWS' || has(self.partition)",message="an AWS zone needs spec.cloud.partition (aws or aws-us-gov)",fieldPath=".partition",reason=FieldValueRequired
// +kubebuilder:validation:XValidation:rule="self.provider != 'AWS' || !has(self.environment)",message="spec.cloud.environment is for Azure zones; an AWS zone uses spec.cloud.partition",fieldPath=".environment",reason=FieldValueForbidden
// +kubebuilder:validation:XValidation:rule="self.provider != 'Azure' || has(self.environment)",message="an Azure zone needs spec.cloud.environment (AzurePublic or AzureUSGovernment)",fieldPath=".environment",reason=FieldValueRequired
// +kubebuilder:validation:XValidation:rule="self.provider != 'Azure' || !has(self.partition)",message="spec.cloud.partition is for AWS zones; an Azure zone uses spec.cloud.environment",fieldPath=".partition",reason=FieldValueForbidden
// +kubebuilder:validation:XValidation:rule="!has(self.partition) || self.partition != 'aws-us-gov' || self.region in ['us-gov-west-1', 'us-gov-east-1']",message="partition aws-us-gov has only the regions us-gov-west-1 and us-gov-east-1",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="!has(self.partition) || self.partition != 'aws' || (self.region.matches('^[a-z]{2}-[a-z]+-[0-9]$') && !self.region.startsWith('us-gov-'))",message="partition aws needs a commercial AWS region such as us-east-1 or eu-west-2 (GovCloud regions belong to partition aws-us-gov)",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="!has(self.environment) || self.environment != 'AzureUSGovernment' || self.region in ['usgovvirginia', 'usgovtexas', 'usgovarizona', 'usgoviowa', 'usdodeast', 'usdodcentral']",message="environment AzureUSGovernment has only the US Gov and DoD regions usgovvirginia, usgovtexas, usgovarizona, usgoviowa, usdodeast and usdodcentral",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="!has(self.environment) || self.environment != 'AzurePublic' || (self.region.matches('^[a-z]+[0-9]?$') && !(self.region.startsWith('usgov') || self.region.startsWith('usdod')))",message="environment AzurePublic needs a public Azure region such as uksouth or ukwest (US Gov and DoD regions belong to AzureUSGovernment)",fieldPath=".region"
type CloudSpec struct {
	// Provider is the cloud: AWS or Azure.
	// +required
	Provider CloudProvider `json:"provider"`

	// Partition is the AWS partition: aws or aws-us-gov. AWS zones only.
	// +optional
	Partition AWSPartition `json:"partition,omitempty"`

	// Environment is the Azure cloud: AzurePublic or AzureUSGovernment. Azure zones only.
	// +optional
	Environment AzureEnvironment `json:"environment,omitempty"`

	// Region is the home region of the zone, for example us-gov-west-1 or uksouth.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=32
	// +required
	Region string `json:"region"`
}

// AWSAccountSpec declares the AWS account behind a zone.
//
// +kubebuilder:validation:XValidation:rule="self.email == oldSelf.email",message="is immutable: the email identifies the AWS account; create a new LandingZone for another account",fieldPath=".email"
// +kubebuilder:validation:XValidation:rule="self.govCloud == oldSelf.govCloud",message="is immutable: an account cannot move between the commercial and GovCloud partitions",fieldPath=".govCloud"
// +kubebuilder:validation:XValidation:rule="self.govCloud || !has(self.govCloudOrganization)",message="only a GovCloud account joins a GovCloud organization: set govCloud true or remove govCloudOrganization",fieldPath=".govCloudOrganization"
type AWSAccountSpec struct {
	// Name of the account in AWS Organizations.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=50
	// +required
	Name string `json:"name"`

	// Email of the account's root user; unique across AWS, and how an existing account is found
	// before a new one is ever created.
	// +kubebuilder:validation:MinLength=6
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[^\s@]+@[^\s@]+\.[^\s@]+$`
	// +required
	Email string `json:"email"`

	// OrganizationalUnit is the path of the OU the account is placed in, for example
	// Workloads/Prod.
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:Pattern=`^[^/]+(/[^/]+)*$`
	// +optional
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`

	// GovCloud creates the account with CreateGovCloudAccount (a GovCloud account paired with a
	// commercial one). Required true in partition aws-us-gov and false in aws.
	// +kubebuilder:default=false
	// +optional
	GovCloud bool `json:"govCloud"`

	// GovCloudProviderConfigRef names the ClusterProviderConfig of the GovCloud organization's
	// management account: the identity the zone reaches into its GovCloud account from. Roles
	// cannot be assumed across partitions, so the commercial spec.providerConfigRef, which creates
	// the account, cannot. Required to provision a GovCloud zone.
	// +optional
	GovCloudProviderConfigRef *ProviderConfigReference `json:"govCloudProviderConfigRef,omitempty"`

	// GovCloudOrganization, when set, has the GovCloud account join the GovCloud organization of
	// govCloudProviderConfigRef, in its organizationalUnit. CreateGovCloudAccount leaves the
	// GovCloud account outside any organization; ZoneKeeper invites it into that one, accepts the
	// invitation inside it, and moves it to the OU. Unset: the GovCloud account stays standalone.
	// +optional
	GovCloudOrganization *GovCloudMembershipSpec `json:"govCloudOrganization,omitempty"`
}

// GovCloudMembershipSpec is where a zone's GovCloud account sits in its GovCloud organization.
type GovCloudMembershipSpec struct {
	// OrganizationalUnit is the path of the OU in the GovCloud organization, for example
	// Workloads/Prod. The OUs must exist. Unset: the root.
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:Pattern=`^[^/]+(/[^/]+)*$`
	// +optional
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`
}

// AzureWorkloadType is the Azure subscription offer type.
// +kubebuilder:validation:Enum=Production;DevTest
type AzureWorkloadType string

// AzureSubscriptionSpec declares the Azure subscription behind a zone.
//
// +kubebuilder:validation:XValidation:rule="self.billingScope == oldSelf.billingScope",message="is immutable: a subscription cannot move to another billing scope through ZoneKeeper",fieldPath=".billingScope"
type AzureSubscriptionSpec struct {
	// DisplayName of the subscription.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +required
	DisplayName string `json:"displayName"`

	// BillingScope is the EA enrollment account or MCA invoice section the subscription is billed
	// to, as an ARM resource ID.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:Pattern=`^/providers/Microsoft\.Billing/`
	// +required
	BillingScope string `json:"billingScope"`

	// ManagementGroup the subscription is placed under (its name, not display name).
	// +kubebuilder:validation:MaxLength=90
	// +optional
	ManagementGroup string `json:"managementGroup,omitempty"`

	// WorkloadType is Production or DevTest.
	// +kubebuilder:default=Production
	// +optional
	WorkloadType AzureWorkloadType `json:"workloadType,omitempty"`
}

// Egress says how traffic leaves the zone's network.
// +kubebuilder:validation:Enum=None;Inspected;Direct
type Egress string

// Egress values.
const (
	// EgressNone: no route out at all; cloud services through private endpoints only.
	EgressNone Egress = "None"
	// EgressInspected: out only through a central inspection hub (the SCCA pattern).
	EgressInspected Egress = "Inspected"
	// EgressDirect: an internet or NAT gateway in the zone itself.
	EgressDirect Egress = "Direct"
)

// NetworkSpec declares the zone's private network.
type NetworkSpec struct {
	// CIDR of the zone network (VPC or VNet): an IPv4 network address with a prefix from /16 to
	// /24, split deterministically into private subnets across the availability zones.
	// +kubebuilder:validation:MaxLength=18
	// +kubebuilder:validation:XValidation:rule="isCIDR(self) && cidr(self).ip().family() == 4",message="must be an IPv4 CIDR such as 10.40.0.0/16"
	// +kubebuilder:validation:XValidation:rule="!isCIDR(self) || (cidr(self).prefixLength() >= 16 && cidr(self).prefixLength() <= 24)",message="prefix must be from /16 to /24"
	// +kubebuilder:validation:XValidation:rule="!isCIDR(self) || string(cidr(self).masked()) == self",message="must be a network address: the bits after the prefix must be zero (for example 10.40.0.0/16, not 10.40.1.0/16)"
	// +required
	CIDR string `json:"cidr"`

	// AvailabilityZones is how many zones the subnets are spread across.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=6
	// +kubebuilder:default=3
	// +optional
	AvailabilityZones int32 `json:"availabilityZones,omitempty"`

	// Egress is None, Inspected (through a hub) or Direct.
	// +kubebuilder:default=None
	// +optional
	Egress Egress `json:"egress,omitempty"`

	// TransitGatewayID is the inspection hub an AWS zone with egress Inspected routes through
	// (the SCCA pattern): its default route points at it.
	// +kubebuilder:validation:Pattern=`^tgw-[0-9a-f]+$`
	// +optional
	TransitGatewayID string `json:"transitGatewayID,omitempty"`

	// FlowLogs records every flow in the network to the zone's log bucket or workspace.
	// A pointer so that an explicit false is kept rather than defaulted away.
	// +kubebuilder:default=true
	// +optional
	FlowLogs *bool `json:"flowLogs,omitempty"`
}

// ZoneEncryption declares the zone's customer-managed key.
type ZoneEncryption struct {
	// RotationDays is the key rotation period. AWS KMS accepts 90 to 2560.
	// +kubebuilder:validation:Minimum=90
	// +kubebuilder:validation:Maximum=2560
	// +kubebuilder:default=365
	// +optional
	RotationDays int32 `json:"rotationDays,omitempty"`
}

// ZoneAudit declares the zone's audit trail.
type ZoneAudit struct {
	// RetentionDays is how long audit logs are kept, immutably.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:default=365
	// +optional
	RetentionDays int32 `json:"retentionDays,omitempty"`
}

// DeletionPolicy says what happens to the cloud side when the object is deleted.
// +kubebuilder:validation:Enum=Orphan;Delete
type DeletionPolicy string

// Deletion policies.
const (
	// DeletionOrphan leaves accounts, keys and log buckets in place. The default.
	DeletionOrphan DeletionPolicy = "Orphan"
	// DeletionDelete deletes or closes them (keys are scheduled for deletion, not deleted at once).
	DeletionDelete DeletionPolicy = "Delete"
)

// ProviderConfigReference names the ProviderConfig holding cloud credentials.
type ProviderConfigReference struct {
	// Name of the ProviderConfig.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
}

// LandingZoneSpec declares one AWS account or Azure subscription with its network, keys and logs.
//
// +kubebuilder:validation:XValidation:rule="self.cloud.provider != 'AWS' || has(self.account)",message="an AWS zone needs spec.account",fieldPath=".account",reason=FieldValueRequired
// +kubebuilder:validation:XValidation:rule="self.cloud.provider != 'Azure' || has(self.subscription)",message="an Azure zone needs spec.subscription",fieldPath=".subscription",reason=FieldValueRequired
// +kubebuilder:validation:XValidation:rule="self.cloud.provider == 'AWS' || !has(self.account)",message="spec.account is for AWS zones; an Azure zone uses spec.subscription",fieldPath=".account",reason=FieldValueForbidden
// +kubebuilder:validation:XValidation:rule="self.cloud.provider == 'Azure' || !has(self.subscription)",message="spec.subscription is for Azure zones; an AWS zone uses spec.account",fieldPath=".subscription",reason=FieldValueForbidden
// +kubebuilder:validation:XValidation:rule="!has(self.account) || !has(self.cloud.partition) || self.account.govCloud == (self.cloud.partition == 'aws-us-gov')",message="must be true in partition aws-us-gov and false in partition aws",fieldPath=".account.govCloud"
// +kubebuilder:validation:XValidation:rule="self.cloud.provider != 'AWS' || !has(self.network.egress) || self.network.egress != 'Inspected' || has(self.network.transitGatewayID)",message="an AWS zone with egress Inspected needs the transit gateway of its inspection hub",fieldPath=".network.transitGatewayID",reason=FieldValueRequired
type LandingZoneSpec struct {
	// Tenant owns the zone (a police force, an agency). Namespaces labelled
	// landingzone.zonekeeper.dev/tenant=<tenant> may use the zone unless allowedNamespaces says
	// otherwise. Immutable: the namespace of the zone's composed resources may be named after it
	// (--zone-namespace zonekeeper-{tenant}), and a new namespace would compose a second network.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="is immutable: the zone's cloud resources belong to its tenant; create a new LandingZone for another tenant"
	// +required
	Tenant string `json:"tenant"`

	// Cloud, partition or environment, and region. Immutable.
	// +required
	Cloud CloudSpec `json:"cloud"`

	// Account is the AWS account behind the zone. AWS zones only.
	// +optional
	Account *AWSAccountSpec `json:"account,omitempty"`

	// Subscription is the Azure subscription behind the zone. Azure zones only.
	// +optional
	Subscription *AzureSubscriptionSpec `json:"subscription,omitempty"`

	// MaxClassification names the most sensitive DataClassification the zone may hold: workloads
	// whose data has a higher level are refused.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	MaxClassification string `json:"maxClassification"`

	// AllowedNamespaces selects the namespaces whose Workloads may use this zone: the tenant
	// boundary. Unset means namespaces labelled landingzone.zonekeeper.dev/tenant=<spec.tenant>;
	// an empty selector ({}) admits every namespace.
	// +optional
	AllowedNamespaces *metav1.LabelSelector `json:"allowedNamespaces,omitempty"`

	// Network is the zone's private network.
	// +required
	Network NetworkSpec `json:"network"`

	// Encryption is the zone's customer-managed key.
	// +kubebuilder:default={}
	// +optional
	Encryption ZoneEncryption `json:"encryption,omitempty"`

	// Audit is the zone's audit trail.
	// +kubebuilder:default={}
	// +optional
	Audit ZoneAudit `json:"audit,omitempty"`

	// Baselines the zone must meet in addition to those of the classifications it holds.
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	// +kubebuilder:validation:items:MaxLength=63
	// +optional
	Baselines []string `json:"baselines,omitempty"`

	// DeletionPolicy Orphan (the default) leaves the account, keys and logs in place when the zone
	// is deleted; Delete removes or closes them.
	// +kubebuilder:default=Orphan
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// ProviderConfigRef names the credentials used to reach the cloud: for AWS, the
	// ClusterProviderConfig of the organization's management account. Required to provision.
	// +optional
	ProviderConfigRef *ProviderConfigReference `json:"providerConfigRef,omitempty"`

	// Paused stops every cloud call for the zone: its managed resources are paused and nothing new
	// is created, updated or deleted until it is unset. Status and compliance keep being reported.
	// +optional
	Paused bool `json:"paused,omitempty"`
}

// LandingZoneStatus reports the zone as observed.
type LandingZoneStatus struct {
	// ObservedGeneration is the generation the status was last computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, Synced and Compliant.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ClassificationLevel is the level of spec.maxClassification as last resolved.
	// +optional
	ClassificationLevel *int32 `json:"classificationLevel,omitempty"`

	// Workloads (namespace/name) placed in this zone, sorted.
	// +listType=set
	// +optional
	Workloads []string `json:"workloads,omitempty"`

	// AccountID is the AWS account ID, once known.
	// +optional
	AccountID string `json:"accountID,omitempty"`

	// SubscriptionID is the Azure subscription ID, once known.
	// +optional
	SubscriptionID string `json:"subscriptionID,omitempty"`

	// NetworkID is the VPC or VNet ID, once known.
	// +optional
	NetworkID string `json:"networkID,omitempty"`

	// KeyID is the ARN of the KMS key or the ID of the Key Vault key, once known.
	// +optional
	KeyID string `json:"keyID,omitempty"`

	// Compliance is the outcome of the last policy evaluation.
	// +optional
	Compliance *ComplianceStatus `json:"compliance,omitempty"`

	// AuditTrailID is the ARN of the CloudTrail trail or the ID of the diagnostic setting, once
	// known.
	// +optional
	AuditTrailID string `json:"auditTrailID,omitempty"`
}

// LandingZone declares an AWS GovCloud account or Azure subscription with its private network,
// customer-managed key and immutable audit trail.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=lz,categories=zonekeeper
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.cloud.provider`
// +kubebuilder:printcolumn:name="Region",type=string,JSONPath=`.spec.cloud.region`
// +kubebuilder:printcolumn:name="Tenant",type=string,JSONPath=`.spec.tenant`,priority=1
// +kubebuilder:printcolumn:name="Max-Class",type=string,JSONPath=`.spec.maxClassification`,priority=1
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Compliant",type=string,JSONPath=`.status.conditions[?(@.type=="Compliant")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type LandingZone struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec LandingZoneSpec `json:"spec"`
	// +optional
	Status LandingZoneStatus `json:"status,omitempty"`
}

// LandingZoneList is a list of LandingZones.
//
// +kubebuilder:object:root=true
type LandingZoneList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LandingZone `json:"items"`
}

func init() {
	SchemeBuilder.Register(&LandingZone{}, &LandingZoneList{})
}
