package landingzone

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// FinishPass lets the tests drive a pass's status write against the real API server.
var FinishPass = finishPass

// EnsureFinalizer is the zone reconciler's finalizer step, for the same tests.
func EnsureFinalizer(ctx context.Context, c client.Client, zone *lzv1.LandingZone) error {
	return (&LandingZoneReconciler{Client: c}).ensureFinalizer(ctx, zone)
}
