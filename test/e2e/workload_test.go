package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// TestWorkloadProvisionsKeyBucketsAndRole places a workload in a Ready zone and finds, inside the
// zone's account, its bucket encrypted with its own key and object-locked for its retention, and
// an IAM role only its ServiceAccount can assume; a workload from another tenant's namespace is
// refused and composes nothing.
func TestWorkloadProvisionsKeyBucketsAndRole(t *testing.T) {
	s := newStack(t)
	zone := s.zone("records-zone")
	create(t, zone)
	waitZoneReady(t, zone)
	defer deleteZone(t, zone) // before the manager stops (cleanups run after)

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.ns + "-team", Labels: map[string]string{lzv1.TenantLabel: "e2e"}}}
	other := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.ns + "-intruder", Labels: map[string]string{lzv1.TenantLabel: "someone-else"}}}
	create(t, ns, other)
	wl := &lzv1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "records"},
		Spec: lzv1.WorkloadSpec{
			LandingZoneRef:     lzv1.LandingZoneReference{Name: zone.Name},
			Classifications:    []string{zone.Spec.MaxClassification},
			ServiceAccountName: "records-api",
			Storage:            []lzv1.StorageSpec{{Name: "files", Classification: zone.Spec.MaxClassification, RetentionDays: 30}},
		},
	}
	intruder := wl.DeepCopy()
	intruder.Namespace = other.Name
	create(t, wl, intruder)

	eventually(t, "workload Ready", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(wl), wl); err != nil {
			return err
		}
		c := meta.FindStatusCondition(wl.Status.Conditions, lzv1.ConditionReady)
		if c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	if wl.Status.KeyID == "" || wl.Status.RoleID == "" || wl.Status.Storage["files"] == "" {
		t.Fatalf("status lacks IDs: %+v", wl.Status)
	}

	// The policies read the plan the composer made: what it plans must pass them, and its Bucket
	// must carry the storage label they tie it to its entry by.
	if wl.Status.Compliance != nil {
		for _, v := range wl.Status.Compliance.Violations {
			if strings.Contains(v.Message, "planned") {
				t.Errorf("the composer's own plan is reported: %s %s %s: %s", v.Baseline, v.Control, v.Field, v.Message)
			}
		}
	}
	buckets := &awsv1.BucketList{}
	if err := k8s.List(context.Background(), buckets, client.InNamespace(ns.Name)); err != nil || len(buckets.Items) != 1 ||
		buckets.Items[0].Labels["landingzone.zonekeeper.dev/storage"] != "files" {
		t.Errorf("want one Bucket labelled for storage entry files, got %+v (%v)", buckets.Items, err)
	}

	member := memberConfig(t, zone.Status.AccountID)
	bucket := strings.TrimPrefix(wl.Status.Storage["files"], "arn:aws:s3:::")
	enc, err := s3.NewFromConfig(member).GetBucketEncryption(t.Context(), &s3.GetBucketEncryptionInput{Bucket: &bucket})
	if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) == 0 ||
		sdkaws.ToString(enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != wl.Status.KeyID {
		t.Errorf("bucket %s is not encrypted with the workload key %s: %+v, %v", bucket, wl.Status.KeyID, enc, err)
	}
	lock, err := s3.NewFromConfig(member).GetObjectLockConfiguration(t.Context(), &s3.GetObjectLockConfigurationInput{Bucket: &bucket})
	if err != nil || lock.ObjectLockConfiguration.Rule == nil || sdkaws.ToInt32(lock.ObjectLockConfiguration.Rule.DefaultRetention.Days) != 30 {
		t.Errorf("bucket %s object lock: %+v, %v", bucket, lock, err)
	}
	pab, err := s3.NewFromConfig(member).GetPublicAccessBlock(t.Context(), &s3.GetPublicAccessBlockInput{Bucket: &bucket})
	if err != nil || !sdkaws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || !sdkaws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) {
		t.Errorf("bucket %s public access: %+v, %v", bucket, pab, err)
	}
	roleName := wl.Status.RoleID[strings.LastIndex(wl.Status.RoleID, "/")+1:]
	role, err := iam.NewFromConfig(member).GetRole(t.Context(), &iam.GetRoleInput{RoleName: &roleName})
	if err != nil {
		t.Fatalf("role %s: %v", roleName, err)
	}
	trust, _ := url.QueryUnescape(sdkaws.ToString(role.Role.AssumeRolePolicyDocument))
	var doc map[string]any
	if err := json.Unmarshal([]byte(trust), &doc); err != nil {
		t.Fatalf("trust policy %q: %v", trust, err)
	}
	if want := "system:serviceaccount:" + ns.Name + ":records-api"; !strings.Contains(trust, want) || !strings.Contains(trust, issuer) {
		t.Errorf("trust policy %s should admit only %s through %s", trust, want, issuer)
	}

	// The intruder is refused and composes nothing.
	eventually(t, "intruder refused", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(intruder), intruder); err != nil {
			return err
		}
		c := meta.FindStatusCondition(intruder.Status.Conditions, lzv1.ConditionReady)
		if c == nil || c.Reason != lzv1.ReasonNamespaceNotAllowed {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	keys := &awsv1.KeyList{}
	if err := k8s.List(context.Background(), keys, client.InNamespace(other.Name)); err != nil || len(keys.Items) != 0 {
		t.Errorf("the refused workload composed %d keys (%v)", len(keys.Items), err)
	}
}
