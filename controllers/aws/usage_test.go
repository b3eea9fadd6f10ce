package aws_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
)

// usageOptions poll a blocked config quickly: envtest runs no garbage collector, and the informer
// may still hold a resource just deleted.
func usageOptions() awsctrl.Options {
	o := options()
	o.InUsePollInterval = 300 * time.Millisecond
	return o
}

// waitInUse waits until the zone's ProviderConfig name holds the in-use finalizer and counts
// users users, and returns it.
func (z *zone) waitInUse(name string, users int64) *awsv1.ProviderConfig {
	z.t.Helper()
	pc := &awsv1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: z.ns, Name: name}}
	eventually(z.t, fmt.Sprintf("ProviderConfig %s counting %d users", name, users), func() error {
		if err := z.get(pc); err != nil {
			return err
		}
		if !controllerutil.ContainsFinalizer(pc, awsctrl.FinalizerInUse) || pc.Status.Users != users {
			return fmt.Errorf("finalizers %v, users %d", pc.Finalizers, pc.Status.Users)
		}
		return nil
	})
	return pc
}

// TestProviderConfigKeptWhileInUse deletes a ProviderConfig while a key that must be deleted from
// AWS still uses it: the config stays, saying which resource it waits for, the key is still
// deleted from AWS with it, and only then does the config go. The usage is left behind by the key
// (envtest runs no garbage collector), so the config going also shows stale usages do not block.
func TestProviderConfigKeptWhileInUse(t *testing.T) {
	z := newZone(t, usageOptions())
	key := newKey(z.ns, "in-use", "in-use")
	key.SetDeletionPolicy(deleteFromAWS)
	z.create(key)
	z.waitReady(key)

	usage := &awsv1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{Namespace: z.ns, Name: string(key.UID)}}
	eventually(t, "the key's usage", func() error { return z.get(usage) })
	if got, want := usage.Labels, map[string]string{xpv2.LabelKeyProviderName: "aws", xpv2.LabelKeyProviderKind: "ProviderConfig"}; !maps.Equal(got, want) {
		t.Errorf("usage labels %v, want %v", got, want)
	}
	if ref := usage.ProviderConfigReference; ref.Kind != "ProviderConfig" || ref.Name != "aws" {
		t.Errorf("usage providerConfigRef %+v, want ProviderConfig aws", ref)
	}
	if ref := usage.ResourceReference; ref.APIVersion != awsv1.GroupVersion.String() || ref.Kind != "Key" || ref.Name != key.Name {
		t.Errorf("usage resourceRef %+v, want the key", ref)
	}
	if owner := metav1.GetControllerOf(usage); owner == nil || owner.UID != key.UID || owner.Kind != "Key" {
		t.Errorf("usage controller %+v, want the key", owner)
	}
	if !controllerutil.ContainsFinalizer(usage, awsctrl.FinalizerUsage) {
		t.Errorf("usage finalizers %v, want %s", usage.Finalizers, awsctrl.FinalizerUsage)
	}

	pc := z.waitInUse("aws", 1)

	if err := k8s.Delete(t.Context(), pc); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted ProviderConfig saying what it waits for", func() error {
		if err := z.get(pc); err != nil {
			return err
		}
		c := pc.GetCondition(awsctrl.TypeTerminating)
		if c.Status != corev1.ConditionTrue || c.Reason != awsctrl.ReasonInUse || !strings.Contains(c.Message, "Key "+z.ns+"/in-use") || c.ObservedGeneration != pc.Generation {
			return fmt.Errorf("Terminating=%s (%s: %s), observed generation %d/%d", c.Status, c.Reason, c.Message, c.ObservedGeneration, pc.Generation)
		}
		return nil
	})
	z.waitEvent("aws", "UsageAccounting", "Key "+z.ns+"/in-use")

	// Deleted before its key, as a namespace's deletion or a foreground cascade does: the usage
	// stays while the key does, and so does the config.
	if err := k8s.Delete(t.Context(), usage); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // a few of the blocked config's polls
	if err := z.get(usage); err != nil || usage.DeletionTimestamp == nil {
		t.Fatalf("usage after deletion while its key stands: %v, deleting %v; want it kept", err, usage.DeletionTimestamp)
	}
	if err := z.get(pc); err != nil || pc.Status.Users != 1 {
		t.Fatalf("ProviderConfig after its usage was deleted while its key stands: %v, users %d; want it kept with one user", err, pc.Status.Users)
	}

	z.deleteAndWait(key)
	md, err := kms.NewFromConfig(awsConfig(t, region)).DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &key.Status.AtProvider.KeyID})
	if err != nil || md.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
		t.Errorf("key: %+v, %v; want it scheduled for deletion through the ProviderConfig being deleted", md, err)
	}
	eventually(t, "the ProviderConfig gone once unused", func() error {
		if err := z.get(pc); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%v): finalizers %v, %s", err, pc.Finalizers, pc.GetCondition(awsctrl.TypeTerminating).Message)
		}
		return nil
	})
	if err := z.get(usage); !apierrors.IsNotFound(err) {
		t.Errorf("the usage of the deleted key is still there: %v", err)
	}
}

