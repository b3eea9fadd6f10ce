package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

func (s *stack) zone(name string) *lzv1.LandingZone {
	// It asks for data events, so the zone's trail must record them.
	dc := &lzv1.DataClassification{ObjectMeta: metav1.ObjectMeta{Name: name + "-data"}, Spec: lzv1.DataClassificationSpec{Level: 3, Audit: lzv1.ClassificationAudit{DataEvents: true}}}
	create(s.t, dc)
	return &lzv1.LandingZone{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: lzv1.LandingZoneSpec{
			Tenant:            "e2e",
			Cloud:             lzv1.CloudSpec{Provider: lzv1.ProviderAWS, Partition: lzv1.PartitionAWS, Region: region},
			Account:           &lzv1.AWSAccountSpec{Name: name, Email: name + "@e2e.example.gov"},
			MaxClassification: dc.Name,
			Network:           lzv1.NetworkSpec{CIDR: "10.40.0.0/16", AvailabilityZones: 2, Egress: lzv1.EgressNone, FlowLogs: ptr.To(true)},
			Encryption:        lzv1.ZoneEncryption{RotationDays: 365},
			Audit:             lzv1.ZoneAudit{RetentionDays: 400},
			ProviderConfigRef: &lzv1.ProviderConfigReference{Name: s.mgmt},
		},
	}
}

