package aws_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

func newKey(ns, name, zone string) *awsv1.Key {
	return &awsv1.Key{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: awsv1.KeySpec{ResourceSpec: spec("aws"), ForProvider: awsv1.KeyParameters{
			Region: region, Zone: zone, Description: "zone key of " + zone, RotationPeriodDays: 180,
			UserARNs: []string{"arn:aws-us-gov:iam::" + moto.AccountID + ":role/bwv-ingest"},
			Tags:     map[string]string{"tenant": "dc-mpd"},
		}},
	}
}

func newAuditTrail(ns, name, bucket, keyRef string) *awsv1.AuditTrail {
	return &awsv1.AuditTrail{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: awsv1.AuditTrailSpec{ResourceSpec: spec("aws"), ForProvider: awsv1.AuditTrailParameters{
			Region: region, BucketName: bucket, KMSKeyRef: &xpv2.Reference{Name: keyRef},
			RetentionDays: 400, ObjectLockMode: awsv1.ObjectLockCompliance, DataEvents: true, Tags: map[string]string{"tenant": "dc-mpd"},
		}},
	}
}

func newVPC(ns, name, trailRef string) *awsv1.VPC {
	return &awsv1.VPC{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: awsv1.VPCSpec{ResourceSpec: spec("aws"), ForProvider: awsv1.VPCParameters{
			Region: region, CIDRBlock: "10.40.0.0/16", AvailabilityZones: 3, Egress: awsv1.EgressNone,
			InterfaceEndpoints: []string{"kms", "sts", "logs"},
			FlowLogs:           awsv1.FlowLogs{Enabled: sdkaws.Bool(true), BucketRef: &xpv2.Reference{Name: trailRef}},
			Tags:               map[string]string{"tenant": "dc-mpd"},
		}},
	}
}

