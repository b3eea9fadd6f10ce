package admission_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/fixtures"
)

var seq int

func unique(prefix string) string {
	seq++
	return fmt.Sprintf("%s-%d", prefix, seq)
}

// cji passes its own baseline and compliantZone passes cjis-v6 for it, so tests fail only for what
// they break.
var (
	cji           = fixtures.CJI
	compliantZone = fixtures.CompliantZone
)

// mustCreate creates objs and waits until the webhook's cache holds them: a request judged
// before then would find a zone or classification missing and be denied for that instead.
func mustCreate(t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := k8s.Create(context.Background(), o); err != nil {
			t.Fatalf("cannot create %s: %v", o.GetName(), err)
		}
	}
	for _, o := range objs {
		seen := o.DeepCopyObject().(client.Object) //nolint:forcetypeassert // A copy of a client.Object is one.
		eventually(t, "the webhook's cache holding "+o.GetName(), func() error {
			return cached.Get(context.Background(), client.ObjectKeyFromObject(o), seen)
		})
	}
}

// expectDenied asserts err is an Invalid admission denial naming every control and field.
func expectDenied(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("request admitted; want it denied naming %v", want)
	}
	if !apierrors.IsInvalid(err) && !apierrors.IsForbidden(err) {
		t.Fatalf("want an Invalid or Forbidden denial, got %v", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("denial %q\nshould mention %q", err, w)
		}
	}
}

func TestAdmissionDeniesNonCompliantZonesNamingEveryControlAndField(t *testing.T) {
	class := unique("cji")
	mustCreate(t, cji(class))

	good := compliantZone(unique("zone"), class)
	mustCreate(t, good)

	bad := compliantZone(unique("zone"), class)
	bad.Spec.Audit.RetentionDays = 90
	bad.Spec.Network.Egress = lzv1.EgressDirect
	bad.Spec.Network.FlowLogs = ptr.To(false)
	err := k8s.Create(context.Background(), bad)
	expectDenied(t, err,
		"AU-11", "spec.audit.retentionDays",
		"SC-7", "spec.network.egress",
		"AU-12", "spec.network.flowLogs",
		"cjis-v6")

	// An update that breaks a compliant zone is refused the same way, and loses nothing. The
	// suite's reconcilers write the zone too: a conflict is retried, only the verdict counts.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(good), good); err != nil {
			return err
		}
		good.Spec.Audit.RetentionDays = 30
		return k8s.Update(context.Background(), good)
	})
	expectDenied(t, err, "AU-11", "spec.audit.retentionDays")
	if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(good), good); err != nil {
		t.Fatal(err)
	}
	if good.Spec.Audit.RetentionDays != 400 {
		t.Errorf("a refused update changed the stored zone: retentionDays = %d", good.Spec.Audit.RetentionDays)
	}
}

func TestAdmissionDeniesWorkloadAboveItsZone(t *testing.T) {
	low, high := unique("cji"), unique("evidence")
	hi := cji(high)
	hi.Spec.Level = 7
	mustCreate(t, cji(low), hi)
	zone := compliantZone(unique("zone"), low)
	mustCreate(t, zone)

	wl := &lzv1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: unique("wl")},
		Spec:       lzv1.WorkloadSpec{LandingZoneRef: lzv1.LandingZoneReference{Name: zone.Name}, Classifications: []string{high}},
	}
	expectDenied(t, k8s.Create(context.Background(), wl), "AC-4", "spec.classifications")
}

func TestAdmissionJudgesAZoneByTheClassificationsOfTheWorkloadsItHosts(t *testing.T) {
	// plain brings no baseline; hosted brings cjis-v6, which wants a year of audit retention.
	plain, hosted := cji(unique("plain")), cji(unique("hosted"))
	plain.Spec.Baselines = nil
	mustCreate(t, plain, hosted)
	host, other := compliantZone(unique("zone"), plain.Name), compliantZone(unique("zone"), plain.Name)
	mustCreate(t, host, other)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: unique("team"), Labels: map[string]string{lzv1.TenantLabel: host.Spec.Tenant}}}
	mustCreate(t, ns)
	mustCreate(t, &lzv1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: unique("wl")},
		Spec:       lzv1.WorkloadSpec{LandingZoneRef: lzv1.LandingZoneReference{Name: host.Name}, Classifications: []string{hosted.Name}},
	})
	// A workload naming the other zone from a namespace it does not admit (not labelled for its
	// tenant) is refused placement by the reconciler, and must not judge that zone here either.
	mustCreate(t, &lzv1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: unique("foreign")},
		Spec:       lzv1.WorkloadSpec{LandingZoneRef: lzv1.LandingZoneReference{Name: other.Name}, Classifications: []string{hosted.Name}},
	})
	// The suite's reconcilers write the zones too: a conflict is retried, only the verdict counts.
	shortRetention := func(z *lzv1.LandingZone) error {
		z = z.DeepCopy()
		return retry.RetryOnConflict(retry.DefaultRetry, func() error {
			if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(z), z); err != nil {
				return err
			}
			z.Spec.Audit.RetentionDays = 90
			return k8s.Update(context.Background(), z, client.DryRunAll)
		})
	}

	// The webhook reads workloads from the manager's cache, which sees the new one shortly.
	eventually(t, "a zone hosting a cjis-v6 workload is judged by cjis-v6", func() error {
		if err := shortRetention(host); !apierrors.IsInvalid(err) {
			return fmt.Errorf("want the update denied, got %v", err)
		}
		return nil
	})
	expectDenied(t, shortRetention(host), "AU-11", "spec.audit.retentionDays", "cjis-v6")
	if err := shortRetention(other); err != nil {
		t.Errorf("a zone is judged by a workload from a namespace it does not admit: %v", err)
	}
}

