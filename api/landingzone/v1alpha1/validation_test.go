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

const awsZone = `
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: LandingZone
metadata: {name: NAME}
spec:
  tenant: dc-mpd
  cloud: {provider: AWS, partition: aws-us-gov, region: us-gov-west-1}
  account: {name: evidence, email: aws+evidence@mpd.example.gov, organizationalUnit: Workloads/Prod, govCloud: true}
  maxClassification: evidence
  network: {cidr: 10.40.0.0/16, availabilityZones: 3, egress: None}
  encryption: {rotationDays: 365}
  audit: {retentionDays: 400}
`

const azureZone = `
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: LandingZone
metadata: {name: NAME}
spec:
  tenant: met-police
  cloud: {provider: Azure, environment: AzurePublic, region: uksouth}
  subscription: {displayName: met-ops, billingScope: /providers/Microsoft.Billing/billingAccounts/1/enrollmentAccounts/2}
  maxClassification: official-sensitive
  network: {cidr: 10.60.0.0/20}
`

const classification = `
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata: {name: NAME}
spec:
  level: 4
  encryption: {customerManagedKey: true, rotationDays: 365}
  audit: {retentionDays: 365}
  retention: {minDays: 30}
`

const workload = `
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: Workload
metadata: {name: NAME, namespace: default}
spec:
  landingZoneRef: {name: some-zone}
  classifications: [cji]
  storage: [{name: files, classification: cji, retentionDays: 30}]
`

const exception = `
apiVersion: policy.zonekeeper.dev/v1alpha1
kind: PolicyException
metadata: {name: NAME}
spec:
  controls: [AU-11]
  targets: [{kind: Workload, name: api, namespaces: [team-a]}]
  justification: archive migration, CHG-1234
  approvedBy: ciso@mpd.example.gov
  expiresAt: "2030-01-01T00:00:00Z"
`

var nameSeq int

// object decodes a template with a fresh name so cases never collide, and applies the edits:
// each edit is a dotted path and a value, nil to remove the field.
func object(t *testing.T, tmpl string, edits ...edit) *unstructured.Unstructured {
	t.Helper()
	nameSeq++
	u := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(tmpl), &u.Object); err != nil {
		t.Fatalf("bad template: %v", err)
	}
	u.SetName(fmt.Sprintf("obj-%d", nameSeq))
	for _, e := range edits {
		path := strings.Split(e.path, ".")
		if e.value == nil {
			unstructured.RemoveNestedField(u.Object, path...)
			continue
		}
		if err := unstructured.SetNestedField(u.Object, e.value, path...); err != nil {
			t.Fatalf("cannot set %s: %v", e.path, err)
		}
	}
	return u
}

type edit struct {
	path  string
	value any
}

func set(path string, v any) edit { return edit{path, v} }
func del(path string) edit        { return edit{path, nil} }

