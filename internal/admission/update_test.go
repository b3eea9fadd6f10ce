package admission_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/fixtures"
)

// holdFinalizer stands in for any finalizer a tool puts on an object (Argo CD's, a backup
// operator's): its removal is an UPDATE the webhook judges.
const holdFinalizer = "example.com/hold"

// update reads obj afresh, applies change and updates it, retrying conflicts with the suite's
// reconcilers, which write the same objects.
func update[T client.Object](obj T, change func(T), opts ...client.UpdateOption) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change(obj)
		return k8s.Update(context.Background(), obj, opts...)
	})
}

// TestUpdatesOfAZoneThatTurnedNonCompliantAreRefusedOnlyForWhatTheyBreak makes a zone
// non-compliant without touching it (its classification starts asking for cjis-v6, which wants a
// year of audit logs), then shows that its updates are judged against what it already was: labels
// and finalizer removal are admitted with the old violation as a warning, while an update that
// makes the violation worse or adds one is refused, naming only what it breaks.
func TestUpdatesOfAZoneThatTurnedNonCompliantAreRefusedOnlyForWhatTheyBreak(t *testing.T) {
	class := cji(unique("plain"))
	class.Spec.Baselines = nil
	mustCreate(t, class)
	zone := compliantZone(unique("zone"), class.Name)
	zone.Spec.Audit.RetentionDays = 90
	zone.Finalizers = []string{holdFinalizer}
	mustCreate(t, zone) // no baseline applies yet
	t.Cleanup(func() {
		_ = update(zone.DeepCopy(), func(z *lzv1.LandingZone) { z.Finalizers = nil })
		_ = k8s.Delete(context.Background(), zone)
	})

	if err := update(class.DeepCopy(), func(c *lzv1.DataClassification) { c.Spec.Baselines = []string{"cjis-v6"} }); err != nil {
		t.Fatalf("cannot make the classification ask for cjis-v6: %v", err)
	}
	retention := func(days int32) func(*lzv1.LandingZone) {
		return func(z *lzv1.LandingZone) { z.Spec.Audit.RetentionDays = days }
	}
	// The webhook reads the classification from the manager's cache, which sees the change shortly.
	eventually(t, "the zone judged by cjis-v6", func() error {
		if err := update(zone.DeepCopy(), retention(30), client.DryRunAll); !apierrors.IsInvalid(err) {
			return fmt.Errorf("want shortening the audit retention refused, got %v", err)
		}
		return nil
	})

	t.Run("an update that makes a violation worse is refused", func(t *testing.T) {
		expectDenied(t, update(zone.DeepCopy(), retention(30)), "AU-11", "spec.audit.retentionDays", "is 30")
	})
	t.Run("an update that adds a violation is refused for that one only", func(t *testing.T) {
		err := update(zone.DeepCopy(), func(z *lzv1.LandingZone) { z.Spec.Network.Egress = lzv1.EgressDirect })
		expectDenied(t, err, "SC-7", "spec.network.egress")
		if strings.Contains(fmt.Sprint(err), "AU-11") {
			t.Errorf("the refusal names the violation the zone already had: %v", err)
		}
	})
	t.Run("a label is admitted, with the old violation as a warning", func(t *testing.T) {
		warnings.take()
		if err := update(zone.DeepCopy(), func(z *lzv1.LandingZone) { z.Labels = map[string]string{"team": "evidence"} }); err != nil {
			t.Fatalf("labelling a zone that was already non-compliant was refused: %v", err)
		}
		got := strings.Join(warnings.take(), "\n")
		if !strings.Contains(got, "AU-11") || !strings.Contains(got, "already so before this update") {
			t.Errorf("warnings %q should carry the zone's AU-11 violation and say it was already there", got)
		}
	})
	t.Run("a zone being deleted can lose its finalizers", func(t *testing.T) {
		if err := k8s.Delete(context.Background(), zone.DeepCopy()); err != nil {
			t.Fatal(err)
		}
		if err := update(zone.DeepCopy(), func(z *lzv1.LandingZone) { z.Finalizers = nil }); err != nil {
			t.Fatalf("removing the finalizer of a zone being deleted was refused: %v", err)
		}
		eventually(t, "the zone gone", func() error {
			err := k8s.Get(context.Background(), client.ObjectKeyFromObject(zone), zone.DeepCopy())
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("zone still there (%v)", err)
		})
	})
}

// TestAnExpiredPolicyExceptionCanStillBeLabelledAndDeleted: admission refuses an exception whose
// expiresAt has passed, but only when its spec changes, so an expired one can still be labelled
// and lose its finalizers instead of being held Terminating.
func TestAnExpiredPolicyExceptionCanStillBeLabelledAndDeleted(t *testing.T) {
	pe := &policyv1.PolicyException{
		ObjectMeta: metav1.ObjectMeta{Name: unique("exception"), Finalizers: []string{holdFinalizer}},
		Spec: policyv1.PolicyExceptionSpec{
			Controls:      []string{"AU-11"},
			Targets:       []policyv1.ExceptionTarget{{Kind: "LandingZone", Name: "archive"}},
			Justification: "archive migration in progress, tracked in CHG-1234",
			ApprovedBy:    "ciso@mpd.example.gov",
			ExpiresAt:     metav1.NewTime(time.Now().Add(3 * time.Second).Truncate(time.Second)),
		},
	}
	mustCreate(t, pe)
	t.Cleanup(func() {
		_ = update(pe.DeepCopy(), func(p *policyv1.PolicyException) { p.Finalizers = nil })
		_ = k8s.Delete(context.Background(), pe)
	})
	time.Sleep(time.Until(pe.Spec.ExpiresAt.Time) + time.Second)

	err := update(pe.DeepCopy(), func(p *policyv1.PolicyException) { p.Spec.Justification += " (extended)" })
	expectDenied(t, err, "spec.expiresAt", "not in the future")
	if err := update(pe.DeepCopy(), func(p *policyv1.PolicyException) { p.Labels = map[string]string{"audit": "2026"} }); err != nil {
		t.Errorf("labelling an expired exception was refused: %v", err)
	}
	if err := k8s.Delete(context.Background(), pe.DeepCopy()); err != nil {
		t.Fatal(err)
	}
	if err := update(pe.DeepCopy(), func(p *policyv1.PolicyException) { p.Finalizers = nil }); err != nil {
		t.Errorf("removing the finalizer of an expired exception being deleted was refused: %v", err)
	}
}

