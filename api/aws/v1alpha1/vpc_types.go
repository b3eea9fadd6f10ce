package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Egress says how traffic leaves the network.
// +kubebuilder:validation:Enum=None;Inspected;Direct
type Egress string

// Egress values.
const (
	// EgressNone: no internet gateway and no default route; AWS services through endpoints only.
	EgressNone Egress = "None"
	// EgressInspected: a default route to a transit gateway (a central inspection hub).
	EgressInspected Egress = "Inspected"
	// EgressDirect: an internet gateway, a public subnet holding one NAT gateway, and a default
	// route from the private subnets to the NAT gateway.
	EgressDirect Egress = "Direct"
)

// FlowLogs configures VPC flow logs.
//
// +kubebuilder:validation:XValidation:rule="(has(self.enabled) && !self.enabled) || has(self.bucketARN) || has(self.bucketRef)",message="flow logs need a destination: set bucketARN or bucketRef (or enabled: false)",fieldPath=".bucketARN"
type FlowLogs struct {
	// Enabled records every flow (traffic type ALL) of the VPC. Default true.
	// +kubebuilder:default=true
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// BucketARN of the S3 bucket flow logs are delivered to: the bare bucket ARN
	// (arn:<partition>:s3:::<bucket>), with no key prefix.
	// +kubebuilder:validation:Pattern=`^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]*[a-z0-9]$`
	// +optional
	BucketARN string `json:"bucketARN,omitempty"`

	// BucketRef sets bucketARN from an AuditTrail's log bucket in the same namespace once it is
	// Ready.
	// +optional
	BucketRef *xpv2.Reference `json:"bucketRef,omitempty"`
}