// TestSchemaRefusesInvalidObjects proves the API server itself refuses each invalid case, with a
// message that names the offending field.
func TestSchemaRefusesInvalidObjects(t *testing.T) {
	cases := map[string]struct {
		obj       *unstructured.Unstructured
		wantField string
		wantMsg   string
	}{
		"malformed CIDR": {
			obj: object(t, awsZone, set("spec.network.cidr", "10.40.0/16")), wantField: "spec.network.cidr", wantMsg: "must be an IPv4 CIDR",
		},
		"IPv6 CIDR": {
			obj: object(t, awsZone, set("spec.network.cidr", "fd00::/48")), wantField: "spec.network.cidr", wantMsg: "must be an IPv4 CIDR",
		},
		"zone prefix wider than /16": {
			obj: object(t, awsZone, set("spec.network.cidr", "10.0.0.0/8")), wantField: "spec.network.cidr", wantMsg: "prefix must be from /16 to /24",
		},
		"zone prefix narrower than /24": {
			obj: object(t, awsZone, set("spec.network.cidr", "10.40.0.0/26")), wantField: "spec.network.cidr", wantMsg: "prefix must be from /16 to /24",
		},
		"CIDR with host bits set": {
			obj: object(t, awsZone, set("spec.network.cidr", "10.40.1.0/16")), wantField: "spec.network.cidr", wantMsg: "must be a network address",
		},
		"aws-us-gov with a commercial region": {
			obj: object(t, awsZone, set("spec.cloud.region", "us-east-1")), wantField: "spec.cloud.region", wantMsg: "partition aws-us-gov has only the regions us-gov-west-1 and us-gov-east-1",
		},
		"aws partition with a GovCloud region": {
			obj:       object(t, awsZone, set("spec.cloud.partition", "aws"), set("spec.cloud.region", "us-gov-west-1"), set("spec.account.govCloud", false)),
			wantField: "spec.cloud.region", wantMsg: "GovCloud regions belong to partition aws-us-gov",
		},
		"AzureUSGovernment with a public region": {
			obj:       object(t, azureZone, set("spec.cloud.environment", "AzureUSGovernment"), set("spec.cloud.region", "uksouth")),
			wantField: "spec.cloud.region", wantMsg: "AzureUSGovernment has only the US Gov and DoD regions",
		},
		"AzurePublic with a US Gov region": {
			obj: object(t, azureZone, set("spec.cloud.region", "usgovvirginia")), wantField: "spec.cloud.region", wantMsg: "US Gov and DoD regions belong to AzureUSGovernment",
		},
		"unknown provider": {
			obj: object(t, awsZone, set("spec.cloud.provider", "GCP")), wantField: "spec.cloud.provider", wantMsg: "Unsupported value",
		},
		"AWS zone with an Azure environment": {
			obj: object(t, awsZone, set("spec.cloud.environment", "AzurePublic")), wantField: "spec.cloud.environment", wantMsg: "spec.cloud.environment is for Azure zones",
		},
		"Azure zone with an AWS partition": {
			obj: object(t, azureZone, set("spec.cloud.partition", "aws")), wantField: "spec.cloud.partition", wantMsg: "spec.cloud.partition is for AWS zones",
		},
		"AWS zone without a partition": {
			obj: object(t, awsZone, del("spec.cloud.partition")), wantField: "spec.cloud.partition", wantMsg: "an AWS zone needs spec.cloud.partition",
		},
		"AWS zone with an Azure subscription": {
			obj:       object(t, awsZone, set("spec.subscription", map[string]any{"displayName": "x", "billingScope": "/providers/Microsoft.Billing/x"})),
			wantField: "spec.subscription", wantMsg: "spec.subscription is for Azure zones",
		},
		"Azure zone with an AWS account": {
			obj:       object(t, azureZone, set("spec.account", map[string]any{"name": "x", "email": "a@b.example"})),
			wantField: "spec.account", wantMsg: "spec.account is for AWS zones",
		},
		"AWS zone without an account": {
			obj: object(t, awsZone, del("spec.account")), wantField: "spec.account", wantMsg: "an AWS zone needs spec.account",
		},
		"Azure zone without a subscription": {
			obj: object(t, azureZone, del("spec.subscription")), wantField: "spec.subscription", wantMsg: "an Azure zone needs spec.subscription",
		},
		"GovCloud zone with a commercial account": {
			obj: object(t, awsZone, set("spec.account.govCloud", false)), wantField: "spec.account.govCloud", wantMsg: "must be true in partition aws-us-gov",
		},
		"commercial account joining a GovCloud organization": {
			obj: object(t, awsZone, set("spec.cloud.partition", "aws"), set("spec.cloud.region", "us-east-1"), set("spec.account.govCloud", false),
				set("spec.account.govCloudOrganization", map[string]any{"organizationalUnit": "Workloads/Prod"})),
			wantField: "spec.account.govCloudOrganization", wantMsg: "only a GovCloud account joins a GovCloud organization",
		},
		"GovCloud organization OU path with an empty segment": {
			obj:       object(t, awsZone, set("spec.account.govCloudOrganization", map[string]any{"organizationalUnit": "Workloads//Prod"})),
			wantField: "spec.account.govCloudOrganization.organizationalUnit", wantMsg: "should match",
		},
		"zone rotationDays below 90": {
			obj: object(t, awsZone, set("spec.encryption.rotationDays", int64(30))), wantField: "spec.encryption.rotationDays", wantMsg: "greater than or equal to 90",
		},
		"zone rotationDays above 2560": {
			obj: object(t, awsZone, set("spec.encryption.rotationDays", int64(3000))), wantField: "spec.encryption.rotationDays", wantMsg: "less than or equal to 2560",
		},
		"classification rotationDays below 90": {
			obj: object(t, classification, set("spec.encryption.rotationDays", int64(89))), wantField: "spec.encryption.rotationDays", wantMsg: "greater than or equal to 90",
		},
		"zone audit retention below 1 day": {
			obj: object(t, awsZone, set("spec.audit.retentionDays", int64(0))), wantField: "spec.audit.retentionDays", wantMsg: "greater than or equal to 1",
		},
		"classification audit retention below 1 day": {
			obj: object(t, classification, set("spec.audit.retentionDays", int64(-1))), wantField: "spec.audit.retentionDays", wantMsg: "greater than or equal to 1",
		},
		"classification data retention below 1 day": {
			obj: object(t, classification, set("spec.retention.minDays", int64(0))), wantField: "spec.retention.minDays", wantMsg: "greater than or equal to 1",
		},
		"storage retention below 1 day": {
			obj: object(t, workload, set("spec.storage", []any{map[string]any{"name": "files", "classification": "cji", "retentionDays": int64(0)}})), wantField: "spec.storage[0].retentionDays", wantMsg: "greater than or equal to 1",
		},
		"classification level above 10": {
			obj: object(t, classification, set("spec.level", int64(11))), wantField: "spec.level", wantMsg: "less than or equal to 10",
		},
		"workload without a zone": {
			obj: object(t, workload, del("spec.landingZoneRef")), wantField: "spec.landingZoneRef", wantMsg: "Required value",
		},
		"workload with an empty zone name": {
			obj: object(t, workload, set("spec.landingZoneRef.name", "")), wantField: "spec.landingZoneRef.name", wantMsg: "at least 1 chars long",
		},
		"workload without classifications": {
			obj: object(t, workload, set("spec.classifications", []any{}), del("spec.storage")), wantField: "spec.classifications", wantMsg: "should have at least 1 items",
		},
		"storage with an unlisted classification": {
			obj: object(t, workload, set("spec.storage", []any{map[string]any{"name": "files", "classification": "evidence"}})), wantField: "spec.storage", wantMsg: "must also be listed in spec.classifications",
		},
		"exception for Workloads in no namespace": {
			obj:       object(t, exception, set("spec.targets", []any{map[string]any{"kind": "Workload", "name": "api"}})),
			wantField: "spec.targets[0]", wantMsg: "a Workload target must list its namespaces",
		},
		"exception for a zone in a namespace": {
			obj:       object(t, exception, set("spec.targets", []any{map[string]any{"kind": "LandingZone", "name": "z", "namespaces": []any{"team-a"}}})),
			wantField: "spec.targets[0]", wantMsg: "namespaces apply to Workload targets only",
		},
		"bad deletion policy": {
			obj: object(t, awsZone, set("spec.deletionPolicy", "Destroy")), wantField: "spec.deletionPolicy", wantMsg: "Unsupported value",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := k8s.Create(context.Background(), tc.obj)
			if err == nil {
				t.Fatalf("the API server accepted %s; want it refused", name)
			}
			if !apierrors.IsInvalid(err) {
				t.Fatalf("want an Invalid error, got %v", err)
			}
			if !strings.Contains(err.Error(), tc.wantField) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q\nwant it to name %q and say %q", err, tc.wantField, tc.wantMsg)
			}
		})
	}
}