// TestAFailingAuditPolicyRefusesNothing: a policy tried out in audit mode may not refuse a request,
// so one that fails at run time is left out with a warning naming it, and the built-in baselines
// still judge the request.
func TestAFailingAuditPolicyRefusesNothing(t *testing.T) {
	class := unique("cji")
	mustCreate(t, cji(class))
	cp := &policyv1.CompliancePolicy{
		ObjectMeta: metav1.ObjectMeta{Name: unique("owner")},
		Spec: policyv1.CompliancePolicySpec{
			Modules:           []policyv1.RegoFile{{Name: "owner.rego", Rego: fixtures.ConflictPolicy}},
			EnforcementAction: policyv1.EnforcementAudit,
		},
	}
	mustCreate(t, cp)
	t.Cleanup(func() {
		_ = k8s.Delete(context.Background(), cp)
		eventually(t, "the policy gone from the webhook", func() error {
			warnings.take()
			if err := k8s.Create(context.Background(), compliantZone(unique("zone"), class), client.DryRunAll); err != nil {
				return err
			}
			if got := strings.Join(warnings.take(), "\n"); strings.Contains(got, cp.Name) {
				return fmt.Errorf("still warned about: %s", got)
			}
			return nil
		})
	})

	eventually(t, "a zone admitted with a warning naming the failing policy", func() error {
		warnings.take()
		if err := k8s.Create(context.Background(), compliantZone(unique("zone"), class), client.DryRunAll); err != nil {
			return fmt.Errorf("compliant zone refused: %w", err)
		}
		got := strings.Join(warnings.take(), "\n")
		if !strings.Contains(got, fmt.Sprintf("%q (audit) could not be evaluated", cp.Name)) || !strings.Contains(got, "conflict") {
			return fmt.Errorf("warnings %q do not name the failing policy and its error", got)
		}
		return nil
	})
	short := compliantZone(unique("zone"), class)
	short.Spec.Audit.RetentionDays = 90
	expectDenied(t, k8s.Create(context.Background(), short, client.DryRunAll), "AU-11", "spec.audit.retentionDays")
}

// TestAnExceptionWhoseTargetsSelectNothingIsAdmittedWithAWarning: a misspelt target would waive
// nothing without a word, so each target that selects no object is named in a warning.
func TestAnExceptionWhoseTargetsSelectNothingIsAdmittedWithAWarning(t *testing.T) {
	class := unique("cji")
	mustCreate(t, cji(class))
	zone := compliantZone(unique("zone"), class)
	mustCreate(t, zone)
	pe := &policyv1.PolicyException{
		ObjectMeta: metav1.ObjectMeta{Name: unique("exception")},
		Spec: policyv1.PolicyExceptionSpec{
			Controls: []string{"AU-11"},
			Targets: []policyv1.ExceptionTarget{
				{Kind: "LandingZone", Name: zone.Name},
				{Kind: "LandingZone", Name: zone.Name + "-typo"},
				{Kind: "Workload", Namespaces: []string{"default"}, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "nobody"}}},
			},
			Justification: "archive migration in progress, tracked in CHG-1234",
			ApprovedBy:    "ciso@mpd.example.gov",
			ExpiresAt:     metav1.NewTime(time.Now().Add(time.Hour).Truncate(time.Second)),
		},
	}
	warnings.take()
	if err := k8s.Create(context.Background(), pe); err != nil {
		t.Fatalf("exception refused: %v", err)
	}
	t.Cleanup(func() { _ = k8s.Delete(context.Background(), pe) })
	got := warnings.take()
	want := []string{
		"spec.targets[1]: no LandingZone matches its name, namespaces and selector now, so it waives nothing until one does",
		"spec.targets[2]: no Workload matches its name, namespaces and selector now, so it waives nothing until one does",
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings\n%q\nwant\n%q", got, want)
	}
}

// TestAReviewThatOutlivesItsBudgetIsRefusedWithItsOwnMessage: a review answers before the API
// server gives up on it, so the refusal says why rather than "context deadline exceeded" from
// afar. A budget of a nanosecond is spent before anything is evaluated.
func TestAReviewThatOutlivesItsBudgetIsRefusedWithItsOwnMessage(t *testing.T) {
	class, c := newReviewChecker(t)
	c.ReviewTimeout = time.Nanosecond
	_, err := c.Check(context.Background(), compliantZone(unique("zone"), class))
	// Here the reader is the API server, which the spent budget stops first; the webhook reads its
	// cache, which does not wait, and the evaluation is refused instead.
	refused := apierrors.IsForbidden(err) || apierrors.IsInternalError(err)
	if !refused || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("Check() = %v; want a refusal saying the review ran out of time", err)
	}
}
