package landingzone

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// FinishPass lets the tests drive a pass's status write against the real API server.
var FinishPass = finishPass

// EnsureFinalizer is the zone reconciler's finalizer step, for the same tests.
func EnsureFinalizer(ctx context.Context, c client.Client, zone *lzv1.LandingZone) error {
	return (&LandingZoneReconciler{Client: c}).ensureFinalizer(ctx, zone)
}

// Finalizer is the zone reconciler's finalizer.
const Finalizer = finalizer

// NewAWSZoneReconciler is the zone reconciler with an AWS composer whose parts live in namespace,
// for tests that drive its passes by hand: the suite's manager composes nothing.
func NewAWSZoneReconciler(c client.Client, namespace string) reconcile.Reconciler {
	return &LandingZoneReconciler{Client: c, AWS: &AWSComposer{Namespace: namespace, OrganizationRegion: "us-east-1"}}
}

// ComposeAWSParts returns the managed resources an AWS zone composes once its account exists
// (Account, Key, AuditTrail, VPC), as a provisioning pass applies them. They are unstructured,
// so the tests' scheme need not know the aws group.
func ComposeAWSParts(zone *lzv1.LandingZone, namespace string) ([]client.Object, error) {
	c := &AWSComposer{Namespace: namespace, OrganizationRegion: "us-east-1"}
	m := c.desiredMember(zone, &awsv1.ClusterProviderConfig{}, "111122223333", false)
	var out []client.Object
	for _, mr := range []client.Object{c.desiredAccount(zone), m.key, m.trail, m.vpc} {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(mr)
		if err != nil {
			return nil, err
		}
		out = append(out, &unstructured.Unstructured{Object: u})
	}
	return out, nil
}