// VPCParameters are the desired state of a private network.
//
// +kubebuilder:validation:XValidation:rule="self.region == oldSelf.region",message="is immutable: a VPC lives in one region",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="self.cidrBlock == oldSelf.cidrBlock",message="is immutable: subnets are carved from the CIDR; grow the VPC with secondaryCIDRBlocks instead",fieldPath=".cidrBlock"
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.secondaryCIDRBlocks) || oldSelf.secondaryCIDRBlocks.all(c, has(self.secondaryCIDRBlocks) && c in self.secondaryCIDRBlocks)",message="secondary CIDR blocks can be added, not removed",fieldPath=".secondaryCIDRBlocks"
// +kubebuilder:validation:XValidation:rule="(self.egress == 'Inspected') == has(self.transitGatewayID)",message="transitGatewayID is required with egress Inspected and forbidden otherwise",fieldPath=".transitGatewayID"
type VPCParameters struct {
	// Region the VPC lives in.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +required
	Region string `json:"region"`

	// CIDRBlock of the VPC: an IPv4 network address with a prefix from /16 to /24. It is split
	// into eight equal blocks; private subnet i is block i (see docs/aws.md for the layout).
	// +kubebuilder:validation:MaxLength=18
	// +kubebuilder:validation:XValidation:rule="isCIDR(self) && cidr(self).ip().family() == 4",message="must be an IPv4 CIDR such as 10.40.0.0/16"
	// +kubebuilder:validation:XValidation:rule="!isCIDR(self) || (cidr(self).prefixLength() >= 16 && cidr(self).prefixLength() <= 24)",message="prefix must be from /16 to /24"
	// +kubebuilder:validation:XValidation:rule="!isCIDR(self) || string(cidr(self).masked()) == self",message="must be a network address: the bits after the prefix must be zero"
	// +required
	CIDRBlock string `json:"cidrBlock"`

	// SecondaryCIDRBlocks are associated with the VPC besides cidrBlock, to grow its address
	// space: a VPC's primary CIDR cannot change in AWS. Blocks can be added, never removed. A
	// block from /16 to /24 gets private subnets on the same layout as cidrBlock (one per
	// availability zone, each with its own route table); a smaller block gets none.
	// +listType=set
	// +kubebuilder:validation:MaxItems=4
	// +kubebuilder:validation:items:MaxLength=18
	// +kubebuilder:validation:items:XValidation:rule="isCIDR(self) && cidr(self).ip().family() == 4 && cidr(self).prefixLength() >= 16 && cidr(self).prefixLength() <= 28",message="must be an IPv4 CIDR from /16 to /28"
	// +optional
	SecondaryCIDRBlocks []string `json:"secondaryCIDRBlocks,omitempty"`

	// AvailabilityZones is how many availability zones the private subnets span: the first N of
	// the region's zones in name order. Lowering it never deletes a subnet.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=6
	// +kubebuilder:default=3
	// +optional
	AvailabilityZones int32 `json:"availabilityZones,omitempty"`

	// Egress is None (the default), Inspected (through transitGatewayID) or Direct.
	// +kubebuilder:default=None
	// +optional
	Egress Egress `json:"egress,omitempty"`

	// TransitGatewayID the default route points at with egress Inspected. The VPC is attached to
	// it in every private subnet.
	// +kubebuilder:validation:Pattern=`^tgw-[0-9a-f]+$`
	// +optional
	TransitGatewayID string `json:"transitGatewayID,omitempty"`

	// InterfaceEndpoints are the AWS services reachable privately through interface endpoints in
	// every subnet, by short name (kms, sts, logs, kms-fips, ...). An S3 gateway endpoint is always
	// created.
	// +kubebuilder:default={kms,sts,logs}
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9][a-z0-9.-]*$`
	// +listType=set
	// +optional
	InterfaceEndpoints []string `json:"interfaceEndpoints,omitempty"`

	// FlowLogs records every flow to the zone's log bucket.
	// +required
	FlowLogs FlowLogs `json:"flowLogs"`

	// Tags of the VPC and everything ZoneKeeper creates in it. ZoneKeeper adds
	// zonekeeper.dev/managed-by.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// SubnetObservation is one private subnet.
type SubnetObservation struct {
	// SubnetID of the subnet.
	SubnetID string `json:"subnetID"`
	// AvailabilityZone of the subnet.
	AvailabilityZone string `json:"availabilityZone"`
	// CIDRBlock of the subnet.
	CIDRBlock string `json:"cidrBlock"`
	// RouteTableID associated with the subnet.
	RouteTableID string `json:"routeTableID,omitempty"`
}

// VPCObservation is the observed state of a VPC.
type VPCObservation struct {
	// VPCID of the VPC.
	VPCID string `json:"vpcID,omitempty"`
	// ARN of the VPC.
	ARN string `json:"arn,omitempty"`
	// OwnerID is the account the VPC is in.
	OwnerID string `json:"ownerID,omitempty"`
	// SecondaryCIDRBlocks associated with the VPC.
	// +optional
	SecondaryCIDRBlocks []string `json:"secondaryCIDRBlocks,omitempty"`
	// Subnets are the private subnets, in availability zone order.
	// +listType=atomic
	Subnets []SubnetObservation `json:"subnets,omitempty"`
	// InternetGatewayID attached to the VPC, if any.
	InternetGatewayID string `json:"internetGatewayID,omitempty"`
	// PublicSubnet holds the NAT gateway with egress Direct.
	// +optional
	PublicSubnet *SubnetObservation `json:"publicSubnet,omitempty"`
	// NATGatewayID the private subnets route to with egress Direct.
	// +optional
	NATGatewayID string `json:"natGatewayID,omitempty"`
	// NATGatewayPublicIP is the address the VPC's traffic leaves from with egress Direct (for
	// partners' allow-lists).
	// +optional
	NATGatewayPublicIP string `json:"natGatewayPublicIP,omitempty"`
	// DefaultSecurityGroupID of the VPC, kept without rules.
	DefaultSecurityGroupID string `json:"defaultSecurityGroupID,omitempty"`
	// Endpoints are the VPC endpoint IDs by service name.
	Endpoints map[string]string `json:"endpoints,omitempty"`
	// FlowLogID of the flow log delivering to the zone's bucket.
	FlowLogID string `json:"flowLogID,omitempty"`
}

// VPCSpec is the desired state of a VPC.
type VPCSpec struct {
	ResourceSpec `json:",inline"`

	// ForProvider is the desired state of the network.
	// +required
	ForProvider VPCParameters `json:"forProvider"`
}

// VPCStatus is the observed state of a VPC.
type VPCStatus struct {
	ResourceStatus `json:",inline"`

	// AtProvider is the network as AWS reports it.
	// +optional
	AtProvider VPCObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="External-Name",type=string,JSONPath=`.metadata.annotations.crossplane\.io/external-name`
// +kubebuilder:printcolumn:name="CIDR",type=string,JSONPath=`.spec.forProvider.cidrBlock`,priority=1
// +kubebuilder:printcolumn:name="Egress",type=string,JSONPath=`.spec.forProvider.egress`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A VPC is a private network: its CIDR split deterministically into private subnets across
// availability zones, a route table per subnet, no internet gateway unless egress says so, an S3
// gateway endpoint and interface endpoints, the default security group emptied, and flow logs of
// every flow to the zone's log bucket.
type VPC struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec VPCSpec `json:"spec"`
	// +optional
	Status VPCStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// VPCList is a list of VPCs.
type VPCList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []VPC `json:"items"`
}

func init() {
	SchemeBuilder.Register(&VPC{}, &VPCList{})
}
