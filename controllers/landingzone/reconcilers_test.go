package landingzone_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	lzctrl "github.com/zonekeeper/zonekeeper/controllers/landingzone"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

var seq int

// unique returns a name no other test uses, so tests share one API server without colliding.
func unique(prefix string) string {
	seq++
	return fmt.Sprintf("%s-%d", prefix, seq)
}

func newClassification(name string, level int32) *lzv1.DataClassification {
	return &lzv1.DataClassification{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       lzv1.DataClassificationSpec{Level: level, Baselines: []string{"cjis-v6"}},
	}
}

func newZone(name, tenant, maxClass string) *lzv1.LandingZone {
	return &lzv1.LandingZone{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: lzv1.LandingZoneSpec{
			Tenant: tenant,
			Cloud:  lzv1.CloudSpec{Provider: lzv1.ProviderAWS, Partition: lzv1.PartitionAWSUSGov, Region: "us-gov-west-1"},
			Account: &lzv1.AWSAccountSpec{
				Name: name, Email: name + "@mpd.example.gov", GovCloud: true,
			},
			MaxClassification: maxClass,
			Network:           lzv1.NetworkSpec{CIDR: "10.40.0.0/16"},
		},
	}
}

func newNamespace(name, tenant string) *corev1.Namespace {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if tenant != "" {
		ns.Labels = map[string]string{lzv1.TenantLabel: tenant}
	}
	return ns
}

func newWorkload(ns, name, zone string, classes ...string) *lzv1.Workload {
	return &lzv1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       lzv1.WorkloadSpec{LandingZoneRef: lzv1.LandingZoneReference{Name: zone}, Classifications: classes},
	}
}

func create(t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := k8s.Create(context.Background(), o); err != nil {
			t.Fatalf("cannot create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// update applies change to the latest version of obj, retrying on conflicts with the reconcilers'
// status patches.
func update(t *testing.T, obj client.Object, change func()) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		return k8s.Update(context.Background(), obj)
	})
	if err != nil {
		t.Fatalf("cannot update %s: %v", obj.GetName(), err)
	}
}

// conditionsOf fetches obj afresh and returns its conditions and generation.
func conditionsOf(obj client.Object) ([]metav1.Condition, int64, error) {
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		return nil, 0, err
	}
	switch o := obj.(type) {
	case *lzv1.LandingZone:
		return o.Status.Conditions, o.Generation, nil
	case *lzv1.Workload:
		return o.Status.Conditions, o.Generation, nil
	case *lzv1.DataClassification:
		return o.Status.Conditions, o.Generation, nil
	}
	return nil, 0, fmt.Errorf("no conditions on %T", obj)
}

// expectCondition waits until obj's condition typ has the status and reason, observed at the
// object's current generation.
func expectCondition(t *testing.T, obj client.Object, typ string, status metav1.ConditionStatus, reason string) *metav1.Condition {
	t.Helper()
	var got *metav1.Condition
	eventually(t, fmt.Sprintf("%s %s: want %s=%s (%s)", obj.GetObjectKind().GroupVersionKind().Kind, obj.GetName(), typ, status, reason), func() error {
		conds, gen, err := conditionsOf(obj)
		if err != nil {
			return err
		}
		got = meta.FindStatusCondition(conds, typ)
		switch {
		case got == nil:
			return fmt.Errorf("no %s condition yet", typ)
		case got.Status != status || got.Reason != reason:
			return fmt.Errorf("got %s=%s (%s): %s", typ, got.Status, got.Reason, got.Message)
		case got.ObservedGeneration != gen:
			return fmt.Errorf("condition observed generation %d, object is at %d", got.ObservedGeneration, gen)
		}
		return nil
	})
	return got
}

