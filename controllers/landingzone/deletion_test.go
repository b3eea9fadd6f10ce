package landingzone_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	lzctrl "github.com/zonekeeper/zonekeeper/controllers/landingzone"
)

// deletableZone creates an AWS zone holding the reconciler's finalizer, whose parts were last
// composed with deletionPolicy Delete, in a namespace of their own. The zone is commercial, so
// even its Account says Delete (a GovCloud account is always orphaned).
func deletableZone(t *testing.T) (*lzv1.LandingZone, string, []client.Object) {
	t.Helper()
	partsNS := newNamespace(unique("zone-parts"), "")
	create(t, partsNS)
	zone := newZone(unique("zone"), unique("tenant"), unique("missing"))
	zone.Spec.Cloud = lzv1.CloudSpec{Provider: lzv1.ProviderAWS, Partition: lzv1.PartitionAWS, Region: "us-east-1"}
	zone.Spec.Account.GovCloud = false
	zone.Spec.ProviderConfigRef = &lzv1.ProviderConfigReference{Name: "management"}
	zone.Spec.DeletionPolicy = lzv1.DeletionDelete
	zone.Finalizers = []string{lzctrl.Finalizer}
	create(t, zone)
	parts, err := lzctrl.ComposeAWSParts(zone, partsNS.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		create(t, p)
		if got := deletionPolicyOf(t, p); got != string(xpv2.DeletionDelete) {
			t.Fatalf("%T %s was composed with deletionPolicy %q, want Delete", p, p.GetName(), got)
		}
	}
	return zone, partsNS.Name, parts
}

func deletionPolicyOf(t *testing.T, obj client.Object) string {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(obj.GetObjectKind().GroupVersionKind())
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), u); err != nil {
		t.Fatalf("cannot get %s %s: %v", u.GetKind(), obj.GetName(), err)
	}
	p, _, _ := unstructured.NestedString(u.Object, "spec", "deletionPolicy")
	return p
}

// deleteZonePasses deletes the zone and runs AWS zone reconciler passes until done says so.
func deleteZonePasses(t *testing.T, zone *lzv1.LandingZone, partsNS, what string, done func() error) {
	t.Helper()
	if err := k8s.Delete(context.Background(), zone); err != nil {
		t.Fatal(err)
	}
	r := lzctrl.NewAWSZoneReconciler(managerClient, partsNS)
	eventually(t, what, func() error {
		// The suite's reconciler patches the zone's status too: a pass may meet a conflict and
		// ask to run again, as it would in the manager.
		if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Name: zone.Name}}); err != nil {
			return err
		}
		return done()
	})
}

func zoneGone(zone *lzv1.LandingZone) error {
	err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), &lzv1.LandingZone{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return err
	}
	return fmt.Errorf("zone %s still exists", zone.Name)
}

// TestOrphanZoneOrphansPartsComposedWithDelete: a zone set from Delete to Orphan while nothing
// re-applied its parts (the compliance gate closed, say) and then deleted must leave its cloud
// objects in place. The garbage collector deletes each part as the part says, so the finalizer
// may only go once every part says Orphan. envtest runs no garbage collector: the parts stay,
// and what the collector would act on is their deletionPolicy.
func TestOrphanZoneOrphansPartsComposedWithDelete(t *testing.T) {
	zone, partsNS, parts := deletableZone(t)
	update(t, zone, func() { zone.Spec.DeletionPolicy = lzv1.DeletionOrphan })

	deleteZonePasses(t, zone, partsNS, "the zone goes once its parts are orphaned", func() error { return zoneGone(zone) })
	for _, p := range parts {
		if got := deletionPolicyOf(t, p); got != string(xpv2.DeletionOrphan) {
			t.Errorf("%s %s: deletionPolicy %q when the Orphan zone let it go, want Orphan: the garbage collector would delete the cloud object",
				p.GetObjectKind().GroupVersionKind().Kind, p.GetName(), got)
		}
	}
}

// TestDeleteZoneDeletesItsPartsFirst: deletionPolicy Delete deletes the parts and holds the zone
// until they are gone; their own deletionPolicy Delete is left as it is.
func TestDeleteZoneDeletesItsPartsFirst(t *testing.T) {
	zone, partsNS, parts := deletableZone(t)

	deleteZonePasses(t, zone, partsNS, "the parts go, then the zone", func() error {
		for _, p := range parts {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(p.GetObjectKind().GroupVersionKind())
			err := k8s.Get(context.Background(), client.ObjectKeyFromObject(p), u)
			switch {
			case err == nil:
				if got, _, _ := unstructured.NestedString(u.Object, "spec", "deletionPolicy"); got != string(xpv2.DeletionDelete) {
					t.Errorf("%s %s: deletionPolicy %q while the Delete zone deletes it", u.GetKind(), u.GetName(), got)
				}
				return fmt.Errorf("%s %s still exists", u.GetKind(), u.GetName())
			case !apierrors.IsNotFound(err):
				return err
			}
		}
		return zoneGone(zone)
	})
}

// deletions records the kinds each DeleteAllOf call deletes, pass by pass.
type deletions struct {
	client.Client
	mu     sync.Mutex
	pass   int
	passes map[int][]string
}

func (d *deletions) DeleteAllOf(ctx context.Context, obj client.Object, opts ...client.DeleteAllOfOption) error {
	d.mu.Lock()
	d.passes[d.pass] = append(d.passes[d.pass], obj.GetObjectKind().GroupVersionKind().Kind)
	d.mu.Unlock()
	return d.Client.DeleteAllOf(ctx, obj, opts...)
}