// TestZoneStack drives a zone's Key, AuditTrail and VPC to Ready in envtest (the trail finds the
// key and the network finds the log bucket through references), verifies each in moto through the
// SDK, changes things out of band and watches each be put back with an event naming it, then
// deletes the objects with the default deletion policy and finds everything still in AWS.
func TestZoneStack(t *testing.T) {
	z := newZone(t)
	key := newKey(z.ns, "zone-key", "dc-mpd-evidence")
	trail := newAuditTrail(z.ns, "audit", "zk-dc-mpd-evidence-logs", "zone-key")
	vpc := newVPC(z.ns, "network", "audit")
	z.create(vpc, trail, key) // in reverse: references wait for what they name
	z.waitReady(key)
	z.waitReady(trail)
	z.waitReady(vpc)

	cfg := awsConfig(t, region)
	kc, sc, ctc, ec := kms.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), cloudtrail.NewFromConfig(cfg), ec2.NewFromConfig(cfg)
	ctx := t.Context()
	keyID := key.Status.AtProvider.KeyID
	bucket := sdkaws.String(trail.Spec.ForProvider.BucketName)
	vpcID := vpc.Status.AtProvider.VPCID

	t.Run("KeyInKMS", func(t *testing.T) {
		z := z.in(t)
		md, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sdkaws.String("alias/zonekeeper/dc-mpd-evidence")})
		if err != nil {
			t.Fatalf("the zone alias does not resolve: %v", err)
		}
		k := md.KeyMetadata
		if sdkaws.ToString(k.KeyId) != keyID || k.KeyState != kmstypes.KeyStateEnabled || k.KeySpec != kmstypes.KeySpecSymmetricDefault || k.KeyManager != kmstypes.KeyManagerTypeCustomer {
			t.Errorf("key %s: state %s, spec %s, manager %s; want the object's enabled symmetric customer-managed key %s", sdkaws.ToString(k.KeyId), k.KeyState, k.KeySpec, k.KeyManager, keyID)
		}
		if want := "arn:aws-us-gov:kms:us-gov-west-1:" + moto.AccountID + ":key/" + keyID; key.Status.AtProvider.ARN != want {
			t.Errorf("status ARN %q, want %q", key.Status.AtProvider.ARN, want)
		}
		rot, err := kc.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &keyID})
		if err != nil || !rot.KeyRotationEnabled {
			t.Errorf("rotation: %+v, %v; want enabled", rot, err)
		}
		pol, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &keyID, PolicyName: sdkaws.String("default")})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := awsclient.KeyPolicy(awsclient.KeyPolicyInput{Region: region, Account: moto.AccountID, Users: key.Spec.ForProvider.UserARNs}).JSON()
		if same, err := awsclient.EquivalentPolicies(want, sdkaws.ToString(pol.Policy)); err != nil || !same {
			t.Errorf("key policy is not the least-privilege policy: %s", sdkaws.ToString(pol.Policy))
		}
		if strings.Contains(sdkaws.ToString(pol.Policy), `"kms:*"`) {
			t.Errorf("key policy grants kms:*: %s", sdkaws.ToString(pol.Policy))
		}
		tags, _ := kc.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &keyID})
		if !hasKMSTag(tags.Tags, "zonekeeper.dev/managed-by", z.ns+"/zone-key") || !hasKMSTag(tags.Tags, "tenant", "dc-mpd") {
			t.Errorf("key tags %+v lack the spec's and ZoneKeeper's", tags.Tags)
		}
	})

	t.Run("LogBucketInS3", func(t *testing.T) {
		enc, err := sc.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucket})
		if err != nil {
			t.Fatal(err)
		}
		d := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
		if d.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms || sdkaws.ToString(d.KMSMasterKeyID) != key.Status.AtProvider.ARN {
			t.Errorf("bucket encryption %s with %s, want aws:kms with %s", d.SSEAlgorithm, sdkaws.ToString(d.KMSMasterKeyID), key.Status.AtProvider.ARN)
		}
		ver, _ := sc.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bucket})
		if ver.Status != s3types.BucketVersioningStatusEnabled {
			t.Errorf("versioning %q, want Enabled", ver.Status)
		}
		lock, err := sc.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bucket})
		if err != nil {
			t.Fatal(err)
		}
		l := lock.ObjectLockConfiguration
		if l.ObjectLockEnabled != s3types.ObjectLockEnabledEnabled || l.Rule.DefaultRetention.Mode != s3types.ObjectLockRetentionModeCompliance || sdkaws.ToInt32(l.Rule.DefaultRetention.Days) != 400 {
			t.Errorf("object lock %+v %+v, want enabled, COMPLIANCE, 400 days", l, l.Rule.DefaultRetention)
		}
		pab, err := sc.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})
		if err != nil {
			t.Fatal(err)
		}
		p := pab.PublicAccessBlockConfiguration
		if !sdkaws.ToBool(p.BlockPublicAcls) || !sdkaws.ToBool(p.IgnorePublicAcls) || !sdkaws.ToBool(p.BlockPublicPolicy) || !sdkaws.ToBool(p.RestrictPublicBuckets) {
			t.Errorf("Block Public Access %+v, want all four on", p)
		}
		pol, err := sc.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
		if err != nil {
			t.Fatal(err)
		}
		if !deniesInsecureTransport(t, sdkaws.ToString(pol.Policy)) {
			t.Errorf("bucket policy does not deny requests without TLS: %s", sdkaws.ToString(pol.Policy))
		}
	})

	t.Run("TrailInCloudTrail", func(t *testing.T) {
		tr, err := ctc.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: sdkaws.String("audit")})
		if err != nil {
			t.Fatal(err)
		}
		x := tr.Trail
		if !sdkaws.ToBool(x.IsMultiRegionTrail) || !sdkaws.ToBool(x.LogFileValidationEnabled) || sdkaws.ToString(x.KmsKeyId) != key.Status.AtProvider.ARN || sdkaws.ToString(x.S3BucketName) != *bucket {
			t.Errorf("trail %+v: want multi-region, log file validation, the zone key and the zone bucket", x)
		}
		st, err := ctc.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdkaws.String("audit")})
		if err != nil || !sdkaws.ToBool(st.IsLogging) {
			t.Errorf("trail logging: %+v, %v; want logging", st, err)
		}
		sel, err := ctc.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdkaws.String("audit")})
		if err != nil || !awsctrl.RecordsS3DataEvents(sel) {
			t.Errorf("trail event selectors %+v, %v; want the data events of every S3 object", sel, err)
		}
		if want := "arn:aws-us-gov:s3:::" + *bucket; trail.Status.AtProvider.BucketARN != want {
			t.Errorf("status bucket ARN %q, want %q", trail.Status.AtProvider.BucketARN, want)
		}
	})

	t.Run("NetworkInEC2", func(t *testing.T) {
		verifyNetwork(t, ec, vpc, trail.Status.AtProvider.BucketARN)
	})

	t.Run("DriftIsRepaired", func(t *testing.T) {
		z := z.in(t)
		if _, err := kc.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: &keyID}); err != nil {
			t.Fatal(err)
		}
		if _, err := ec.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{vpc.Status.AtProvider.FlowLogID}}); err != nil {
			t.Fatal(err)
		}
		// The trail is paused while its bucket and its logging are changed, so that no
		// observation lands between the two changes and repairs one without reporting the other.
		z.pause(trail)
		if _, err := sc.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bucket, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: sdkaws.Bool(false), IgnorePublicAcls: sdkaws.Bool(false), BlockPublicPolicy: sdkaws.Bool(false), RestrictPublicBuckets: sdkaws.Bool(false),
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ctc.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: sdkaws.String("audit")}); err != nil {
			t.Fatal(err)
		}
		// Management events off, S3 data events kept: only the first is drift. (Advanced selectors:
		// moto keeps a trail's advanced selectors when basic ones are put, where AWS drops them.)
		if _, err := ctc.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: sdkaws.String("audit"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{
			Name: sdkaws.String("S3 only"), FieldSelectors: []cttypes.AdvancedFieldSelector{
				{Field: sdkaws.String("eventCategory"), Equals: []string{"Data"}},
				{Field: sdkaws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
			},
		}}}); err != nil {
			t.Fatal(err)
		}
		z.resume(trail)
		z.waitEvent("zone-key", "RepairedDrift", "automatic rotation is disabled")
		z.waitEvent("network", "RepairedDrift", "flow log of all traffic to "+trail.Status.AtProvider.BucketARN+" is missing")
		z.waitEvent("audit", "RepairedDrift", "Block Public Access BlockPublicAcls is off", "RestrictPublicBuckets is off", "logging is stopped",
			"management events are not all recorded")

		rot, err := kc.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &keyID})
		if err != nil || !rot.KeyRotationEnabled {
			t.Errorf("rotation after repair: %+v, %v; want enabled", rot, err)
		}
		if id := flowLogTo(t, ec, vpcID, trail.Status.AtProvider.BucketARN); id == "" {
			t.Error("no flow log after repair")
		}
		pab, err := sc.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})
		if err != nil || !sdkaws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) || !sdkaws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) {
			t.Errorf("Block Public Access after repair: %+v, %v", pab, err)
		}
		st, err := ctc.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdkaws.String("audit")})
		if err != nil || !sdkaws.ToBool(st.IsLogging) {
			t.Errorf("trail logging after repair: %+v, %v", st, err)
		}
		sel, err := ctc.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: sdkaws.String("audit")})
		if err != nil || !awsctrl.RecordsManagementEvents(sel) || !awsctrl.RecordsS3DataEvents(sel) {
			t.Errorf("trail event selectors after repair %+v, %v; want every management event and the data events of every S3 object", sel, err)
		}
		z.waitReady(key)
		z.waitReady(trail)
		z.waitReady(vpc)
	})

	t.Run("OrphanByDefault", func(t *testing.T) {
		z := z.in(t)
		z.deleteAndWait(vpc, trail, key)
		md, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID})
		if err != nil || md.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
			t.Errorf("key after deleting its object: %+v, %v; want it Enabled, untouched", md, err)
		}
		if _, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sdkaws.String("alias/zonekeeper/dc-mpd-evidence")}); err != nil {
			t.Errorf("alias after deleting the Key: %v; want it kept", err)
		}
		st, err := ctc.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: sdkaws.String("audit")})
		if err != nil || !sdkaws.ToBool(st.IsLogging) {
			t.Errorf("trail after deleting its object: %+v, %v; want it logging", st, err)
		}
		out, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
		if err != nil || len(out.Vpcs) != 1 {
			t.Errorf("VPC after deleting its object: %+v, %v; want it kept", out, err)
		}
		if id := flowLogTo(t, ec, vpcID, trail.Status.AtProvider.BucketARN); id == "" {
			t.Error("flow log gone after deleting the VPC object with deletionPolicy Orphan")
		}
		z.waitEvent("zone-key", "Orphaned", keyID)
	})

	t.Run("ReappliedObjectsAdoptWhatWasLeft", func(t *testing.T) {
		z := z.in(t)
		// Without an external-name, the key is found by its alias and the network by its tag.
		again, net := newKey(z.ns, "zone-key", "dc-mpd-evidence"), newVPC(z.ns, "network", "")
		net.Spec.ForProvider.FlowLogs = awsv1.FlowLogs{BucketARN: trail.Status.AtProvider.BucketARN}
		z.create(again, net)
		z.waitReady(again)
		z.waitReady(net)
		if again.Status.AtProvider.KeyID != keyID || net.Status.AtProvider.VPCID != vpcID {
			t.Errorf("re-applied objects manage key %s and VPC %s, want the ones left behind: %s and %s",
				again.Status.AtProvider.KeyID, net.Status.AtProvider.VPCID, keyID, vpcID)
		}
		keys, err := kc.ListKeys(ctx, &kms.ListKeysInput{})
		if err != nil || len(keys.Keys) != 1 {
			t.Errorf("%d keys in the account, want 1: %v", len(keys.Keys), err)
		}
	})
}