func TestLandingZoneReportsMissingClassificationUntilItExists(t *testing.T) {
	dcName := unique("evidence")
	zone := newZone(unique("zone"), "dc-mpd", dcName)
	create(t, zone)

	c := expectCondition(t, zone, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonClassificationNotFound)
	if !strings.Contains(c.Message, dcName) || !strings.Contains(c.Message, "spec.maxClassification") {
		t.Errorf("message %q should name the classification and the field", c.Message)
	}
	expectCondition(t, zone, lzv1.ConditionSynced, metav1.ConditionFalse, lzv1.ReasonClassificationNotFound)

	// Creating the classification heals the zone through the watch, without a poll: it resolves,
	// but provisioned nothing, so it is Pending and never Ready=True.
	create(t, newClassification(dcName, 7))
	expectCondition(t, zone, lzv1.ConditionSynced, metav1.ConditionTrue, lzv1.ReasonReconcileSuccess)
	expectCondition(t, zone, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)
	expectCondition(t, zone, lzv1.ConditionCompliant, metav1.ConditionTrue, lzv1.ReasonCompliant)
	if zone.Status.ClassificationLevel == nil || *zone.Status.ClassificationLevel != 7 {
		t.Errorf("status.classificationLevel = %v, want 7", zone.Status.ClassificationLevel)
	}
	if zone.Status.ObservedGeneration != zone.Generation {
		t.Errorf("status.observedGeneration = %d, want %d", zone.Status.ObservedGeneration, zone.Generation)
	}
}

func TestWorkloadPlacementIsRefusedWithADocumentedReason(t *testing.T) {
	high, low := unique("cji"), unique("official")
	create(t, newClassification(high, 6), newClassification(low, 2))
	tenant := unique("tenant")
	lowZone := newZone(unique("zone"), tenant, low)
	highZone := newZone(unique("zone"), tenant, high)
	selectorZone := newZone(unique("zone"), tenant, high)
	selectorZone.Spec.AllowedNamespaces = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "records"}}
	create(t, lowZone, highZone, selectorZone)
	tenantNS, otherNS := unique("ns"), unique("ns")
	create(t, newNamespace(tenantNS, tenant), newNamespace(otherNS, "someone-else"))

	cases := map[string]struct {
		wl          *lzv1.Workload
		reason      string
		wantMessage []string
	}{
		"zone does not exist": {
			wl: newWorkload(tenantNS, unique("wl"), "no-such-zone", high), reason: lzv1.ReasonLandingZoneNotFound,
			wantMessage: []string{"no-such-zone", "spec.landingZoneRef.name"},
		},
		"namespace of another tenant": {
			wl: newWorkload(otherNS, unique("wl"), highZone.Name, high), reason: lzv1.ReasonNamespaceNotAllowed,
			wantMessage: []string{otherNS, highZone.Name, tenant},
		},
		"namespace not selected by allowedNamespaces": {
			wl: newWorkload(tenantNS, unique("wl"), selectorZone.Name, high), reason: lzv1.ReasonNamespaceNotAllowed,
			wantMessage: []string{tenantNS, "team=records"},
		},
		"classification does not exist": {
			wl: newWorkload(tenantNS, unique("wl"), highZone.Name, "no-such-class"), reason: lzv1.ReasonClassificationNotFound,
			wantMessage: []string{"no-such-class"},
		},
		"data above the zone's maxClassification": {
			wl: newWorkload(tenantNS, unique("wl"), lowZone.Name, low, high), reason: lzv1.ReasonClassificationExceedsZone,
			wantMessage: []string{high, "level 6", low, "level 2"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			create(t, tc.wl)
			c := expectCondition(t, tc.wl, lzv1.ConditionReady, metav1.ConditionFalse, tc.reason)
			expectCondition(t, tc.wl, lzv1.ConditionSynced, metav1.ConditionFalse, tc.reason)
			for _, w := range tc.wantMessage {
				if !strings.Contains(c.Message, w) {
					t.Errorf("message %q should mention %q", c.Message, w)
				}
			}
		})
	}

	t.Run("allowed placement is pending, never ready", func(t *testing.T) {
		wl := newWorkload(tenantNS, unique("wl"), highZone.Name, low, high)
		create(t, wl)
		expectCondition(t, wl, lzv1.ConditionSynced, metav1.ConditionTrue, lzv1.ReasonReconcileSuccess)
		expectCondition(t, wl, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)
		if wl.Status.ClassificationLevel == nil || *wl.Status.ClassificationLevel != 6 {
			t.Errorf("status.classificationLevel = %v, want the highest level, 6", wl.Status.ClassificationLevel)
		}
	})
}

