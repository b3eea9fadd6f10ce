package aws

import (
	"context"
	"errors"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
)

func TestInUseMessageNamesFiveAndCountsTheRest(t *testing.T) {
	var users []string
	for i := range 7 {
		users = append(users, fmt.Sprintf("Key ns/k%d", i))
	}
	cases := map[string]struct {
		users []string
		want  string
	}{
		"one":   {users[:1], "deletion waits for the 1 managed resource(s) using it: Key ns/k0"},
		"five":  {users[:5], "deletion waits for the 5 managed resource(s) using it: Key ns/k0, Key ns/k1, Key ns/k2, Key ns/k3, Key ns/k4"},
		"seven": {users, "deletion waits for the 7 managed resource(s) using it: Key ns/k0, Key ns/k1, Key ns/k2, Key ns/k3, Key ns/k4 and 2 more"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := inUseMessage(tc.users); got != tc.want {
				t.Errorf("inUseMessage = %q, want %q", got, tc.want)
			}
		})
	}
}

// connected is the external client the connector under the usage tracking returns.
type connected struct {
	managed.TypedExternalClient[*awsv1.Key]
}

// TestUsageTrackingLetsADeletedResourceConnectInATerminatingNamespace checks when a usage that
// cannot be written stops a connect: always, except for a resource being deleted in a namespace
// being deleted, which must still reach AWS to delete what it made.
func TestUsageTrackingLetsADeletedResourceConnectInATerminatingNamespace(t *testing.T) {
	terminating := &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: 403, Reason: metav1.StatusReasonForbidden,
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause}}},
	}}
	other := apierrors.NewForbidden(schema.GroupResource{Resource: "providerconfigusages"}, "x", errors.New("denied"))
	cases := map[string]struct {
		deleting  bool
		trackErr  error
		wantError bool
	}{
		"tracked":                               {trackErr: nil},
		"namespace terminating, resource stays": {trackErr: terminating, wantError: true},
		"namespace terminating, resource going": {deleting: true, trackErr: terminating},
		"any other error, resource going":       {deleting: true, trackErr: other, wantError: true},
		"any other error, resource stays":       {trackErr: other, wantError: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			key := &awsv1.Key{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "k"}}
			if tc.deleting {
				now := metav1.Now()
				key.DeletionTimestamp = &now
			}
			var tracked, reached bool
			u := &usageTracked[*awsv1.Key]{
				gvk: awsv1.KeyGroupVersionKind,
				usage: resource.ModernTrackerFn(func(_ context.Context, mg resource.ModernManaged) error {
					tracked = mg.GetObjectKind().GroupVersionKind() == awsv1.KeyGroupVersionKind
					return tc.trackErr
				}),
				connector: managed.TypedExternalConnectorFn[*awsv1.Key](func(context.Context, *awsv1.Key) (managed.TypedExternalClient[*awsv1.Key], error) {
					reached = true
					return connected{}, nil
				}),
			}
			_, err := u.Connect(context.Background(), key)
			if (err != nil) != tc.wantError || reached == tc.wantError || !tracked {
				t.Errorf("Connect: error %v, connector reached %t, tracked with its kind %t; want error %t", err, reached, tracked, tc.wantError)
			}
		})
	}
}
