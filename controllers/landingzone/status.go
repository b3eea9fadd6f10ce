package landingzone

import (
	"context"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// conditions is the slice of conditions one reconcile pass owns, stamped with the generation that
// pass observed.
type conditions struct {
	list       *[]metav1.Condition
	generation int64
}

func (c conditions) set(typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(c.list, metav1.Condition{
		Type:               typ,
		Status:             status,
		Reason:             reason,
		Message:            message,
		ObservedGeneration: c.generation,
	})
}

// patchStatus sends what the pass changed in status as a merge patch against the object as it was
// fetched: status is patched, never updated, so a concurrent spec change is not overwritten. The
// patch carries the last resourceVersion the pass saw of the object: the one it read, or the one
// its own metadata patch (a finalizer, itself made under the same lock) returned. A pass that
// started from a stale copy of the cache would otherwise write conditions for an older generation
// over newer ones, and announce a transition that already happened; it gets a conflict instead
// and runs again. before is the pass's snapshot of the object; only its resourceVersion is moved.
// A deleted object has no status left to patch.
func patchStatus(ctx context.Context, c client.Client, obj, before client.Object) error {
	before.SetResourceVersion(obj.GetResourceVersion())
	if err := c.Status().Patch(ctx, obj, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
		return errors.Wrap(err, "cannot patch status")
	}
	return nil
}

// staleRequeueAfter is how soon a pass that met a newer object runs again: by then the cache
// holds what the conflict was about.
const staleRequeueAfter = 200 * time.Millisecond

// finishPass patches the pass's status and folds the outcome into the pass's result (res and
// retErr are Reconcile's named results). A conflict, on the status or on a write of the pass's own
// (its finalizer), means the pass worked from a stale copy of the object: nothing failed, so it is
// not reported as an error and skips the error backoff; the object is reconciled again shortly,
// from a fresh copy, and the log says so. It reports whether the status was written.
func finishPass(ctx context.Context, c client.Client, obj, before client.Object, res *ctrl.Result, retErr *error) bool {
	err := patchStatus(ctx, c, obj, before)
	switch {
	case err == nil:
		return true
	case apierrors.IsConflict(err) && (*retErr == nil || apierrors.IsConflict(*retErr)):
		log.FromContext(ctx).Info("status not written: the object changed during the pass; reconciling it again")
		*res, *retErr = ctrl.Result{RequeueAfter: staleRequeueAfter}, nil
	default:
		*retErr = errors.Join(*retErr, err)
	}
	return false
}

// recordReadyTransition emits an event only when the Ready condition changed status or reason, so
// a steady state produces no events however often it is reconciled.
func recordReadyTransition(rec recorder.EventRecorder, obj client.Object, before, after []metav1.Condition) {
	if rec == nil {
		return
	}
	now := meta.FindStatusCondition(after, lzv1.ConditionReady)
	if now == nil {
		return
	}
	if was := meta.FindStatusCondition(before, lzv1.ConditionReady); was != nil && was.Status == now.Status && was.Reason == now.Reason {
		return
	}
	eventType := corev1.EventTypeNormal
	if now.Status == metav1.ConditionFalse && now.Reason != lzv1.ReasonPending {
		eventType = corev1.EventTypeWarning
	}
	rec.Eventf(obj, nil, eventType, now.Reason, "Reconcile", "%s", now.Message)
}