func TestWorkloadHealsWhenTheNamespaceIsLabelledForTheTenant(t *testing.T) {
	dc := unique("cji")
	create(t, newClassification(dc, 6))
	tenant := unique("tenant")
	zone := newZone(unique("zone"), tenant, dc)
	ns := newNamespace(unique("ns"), "")
	create(t, zone, ns)
	wl := newWorkload(ns.Name, unique("wl"), zone.Name, dc)
	create(t, wl)
	expectCondition(t, wl, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonNamespaceNotAllowed)

	update(t, ns, func() { ns.Labels = map[string]string{lzv1.TenantLabel: tenant} })
	expectCondition(t, wl, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)
}

func TestWorkloadHealsWhenItsZoneAppears(t *testing.T) {
	dc := unique("cji")
	create(t, newClassification(dc, 6))
	tenant := unique("tenant")
	ns := newNamespace(unique("ns"), tenant)
	create(t, ns)
	zoneName := unique("zone")
	wl := newWorkload(ns.Name, unique("wl"), zoneName, dc)
	create(t, wl)
	expectCondition(t, wl, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonLandingZoneNotFound)

	create(t, newZone(zoneName, tenant, dc))
	expectCondition(t, wl, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)
}

func TestClassificationReportsItsUsersAndForgetsFormerOnes(t *testing.T) {
	first, second := unique("pii"), unique("cji")
	create(t, newClassification(first, 4), newClassification(second, 6))
	tenant := unique("tenant")
	ns := newNamespace(unique("ns"), tenant)
	zone := newZone(unique("zone"), tenant, first)
	create(t, ns, zone)
	wl := newWorkload(ns.Name, unique("wl"), zone.Name, first)
	wl.Spec.Storage = []lzv1.StorageSpec{{Name: "files", Classification: first}}
	create(t, wl)

	users := func(name string, zones, workloads []string) {
		t.Helper()
		eventually(t, "classification "+name+" users", func() error {
			dc := &lzv1.DataClassification{}
			if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, dc); err != nil {
				return err
			}
			if !slices.Equal(dc.Status.LandingZones, zones) || !slices.Equal(dc.Status.Workloads, workloads) {
				return fmt.Errorf("zones %v workloads %v; want %v %v", dc.Status.LandingZones, dc.Status.Workloads, zones, workloads)
			}
			if int(dc.Status.LandingZoneCount) != len(zones) || int(dc.Status.WorkloadCount) != len(workloads) {
				return fmt.Errorf("counts %d/%d do not match the lists", dc.Status.LandingZoneCount, dc.Status.WorkloadCount)
			}
			if c := meta.FindStatusCondition(dc.Status.Conditions, lzv1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
				return fmt.Errorf("Ready = %v", c)
			}
			return nil
		})
	}
	users(first, []string{zone.Name}, []string{ns.Name + "/" + wl.Name})
	users(second, []string{}, []string{})

	// Moving the zone and the workload to the other classification must update both: the one they
	// left as well as the one they joined.
	update(t, zone, func() { zone.Spec.MaxClassification = second })
	update(t, wl, func() {
		wl.Spec.Classifications = []string{second}
		wl.Spec.Storage = nil
	})
	users(first, []string{}, []string{})
	users(second, []string{zone.Name}, []string{ns.Name + "/" + wl.Name})

	eventually(t, "zone lists its workload", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		if want := []string{ns.Name + "/" + wl.Name}; !slices.Equal(zone.Status.Workloads, want) {
			return fmt.Errorf("status.workloads = %v, want %v", zone.Status.Workloads, want)
		}
		return nil
	})
}

