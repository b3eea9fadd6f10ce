package landingzone

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
// fetched: status is patched, never updated, so a concurrent spec change is not overwritten. A
// deleted object has no status left to patch.
func patchStatus(ctx context.Context, c client.Client, obj, before client.Object) error {
	if err := c.Status().Patch(ctx, obj, client.MergeFrom(before)); err != nil && !apierrors.IsNotFound(err) {
		return errors.Wrap(err, "cannot patch status")
	}
	return nil
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
