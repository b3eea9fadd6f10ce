package landingzone

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	ctrl "sigs.k8s.io/controller-runtime"
)

// Setup registers the indexes and every reconciler of the landingzone group with a manager. The
// evaluator's engine is shared with the admission webhook, so both give the same verdict. aws,
// when not nil, provisions AWS zones; without it they stay Pending.
func Setup(ctx context.Context, mgr ctrl.Manager, ev *Evaluator, aws *AWSComposer, workloads *WorkloadComposer) error {
	if ev == nil || ev.Engine == nil {
		return errors.New("cannot set up landingzone reconcilers without a policy engine")
	}
	if err := SetupIndexes(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}
	if err := (&DataClassificationReconciler{Client: mgr.GetClient()}).SetupWithManager(mgr); err != nil {
		return errors.Wrap(err, "cannot set up DataClassification reconciler")
	}
	if err := (&LandingZoneReconciler{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder("landingzone"), Evaluator: ev, AWS: aws}).SetupWithManager(mgr); err != nil {
		return errors.Wrap(err, "cannot set up LandingZone reconciler")
	}
	if err := (&WorkloadReconciler{Client: mgr.GetClient(), Recorder: mgr.GetEventRecorder("workload"), Evaluator: ev, AWS: workloads}).SetupWithManager(mgr); err != nil {
		return errors.Wrap(err, "cannot set up Workload reconciler")
	}
	return nil
}