// pendingZone creates a classification and a zone that uses it, and waits until the zone is
// Pending, as zones stay in these tests: nothing provisions them.
func pendingZone(t *testing.T) *lzv1.LandingZone {
	t.Helper()
	dc := unique("cji")
	create(t, newClassification(dc, 6))
	zone := newZone(unique("zone"), "tenant", dc)
	create(t, zone)
	expectCondition(t, zone, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)
	return zone
}

// TestEventsOnlyOnTransitions reconciles a zone repeatedly in the same state and checks one event
// was emitted for it, not one per pass.
func TestEventsOnlyOnTransitions(t *testing.T) {
	zone := pendingZone(t)

	// Spec changes that do not change the outcome trigger more passes.
	for _, days := range []int32{180, 200, 220} {
		update(t, zone, func() { zone.Spec.Encryption.RotationDays = days })
		expectCondition(t, zone, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)
	}
	eventually(t, "one Pending event for the zone", func() error {
		evs := &eventsv1.EventList{}
		if err := k8s.List(context.Background(), evs); err != nil {
			return err
		}
		n := 0
		for _, e := range evs.Items {
			if e.Regarding.Name == zone.Name && e.Reason == lzv1.ReasonPending {
				n++
				if e.Series != nil {
					n += int(e.Series.Count) - 1
				}
			}
		}
		if n != 1 {
			return fmt.Errorf("%d Pending events for the zone, want exactly 1", n)
		}
		return nil
	})
}

// TestZoneComplianceIsEvaluatedWaivedAndUnwaivedAtExpiry drives the Compliant condition through a
// violation, a waiver, and the waiver's expiry, which must show without any change to the zone.
func TestZoneComplianceIsEvaluatedWaivedAndUnwaivedAtExpiry(t *testing.T) {
	dc := unique("cji")
	create(t, newClassification(dc, 6))
	zone := newZone(unique("zone"), "tenant", dc)
	zone.Spec.Audit.RetentionDays = 100 // CJIS 5.4.7 (AU-11) demands a year
	create(t, zone)

	c := expectCondition(t, zone, lzv1.ConditionCompliant, metav1.ConditionFalse, lzv1.ReasonViolations)
	if !strings.Contains(c.Message, "AU-11") || !strings.Contains(c.Message, "spec.audit.retentionDays") {
		t.Errorf("message %q should name control AU-11 and field spec.audit.retentionDays", c.Message)
	}
	if !hasViolation(zone.Status.Compliance, "AU-11", "cjis-v6") {
		t.Fatalf("status.compliance lacks AU-11 from cjis-v6: %+v", zone.Status.Compliance)
	}

	// A waiver for AU-11 on this zone, expiring in a few seconds: enough for every zone the
	// exception re-queues to be evaluated on a loaded machine before it expires.
	pe := &policyv1.PolicyException{
		ObjectMeta: metav1.ObjectMeta{Name: unique("waive-au11")},
		Spec: policyv1.PolicyExceptionSpec{
			Controls:      []string{"AU-11"},
			Targets:       []policyv1.ExceptionTarget{{Kind: "LandingZone", Name: zone.Name}},
			Justification: "archive migration in progress, tracked in CHG-1234",
			ApprovedBy:    "ciso@mpd.example.gov",
			ExpiresAt:     metav1.NewTime(time.Now().Add(15 * time.Second)),
		},
	}
	create(t, pe)
	eventually(t, "AU-11 waived", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		if zone.Status.Compliance == nil || hasViolation(zone.Status.Compliance, "AU-11", "cjis-v6") {
			return fmt.Errorf("AU-11 still a violation: %+v", zone.Status.Compliance)
		}
		for _, w := range zone.Status.Compliance.Waived {
			if w.Control == "AU-11" && w.Exception == pe.Name {
				return nil
			}
		}
		return fmt.Errorf("AU-11 not listed as waived by %s: %+v", pe.Name, zone.Status.Compliance.Waived)
	})

	// Nothing touches the zone again: its reconciler must come back at the expiry by itself.
	eventually(t, "AU-11 back after the exception expired", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone); err != nil {
			return err
		}
		if !hasViolation(zone.Status.Compliance, "AU-11", "cjis-v6") {
			return fmt.Errorf("AU-11 still waived: %+v", zone.Status.Compliance)
		}
		return nil
	})
}

