package v1alpha1_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

const account = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: Account
metadata: {name: NAME, namespace: default}
spec:
  forProvider: {region: us-east-1, name: evidence, email: aws+evidence@mpd.example.gov, organizationalUnit: Workloads/Prod, govCloud: true}
`

const key = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: Key
metadata: {name: NAME, namespace: default}
spec:
  forProvider: {region: us-gov-west-1, zone: dc-mpd-evidence}
`

const trail = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: AuditTrail
metadata: {name: NAME, namespace: default}
spec:
  forProvider: {region: us-gov-west-1, bucketName: zk-logs-1, kmsKeyRef: {name: zone-key}}
`

const vpc = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: VPC
metadata: {name: NAME, namespace: default}
spec:
  forProvider: {region: us-gov-west-1, cidrBlock: 10.40.0.0/16, flowLogs: {bucketRef: {name: audit}}}
`

const providerConfig = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: ProviderConfig
metadata: {name: NAME, namespace: default}
spec:
  credentials: {source: Secret, secretRef: {name: aws}}
`

const clusterProviderConfig = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: ClusterProviderConfig
metadata: {name: NAME}
spec:
  credentials: {source: Secret, secretRef: {name: aws, namespace: zonekeeper-system}}
`

var seq int

// object parses doc, names it uniquely and applies change to its content.
func object(t *testing.T, doc string, change func(map[string]any)) *unstructured.Unstructured {
	t.Helper()
	seq++
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(strings.Replace(doc, "NAME", fmt.Sprintf("obj-%d", seq), 1)), &u.Object); err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(u.Object)
	}
	return u
}

func set(path string, v any) func(map[string]any) {
	return func(o map[string]any) {
		if err := unstructured.SetNestedField(o, v, strings.Split(path, ".")...); err != nil {
			panic(err)
		}
	}
}

func unset(path string) func(map[string]any) {
	return func(o map[string]any) { unstructured.RemoveNestedField(o, strings.Split(path, ".")...) }
}