func hasKMSTag(tags []kmstypes.Tag, k, v string) bool {
	for _, t := range tags {
		if sdkaws.ToString(t.TagKey) == k && sdkaws.ToString(t.TagValue) == v {
			return true
		}
	}
	return false
}

func deniesInsecureTransport(t *testing.T, policy string) bool {
	t.Helper()
	var doc awsclient.PolicyDocument
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatalf("bucket policy: %v", err)
	}
	for _, s := range doc.Statement {
		if s.Effect == "Deny" && s.Principal == "*" && slices.Contains(s.Action, "s3:*") && s.Condition["Bool"]["aws:SecureTransport"] == "false" {
			return true
		}
	}
	return false
}

func flowLogTo(t *testing.T, ec *ec2.Client, vpcID, dest string) string {
	t.Helper()
	out, err := ec.DescribeFlowLogs(t.Context(), &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: sdkaws.String("resource-id"), Values: []string{vpcID}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range out.FlowLogs {
		if sdkaws.ToString(f.LogDestination) == dest && f.TrafficType == ec2types.TrafficTypeAll {
			return sdkaws.ToString(f.FlowLogId)
		}
	}
	return ""
}

// verifyNetwork checks a VPC in EC2 against the documented layout and the egress-None rules.
func verifyNetwork(t *testing.T, ec *ec2.Client, vpc *awsv1.VPC, bucketARN string) {
	t.Helper()
	ctx := t.Context()
	id := vpc.Status.AtProvider.VPCID
	filter := []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}
	subnets, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: filter})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range subnets.Subnets {
		got[sdkaws.ToString(s.CidrBlock)] = sdkaws.ToString(s.AvailabilityZone)
	}
	want := map[string]string{"10.40.0.0/19": "us-gov-west-1a", "10.40.32.0/19": "us-gov-west-1b", "10.40.64.0/19": "us-gov-west-1c"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("subnets (CIDR -> zone): -want +got:\n%s", diff)
	}
	rts, err := ec.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: filter})
	if err != nil {
		t.Fatal(err)
	}
	ownTable := map[string]string{}
	for _, rt := range rts.RouteTables {
		for _, a := range rt.Associations {
			if a.SubnetId != nil {
				ownTable[*a.SubnetId] = sdkaws.ToString(rt.RouteTableId)
			}
		}
		for _, r := range rt.Routes {
			if sdkaws.ToString(r.DestinationCidrBlock) == "0.0.0.0/0" {
				t.Errorf("route table %s has a default route with egress None: %+v", sdkaws.ToString(rt.RouteTableId), r)
			}
		}
	}
	var tables []string
	for _, s := range subnets.Subnets {
		rt, ok := ownTable[sdkaws.ToString(s.SubnetId)]
		if !ok {
			t.Errorf("subnet %s has no route table of its own", sdkaws.ToString(s.SubnetId))
		}
		tables = append(tables, rt)
	}
	igws, err := ec.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []ec2types.Filter{{Name: sdkaws.String("attachment.vpc-id"), Values: []string{id}}}})
	if err != nil || len(igws.InternetGateways) != 0 {
		t.Errorf("internet gateways with egress None: %+v, %v", igws, err)
	}
	eps, err := ec.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: filter})
	if err != nil {
		t.Fatal(err)
	}
	services := map[string]ec2types.VpcEndpoint{}
	for _, e := range eps.VpcEndpoints {
		services[sdkaws.ToString(e.ServiceName)] = e
	}
	s3ep, ok := services["com.amazonaws.us-gov-west-1.s3"]
	if !ok || s3ep.VpcEndpointType != ec2types.VpcEndpointTypeGateway {
		t.Errorf("no S3 gateway endpoint: %+v", services)
	} else if diff := cmp.Diff(sorted(tables), sorted(s3ep.RouteTableIds)); diff != "" {
		t.Errorf("S3 gateway endpoint route tables: -want +got:\n%s", diff)
	}
	for _, svc := range []string{"kms", "sts", "logs"} {
		e, ok := services["com.amazonaws.us-gov-west-1."+svc]
		if !ok || e.VpcEndpointType != ec2types.VpcEndpointTypeInterface || len(e.SubnetIds) != 3 || !sdkaws.ToBool(e.PrivateDnsEnabled) {
			t.Errorf("interface endpoint %s: %+v; want one in each of the 3 subnets with private DNS", svc, e)
		}
	}
	sgs, err := ec.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: append(filter, ec2types.Filter{Name: sdkaws.String("group-name"), Values: []string{"default"}})})
	if err != nil || len(sgs.SecurityGroups) != 1 {
		t.Fatalf("default security group: %+v, %v", sgs, err)
	}
	if sg := sgs.SecurityGroups[0]; len(sg.IpPermissions)+len(sg.IpPermissionsEgress) != 0 {
		t.Errorf("default security group still has rules: in %+v out %+v", sg.IpPermissions, sg.IpPermissionsEgress)
	}
	if flowLogTo(t, ec, id, bucketARN) == "" {
		t.Errorf("no flow log of ALL traffic to %s", bucketARN)
	}
	if want := fmt.Sprintf("arn:aws-us-gov:ec2:us-gov-west-1:%s:vpc/%s", moto.AccountID, id); vpc.Status.AtProvider.ARN != want {
		t.Errorf("status ARN %q, want %q", vpc.Status.AtProvider.ARN, want)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