// TestClusterProviderConfigCountsUsersInEveryNamespace uses one ClusterProviderConfig from two
// namespaces. Usages that stand for nothing (no controller, or a resource since replaced by
// another of the same name) are deleted rather than counted, and a deleted config waits for the
// last real user, naming what is left.
func TestClusterProviderConfigCountsUsersInEveryNamespace(t *testing.T) {
	z := setupZone(t)
	other := z.ns + "-b"
	z.also = []string{other}
	z.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: other}})
	cpcName := "shared-" + z.ns
	cpc := &awsv1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: cpcName}, Spec: awsv1.ProviderConfigSpec{
		Credentials: awsv1.Credentials{Source: awsv1.CredentialsSecret, SecretRef: &awsv1.SecretReference{Name: "aws", Namespace: z.ns}},
		Endpoint:    &awsv1.Endpoint{URL: motoSrv.URL},
	}}
	z.create(cpc)
	z.start(usageOptions(), logr.Logger{})

	ref := &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: cpcName}
	a, b := newKey(z.ns, "a", "shared-a"), newKey(other, "b", "shared-b")
	a.Spec.ProviderConfigReference, b.Spec.ProviderConfigReference = ref, ref
	z.create(a, b)
	z.waitReady(a)
	z.waitReady(b)

	// Two usages that stand for nothing: one without a controller, one whose resource was
	// replaced (same name, another UID).
	labels := map[string]string{xpv2.LabelKeyProviderName: cpcName, xpv2.LabelKeyProviderKind: "ClusterProviderConfig"}
	orphan := &awsv1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{Namespace: other, Name: "restored", Labels: labels}}
	orphan.ResourceReference = xpv2.TypedReference{APIVersion: awsv1.GroupVersion.String(), Kind: "Key", Name: "b"}
	orphan.ProviderConfigReference = *ref
	replaced := orphan.DeepCopy()
	replaced.Name = "replaced"
	replaced.OwnerReferences = []metav1.OwnerReference{{APIVersion: awsv1.GroupVersion.String(), Kind: "Key", Name: "b", UID: types.UID("0b5e1e7e-0000-4000-8000-000000000000"), Controller: ptr.To(true)}}
	z.create(orphan, replaced)

	waitUsers := func(want int64, named ...string) {
		t.Helper()
		eventually(t, fmt.Sprintf("%s counting %d users", cpcName, want), func() error {
			if err := z.get(cpc); err != nil {
				return err
			}
			if cpc.Status.Users != want {
				return fmt.Errorf("users %d", cpc.Status.Users)
			}
			if len(named) == 0 {
				return nil
			}
			msg := cpc.GetCondition(awsctrl.TypeTerminating).Message
			if want := fmt.Sprintf("deletion waits for the %d managed resource(s) using it: %s", want, strings.Join(named, ", ")); msg != want {
				return fmt.Errorf("Terminating message %q, want %q", msg, want)
			}
			return nil
		})
	}
	waitUsers(2)

	// A usage naming a kind this manager does not reconcile is counted without being read (a
	// read would start an informer on Secrets, which the manager may not list), until it goes.
	foreign := &awsv1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{Namespace: other, Name: "foreign", Labels: labels}}
	foreign.ProviderConfigReference = *ref
	foreign.ResourceReference = xpv2.TypedReference{APIVersion: "v1", Kind: "Secret", Name: "aws"}
	foreign.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Secret", Name: "aws", UID: types.UID("5ec7e700-0000-4000-8000-000000000000"), Controller: ptr.To(true)}}
	z.create(foreign)
	waitUsers(3)
	if err := k8s.Delete(t.Context(), foreign); err != nil {
		t.Fatal(err)
	}
	waitUsers(2)
	for _, u := range []*awsv1.ProviderConfigUsage{orphan, replaced} {
		eventually(t, "stale usage "+u.Name+" deleted", func() error {
			if err := z.get(u); !apierrors.IsNotFound(err) {
				return fmt.Errorf("still there: %v", err)
			}
			return nil
		})
	}

	if err := k8s.Delete(t.Context(), cpc); err != nil {
		t.Fatal(err)
	}
	waitUsers(2, "Key "+z.ns+"/a", "Key "+other+"/b")
	z.deleteAndWait(a)
	waitUsers(1, "Key "+other+"/b")
	if err := z.get(cpc); err != nil || cpc.DeletionTimestamp == nil {
		t.Fatalf("ClusterProviderConfig %v (deleting: %v) while key b still uses it", err, cpc.DeletionTimestamp)
	}
	z.deleteAndWait(b)
	eventually(t, cpcName+" gone once unused", func() error {
		if err := z.get(cpc); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%v): users %d", err, cpc.Status.Users)
		}
		return nil
	})
}