func TestSchemaRefusesInvalidObjects(t *testing.T) {
	cases := map[string]struct {
		reason string
		doc    string
		change func(map[string]any)
		want   string // a fragment of the API server's message
	}{
		"GovCloudAccountWithDelete": {
			reason: "A GovCloud account cannot be closed by ZoneKeeper, so Delete is refused up front.",
			doc:    account, change: set("spec.deletionPolicy", "Delete"),
			want: "cannot be closed through AWS Organizations CloseAccount",
		},
		"GovCloudAccountInGovCloudRegion": {
			reason: "CreateGovCloudAccount is called in the commercial organization.",
			doc:    account, change: set("spec.forProvider.region", "us-gov-west-1"),
			want: "must be a commercial region",
		},
		"AccountBadEmail": {reason: "Not an email.", doc: account, change: set("spec.forProvider.email", "nobody"), want: "spec.forProvider.email"},
		"AccountJoinsWithASecret": {
			reason: "The GovCloud organization is reached through a provider config.", doc: account,
			change: set("spec.forProvider.govCloudOrganization", map[string]any{"providerConfigRef": map[string]any{"kind": "Secret", "name": "x"}}),
			want:   "spec.forProvider.govCloudOrganization.providerConfigRef.kind",
		},
		"ConnectionSecret":         {reason: "Nothing to publish, so nothing is written.", doc: key, change: set("spec.writeConnectionSecretToRef", map[string]any{"name": "x"}), want: "no connection details to publish"},
		"UnknownDeletionPolicy":    {reason: "Only Orphan and Delete.", doc: key, change: set("spec.deletionPolicy", "Keep"), want: "spec.deletionPolicy"},
		"UnsupportedManagement":    {reason: "Management actions are an enum.", doc: key, change: set("spec.managementPolicies", []any{"Destroy"}), want: "spec.managementPolicies"},
		"KeyRotationTooShort":      {reason: "KMS accepts 90 to 2560 days.", doc: key, change: set("spec.forProvider.rotationPeriodDays", int64(30)), want: "spec.forProvider.rotationPeriodDays"},
		"KeyZoneNotALabel":         {reason: "The zone names an alias.", doc: key, change: set("spec.forProvider.zone", "Zone/One"), want: "spec.forProvider.zone"},
		"TrailWithoutKey":          {reason: "Audit logs are always encrypted under the zone key.", doc: trail, change: unset("spec.forProvider.kmsKeyRef"), want: "set kmsKeyARN or kmsKeyRef"},
		"TrailBadLockMode":         {reason: "COMPLIANCE or GOVERNANCE.", doc: trail, change: set("spec.forProvider.objectLockMode", "NONE"), want: "spec.forProvider.objectLockMode"},
		"VPCTooLarge":              {reason: "/16 to /24.", doc: vpc, change: set("spec.forProvider.cidrBlock", "10.0.0.0/8"), want: "prefix must be from /16 to /24"},
		"VPCHostBits":              {reason: "A network address.", doc: vpc, change: set("spec.forProvider.cidrBlock", "10.40.1.0/16"), want: "must be a network address"},
		"VPCSevenZones":            {reason: "At most six private subnets.", doc: vpc, change: set("spec.forProvider.availabilityZones", int64(7)), want: "spec.forProvider.availabilityZones"},
		"VPCInspectedWithoutHub":   {reason: "Inspected egress needs its transit gateway.", doc: vpc, change: set("spec.forProvider.egress", "Inspected"), want: "transitGatewayID is required with egress Inspected"},
		"VPCFlowLogsNowhere":       {reason: "Flow logs need a destination.", doc: vpc, change: unset("spec.forProvider.flowLogs.bucketRef"), want: "flow logs need a destination"},
		"VPCFlowLogsToPrefix":      {reason: "Only the bare bucket ARN.", doc: vpc, change: set("spec.forProvider.flowLogs.bucketARN", "arn:aws-us-gov:s3:::logs/prefix"), want: "spec.forProvider.flowLogs.bucketARN"},
		"ProviderConfigOtherNS":    {reason: "A namespaced ProviderConfig reads Secrets in its own namespace only.", doc: providerConfig, change: set("spec.credentials.secretRef.namespace", "kube-system"), want: "reads Secrets in its own namespace only"},
		"ProviderConfigNoSecret":   {reason: "Source Secret needs secretRef.", doc: providerConfig, change: unset("spec.credentials.secretRef"), want: "secretRef is required with source Secret"},
		"ClusterConfigNoNamespace": {reason: "A ClusterProviderConfig names its Secret's namespace.", doc: clusterProviderConfig, change: unset("spec.credentials.secretRef.namespace"), want: "must name the namespace of its Secret"},
		"RoleTwice": {reason: "A chain step names its role once.", doc: providerConfig,
			change: set("spec.assumeRoleChain", []any{map[string]any{"roleARN": "arn:aws:iam::111122223333:role/x", "accountID": "111122223333"}}), want: "set exactly one of roleARN and accountID"},
		"BucketWithoutKey":       {reason: "Data is always encrypted under a zone key.", doc: bucket, change: unset("spec.forProvider.kmsKeyRef"), want: "set kmsKeyARN or kmsKeyRef"},
		"BucketBadName":          {reason: "An S3 bucket name.", doc: bucket, change: set("spec.forProvider.bucketName", "Data_Bucket"), want: "spec.forProvider.bucketName"},
		"BucketLegalHoldNoLock":  {reason: "Legal holds need Object Lock.", doc: bucket, change: set("spec.forProvider.legalHold", true), want: "legalHold needs objectLock.enabled"},
		"BucketLegalHoldLockOff": {reason: "Object Lock named but off is not enough.", doc: lockedBucket, change: set("spec.forProvider.objectLock.enabled", false), want: "legalHold needs objectLock.enabled"},
		"BucketRetentionNoLock":  {reason: "A default retention needs Object Lock.", doc: bucket, change: set("spec.forProvider.objectLock", map[string]any{"retentionDays": int64(7)}), want: "retentionDays needs Object Lock enabled"},
		"BucketBadLockMode":      {reason: "COMPLIANCE or GOVERNANCE.", doc: lockedBucket, change: set("spec.forProvider.objectLock.mode", "NONE"), want: "spec.forProvider.objectLock.mode"},
		"BucketKeyNotKMS":        {reason: "A KMS key ARN.", doc: bucket, change: set("spec.forProvider.kmsKeyARN", "arn:aws:s3:::x"), want: "spec.forProvider.kmsKeyARN"},
		"RoleWithoutIssuer":      {reason: "The trust policy needs the issuer.", doc: role, change: unset("spec.forProvider.serviceAccountIssuer"), want: "spec.forProvider.serviceAccountIssuer"},
		"RoleIssuerWithScheme":   {reason: "The issuer is given without https://.", doc: role, change: set("spec.forProvider.serviceAccountIssuer", "https://oidc.example/id/X"), want: "spec.forProvider.serviceAccountIssuer"},
		"RoleWithoutSA":          {reason: "The trust policy names one ServiceAccount.", doc: role, change: unset("spec.forProvider.serviceAccount"), want: "spec.forProvider.serviceAccount"},
		"RoleBucketPrefix":       {reason: "Only bare bucket ARNs.", doc: role, change: set("spec.forProvider.bucketARNs", []any{"arn:aws-us-gov:s3:::zk-data/prefix"}), want: "spec.forProvider.bucketARNs"},
		"RoleBadBoundary":        {reason: "A boundary is a managed policy ARN.", doc: role, change: set("spec.forProvider.permissionsBoundaryARN", "AdministratorAccess"), want: "spec.forProvider.permissionsBoundaryARN"},
		"RoleNameTooLong":        {reason: "IAM allows 64 characters.", doc: role, change: set("spec.forProvider.roleName", strings.Repeat("r", 65)), want: "spec.forProvider.roleName"},
		"RoleConnectionSecret":   {reason: "Nothing to publish.", doc: role, change: set("spec.writeConnectionSecretToRef", map[string]any{"name": "x"}), want: "no connection details to publish"},
		"BucketUnknownDeletion":  {reason: "Only Orphan and Delete.", doc: bucket, change: set("spec.deletionPolicy", "Purge"), want: "spec.deletionPolicy"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := k8s.Create(context.Background(), object(t, tc.doc, tc.change))
			if !apierrors.IsInvalid(err) {
				t.Fatalf("%s\ncreate: %v, want Invalid", tc.reason, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s\nmessage %q does not contain %q", tc.reason, err.Error(), tc.want)
			}
		})
	}
}