func TestAdmissionDeniesClassificationWithUnknownBaseline(t *testing.T) {
	dc := cji(unique("cji"))
	dc.Spec.Baselines = []string{"cjis-v6", "fedramp-moderat"}
	expectDenied(t, k8s.Create(context.Background(), dc), "spec.baselines", "fedramp-moderat", "unknown baseline")
}

func TestAdmissionRefusesBrokenCompliancePolicies(t *testing.T) {
	cases := map[string]struct {
		modules, tests []policyv1.RegoFile
		want           []string
	}{
		"module that does not compile": {
			modules: []policyv1.RegoFile{{Name: "broken.rego", Rego: "package zonekeeper.custom.broken\n\nviolation contains v if {\n"}},
			want:    []string{"spec.modules", "broken.rego"},
		},
		"module whose own tests fail": {
			modules: []policyv1.RegoFile{{Name: "tags.rego", Rego: tagPolicy}},
			tests:   []policyv1.RegoFile{{Name: "tags_test.rego", Rego: "package zonekeeper.custom.tags_test\n\ntest_always_fails if {\n\tfalse\n}\n"}},
			want:    []string{"spec.modules", "test_always_fails"},
		},
		"module calling http.send": {
			modules: []policyv1.RegoFile{{Name: "exfil.rego", Rego: "package zonekeeper.custom.exfil\n\ncontrols := {\"SC-7\"}\n\nviolation contains v if {\n\tr := http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1:1\"})\n\tv := {\"control\": \"SC-7\", \"message\": r.body, \"field\": \"spec\", \"severity\": \"low\"}\n}\n"}},
			want:    []string{"spec.modules", "http.send"},
		},
		"module shadowing a built-in baseline": {
			modules: []policyv1.RegoFile{{Name: "shadow.rego", Rego: "package zonekeeper.baselines.cjis_v6\n\nviolation := set()\n"}},
			want:    []string{"spec.modules", "zonekeeper.baselines.cjis_v6"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cp := &policyv1.CompliancePolicy{
				ObjectMeta: metav1.ObjectMeta{Name: unique("policy")},
				Spec:       policyv1.CompliancePolicySpec{Modules: tc.modules, Tests: tc.tests},
			}
			expectDenied(t, k8s.Create(context.Background(), cp), tc.want...)
		})
	}
}

// tagPolicy is a custom control: every zone must name a providerConfigRef.
const tagPolicy = fixtures.TagPolicy

const tagPolicyTest = `package zonekeeper.custom.tags_test

import data.zonekeeper.custom.tags

test_zone_without_provider_config_is_flagged if {
	some v in tags.violation with input as {"object": {"kind": "LandingZone", "spec": {}}}
	v.control == "CM-8"
}

test_zone_with_provider_config_passes if {
	count(tags.violation) == 0 with input as {"object": {"kind": "LandingZone", "spec": {"providerConfigRef": {"name": "x"}}}}
}
`

