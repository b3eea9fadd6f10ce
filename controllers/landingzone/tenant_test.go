package landingzone_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// TestForeignWorkloadDoesNotCountForTheZone: a workload in a namespace the zone does not admit is
// refused placement (NamespaceNotAllowed), and so must not count for the zone either: its
// classification must not judge the zone (a deny violation would close its provisioning gate),
// nor may it show in status.workloads. A workload the zone admits, created after it, shows that
// the zone was reconciled with both in view.
func TestForeignWorkloadDoesNotCountForTheZone(t *testing.T) {
	low := unique("public")
	dcLow := newClassification(low, 0)
	dcLow.Spec.Baselines = nil
	high := unique("cji")
	create(t, dcLow, newClassification(high, 6))
	tenant := unique("tenant")
	zone := newZone(unique("zone"), tenant, low)
	create(t, zone)
	before := expectCondition(t, zone, lzv1.ConditionCompliant, metav1.ConditionTrue, lzv1.ReasonCompliant)

	foreignNS := newNamespace(unique("ns"), unique("other-tenant"))
	create(t, foreignNS)
	foreign := newWorkload(foreignNS.Name, "intruder", zone.Name, high)
	create(t, foreign)
	expectCondition(t, foreign, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonNamespaceNotAllowed)

	ownNS := newNamespace(unique("ns"), tenant)
	create(t, ownNS)
	own := newWorkload(ownNS.Name, "resident", zone.Name, low)
	create(t, own)
	expectCondition(t, own, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)

	ownKey := client.ObjectKeyFromObject(own).String()
	z := &lzv1.LandingZone{}
	eventually(t, "the zone lists the workload it admits", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), z); err != nil {
			return err
		}
		if !slices.Contains(z.Status.Workloads, ownKey) {
			return fmt.Errorf("status.workloads %v, want %s in it", z.Status.Workloads, ownKey)
		}
		return nil
	})
	if want := []string{ownKey}; !slices.Equal(z.Status.Workloads, want) {
		t.Errorf("status.workloads %v, want %v: a workload the zone does not admit is not in it", z.Status.Workloads, want)
	}
	c := meta.FindStatusCondition(z.Status.Conditions, lzv1.ConditionCompliant)
	if c == nil || c.Status != metav1.ConditionTrue || c.Message != before.Message {
		t.Errorf("Compliant %+v, want True as before the foreign workload (%q): it must not judge the zone", c, before.Message)
	}
	if z.Status.Compliance != nil && len(z.Status.Compliance.Violations) > 0 {
		t.Errorf("status.compliance.violations %+v, want none", z.Status.Compliance.Violations)
	}
}
