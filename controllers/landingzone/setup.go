package landingzone

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	ctrl "sigs.k8s.io/controller-runtime"
)

// Setup registers the indexes and every reconciler of the landingzone group with a manager.
func Setup(ctx context.Context, mgr ctrl.Manager) error {
	if err := SetupIndexes(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}
	if err := (&DataClassificationReconciler{Client: mgr.GetClient()}).SetupWithManager(mgr); err != nil {
		return errors.Wrap(err, "cannot set up DataClassification reconciler")
	}
	if err := (&LandingZoneReconciler{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder("landingzone")}).SetupWithManager(mgr); err != nil {
		return errors.Wrap(err, "cannot set up LandingZone reconciler")
	}
	if err := (&WorkloadReconciler{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder("workload")}).SetupWithManager(mgr); err != nil {
		return errors.Wrap(err, "cannot set up Workload reconciler")
	}
	return nil
}