// TestCompliancePolicyTakesEffectWithoutRestart admits a custom policy, waits for it to become
// Active, and shows the running webhook enforcing it — first as a warning, then as a denial.
func TestCompliancePolicyTakesEffectWithoutRestart(t *testing.T) {
	class := unique("cji")
	mustCreate(t, cji(class))
	cp := &policyv1.CompliancePolicy{
		ObjectMeta: metav1.ObjectMeta{Name: unique("inventory")},
		Spec: policyv1.CompliancePolicySpec{
			Modules:           []policyv1.RegoFile{{Name: "tags.rego", Rego: tagPolicy}},
			Tests:             []policyv1.RegoFile{{Name: "tags_test.rego", Rego: tagPolicyTest}},
			EnforcementAction: policyv1.EnforcementWarn,
		},
	}
	mustCreate(t, cp)
	t.Cleanup(func() {
		_ = k8s.Delete(context.Background(), cp)
		// The tests after this one must not meet the policy: wait until the webhook has dropped it.
		eventually(t, "the policy gone from the webhook", func() error {
			return k8s.Create(context.Background(), compliantZone(unique("zone"), class), client.DryRunAll)
		})
	})
	eventually(t, "policy active", func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(cp), cp); err != nil {
			return err
		}
		c := meta.FindStatusCondition(cp.Status.Conditions, policyv1.ConditionActive)
		if c == nil || c.Status != metav1.ConditionTrue || c.ObservedGeneration != cp.Generation {
			return fmt.Errorf("Active = %+v", c)
		}
		if !slices.Contains(cp.Status.Controls, "CM-8") {
			return fmt.Errorf("status.controls = %v, want CM-8", cp.Status.Controls)
		}
		return nil
	})

	// warn: admitted, with the violation as a warning.
	warnings.take()
	zone := compliantZone(unique("zone"), class)
	mustCreate(t, zone)
	got := strings.Join(warnings.take(), "\n")
	if !strings.Contains(got, "CM-8") || !strings.Contains(got, "spec.providerConfigRef") {
		t.Errorf("warnings %q should carry CM-8 and spec.providerConfigRef", got)
	}

	// deny: the same policy, switched to deny, refuses the next zone once the engine has it.
	// (The policy controller writes its status: a conflict is retried.)
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(cp), cp); err != nil {
			return err
		}
		cp.Spec.EnforcementAction = policyv1.EnforcementDeny
		return k8s.Update(context.Background(), cp)
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "deny takes effect", func() error {
		err := k8s.Create(context.Background(), compliantZone(unique("zone"), class))
		if err == nil {
			return fmt.Errorf("zone still admitted")
		}
		if !strings.Contains(err.Error(), "CM-8") || !strings.Contains(err.Error(), "spec.providerConfigRef") {
			return fmt.Errorf("denied for another reason: %v", err)
		}
		return nil
	})
}

func TestPolicyExceptionsAreValidatedAndExpireEverywhereAtOnce(t *testing.T) {
	class := unique("cji")
	mustCreate(t, cji(class))
	exception := func(controls []string, target string, expires time.Duration) *policyv1.PolicyException {
		return &policyv1.PolicyException{
			ObjectMeta: metav1.ObjectMeta{Name: unique("exception")},
			Spec: policyv1.PolicyExceptionSpec{
				Controls:      controls,
				Targets:       []policyv1.ExceptionTarget{{Kind: "LandingZone", Name: target}},
				Justification: "archive migration in progress, tracked in CHG-1234",
				ApprovedBy:    "ciso@mpd.example.gov",
				ExpiresAt:     metav1.NewTime(time.Now().Add(expires).Truncate(time.Second)),
			},
		}
	}

	t.Run("unknown control is refused", func(t *testing.T) {
		expectDenied(t, k8s.Create(context.Background(), exception([]string{"AU-99"}, "x", time.Hour)), "spec.controls", "AU-99")
	})
	t.Run("boundary exception beyond 90 days is refused", func(t *testing.T) {
		expectDenied(t, k8s.Create(context.Background(), exception([]string{"SC-7(4)"}, "x", 120*24*time.Hour)), "spec.expiresAt", "90")
	})
	t.Run("already expired is refused", func(t *testing.T) {
		expectDenied(t, k8s.Create(context.Background(), exception([]string{"AU-11"}, "x", -time.Hour)), "spec.expiresAt")
	})

	t.Run("waiver admits the zone until it expires", func(t *testing.T) {
		zone := compliantZone(unique("zone"), class)
		zone.Spec.Audit.RetentionDays = 90
		expectDenied(t, k8s.Create(context.Background(), zone.DeepCopy()), "AU-11")

		// The waiver must still hold when the zone is created again, however slow the machine.
		pe := exception([]string{"AU-11"}, zone.Name, 10*time.Second)
		mustCreate(t, pe)
		eventually(t, "zone admitted under the waiver", func() error {
			return k8s.Create(context.Background(), zone.DeepCopy())
		})
		if err := k8s.Delete(context.Background(), zone); err != nil {
			t.Fatal(err)
		}
		eventually(t, "waiver no longer applies after expiry", func() error {
			err := k8s.Create(context.Background(), zone.DeepCopy())
			if err == nil {
				_ = k8s.Delete(context.Background(), zone)
				return fmt.Errorf("zone still admitted")
			}
			if !strings.Contains(err.Error(), "AU-11") {
				return fmt.Errorf("denied for another reason: %v", err)
			}
			return nil
		})
		eventually(t, "exception reports Expired", func() error {
			if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(pe), pe); err != nil {
				return err
			}
			if c := meta.FindStatusCondition(pe.Status.Conditions, policyv1.ConditionActive); c == nil || c.Reason != policyv1.ReasonExpired {
				return fmt.Errorf("Active = %+v", c)
			}
			return nil
		})
	})
}
