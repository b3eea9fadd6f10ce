package aws

import (
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// TagManagedBy is added to everything ZoneKeeper creates in AWS, with the value
// <namespace>/<name> of the managed resource. It is how a VPC whose ID was never recorded (a crash
// between the create call and its reply being saved) is found again instead of created twice.
const TagManagedBy = "zonekeeper.dev/managed-by"

// Event reasons ZoneKeeper's AWS clients record, besides the managed reconciler's own.
const (
	reasonRepairedDrift event.Reason = "RepairedDrift"
	reasonDriftDetected event.Reason = "DriftDetected"
	reasonOrphaned      event.Reason = "Orphaned"
	reasonCreateFailed  event.Reason = "CreateFailed"
)

// managedBy is the value of TagManagedBy for mg.
func managedBy(mg resource.Managed) string {
	return mg.GetNamespace() + "/" + mg.GetName()
}

// desiredTags are the tags of spec plus TagManagedBy.
func desiredTags(mg resource.Managed, spec map[string]string) map[string]string {
	out := maps.Clone(spec)
	if out == nil {
		out = map[string]string{}
	}
	out[TagManagedBy] = managedBy(mg)
	return out
}

// refuseForeign returns an error when tags, of a resource found by its name or alias rather than
// recorded as mg's external-name, mark it as managed by another object. Two objects whose names
// collide (composed for different workloads, say) would otherwise both manage one resource, each
// rewriting what the other set on every poll. A resource without the tag was made outside
// ZoneKeeper and is adopted, as documented; setting the external-name annotation takes over one
// that another object left behind (deleted with deletionPolicy Orphan, for instance).
func refuseForeign(what string, tags map[string]string, mg resource.Managed) error {
	if owner, ok := tags[TagManagedBy]; ok && owner != managedBy(mg) {
		return errors.Errorf("%s is managed by %s: refusing to adopt it (set the %s annotation to take it over)", what, owner, meta.AnnotationKeyExternalName)
	}
	return nil
}

// tagDrift describes each desired tag that is missing or has another value. Tags ZoneKeeper did
// not ask for are left alone: AWS services and other tools add their own.
func tagDrift(desired, observed map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(desired)) {
		got, ok := observed[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("tag %s is missing", k))
		case got != desired[k]:
			out = append(out, fmt.Sprintf("tag %s is %q, want %q", k, got, desired[k]))
		}
	}
	return out
}

// isReady reports whether mg was Ready before this reconcile changed anything: a difference found
// then is drift, while one found before the first Ready is creation still being completed.
func isReady(mg resource.Managed) bool {
	return mg.GetCondition(xpv2.TypeReady).Status == corev1.ConditionTrue
}

// setReady sets mg's Ready condition for its current generation.
func setReady(mg resource.Managed, c xpv2.Condition) {
	mg.SetConditions(c.WithObservedGeneration(mg.GetGeneration()))
}

// onlyObserves reports whether mg's management policies allow nothing but observation.
func onlyObserves(mg resource.Managed) bool {
	p := mg.GetManagementPolicies()
	return len(p) == 1 && p[0] == xpv2.ManagementActionObserve
}

// policiesOf reads mg's management policies as the managed reconciler does (ZoneKeeper enables
// them), so that what Observe expects of the reconciler is what it will do.
func policiesOf(mg resource.Managed) managed.ManagementPoliciesChecker {
	return managed.NewManagementPoliciesResolver(true, mg.GetManagementPolicies())
}

// driftObserved records what an Observe found different from the spec. For an object ZoneKeeper
// may change, the reconciler calls Update next, which repairs it and says so (repaired); for an
// observe-only object nothing will repair it, so the event is recorded here.
func driftObserved(rec event.Recorder, mg resource.Managed, drift []string) {
	if len(drift) > 0 && onlyObserves(mg) {
		rec.Event(mg, event.Warning(reasonDriftDetected, fmt.Errorf("differs from spec, not repaired (managementPolicies: [Observe]): %s", strings.Join(drift, "; "))))
	}
}

// repaired records the repair of drift on an object that had been Ready, naming what had changed.
// Differences found while an object is still being created are not drift and are not announced.
func repaired(rec event.Recorder, mg resource.Managed, wasReady bool, drift []string) {
	if wasReady && len(drift) > 0 {
		rec.Event(mg, event.Normal(reasonRepairedDrift, "put back what changed outside ZoneKeeper: "+strings.Join(drift, "; ")))
	}
}

// eventRecorder adapts controller-runtime's events.k8s.io recorder to crossplane's event.Recorder,
// so the managed reconciler and ZoneKeeper's clients record through the current events API.
type eventRecorder struct {
	rec         recorder.EventRecorder
	annotations map[string]string
}

func newEventRecorder(r recorder.EventRecorder) event.Recorder {
	return &eventRecorder{rec: r, annotations: map[string]string{}}
}

// maxEventNote keeps notes under the events.k8s.io limit of 1 kB.
const maxEventNote = 1000

func (r *eventRecorder) Event(obj runtime.Object, e event.Event) {
	a := maps.Clone(r.annotations)
	maps.Copy(a, e.Annotations)
	msg := e.Message
	if len(msg) > maxEventNote {
		msg = msg[:maxEventNote-3] + "..."
	}
	r.rec.AnnotatedEventf(obj, nil, a, string(e.Type), string(e.Reason), eventAction(e), "%s", msg)
}

// eventAction is the events.k8s.io action of e. client-go's event broadcaster folds events that
// differ only in their note into one series that keeps the first note: it keys a series by type,
// reason, action, reporting controller and the object at its resourceVersion, and forgets a series
// only once it has been idle for six minutes or more. A drift repaired a minute after another,
// with the object's status unchanged in between, would then read as a repeat of the first, and
// the evidence of what changed the second time would be lost. So a drift event's action carries a
// digest of what drifted: the same drift again still folds into one series, a different drift is
// an event of its own. Other events keep folding; their notes can hold request IDs, which would
// make every retry an event.
func eventAction(e event.Event) string {
	if e.Reason != reasonRepairedDrift && e.Reason != reasonDriftDetected {
		return "Reconcile"
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(e.Message)) // a hash.Hash never returns an error
	return fmt.Sprintf("Reconcile/%08x", h.Sum32())
}

func (r *eventRecorder) WithAnnotations(keysAndValues ...string) event.Recorder {
	a := maps.Clone(r.annotations)
	for i := 0; i+1 < len(keysAndValues); i += 2 {
		a[keysAndValues[i]] = keysAndValues[i+1]
	}
	return &eventRecorder{rec: r.rec, annotations: a}
}

// sdkTags converts tags, in key order, to an AWS SDK's tag type built by tag.
func sdkTags[T any](tags map[string]string, tag func(k, v *string) T) []T {
	out := make([]T, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, tag(sdkaws.String(k), sdkaws.String(tags[k])))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