// TestSchemaRefusesChangesToImmutableFields creates a valid zone or workload, then proves each
// change to its identity is refused on update with a message naming the field.
func TestSchemaRefusesChangesToImmutableFields(t *testing.T) {
	cases := map[string]struct {
		tmpl      string
		change    edit
		wantField string
	}{
		"provider":            {tmpl: awsZone, change: set("spec.cloud.provider", "Azure"), wantField: "spec.cloud"},
		"partition":           {tmpl: awsZone, change: set("spec.cloud.region", "us-gov-east-1"), wantField: "spec.cloud"},
		"region":              {tmpl: azureZone, change: set("spec.cloud.region", "ukwest"), wantField: "spec.cloud"},
		"environment":         {tmpl: azureZone, change: set("spec.cloud.environment", "AzureUSGovernment"), wantField: "spec.cloud"},
		"account email":       {tmpl: awsZone, change: set("spec.account.email", "other@mpd.example.gov"), wantField: "spec.account.email"},
		"tenant":              {tmpl: awsZone, change: set("spec.tenant", "other-force"), wantField: "spec.tenant"},
		"billing scope":       {tmpl: azureZone, change: set("spec.subscription.billingScope", "/providers/Microsoft.Billing/other"), wantField: "spec.subscription.billingScope"},
		"workload's zone ref": {tmpl: workload, change: set("spec.landingZoneRef.name", "other-zone"), wantField: "spec.landingZoneRef"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			obj := object(t, tc.tmpl)
			if err := k8s.Create(ctx, obj); err != nil {
				t.Fatalf("cannot create the valid object: %v", err)
			}
			t.Cleanup(func() { _ = k8s.Delete(ctx, obj) })
			if err := unstructured.SetNestedField(obj.Object, tc.change.value, strings.Split(tc.change.path, ".")...); err != nil {
				t.Fatal(err)
			}
			err := k8s.Update(ctx, obj)
			if err == nil {
				t.Fatalf("the API server accepted a change to %s; want it refused", tc.change.path)
			}
			if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.wantField) || !strings.Contains(err.Error(), "is immutable") {
				t.Errorf("error %q\nwant Invalid naming %q and saying it is immutable", err, tc.wantField)
			}
		})
	}
}

