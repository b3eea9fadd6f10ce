package aws

import (
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

func TestKeyDrift(t *testing.T) {
	policy, _ := awsclient.KeyPolicy(awsclient.KeyPolicyInput{Region: "us-gov-west-1", Account: "1"}).JSON()
	other, _ := awsclient.KeyPolicy(awsclient.KeyPolicyInput{Region: "us-gov-west-1", Account: "1", Users: []string{"arn:aws-us-gov:iam::1:role/x"}}).JSON()
	want := keyState{Enabled: true, RotationEnabled: true, RotationPeriodDays: 365, Policy: policy, Aliases: []string{"alias/zonekeeper/z"}, Description: "d", Tags: map[string]string{"a": "1"}}
	good := want
	cases := map[string]struct {
		reason   string
		observed func(keyState) keyState
		want     []string
	}{
		"InSync":          {reason: "Nothing differs.", observed: func(k keyState) keyState { return k }},
		"PeriodUnknown":   {reason: "An API that does not report the period (moto) is not drift.", observed: func(k keyState) keyState { k.RotationPeriodDays = 0; return k }},
		"RotationOff":     {reason: "Rotation disabled out of band.", observed: func(k keyState) keyState { k.RotationEnabled = false; return k }, want: []string{"automatic rotation is disabled"}},
		"PeriodChanged":   {reason: "A reported period that differs.", observed: func(k keyState) keyState { k.RotationPeriodDays = 90; return k }, want: []string{"rotation period is 90 days, want 365"}},
		"Disabled":        {reason: "A disabled key.", observed: func(k keyState) keyState { k.Enabled = false; return k }, want: []string{"key is disabled"}},
		"PendingDeletion": {reason: "Deletion scheduled out of band.", observed: func(k keyState) keyState { k.Enabled, k.PendingDeletion = false, true; return k }, want: []string{"key is pending deletion"}},
		"PolicyWidened":   {reason: "A policy granting more.", observed: func(k keyState) keyState { k.Policy = other; return k }, want: []string{"key policy differs from the least-privilege policy"}},
		"AliasMoved":      {reason: "The zone alias points elsewhere.", observed: func(k keyState) keyState { k.Aliases = nil; return k }, want: []string{"alias alias/zonekeeper/z does not point at the key"}},
		"TagChanged": {reason: "A tag changed; unknown tags are left alone.", observed: func(k keyState) keyState {
			k.Tags = map[string]string{"a": "2", "aws:cloudformation:stack": "x"}
			return k
		}, want: []string{`tag a is "2", want "1"`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := keyDrift(want, tc.observed(good))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBucketAndTrailDrift(t *testing.T) {
	policy, _ := awsclient.LogBucketPolicy(awsclient.LogBucketPolicyInput{Region: "us-gov-west-1", Account: "1", Bucket: "b", Trail: "t"}).JSON()
	wantBucket := bucketState{Exists: true, SSEAlgorithm: "aws:kms", KMSKeyID: "k", BucketKey: true, Versioning: "Enabled", ObjectLock: true, LockMode: "COMPLIANCE", LockDays: 400,
		PublicAccessBlock: [4]bool{true, true, true, true}, OwnerEnforced: true, Policy: policy, Tags: map[string]string{}}
	bucketCases := map[string]struct {
		observed func(bucketState) bucketState
		want     []string
	}{
		"InSync":          {observed: func(b bucketState) bucketState { return b }},
		"Gone":            {observed: func(bucketState) bucketState { return bucketState{} }, want: []string{"bucket does not exist"}},
		"PublicUnblocked": {observed: func(b bucketState) bucketState { b.PublicAccessBlock = [4]bool{true, false, true, false}; return b }, want: []string{"Block Public Access IgnorePublicAcls is off", "Block Public Access RestrictPublicBuckets is off"}},
		"SSES3":           {observed: func(b bucketState) bucketState { b.SSEAlgorithm, b.KMSKeyID = "AES256", ""; return b }, want: []string{`default encryption is AES256 with key "", want aws:kms with the zone key`}},
		"Retention":       {observed: func(b bucketState) bucketState { b.LockMode, b.LockDays = "GOVERNANCE", 1; return b }, want: []string{"Object Lock default retention is 1 days GOVERNANCE, want 400 days COMPLIANCE"}},
		"NoPolicy":        {observed: func(b bucketState) bucketState { b.Policy = ""; return b }, want: []string{"bucket policy is missing"}},
		"Suspended":       {observed: func(b bucketState) bucketState { b.Versioning = "Suspended"; return b }, want: []string{"versioning is Suspended, want Enabled"}},
	}
	for name, tc := range bucketCases {
		t.Run("Bucket"+name, func(t *testing.T) {
			got, err := bucketDrift(wantBucket, tc.observed(wantBucket))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("-want +got:\n%s", diff)
			}
		})
	}
	wantTrail := trailState{Exists: true, Bucket: "b", KMSKeyID: "k", MultiRegion: true, LogFileValidation: true, GlobalEvents: true, DataEvents: true, ManagementEvents: true, Logging: true, Tags: map[string]string{}}
	trailCases := map[string]struct {
		observed func(trailState) trailState
		want     []string
	}{
		"InSync":       {observed: func(x trailState) trailState { return x }},
		"Stopped":      {observed: func(x trailState) trailState { x.Logging = false; return x }, want: []string{"logging is stopped"}},
		"SingleRegion": {observed: func(x trailState) trailState { x.MultiRegion, x.LogFileValidation = false, false; return x }, want: []string{"trail is not multi-region", "log file validation is off"}},
		"OtherBucket":  {observed: func(x trailState) trailState { x.Bucket = "elsewhere"; return x }, want: []string{`trail writes to bucket "elsewhere", want "b"`}},
		"Unencrypted":  {observed: func(x trailState) trailState { x.KMSKeyID = ""; return x }, want: []string{`trail encrypts with key "", want the zone key`}},
		"DoesNotExist": {observed: func(trailState) trailState { return trailState{} }, want: []string{"trail does not exist"}},
		"NoDataEvents": {observed: func(x trailState) trailState { x.DataEvents = false; return x }, want: []string{"S3 data events are not recorded"}},
		"ManagementEventsNarrowed": {
			observed: func(x trailState) trailState { x.ManagementEvents = false; return x },
			want:     []string{"management events are not all recorded (reads and writes of every event source)"},
		},
	}
	for name, tc := range trailCases {
		t.Run("Trail"+name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, trailDrift(wantTrail, tc.observed(wantTrail))); diff != "" {
				t.Errorf("-want +got:\n%s", diff)
			}
		})
	}
	t.Run("TrailDataEventsNobodyAsksForAreNotDrift", func(t *testing.T) {
		want := wantTrail
		want.DataEvents = false
		if got := trailDrift(want, wantTrail); len(got) != 0 {
			t.Errorf("a trail recording data events it was not asked for drifts: %v", got)
		}
	})
}

func TestRecordsManagementEvents(t *testing.T) {
	field := func(name string, equals ...string) cttypes.AdvancedFieldSelector {
		return cttypes.AdvancedFieldSelector{Field: sdkaws.String(name), Equals: equals}
	}
	basic := func(rw cttypes.ReadWriteType, include *bool, exclude ...string) cloudtrail.GetEventSelectorsOutput {
		return cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{{ReadWriteType: rw, IncludeManagementEvents: include, ExcludeManagementEventSources: exclude}}}
	}
	cases := map[string]struct {
		sel  cloudtrail.GetEventSelectorsOutput
		want bool
	}{
		"TheSelectorsZoneKeeperPuts": {sel: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{managementEvents(), s3DataEvents()}}, want: true},
		"NothingSelected":            {want: true},
		"CloudTrailsDefault":         {sel: basic(cttypes.ReadWriteTypeAll, sdkaws.Bool(true)), want: true},
		"BasicWritesOnly":            {sel: basic(cttypes.ReadWriteTypeWriteOnly, sdkaws.Bool(true))},
		"BasicManagementEventsOff":   {sel: basic(cttypes.ReadWriteTypeAll, sdkaws.Bool(false))},
		"BasicKMSLeftOut":            {sel: basic(cttypes.ReadWriteTypeAll, nil, "kms.amazonaws.com")},
		"AdvancedDataEventsOnly":     {sel: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{s3DataEvents()}}},
		"AdvancedReadsOnly":          {sel: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{field("eventCategory", "Management"), field("readOnly", "true")}}}}},
		"AdvancedEventSourceLeftOut": {sel: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{field("eventCategory", "Management"), {Field: sdkaws.String("eventSource"), NotEquals: []string{"kms.amazonaws.com"}}}}}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := recordsManagementEvents(&tc.sel); got != tc.want {
				t.Errorf("recordsManagementEvents() = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestRecordsS3DataEvents(t *testing.T) {
	field := func(name string, equals ...string) cttypes.AdvancedFieldSelector {
		return cttypes.AdvancedFieldSelector{Field: sdkaws.String(name), Equals: equals}
	}
	cases := map[string]struct {
		sel  cloudtrail.GetEventSelectorsOutput
		want bool
	}{
		"TheSelectorsZoneKeeperPuts": {sel: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{managementEvents(), s3DataEvents()}}, want: true},
		"ManagementEventsOnly":       {sel: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: sdkaws.Bool(true)}}}},
		"DataEventsOfOneBucketOnly": {sel: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"), field("resources.ARN", "arn:aws-us-gov:s3:::one/"),
		}}}}},
		"WritesOnly": {sel: cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{
			field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"), field("readOnly", "false"),
		}}}}},
		"BasicSelectorForEveryBucket": {sel: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll,
			DataResources: []cttypes.DataResource{{Type: sdkaws.String("AWS::S3::Object"), Values: []string{"arn:aws-us-gov:s3"}}}}}}, want: true},
		"BasicSelectorForReadsOnly": {sel: cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeReadOnly,
			DataResources: []cttypes.DataResource{{Type: sdkaws.String("AWS::S3::Object"), Values: []string{"arn:aws-us-gov:s3"}}}}}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := recordsS3DataEvents(&tc.sel); got != tc.want {
				t.Errorf("recordsS3DataEvents() = %t, want %t", got, tc.want)
			}
		})
	}
}

