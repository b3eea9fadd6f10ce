package e2e

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
)

// brokenFor is a deny policy that fails at run time for one zone (owner takes two values), and
// for no other object.
func brokenFor(zone string) string {
	return fmt.Sprintf(`package zonekeeper.custom.broken_gate

controls := {"ZK-GATE-1"}

owner := "a" if input.object.metadata.name == %[1]q

owner := "b" if input.object.metadata.name == %[1]q

violation contains {"control": "ZK-GATE-1", "severity": "low", "field": "metadata.name", "message": "x"} if {
	owner == "c"
}
`, zone)
}

// TestZoneIsNotProvisionedWhileItsPoliciesCannotBeEvaluated: a verdict that was not reached is no
// licence to provision. The zone reports why and no Account is composed for it.
func TestZoneIsNotProvisionedWhileItsPoliciesCannotBeEvaluated(t *testing.T) {
	s := newStack(t)
	zone := s.zone("unjudged-zone")
	cp := &policyv1.CompliancePolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "broken-gate"},
		Spec:       policyv1.CompliancePolicySpec{Modules: []policyv1.RegoFile{{Name: "broken.rego", Rego: brokenFor(zone.Name)}}},
	}
	create(t, cp)
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), cp) })
	eventually(t, "the broken policy loaded", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(cp), cp); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(cp.Status.Conditions, policyv1.ConditionActive); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Active = %+v", c)
		}
		return nil
	})

	create(t, zone)
	defer deleteZone(t, zone)
	eventually(t, "the zone held back for want of a verdict", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		ready := meta.FindStatusCondition(zone.Status.Conditions, lzv1.ConditionReady)
		compliant := meta.FindStatusCondition(zone.Status.Conditions, lzv1.ConditionCompliant)
		if ready == nil || ready.Reason != lzv1.ReasonEvaluationError || compliant == nil || compliant.Status != metav1.ConditionUnknown {
			return fmt.Errorf("Ready = %+v, Compliant = %+v", ready, compliant)
		}
		return nil
	})
	accounts := &awsv1.AccountList{}
	if err := k8s.List(context.Background(), accounts, client.InNamespace(s.ns)); err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts.Items {
		t.Errorf("Account %s was composed for a zone whose policies could not be evaluated", a.Name)
	}
}

// TestAZoneTrailFollowsTheDataEventsOfWhatItHosts: a classification that only a hosted workload
// uses starting to ask for data events must reach the zone's trail, though nothing about the
// workload itself changes.
func TestAZoneTrailFollowsTheDataEventsOfWhatItHosts(t *testing.T) {
	s := newStack(t)
	zone := s.zone("hosting-zone")
	dc := &lzv1.DataClassification{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Name: zone.Spec.MaxClassification}, dc); err != nil {
		t.Fatal(err)
	}
	dc.Spec.Audit.DataEvents = false // the zone's own classification asks for none
	if err := k8s.Update(context.Background(), dc); err != nil {
		t.Fatal(err)
	}
	hosted := &lzv1.DataClassification{ObjectMeta: metav1.ObjectMeta{Name: zone.Name + "-hosted"}, Spec: lzv1.DataClassificationSpec{Level: 2}}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.ns + "-hosting", Labels: map[string]string{lzv1.TenantLabel: "e2e"}}}
	create(t, zone, hosted, ns)
	defer deleteZone(t, zone)
	waitZoneReady(t, zone)
	wl := &lzv1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "hosted"},
		Spec:       lzv1.WorkloadSpec{LandingZoneRef: lzv1.LandingZoneReference{Name: zone.Name}, Classifications: []string{hosted.Name}},
	}
	create(t, wl)
	// Settled: from here on the workload's status does not change, so no event of its own
	// brings the zone back.
	eventually(t, "workload Ready", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(wl), wl); err != nil {
			return err
		}
		if c := meta.FindStatusCondition(wl.Status.Conditions, lzv1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("Ready = %+v", c)
		}
		return nil
	})
	waitZoneReady(t, zone)
	trailDataEvents := func() (bool, error) {
		tr := &awsv1.AuditTrail{}
		err := k8s.Get(context.Background(), client.ObjectKey{Namespace: s.ns, Name: zone.Name}, tr)
		return tr.Spec.ForProvider.DataEvents, err
	}
	if on, err := trailDataEvents(); err != nil || on {
		t.Fatalf("trail dataEvents %t (%v) before anything asks for them", on, err)
	}
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(hosted), hosted); err != nil {
			return err
		}
		hosted.Spec.Audit.DataEvents = true
		return k8s.Update(context.Background(), hosted)
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the zone's trail recording data events", func() error {
		if on, err := trailDataEvents(); err != nil || !on {
			return fmt.Errorf("trail dataEvents %t (%v)", on, err)
		}
		return nil
	})
}