// TestUsageFollowsAChangeOfProviderConfig points a key at another ProviderConfig: its usage moves
// with it, the first config counts no user and may go, the second counts it.
func TestUsageFollowsAChangeOfProviderConfig(t *testing.T) {
	z := newZone(t, usageOptions())
	z.create(z.providerConfig("other"))
	key := newKey(z.ns, "moving", "moving")
	z.create(key)
	z.waitReady(key)
	first := z.waitInUse("aws", 1)
	z.waitInUse("other", 0)

	z.update(key, func() { key.Spec.ProviderConfigReference = pcRef("other") })
	z.waitInUse("other", 1)
	z.waitInUse("aws", 0)
	usage := &awsv1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{Namespace: z.ns, Name: string(key.UID)}}
	if err := z.get(usage); err != nil || usage.ProviderConfigReference.Name != "other" || usage.Labels[xpv2.LabelKeyProviderName] != "other" {
		t.Errorf("usage %+v (%v); want it to name ProviderConfig other", usage, err)
	}
	z.deleteAndWait(first)
}

// TestOrphanedResourcesNeedNoProviderConfig deletes a key whose ProviderConfig was deleted first,
// with the default deletionPolicy Orphan: leaving the key in AWS needs no credentials, so nothing
// waits on anything and both go.
func TestOrphanedResourcesNeedNoProviderConfig(t *testing.T) {
	z := newZone(t, usageOptions())
	key := newKey(z.ns, "orphaned", "orphaned")
	z.create(key)
	z.waitReady(key)
	pc := z.waitInUse("aws", 1)
	if err := k8s.Delete(t.Context(), pc); err != nil {
		t.Fatal(err)
	}
	z.deleteAndWait(key)
	eventually(t, "the ProviderConfig gone with its only user", func() error {
		if err := z.get(pc); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%v): %s", err, pc.GetCondition(awsctrl.TypeTerminating).Message)
		}
		return nil
	})
	md, err := kms.NewFromConfig(awsConfig(t, region)).DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &key.Status.AtProvider.KeyID})
	if err != nil || md.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
		t.Errorf("key: %+v, %v; want it left Enabled (deletionPolicy Orphan)", md, err)
	}
}