// waitZoneReady waits for the zone to be Ready for its current generation and returns it.
func waitZoneReady(t *testing.T, zone *lzv1.LandingZone) {
	t.Helper()
	eventually(t, "zone "+zone.Name+" Ready", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		c := meta.FindStatusCondition(zone.Status.Conditions, lzv1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != zone.Generation {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
}

func accountsNamed(t *testing.T, name string) int {
	t.Helper()
	out, err := organizations.NewFromConfig(awsConfig(t)).ListAccounts(t.Context(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range out.Accounts {
		if sdkaws.ToString(a.Name) == name {
			n++
		}
	}
	return n
}

// TestZoneProvisionsAccountNetworkKeyAndTrail applies one LandingZone and finds, in AWS, an
// account holding a VPC with flow logs, a rotating KMS key and a logging trail, all reported in
// the zone's status; then a spec change flows to the parts.
func TestZoneProvisionsAccountNetworkKeyAndTrail(t *testing.T) {
	s := newStack(t)
	zone := s.zone("evidence-zone")
	zone.Spec.Network.CIDR = "10.40.0.0/17"
	create(t, zone)
	t.Cleanup(func() { deleteZone(t, zone) })
	waitZoneReady(t, zone)

	st := zone.Status
	if st.AccountID == "" || st.NetworkID == "" || st.KeyID == "" || st.AuditTrailID == "" {
		t.Fatalf("status lacks provider IDs: %+v", st)
	}
	for _, typ := range []string{lzv1.ConditionSynced, lzv1.ConditionCompliant} {
		if c := meta.FindStatusCondition(st.Conditions, typ); c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != zone.Generation {
			t.Errorf("%s = %+v", typ, c)
		}
	}
	if n := accountsNamed(t, zone.Spec.Account.Name); n != 1 {
		t.Errorf("%d accounts named %s in the organization, want 1", n, zone.Spec.Account.Name)
	}

	member := memberConfig(t, st.AccountID)
	vpcs, err := ec2.NewFromConfig(member).DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{VpcIds: []string{st.NetworkID}})
	if err != nil || len(vpcs.Vpcs) != 1 || sdkaws.ToString(vpcs.Vpcs[0].CidrBlock) != "10.40.0.0/17" {
		t.Errorf("VPC %s in the member account: %+v, %v", st.NetworkID, vpcs, err)
	}
	fl, err := ec2.NewFromConfig(member).DescribeFlowLogs(t.Context(), &ec2.DescribeFlowLogsInput{})
	if err != nil || len(fl.FlowLogs) == 0 {
		t.Errorf("no flow logs in the member account: %v", err)
	}
	rot, err := kms.NewFromConfig(member).GetKeyRotationStatus(t.Context(), &kms.GetKeyRotationStatusInput{KeyId: &st.KeyID})
	if err != nil || !rot.KeyRotationEnabled {
		t.Errorf("key rotation: %+v, %v", rot, err)
	}
	trail, err := cloudtrail.NewFromConfig(member).GetTrailStatus(t.Context(), &cloudtrail.GetTrailStatusInput{Name: &st.AuditTrailID})
	if err != nil || !sdkaws.ToBool(trail.IsLogging) {
		t.Errorf("trail logging: %+v, %v", trail, err)
	}
	sel, err := cloudtrail.NewFromConfig(member).GetEventSelectors(t.Context(), &cloudtrail.GetEventSelectorsInput{TrailName: &st.AuditTrailID})
	if err != nil || !recordsS3ObjectEvents(sel.AdvancedEventSelectors) {
		t.Errorf("the zone's classification asks for data events, but its trail's selectors are %+v (%v)", sel, err)
	}

	// A rotation change on the zone flows to its Key.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		zone.Spec.Encryption.RotationDays = 180
		return k8s.Update(context.Background(), zone)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "rotation period reaches the Key", func() error {
		key := &awsv1.Key{}
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: zone.Name}, key); err != nil {
			return err
		}
		if key.Spec.ForProvider.RotationPeriodDays != 180 {
			return fmt.Errorf("Key rotationPeriodDays = %d", key.Spec.ForProvider.RotationPeriodDays)
		}
		return nil
	})
	waitZoneReady(t, zone)

	// Growing the network associates the new range as a secondary block of the same VPC (a VPC's
	// primary CIDR cannot change in AWS); shrinking it is refused with a reason, not retried.
	setCIDR := func(cidr string) {
		t.Helper()
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
				return err
			}
			zone.Spec.Network.CIDR = cidr
			return k8s.Update(context.Background(), zone)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	setCIDR("10.40.0.0/16")
	waitZoneReady(t, zone)
	eventually(t, "secondary block associated", func() error {
		out, err := ec2.NewFromConfig(member).DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{VpcIds: []string{st.NetworkID}})
		if err != nil {
			return err
		}
		var cidrs []string
		for _, a := range out.Vpcs[0].CidrBlockAssociationSet {
			cidrs = append(cidrs, sdkaws.ToString(a.CidrBlock))
		}
		if !slices.Contains(cidrs, "10.40.0.0/17") || !slices.Contains(cidrs, "10.40.128.0/17") {
			return fmt.Errorf("VPC CIDR blocks %v, want 10.40.0.0/17 and the secondary 10.40.128.0/17", cidrs)
		}
		return nil
	})
	setCIDR("10.40.0.0/18")
	eventually(t, "shrinking refused with a reason", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		c := meta.FindStatusCondition(zone.Status.Conditions, lzv1.ConditionSynced)
		if c == nil || c.Reason != "PartRefused" || !strings.Contains(c.Message, "does not contain") {
			return fmt.Errorf("Synced = %+v", c)
		}
		return nil
	})
	setCIDR("10.40.0.0/16")
	waitZoneReady(t, zone)

	// Pausing the zone pauses every part: crossplane's reconcilers make no cloud call for them.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		zone.Spec.Paused = true
		return k8s.Update(context.Background(), zone)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "parts paused", func() error {
		for _, mr := range []client.Object{&awsv1.Account{}, &awsv1.Key{}, &awsv1.AuditTrail{}, &awsv1.VPC{}} {
			if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: zone.Name}, mr); err != nil {
				return err
			}
			if mr.GetAnnotations()["crossplane.io/paused"] != "true" {
				return fmt.Errorf("%T %s is not paused", mr, mr.GetName())
			}
		}
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(zone.Status.Conditions, lzv1.ConditionReady); c == nil || c.Reason != "Paused" {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
}