// TestDeleteZoneWaitsForItsWorkloadsThenDeletesTheAccountLast: a Delete zone hosting a workload
// deletes nothing while the workload is there (closing the account would take the workload's
// data with it) and says why; once the workload is gone it deletes the network, trail and key,
// and the account only in a later pass, once they are gone.
func TestDeleteZoneWaitsForItsWorkloadsThenDeletesTheAccountLast(t *testing.T) {
	zone, partsNS, parts := deletableZone(t)
	ns := newNamespace(unique("ns"), zone.Spec.Tenant)
	create(t, ns)
	wl := newWorkload(ns.Name, "hosted", zone.Name, zone.Spec.MaxClassification)
	create(t, wl)
	eventually(t, "the workload and its namespace in the manager's cache", func() error {
		if err := managerClient.Get(context.Background(), client.ObjectKeyFromObject(ns), &corev1.Namespace{}); err != nil {
			return err
		}
		return managerClient.Get(context.Background(), client.ObjectKeyFromObject(wl), &lzv1.Workload{})
	})
	if err := k8s.Delete(context.Background(), zone); err != nil {
		t.Fatal(err)
	}
	rec := &deletions{Client: managerClient, passes: map[int][]string{}}
	r := lzctrl.NewAWSZoneReconciler(rec, partsNS)
	// A pass may meet a conflict (the cache behind the API server) and ask to run again.
	pass := func() error {
		rec.mu.Lock()
		rec.pass++
		rec.mu.Unlock()
		_, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: types.NamespacedName{Name: zone.Name}})
		return err
	}
	exists := func(p client.Object) bool {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(p.GetObjectKind().GroupVersionKind())
		err := k8s.Get(context.Background(), client.ObjectKeyFromObject(p), u)
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		return err == nil
	}
	// held runs a pass and checks the zone's Ready message ends with what holds it.
	held := func(holding string) error {
		if err := pass(); err != nil {
			return err
		}
		z := &lzv1.LandingZone{}
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), z); err != nil {
			return err
		}
		if c := apimeta.FindStatusCondition(z.Status.Conditions, lzv1.ConditionReady); c == nil || !strings.HasSuffix(c.Message, "held until the workloads it hosts and their parts are deleted: "+holding) {
			return fmt.Errorf("Ready %+v", c)
		}
		return nil
	}
	eventually(t, "the zone held, naming its workload", func() error { return held("Workload " + ns.Name + "/hosted") })
	for _, p := range parts {
		if !exists(p) {
			t.Errorf("%s %s deleted while the zone hosts a workload", p.GetObjectKind().GroupVersionKind().Kind, p.GetName())
		}
	}
	if len(rec.passes) != 0 {
		t.Errorf("deletions while the zone hosts a workload: %v", rec.passes)
	}

	// The workload goes, and a part it composed is still there (being deleted, or left by a
	// workload refused after it was placed): the zone still waits.
	var zoneKey *unstructured.Unstructured
	for _, p := range parts {
		if p.GetObjectKind().GroupVersionKind().Kind == "Key" {
			zoneKey = p.(*unstructured.Unstructured)
		}
	}
	wlKey := zoneKey.DeepCopy()
	wlKey.SetNamespace(ns.Name)
	wlKey.SetName("hosted-key")
	wlKey.SetResourceVersion("")
	wlKey.SetUID("")
	wlKey.SetOwnerReferences(nil)
	wlKey.SetLabels(map[string]string{"landingzone.zonekeeper.dev/zone": zone.Name, "landingzone.zonekeeper.dev/workload": "hosted"})
	create(t, wlKey)
	eventually(t, "the workload's key in the manager's cache", func() error {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(wlKey.GroupVersionKind())
		return managerClient.Get(context.Background(), client.ObjectKeyFromObject(wlKey), u)
	})
	if err := k8s.Delete(context.Background(), wl); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the zone held by its workload's key", func() error {
		if err := managerClient.Get(context.Background(), client.ObjectKeyFromObject(wl), &lzv1.Workload{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("workload in the cache: %v", err)
		}
		return held("Key " + ns.Name + "/hosted-key")
	})
	if len(rec.passes) != 0 {
		t.Errorf("deletions while a workload's key is left: %v", rec.passes)
	}
	if err := k8s.Delete(context.Background(), wlKey); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the parts, then the zone, gone", func() error {
		if err := pass(); err != nil {
			return err
		}
		for _, p := range parts {
			if exists(p) {
				return fmt.Errorf("%s %s still exists", p.GetObjectKind().GroupVersionKind().Kind, p.GetName())
			}
		}
		return zoneGone(zone)
	})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	firstOther, firstAccount := 0, 0
	for n, kinds := range rec.passes {
		if slices.Contains(kinds, "Account") {
			if len(kinds) != 1 {
				t.Errorf("pass %d deleted %v: the account goes alone, after the rest", n, kinds)
			}
			if firstAccount == 0 || n < firstAccount {
				firstAccount = n
			}
		} else if firstOther == 0 || n < firstOther {
			firstOther = n
		}
	}
	if firstOther == 0 || firstAccount <= firstOther {
		t.Errorf("deletions by pass %v: want the network, trail and key deleted in a pass before the account's", rec.passes)
	}
}