func TestSchemaRefusesChangesToImmutableFields(t *testing.T) {
	cases := map[string]struct {
		doc    string
		path   string
		value  any
		reason string
	}{
		"AccountEmail":     {doc: account, path: "spec.forProvider.email", value: "other@mpd.example.gov", reason: "the email identifies the AWS account"},
		"AccountRegion":    {doc: account, path: "spec.forProvider.region", value: "us-west-2", reason: "the region selects the organization"},
		"KeyZone":          {doc: key, path: "spec.forProvider.zone", value: "other", reason: "the zone names the key's alias"},
		"TrailBucket":      {doc: trail, path: "spec.forProvider.bucketName", value: "zk-logs-2", reason: "audit logs stay in the bucket"},
		"VPCCIDR":          {doc: vpc, path: "spec.forProvider.cidrBlock", value: "10.41.0.0/16", reason: "subnets are carved from the CIDR"},
		"BucketName":       {doc: bucket, path: "spec.forProvider.bucketName", value: "zk-data-9", reason: "the name is the bucket"},
		"BucketRegion":     {doc: bucket, path: "spec.forProvider.region", value: "us-gov-east-1", reason: "a bucket lives in one region"},
		"BucketLockOn":     {doc: bucket, path: "spec.forProvider.objectLock", value: map[string]any{"enabled": true}, reason: "Object Lock is chosen when the bucket is created"},
		"BucketLockOff":    {doc: lockedBucket, path: "spec.forProvider.objectLock", value: map[string]any{"enabled": false}, reason: "Object Lock is chosen when the bucket is created"},
		"RoleName":         {doc: role, path: "spec.forProvider.roleName", value: "zk-other", reason: "the name is the role"},
		"RoleRegionChange": {doc: role, path: "spec.forProvider.region", value: "us-east-1", reason: "the region selects the partition"},
	}
	ctx := context.Background()
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			u := object(t, tc.doc, nil)
			if err := k8s.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			set(tc.path, tc.value)(u.Object)
			err := k8s.Update(ctx, u)
			if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("changing %s: %v; want Invalid saying %q", tc.path, err, tc.reason)
			}
		})
	}
}