// TestSchemaAllowsMutableChanges guards against immutability rules that catch too much: growing
// the network, rotation and retention must stay possible.
func TestSchemaAllowsMutableChanges(t *testing.T) {
	ctx := context.Background()
	obj := object(t, awsZone)
	if err := k8s.Create(ctx, obj); err != nil {
		t.Fatalf("cannot create zone: %v", err)
	}
	t.Cleanup(func() { _ = k8s.Delete(ctx, obj) })
	for _, e := range []edit{
		set("spec.network.cidr", "10.40.0.0/17"),
		set("spec.encryption.rotationDays", int64(180)),
		set("spec.audit.retentionDays", int64(800)),
		set("spec.account.name", "renamed"),
	} {
		if err := unstructured.SetNestedField(obj.Object, e.value, strings.Split(e.path, ".")...); err != nil {
			t.Fatal(err)
		}
	}
	if err := k8s.Update(ctx, obj); err != nil {
		t.Fatalf("update of mutable fields refused: %v", err)
	}
}

// TestSchemaDefaultsAreSafe checks the defaults a user gets by leaving fields out: Orphan, no
// egress, flow logs on, yearly rotation and retention.
func TestSchemaDefaultsAreSafe(t *testing.T) {
	ctx := context.Background()
	obj := object(t, azureZone)
	if err := k8s.Create(ctx, obj); err != nil {
		t.Fatalf("cannot create zone: %v", err)
	}
	t.Cleanup(func() { _ = k8s.Delete(ctx, obj) })
	want := map[string]any{
		"spec.deletionPolicy":            "Orphan",
		"spec.network.egress":            "None",
		"spec.network.flowLogs":          true,
		"spec.network.availabilityZones": int64(3),
		"spec.encryption.rotationDays":   int64(365),
		"spec.audit.retentionDays":       int64(365),
		"spec.subscription.workloadType": "Production",
	}
	for path, w := range want {
		got, _, _ := unstructured.NestedFieldNoCopy(obj.Object, strings.Split(path, ".")...)
		if got != w {
			t.Errorf("%s defaulted to %v, want %v", path, got, w)
		}
	}
}

// TestSamplesAreAccepted applies every object of config/samples to the API server.
func TestSamplesAreAccepted(t *testing.T) {
	objs, err := manifest.ReadPaths(testenv.Root() + "/config/samples")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) < 10 {
		t.Fatalf("found only %d sample objects; config/samples is incomplete", len(objs))
	}
	ctx := context.Background()
	for _, o := range objs {
		t.Run(o.GetKind()+"/"+o.GetName(), func(t *testing.T) {
			if err := k8s.Create(ctx, o.Unstructured, client.FieldOwner("samples-test")); err != nil {
				t.Errorf("%s:%d: sample refused: %v", o.File, o.Line, err)
			}
		})
	}
}

// TestSchemaAcceptsAWorkloadExceptionInItsNamespaces is the valid counterpart of the two
// exception cases above: a Workload target that lists its namespaces.
func TestSchemaAcceptsAWorkloadExceptionInItsNamespaces(t *testing.T) {
	if err := k8s.Create(context.Background(), object(t, exception)); err != nil {
		t.Errorf("the API server refused a Workload exception that lists its namespaces: %v", err)
	}
}