func hasViolation(s *lzv1.ComplianceStatus, control, baseline string) bool {
	if s == nil {
		return false
	}
	for _, v := range s.Violations {
		if v.Control == control && v.Baseline == baseline && v.Message != "" {
			return true
		}
	}
	return false
}

// TestWorkloadNamespaceGetsItsDataControls checks the in-cluster controls of a placed workload:
// restricted Pod Security labels always, a default-deny NetworkPolicy when its data forbids public
// exposure, and neither for a refused workload.
func TestWorkloadNamespaceGetsItsDataControls(t *testing.T) {
	private, public := unique("cji"), unique("public")
	dcPrivate := newClassification(private, 6)
	dcPrivate.Spec.Network.PublicExposure = lzv1.PublicExposureForbidden
	dcPublic := newClassification(public, 0)
	dcPublic.Spec.Network.PublicExposure = lzv1.PublicExposureAllowed
	create(t, dcPrivate, dcPublic)
	tenant := unique("tenant")
	zone := newZone(unique("zone"), tenant, private)
	create(t, zone)

	cases := map[string]struct {
		class      string
		zone       string
		wantLabels bool
		wantPolicy bool
	}{
		"private data: labels and default deny": {class: private, zone: zone.Name, wantLabels: true, wantPolicy: true},
		"public data: labels only":              {class: public, zone: zone.Name, wantLabels: true, wantPolicy: false},
		"refused placement: nothing":            {class: private, zone: "no-such-zone", wantLabels: false, wantPolicy: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ns := newNamespace(unique("ns"), tenant)
			create(t, ns)
			wl := newWorkload(ns.Name, unique("wl"), tc.zone, tc.class)
			create(t, wl)
			reason := lzv1.ReasonPending
			if tc.zone != zone.Name {
				reason = lzv1.ReasonLandingZoneNotFound
			}
			expectCondition(t, wl, lzv1.ConditionReady, metav1.ConditionFalse, reason)

			if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(ns), ns); err != nil {
				t.Fatal(err)
			}
			if got := ns.Labels["pod-security.kubernetes.io/enforce"] == "restricted"; got != tc.wantLabels {
				t.Errorf("restricted Pod Security label present = %v, want %v (labels %v)", got, tc.wantLabels, ns.Labels)
			}
			if ns.Labels[lzv1.TenantLabel] != tenant {
				t.Errorf("the tenant label was lost: %v", ns.Labels)
			}
			np := &networkingv1.NetworkPolicy{}
			err := k8s.Get(context.Background(), client.ObjectKey{Namespace: ns.Name, Name: "zonekeeper-default-deny-" + wl.Name}, np)
			if got := err == nil; got != tc.wantPolicy {
				t.Fatalf("default-deny NetworkPolicy present = %v, want %v (%v)", got, tc.wantPolicy, err)
			}
			if tc.wantPolicy && (len(np.Spec.PolicyTypes) != 2 || len(np.Spec.Ingress) != 0) {
				t.Errorf("policy does not deny all ingress and egress: %+v", np.Spec)
			}
		})
	}
}