// TestSchemaDefaultsAreSafe checks what an object gets when it says nothing: never deletion, the
// ClusterProviderConfig named default (as crossplane v2), full management, yearly rotation, the
// endpoints a private network needs, and COMPLIANCE Object Lock.
func TestSchemaDefaultsAreSafe(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		doc  string
		want map[string]any
	}{
		"Key": {doc: key, want: map[string]any{
			"spec.deletionPolicy": "Orphan", "spec.providerConfigRef.kind": "ClusterProviderConfig", "spec.providerConfigRef.name": "default",
			"spec.forProvider.rotationPeriodDays": int64(365),
		}},
		"Account": {doc: account, want: map[string]any{"spec.deletionPolicy": "Orphan", "spec.forProvider.roleName": "OrganizationAccountAccessRole"}},
		"Trail":   {doc: trail, want: map[string]any{"spec.deletionPolicy": "Orphan", "spec.forProvider.objectLockMode": "COMPLIANCE", "spec.forProvider.retentionDays": int64(365)}},
		"VPC":     {doc: vpc, want: map[string]any{"spec.deletionPolicy": "Orphan", "spec.forProvider.egress": "None", "spec.forProvider.availabilityZones": int64(3), "spec.forProvider.flowLogs.enabled": true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			u := object(t, tc.doc, nil)
			if err := k8s.Create(ctx, u); err != nil {
				t.Fatal(err)
			}
			for path, w := range tc.want {
				got, _, _ := unstructured.NestedFieldNoCopy(u.Object, strings.Split(path, ".")...)
				if got != w {
					t.Errorf("%s defaulted to %v, want %v", path, got, w)
				}
			}
			mp, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "managementPolicies")
			if len(mp) != 1 || mp[0] != "*" {
				t.Errorf("managementPolicies defaulted to %v, want [*]", mp)
			}
			if name == "VPC" {
				eps, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "forProvider", "interfaceEndpoints")
				if strings.Join(eps, ",") != "kms,sts,logs" {
					t.Errorf("interfaceEndpoints defaulted to %v, want kms, sts, logs", eps)
				}
			}
		})
	}
}

// TestSamplesAreAccepted applies every AWS example (config/examples) to the API server.
func TestSamplesAreAccepted(t *testing.T) {
	objs, err := manifest.ReadPaths(testenv.Root() + "/config/examples")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		if !strings.HasPrefix(o.File[strings.LastIndex(o.File, "/")+1:], "aws_") {
			continue
		}
		n++
		t.Run(o.GetKind()+"/"+o.GetName(), func(t *testing.T) {
			if err := k8s.Create(context.Background(), o.Unstructured, client.FieldOwner("samples-test")); err != nil {
				t.Errorf("%s:%d: sample refused: %v", o.File, o.Line, err)
			}
		})
	}
	if n < 7 {
		t.Errorf("found %d AWS sample objects, want the namespace, two ProviderConfigs and the four kinds", n)
	}
}