// TestZoneSurvivesAManagerCrashWithoutDuplicates stops the manager as soon as the account create
// call has been made, starts another, and finds exactly one account once the zone is Ready.
func TestZoneSurvivesAManagerCrashWithoutDuplicates(t *testing.T) {
	s := newStack(t)
	zone := s.zone("crash-zone")
	create(t, zone)
	eventually(t, "account create call made", func() error {
		if accountsNamed(t, zone.Spec.Account.Name) == 0 {
			return fmt.Errorf("no account yet")
		}
		return nil
	})
	s.stop()
	s.stop = s.start()
	waitZoneReady(t, zone)
	if n := accountsNamed(t, zone.Spec.Account.Name); n != 1 {
		t.Errorf("%d accounts named %s after a crash and restart, want exactly 1", n, zone.Spec.Account.Name)
	}
	deleteZone(t, zone) // while the restarted manager runs: cleanups would stop it first
}

// TestZoneDeletionHonoursDeletionPolicy deletes a zone with the default Orphan, which leaves
// everything in AWS, and one with Delete, which schedules its key for deletion.
func TestZoneDeletionHonoursDeletionPolicy(t *testing.T) {
	s := newStack(t)
	orphan := s.zone("orphan-zone")
	doomed := s.zone("doomed-zone")
	doomed.Spec.Network.CIDR = "10.41.0.0/16"
	doomed.Spec.Account.Email = "doomed@e2e.example.gov"
	doomed.Spec.DeletionPolicy = lzv1.DeletionDelete
	create(t, orphan, doomed)
	waitZoneReady(t, orphan)
	waitZoneReady(t, doomed)
	orphanKey, doomedKey := orphan.Status.KeyID, doomed.Status.KeyID

	deleteZone(t, orphan)
	deleteZone(t, doomed)

	md, err := kms.NewFromConfig(memberConfig(t, orphan.Status.AccountID)).DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &orphanKey})
	if err != nil || md.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
		t.Errorf("Orphan: the key should be untouched and enabled: %+v, %v", md, err)
	}
	if n := accountsNamed(t, orphan.Spec.Account.Name); n != 1 {
		t.Errorf("Orphan: %d accounts named %s, want the account left in place", n, orphan.Spec.Account.Name)
	}
	md, err = kms.NewFromConfig(memberConfig(t, doomed.Status.AccountID)).DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &doomedKey})
	if err != nil || md.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		t.Errorf("Delete: the key should be pending deletion: %+v, %v", md, err)
	}
}

// deleteZone deletes a zone and waits until it and its parts are gone from the cluster.
func deleteZone(t *testing.T, zone *lzv1.LandingZone) {
	t.Helper()
	if err := k8s.Delete(context.Background(), zone); client.IgnoreNotFound(err) != nil {
		t.Fatal(err)
	}
	eventually(t, "zone "+zone.Name+" deleted", func() error {
		z := &lzv1.LandingZone{}
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), z); err == nil {
			c := meta.FindStatusCondition(z.Status.Conditions, lzv1.ConditionReady)
			return fmt.Errorf("still there: finalizers %v, Ready %+v", z.Finalizers, c)
		} else if client.IgnoreNotFound(err) != nil {
			return err
		}
		return nil
	})
}

// recordsS3ObjectEvents reports whether an advanced selector records the data events of S3 objects.
func recordsS3ObjectEvents(sels []cttypes.AdvancedEventSelector) bool {
	for _, a := range sels {
		var data, objects bool
		for _, f := range a.FieldSelectors {
			data = data || sdkaws.ToString(f.Field) == "eventCategory" && slices.Equal(f.Equals, []string{"Data"})
			objects = objects || sdkaws.ToString(f.Field) == "resources.type" && slices.Equal(f.Equals, []string{"AWS::S3::Object"})
		}
		if data && objects {
			return true
		}
	}
	return false
}