// TestEachWorkloadKeepsItsOwnDefaultDeny places two workloads whose data forbids public exposure
// in one namespace: each gets a default-deny policy owned by it alone, so deleting one workload's
// (as the garbage collector does when that workload goes) leaves the other's; a policy deleted by
// hand comes back; the namespace-wide policy of earlier releases, labelled for a workload, is
// replaced; and a workload whose data no longer forbids exposure loses its policy.
func TestEachWorkloadKeepsItsOwnDefaultDeny(t *testing.T) {
	private := unique("cji")
	dc := newClassification(private, 6)
	dc.Spec.Network.PublicExposure = lzv1.PublicExposureForbidden
	create(t, dc)
	tenant := unique("tenant")
	zone := newZone(unique("zone"), tenant, private)
	create(t, zone)
	ns := newNamespace(unique("ns"), tenant)
	create(t, ns)
	ctx := context.Background()
	policy := func(name string) (*networkingv1.NetworkPolicy, error) {
		np := &networkingv1.NetworkPolicy{}
		return np, k8s.Get(ctx, client.ObjectKey{Namespace: ns.Name, Name: name}, np)
	}
	// What an earlier release left: one policy for the namespace, labelled for workload a.
	shared := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "zonekeeper-default-deny", Labels: map[string]string{"landingzone.zonekeeper.dev/workload": "a"}},
		Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}},
	}
	create(t, shared)

	a, b := newWorkload(ns.Name, "a", zone.Name, private), newWorkload(ns.Name, "b", zone.Name, private)
	create(t, a, b)
	for _, wl := range []*lzv1.Workload{a, b} {
		eventually(t, "a default-deny policy owned by "+wl.Name+" alone", func() error {
			np, err := policy("zonekeeper-default-deny-" + wl.Name)
			if err != nil {
				return err
			}
			if len(np.OwnerReferences) != 1 || np.OwnerReferences[0].UID != wl.UID {
				return fmt.Errorf("owners %+v", np.OwnerReferences)
			}
			return nil
		})
	}
	eventually(t, "the namespace-wide policy replaced", func() error {
		if _, err := policy("zonekeeper-default-deny"); !apierrors.IsNotFound(err) {
			return fmt.Errorf("get: %v", err)
		}
		return nil
	})

	np, err := policy("zonekeeper-default-deny-a")
	if err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, np); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a's policy put back", func() error {
		_, err := policy("zonekeeper-default-deny-a")
		return err
	})
	if _, err := policy("zonekeeper-default-deny-b"); err != nil {
		t.Errorf("b's policy went with a's: %v", err)
	}

	update(t, dc, func() { dc.Spec.Network.PublicExposure = lzv1.PublicExposureAllowed })
	eventually(t, "no policy once the data allows exposure", func() error {
		for _, name := range []string{"zonekeeper-default-deny-a", "zonekeeper-default-deny-b"} {
			if _, err := policy(name); !apierrors.IsNotFound(err) {
				return fmt.Errorf("%s: %v", name, err)
			}
		}
		return nil
	})
}

// TestStalePassWritesNoStatusAndRunsAgain finishes a pass that read the object before it changed:
// its status must not overwrite the newer object's, and the pass runs again without an error. A
// pass from the current object writes its status.
func TestStalePassWritesNoStatusAndRunsAgain(t *testing.T) {
	dc := newClassification(unique("cji"), 6)
	create(t, dc)
	expectCondition(t, dc, lzv1.ConditionReady, metav1.ConditionTrue, lzv1.ReasonAccepted)
	stale := dc.DeepCopy()
	update(t, dc, func() { dc.Spec.Description = "changed after the pass read it" })

	pass := func(read *lzv1.DataClassification) (bool, ctrl.Result, error) {
		obj := read.DeepCopy()
		meta.SetStatusCondition(&obj.Status.Conditions, metav1.Condition{
			Type: "Probe", Status: metav1.ConditionTrue, Reason: "Written", ObservedGeneration: obj.Generation,
		})
		var res ctrl.Result
		var err error
		written := lzctrl.FinishPass(context.Background(), k8s, obj, read, &res, &err)
		return written, res, err
	}

	written, res, err := pass(stale)
	if written || err != nil || res.RequeueAfter <= 0 {
		t.Errorf("stale pass: written %t, result %+v, error %v; want not written, no error, run again", written, res, err)
	}
	if conds, _, err := conditionsOf(dc); err != nil || meta.FindStatusCondition(conds, "Probe") != nil {
		t.Errorf("the stale pass's condition reached the object: %+v, %v", conds, err)
	}

	eventually(t, "a pass from the current object writes its status", func() error {
		current := &lzv1.DataClassification{}
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(dc), current); err != nil {
			return err
		}
		if written, _, err := pass(current); !written || err != nil {
			return fmt.Errorf("written %t, error %v", written, err)
		}
		conds, _, err := conditionsOf(dc)
		if err != nil || meta.FindStatusCondition(conds, "Probe") == nil {
			return fmt.Errorf("no Probe condition: %+v, %v", conds, err)
		}
		return nil
	})
}