func vpcParams() awsv1.VPCParameters {
	return awsv1.VPCParameters{Region: "us-gov-west-1", CIDRBlock: "10.40.0.0/16", AvailabilityZones: 2, Egress: awsv1.EgressNone,
		InterfaceEndpoints: []string{"kms"}, FlowLogs: awsv1.FlowLogs{BucketARN: "arn:aws-us-gov:s3:::logs"}}
}

// inSync is a network exactly as the desired one of vpcParams asks.
func inSync(t *testing.T) (vpcDesired, vpcObserved) {
	t.Helper()
	d, err := desiredVPC(vpcParams(), []string{"us-gov-west-1c", "us-gov-west-1a", "us-gov-west-1b"}, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	o := vpcObserved{
		Exists: true, ID: "vpc-1", CIDR: "10.40.0.0/16", DNSSupport: true, DNSHostnames: true,
		Subnets: []subnetObserved{
			{ID: "subnet-a", AZ: "us-gov-west-1a", CIDR: "10.40.0.0/19", RouteTableID: "rtb-a"},
			{ID: "subnet-b", AZ: "us-gov-west-1b", CIDR: "10.40.32.0/19", RouteTableID: "rtb-b"},
		},
		RouteTables: map[string]routeTableObserved{"rtb-a": {ID: "rtb-a"}, "rtb-b": {ID: "rtb-b"}, "rtb-main": {ID: "rtb-main", Main: true}},
		Endpoints: map[string]endpointObserved{
			"com.amazonaws.us-gov-west-1.s3":  {ID: "vpce-s3", RouteTables: []string{"rtb-a", "rtb-b"}},
			"com.amazonaws.us-gov-west-1.kms": {ID: "vpce-kms", Subnets: []string{"subnet-a", "subnet-b"}},
		},
		EndpointSG: "sg-e", EndpointSGFrom: []string{"10.40.0.0/16"}, DefaultSG: "sg-d",
		FlowLogs: []flowLogObserved{{ID: "fl-1", Destination: "arn:aws-us-gov:s3:::logs", TrafficType: "ALL"}},
		Tags:     map[string]string{},
	}
	return d, o
}

// direct is the desired network of vpcParams with egress Direct.
func direct(t *testing.T) vpcDesired {
	return desiredWith(t, func(p *awsv1.VPCParameters) { p.Egress = awsv1.EgressDirect })
}

// grown is the desired network of vpcParams with the secondary block 10.41.0.0/16.
func grown(t *testing.T) vpcDesired {
	return desiredWith(t, func(p *awsv1.VPCParameters) { p.SecondaryCIDRBlocks = []string{"10.41.0.0/16"} })
}

// desiredWith is the desired network of vpcParams changed by change, in two zones.
func desiredWith(t *testing.T, change func(*awsv1.VPCParameters)) vpcDesired {
	t.Helper()
	p := vpcParams()
	change(&p)
	d, err := desiredVPC(p, []string{"us-gov-west-1a", "us-gov-west-1b"}, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// directInSync adds to o what egress Direct makes, as it asks.
func directInSync(o *vpcObserved) {
	o.InternetGateways = []internetGateway{{ID: "igw-1", Managed: true}}
	o.Subnets = append(o.Subnets, subnetObserved{ID: "subnet-pub", AZ: "us-gov-west-1a", CIDR: "10.40.224.0/19", RouteTableID: "rtb-pub", Public: true})
	o.RouteTables["rtb-pub"] = routeTableObserved{ID: "rtb-pub", DefaultTarget: "igw-1"}
	o.NATGateways = []natGateway{{ID: "nat-1", SubnetID: "subnet-pub", State: ec2types.NatGatewayStateAvailable, AllocationID: "eipalloc-1", PublicIP: "198.51.100.7", Managed: true}}
	o.ElasticIPs = []elasticIP{{AllocationID: "eipalloc-1", AssociationID: "eipassoc-1", PublicIP: "198.51.100.7"}}
	o.RouteTables["rtb-a"] = routeTableObserved{ID: "rtb-a", DefaultTarget: "nat-1"}
	o.RouteTables["rtb-b"] = routeTableObserved{ID: "rtb-b", DefaultTarget: "nat-1"}
}

func TestVPCDrift(t *testing.T) {
	cases := map[string]struct {
		reason string
		change func(*vpcDesired, *vpcObserved)
		want   []string
	}{
		"InSync": {reason: "Nothing differs.", change: func(*vpcDesired, *vpcObserved) {}},
		"SubnetGone": {reason: "A deleted subnet is named by CIDR and zone.", change: func(_ *vpcDesired, o *vpcObserved) {
			o.Subnets = o.Subnets[:1]
		}, want: []string{"subnet 10.40.32.0/19 in us-gov-west-1b is missing"}},
		"InternetGatewayWithEgressNone": {reason: "An internet gateway attached out of band breaks egress None.", change: func(_ *vpcDesired, o *vpcObserved) {
			o.InternetGateways = []internetGateway{{ID: "igw-1"}}
			o.RouteTables["rtb-a"] = routeTableObserved{ID: "rtb-a", DefaultTarget: "igw-1"}
		}, want: []string{"internet gateway igw-1 is attached although egress is None", "route table rtb-a routes 0.0.0.0/0 to igw-1 although egress is None"}},
		"DefaultSGRules": {reason: "Rules in the default security group.", change: func(_ *vpcDesired, o *vpcObserved) { o.DefaultSGRules = 2 }, want: []string{"default security group sg-d has 2 rules"}},
		"FlowLogDeleted": {reason: "A deleted flow log.", change: func(_ *vpcDesired, o *vpcObserved) { o.FlowLogs = nil }, want: []string{"flow log of all traffic to arn:aws-us-gov:s3:::logs is missing"}},
		"FlowLogRejectOnly": {reason: "A flow log of rejected traffic only is not the one required.", change: func(_ *vpcDesired, o *vpcObserved) {
			o.FlowLogs[0].TrafficType = "REJECT"
		}, want: []string{"flow log of all traffic to arn:aws-us-gov:s3:::logs is missing"}},
		"EndpointMissingSubnet": {reason: "An interface endpoint not in every subnet.", change: func(_ *vpcDesired, o *vpcObserved) {
			o.Endpoints["com.amazonaws.us-gov-west-1.kms"] = endpointObserved{ID: "vpce-kms", Subnets: []string{"subnet-a"}}
		}, want: []string{"interface endpoint com.amazonaws.us-gov-west-1.kms is not in subnet subnet-b"}},
		"S3EndpointGone": {reason: "The S3 gateway endpoint deleted.", change: func(_ *vpcDesired, o *vpcObserved) {
			delete(o.Endpoints, "com.amazonaws.us-gov-west-1.s3")
		}, want: []string{"S3 gateway endpoint is missing"}},
		"DirectWithoutGateway": {reason: "Egress Direct needs a gateway and routes to it.", change: func(d *vpcDesired, _ *vpcObserved) { d.Egress = awsv1.EgressDirect },
			want: []string{"no internet gateway is attached"}},
		"DirectWithoutPublicSubnet": {reason: "Egress Direct needs the public subnet for its NAT gateway.", change: func(d *vpcDesired, o *vpcObserved) {
			*d = direct(t)
			o.InternetGateways = []internetGateway{{ID: "igw-1", Managed: true}}
		}, want: []string{"public subnet 10.40.224.0/19 in us-gov-west-1a is missing"}},
		"DirectNATPending": {reason: "Private subnets are routed to the NAT gateway only once it is available.", change: func(d *vpcDesired, o *vpcObserved) {
			*d = direct(t)
			directInSync(o)
			o.NATGateways[0].State = ec2types.NatGatewayStatePending
		}, want: []string{"no NAT gateway is available in public subnet subnet-pub"}},
		"DirectInSync": {reason: "Public subnet routed to the gateway, private ones to the NAT gateway.", change: func(d *vpcDesired, o *vpcObserved) {
			*d = direct(t)
			directInSync(o)
		}},
		"DirectRoutedToTheGateway": {reason: "Private subnets routed straight to the internet gateway (as before NAT gateways) are drift.", change: func(d *vpcDesired, o *vpcObserved) {
			*d = direct(t)
			directInSync(o)
			o.RouteTables["rtb-a"] = routeTableObserved{ID: "rtb-a", DefaultTarget: "igw-1"}
		}, want: []string{"route table rtb-a does not route 0.0.0.0/0 to NAT gateway nat-1"}},
		"DirectSpareAddress": {reason: "An address of the VPC the NAT gateway does not use is drift (it would otherwise be paid for forever).", change: func(d *vpcDesired, o *vpcObserved) {
			*d = direct(t)
			directInSync(o)
			o.ElasticIPs = append(o.ElasticIPs, elasticIP{AllocationID: "eipalloc-2", PublicIP: "198.51.100.8"})
		}, want: []string{"elastic IP 198.51.100.8 is allocated but not used by NAT gateway nat-1"}},
		"AttachmentLeftAfterInspected": {reason: "The transit gateway attachment this object made, still there after leaving Inspected.", change: func(_ *vpcDesired, o *vpcObserved) {
			o.Attachments = []tgwAttachment{{ID: "tgw-attach-1", TGW: "tgw-1", Managed: true}}
		}, want: []string{"transit gateway attachment tgw-attach-1 exists although egress is None"}},
		"InspectedMovedToAnotherHub": {reason: "After transitGatewayID changes, the attachment to the old hub is drift and one to the new hub is missing.", change: func(d *vpcDesired, o *vpcObserved) {
			d.Egress, d.TransitGatewayID = awsv1.EgressInspected, "tgw-2"
			o.Attachments = []tgwAttachment{{ID: "tgw-attach-1", TGW: "tgw-1", Managed: true}}
			o.RouteTables["rtb-a"] = routeTableObserved{ID: "rtb-a", DefaultTarget: "tgw-1"}
			o.RouteTables["rtb-b"] = routeTableObserved{ID: "rtb-b", DefaultTarget: "tgw-1"}
		}, want: []string{
			"transit gateway attachment tgw-attach-1 is to tgw-1, not to transit gateway tgw-2",
			"VPC is not attached to transit gateway tgw-2",
			"route table rtb-a does not route 0.0.0.0/0 to transit gateway tgw-2", "route table rtb-b does not route 0.0.0.0/0 to transit gateway tgw-2",
		}},
		"SomeoneElsesAttachment": {reason: "An attachment this object did not make is left alone.", change: func(_ *vpcDesired, o *vpcObserved) {
			o.Attachments = []tgwAttachment{{ID: "tgw-attach-9", TGW: "tgw-9"}}
		}},
		"DirectLeftAfterNone": {reason: "After a change to None, what Direct made is drift: NAT gateway, address, public subnet.", change: func(_ *vpcDesired, o *vpcObserved) {
			directInSync(o)
			o.InternetGateways = nil
			for _, id := range []string{"rtb-a", "rtb-b"} {
				o.RouteTables[id] = routeTableObserved{ID: id}
			}
		}, want: []string{"NAT gateway nat-1 exists although egress is None", "elastic IP 198.51.100.7 is allocated although egress is None", "public subnet subnet-pub exists although egress is None"}},
		"InspectedWithoutAttachment": {reason: "Egress Inspected needs the transit gateway attachment and routes.", change: func(d *vpcDesired, _ *vpcObserved) {
			d.Egress, d.TransitGatewayID = awsv1.EgressInspected, "tgw-1"
		}, want: []string{"VPC is not attached to transit gateway tgw-1", "route table rtb-a does not route 0.0.0.0/0 to transit gateway tgw-1", "route table rtb-b does not route 0.0.0.0/0 to transit gateway tgw-1"}},
		"EndpointSGClosed": {reason: "The endpoints' security group no longer admits HTTPS from the VPC.", change: func(_ *vpcDesired, o *vpcObserved) {
			o.EndpointSGFrom = nil
		}, want: []string{"the endpoints' security group does not admit HTTPS from 10.40.0.0/16"}},
		"SecondaryBlockGrown": {reason: "A secondary block adds a subnet per zone with its own route table, in the S3 endpoint, and a source the endpoints' security group admits; the interface endpoints stay in one subnet per zone.", change: func(d *vpcDesired, o *vpcObserved) {
			*d = grown(t)
			o.SecondaryCIDRs = []string{"10.41.0.0/16"}
		}, want: []string{
			"subnet 10.41.0.0/19 in us-gov-west-1a is missing", "subnet 10.41.32.0/19 in us-gov-west-1b is missing",
			"the endpoints' security group does not admit HTTPS from 10.41.0.0/16",
		}},
		"SecondaryBlockFailed": {reason: "A block AWS failed to associate is reported with AWS's reason.", change: func(d *vpcDesired, o *vpcObserved) {
			d.SecondaryCIDRs = []string{"100.64.0.0/16"}
			o.CIDRFailures = map[string]string{"100.64.0.0/16": "the CIDR block overlaps a route"}
		}, want: []string{
			"secondary CIDR block 100.64.0.0/16 is not associated (AWS failed to associate it: the CIDR block overlaps a route)",
			"the endpoints' security group does not admit HTTPS from 100.64.0.0/16",
		}},
		"SecondaryBlockInSync": {reason: "Secondary subnets with their route tables, in the S3 endpoint, and the block admitted: nothing differs, although the kms endpoint is not in them.", change: func(d *vpcDesired, o *vpcObserved) {
			*d = grown(t)
			o.SecondaryCIDRs = []string{"10.41.0.0/16"}
			o.Subnets = append(o.Subnets, subnetObserved{ID: "subnet-a2", AZ: "us-gov-west-1a", CIDR: "10.41.0.0/19", RouteTableID: "rtb-a2"},
				subnetObserved{ID: "subnet-b2", AZ: "us-gov-west-1b", CIDR: "10.41.32.0/19", RouteTableID: "rtb-b2"})
			o.RouteTables["rtb-a2"], o.RouteTables["rtb-b2"] = routeTableObserved{ID: "rtb-a2"}, routeTableObserved{ID: "rtb-b2"}
			o.Endpoints["com.amazonaws.us-gov-west-1.s3"] = endpointObserved{ID: "vpce-s3", RouteTables: []string{"rtb-a", "rtb-b", "rtb-a2", "rtb-b2"}}
			o.EndpointSGFrom = []string{"10.40.0.0/16", "10.41.0.0/16"}
		}},
		"FlowLogsOff": {reason: "With flow logs disabled a missing flow log is fine.", change: func(d *vpcDesired, o *vpcObserved) { d.FlowLogDestination, o.FlowLogs = "", nil }},
		"Gone":        {reason: "A VPC that does not exist.", change: func(_ *vpcDesired, o *vpcObserved) { *o = vpcObserved{} }, want: []string{"VPC does not exist"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, o := inSync(t)
			tc.change(&d, &o)
			if diff := cmp.Diff(tc.want, vpcDrift(d, o)); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestDesiredVPC(t *testing.T) {
	d, _ := inSync(t)
	want := []subnetDesired{{AZ: "us-gov-west-1a", CIDR: "10.40.0.0/19", Name: "private-us-gov-west-1a"}, {AZ: "us-gov-west-1b", CIDR: "10.40.32.0/19", Name: "private-us-gov-west-1b"}}
	if diff := cmp.Diff(want, d.Subnets); diff != "" {
		t.Errorf("subnets are not the first zones in name order on the layout's first blocks: -want +got:\n%s", diff)
	}
	grown := vpcParams()
	grown.SecondaryCIDRBlocks = []string{"10.41.0.0/20", "10.42.0.0/26"}
	g, err := desiredVPC(grown, []string{"us-gov-west-1b", "us-gov-west-1a"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want = append(want,
		subnetDesired{AZ: "us-gov-west-1a", CIDR: "10.41.0.0/23", Block: "10.41.0.0/20", Name: "private-us-gov-west-1a-2"},
		subnetDesired{AZ: "us-gov-west-1b", CIDR: "10.41.2.0/23", Block: "10.41.0.0/20", Name: "private-us-gov-west-1b-2"})
	if diff := cmp.Diff(want, g.Subnets); diff != "" {
		t.Errorf("a /20 secondary block must hold the same layout and a /26 none: -want +got:\n%s", diff)
	}
	if got := g.endpointSources(); !cmp.Equal(got, []string{"10.40.0.0/16", "10.41.0.0/20", "10.42.0.0/26"}) {
		t.Errorf("endpoint sources %v, want every block of the VPC", got)
	}
	if d.GatewayEndpoint != "com.amazonaws.us-gov-west-1.s3" || !cmp.Equal(d.InterfaceEndpoints, []string{"com.amazonaws.us-gov-west-1.kms"}) {
		t.Errorf("endpoints %s %v", d.GatewayEndpoint, d.InterfaceEndpoints)
	}
	p := vpcParams()
	p.FlowLogs.BucketARN = ""
	if _, err := desiredVPC(p, []string{"a", "b"}, nil); err == nil {
		t.Error("flow logs on without a destination is accepted")
	}
	p.FlowLogs.Enabled = sdkaws.Bool(false)
	if d, err := desiredVPC(p, []string{"a", "b"}, nil); err != nil || d.FlowLogDestination != "" {
		t.Errorf("flow logs off: %+v, %v", d, err)
	}
	if _, err := desiredVPC(vpcParams(), []string{"us-gov-west-1a"}, nil); err == nil {
		t.Error("two zones in a region with one is accepted")
	}
}

func TestAccountDrift(t *testing.T) {
	want := accountState{ParentID: "ou-prod", Tags: map[string]string{"t": "1"}}
	if got := accountDrift(want, want, "Workloads/Prod"); len(got) != 0 {
		t.Errorf("in sync: %v", got)
	}
	got := accountDrift(want, accountState{ParentID: "r-root", Tags: map[string]string{}}, "Workloads/Prod")
	if diff := cmp.Diff([]string{"account is in r-root, want Workloads/Prod (ou-prod)", "tag t is missing"}, got); diff != "" {
		t.Errorf("-want +got:\n%s", diff)
	}
}

func TestPollHook(t *testing.T) {
	o := Options{PollInterval: time.Minute, PollJitter: 6 * time.Second, CreatingPollInterval: 5 * time.Second}
	hook := pollHook(o)
	ready := &awsv1.Account{}
	creating := &awsv1.Account{}
	creating.SetConditions(xpv2.Creating())
	seen := map[time.Duration]bool{}
	for range 200 {
		d := hook(ready, time.Minute)
		if d < 54*time.Second || d > 66*time.Second {
			t.Fatalf("poll of a Ready object in %s: want a minute, moved by at most 6s", d)
		}
		seen[d] = true
		if c := hook(creating, time.Minute); c > 11*time.Second {
			t.Fatalf("poll of an object AWS is creating in %s: want about 5s", c)
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays in 200 polls: no jitter", len(seen))
	}
	if jitter(time.Second, 10*time.Second) < 500*time.Millisecond {
		t.Error("jitter larger than the interval brings a poll below half the interval")
	}
}

func TestDeletionPolicyDefaultsToOrphan(t *testing.T) {
	k := &awsv1.Key{ObjectMeta: metav1.ObjectMeta{Name: "k"}}
	if got := k.GetDeletionPolicy(); got != xpv2.DeletionOrphan {
		t.Errorf("unset deletionPolicy reads as %q, want Orphan", got)
	}
	k.SetDeletionPolicy(xpv2.DeletionDelete)
	if got := k.GetDeletionPolicy(); got != xpv2.DeletionDelete {
		t.Errorf("deletionPolicy Delete reads as %q", got)
	}
}

func TestPlanNAT(t *testing.T) {
	pub := subnetObserved{ID: "subnet-pub", CIDR: "10.40.224.0/19", Public: true}
	live := natGateway{ID: "nat-1", SubnetID: "subnet-pub", State: ec2types.NatGatewayStateAvailable, AllocationID: "eipalloc-1", PublicIP: "198.51.100.1", Managed: true}
	held := elasticIP{AllocationID: "eipalloc-1", AssociationID: "eipassoc-1", PublicIP: "198.51.100.1"}
	spare := elasticIP{AllocationID: "eipalloc-2", PublicIP: "198.51.100.2"}
	other := elasticIP{AllocationID: "eipalloc-3", PublicIP: "198.51.100.3"}
	cases := map[string]struct {
		reason string
		o      vpcObserved
		want   natStep
	}{
		"Live": {reason: "A NAT gateway holding its address is used as it is.",
			o: vpcObserved{NATGateways: []natGateway{live}, ElasticIPs: []elasticIP{held}}, want: natStep{Use: live}},
		"LiveWithASpare": {reason: "A spare address beside the live gateway is released, not kept forever.",
			o: vpcObserved{NATGateways: []natGateway{live}, ElasticIPs: []elasticIP{held, spare}}, want: natStep{Use: live, Release: []elasticIP{spare}}},
		"Deleting": {reason: "While a gateway is being deleted (its address still held), nothing is allocated or created.",
			o:    vpcObserved{NATGateways: []natGateway{{ID: "nat-1", SubnetID: "subnet-pub", State: ec2types.NatGatewayStateDeleting, AllocationID: "eipalloc-1", Managed: true}}, ElasticIPs: []elasticIP{held}},
			want: natStep{Wait: "NAT gateway nat-1 is being deleted: the public subnet gets a new one once AWS has deleted it"}},
		"NotVisibleYet": {reason: "An associated address with no visible gateway is a create whose reply was lost: wait, never create a second one.",
			o:    vpcObserved{ElasticIPs: []elasticIP{held}},
			want: natStep{Wait: "elastic IP 198.51.100.1 is associated, but no NAT gateway holding it is visible yet"}},
		"DeadGatewaysAddress": {reason: "The address of a gateway that failed or was deleted is released; its client token would hand the dead gateway back.",
			o:    vpcObserved{ElasticIPs: []elasticIP{spare}, SpentAllocations: []string{"eipalloc-2"}},
			want: natStep{Release: []elasticIP{spare}, Create: true}},
		"DeadGatewaysAddressStillAssociated": {reason: "The address of a dead gateway is free even if its association lingers (moto keeps it).",
			o:    vpcObserved{ElasticIPs: []elasticIP{held}, SpentAllocations: []string{"eipalloc-1"}},
			want: natStep{Release: []elasticIP{held}, Create: true}},
		"LostAllocation": {reason: "An unassociated address of the VPC (an allocation whose reply was lost) is used, not allocated again.",
			o: vpcObserved{ElasticIPs: []elasticIP{spare}}, want: natStep{Create: true, Address: spare}},
		"TwoSpares": {reason: "Of two spare addresses the lowest allocation ID is used, whatever order EC2 lists them in; the other waits for the gateway (it may hold one not visible yet).",
			o: vpcObserved{ElasticIPs: []elasticIP{other, spare}}, want: natStep{Create: true, Address: spare}},
		"Nothing": {reason: "Nothing yet: allocate and create.", want: natStep{Create: true}},
		"SomeoneElsesGatewayDeleting": {reason: "A gateway not made by this object is no reason to wait.",
			o:    vpcObserved{NATGateways: []natGateway{{ID: "nat-9", SubnetID: "subnet-x", State: ec2types.NatGatewayStateDeleting}}},
			want: natStep{Create: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.o.planNAT(pub), cmp.AllowUnexported(natStep{}, natGateway{}, elasticIP{})); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSelectorsToPutRecordEveryManagementEventAndKeepDataEvents(t *testing.T) {
	field := func(name string, equals ...string) cttypes.AdvancedFieldSelector {
		return cttypes.AdvancedFieldSelector{Field: sdkaws.String(name), Equals: equals}
	}
	management, s3 := managementEvents(), s3DataEvents()
	lambda := cttypes.AdvancedEventSelector{Name: sdkaws.String("lambda"), FieldSelectors: []cttypes.AdvancedFieldSelector{field("eventCategory", "Data"), field("resources.type", "AWS::Lambda::Function")}}
	cases := map[string]struct {
		sel    *cloudtrail.GetEventSelectorsOutput
		noData bool // the trail is not asked for S3 data events
		want   []cttypes.AdvancedEventSelector
	}{
		"NothingSelected": {sel: &cloudtrail.GetEventSelectorsOutput{}, want: []cttypes.AdvancedEventSelector{management, s3}},
		"OtherAdvancedSelectorsStay": {
			sel:  &cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{management, lambda}},
			want: []cttypes.AdvancedEventSelector{management, lambda, s3},
		},
		"NarrowedManagementEventsGiveWayWithoutDataEvents": {
			sel: &cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
				{Name: sdkaws.String("writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{field("eventCategory", "Management"), field("readOnly", "false")}}, lambda,
			}},
			noData: true,
			want:   []cttypes.AdvancedEventSelector{management, lambda},
		},
		"S3DataEventsAlreadyRecordedAreNotAddedTwice": {
			sel: &cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: sdkaws.Bool(false),
				DataResources: []cttypes.DataResource{{Type: sdkaws.String("AWS::S3::Object"), Values: []string{"arn:aws-us-gov:s3"}}}}}},
			want: []cttypes.AdvancedEventSelector{management, {Name: sdkaws.String("Data events: AWS::S3::Object"), FieldSelectors: []cttypes.AdvancedFieldSelector{
				field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"),
			}}},
		},
		"BasicSelectorsAreRewritten": {
			sel: &cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{{
				ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: sdkaws.Bool(true), ExcludeManagementEventSources: []string{"kms.amazonaws.com"},
				DataResources: []cttypes.DataResource{{Type: sdkaws.String("AWS::S3::Object"), Values: []string{"arn:aws-us-gov:s3:::evidence/"}}},
			}}},
			want: []cttypes.AdvancedEventSelector{
				management,
				{Name: sdkaws.String("Data events: AWS::S3::Object"), FieldSelectors: []cttypes.AdvancedFieldSelector{
					field("eventCategory", "Data"), field("resources.type", "AWS::S3::Object"), field("readOnly", "false"), {Field: sdkaws.String("resources.ARN"), StartsWith: []string{"arn:aws-us-gov:s3:::evidence/"}},
				}},
				s3,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := selectorsToPut(tc.sel, !tc.noData)
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(cttypes.AdvancedEventSelector{}, cttypes.AdvancedFieldSelector{})); diff != "" {
				t.Errorf("-want +got:\n%s", diff)
			}
			put := &cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: got}
			if !tc.noData && !recordsS3DataEvents(put) {
				t.Errorf("the selectors put do not record the data events of every S3 object: %+v", got)
			}
			if !recordsManagementEvents(put) {
				t.Errorf("the selectors put do not record every management event: %+v", got)
			}
		})
	}
}