// TestPassThatAddsItsFinalizerWritesItsStatus: the zone reconciler's own finalizer patch moves the
// resourceVersion, which is not a conflict for the status it writes next; and the finalizer patch
// itself, which replaces the whole list, is refused to a pass working from a stale copy.
func TestPassThatAddsItsFinalizerWritesItsStatus(t *testing.T) {
	zone := pendingZone(t)
	stale := zone.DeepCopy()
	update(t, zone, func() { zone.Spec.Encryption.RotationDays = 200 })
	t.Cleanup(func() {
		update(t, zone, func() { zone.Finalizers = nil })
	})

	err := lzctrl.EnsureFinalizer(context.Background(), k8s, stale)
	if !apierrors.IsConflict(err) {
		t.Errorf("finalizer patch from a stale copy: %v; want a conflict", err)
	}

	// Once the reconciler has written the status of the current generation, nothing else writes the
	// zone: one pass, not retried, must get its status through.
	expectCondition(t, zone, lzv1.ConditionReady, metav1.ConditionFalse, lzv1.ReasonPending)
	read := &lzv1.LandingZone{}
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), read); err != nil {
		t.Fatal(err)
	}
	before := read.DeepCopy()
	if err := lzctrl.EnsureFinalizer(context.Background(), k8s, read); err != nil {
		t.Fatal(err)
	}
	meta.SetStatusCondition(&read.Status.Conditions, metav1.Condition{
		Type: "Probe", Status: metav1.ConditionTrue, Reason: "Written", ObservedGeneration: read.Generation,
	})
	var res ctrl.Result
	var passErr error
	if !lzctrl.FinishPass(context.Background(), k8s, read, before, &res, &passErr) || passErr != nil {
		t.Errorf("status not written after the pass's own finalizer patch: result %+v, error %v", res, passErr)
	}
	conds, _, err := conditionsOf(zone)
	if err != nil || meta.FindStatusCondition(conds, "Probe") == nil || len(zone.Finalizers) != 1 {
		t.Errorf("conditions %+v, finalizers %v, %v; want the Probe condition and the finalizer", conds, zone.Finalizers, err)
	}
}

// TestZonesAreJudgedAgainWhenThePolicySetChanges: the policy loader puts a new set in force some
// time after the CompliancePolicy changed; the zones must be judged again after that, with it, not
// only when the object changed. Here the set is swapped with no CompliancePolicy object at all.
func TestZonesAreJudgedAgainWhenThePolicySetChanges(t *testing.T) {
	zone := pendingZone(t)
	swap := func(custom ...engine.CustomPolicy) {
		t.Helper()
		if err := eng.SetCustomPolicies(context.Background(), custom); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { swap() })
	swap(engine.CustomPolicy{Name: "swap-test", Modules: map[string]string{"swap.rego": fmt.Sprintf(`package zonekeeper.custom.swap_test_policy

controls := {"ZK-SWAP-1"}

violation contains {"control": "ZK-SWAP-1", "severity": "low", "field": "metadata.name", "message": "flagged by the new set"} if {
	input.object.metadata.name == %q
}
`, zone.Name)}})
	judged := func(want bool) func() error {
		return func() error {
			z := &lzv1.LandingZone{}
			if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), z); err != nil {
				return err
			}
			if got := hasViolation(z.Status.Compliance, "ZK-SWAP-1", "swap-test"); got != want {
				return fmt.Errorf("ZK-SWAP-1 in status.compliance: %t, want %t", got, want)
			}
			return nil
		}
	}
	eventually(t, "the zone judged by the new set", judged(true))
	swap()
	eventually(t, "the zone judged again once the policy is gone", judged(false))
}
