package landingzone

import (
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// TestPausedZonePausesItsWorkloadsParts: spec.paused on a zone stops every cloud call for it, so a
// workload's Key, Buckets and Role, which live in the zone's account, carry Crossplane's paused
// annotation as the zone's own parts do; an unpaused zone's workload parts do not, so applying
// them takes a former pause off.
func TestPausedZonePausesItsWorkloadsParts(t *testing.T) {
	wl := &lzv1.Workload{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "evidence", UID: types.UID("uid-wl")}}
	wl.Spec.Classifications = []string{"cji"}
	wl.Spec.Storage = []lzv1.StorageSpec{{Name: "media", Classification: "cji"}, {Name: "reports", Classification: "cji"}}
	c := &WorkloadComposer{ServiceAccountIssuer: "oidc.example/cluster"}
	for _, paused := range []bool{true, false} {
		zone := &lzv1.LandingZone{ObjectMeta: metav1.ObjectMeta{Name: "evidence"}}
		zone.Spec.Cloud.Region = "us-gov-west-1"
		zone.Spec.Paused = paused
		zone.Status.AccountID = "111122223333"
		p := c.desired(wl, zone, nil)
		if p.role == nil || len(p.buckets) != 2 {
			t.Fatalf("want a key, 2 buckets and a role, got %d managed resources", len(p.managed()))
		}
		for _, mr := range p.managed() {
			if got := meta.IsPaused(mr); got != paused {
				t.Errorf("zone paused=%t: %s %s has the paused annotation: %t", paused, mr.GetObjectKind().GroupVersionKind().Kind, mr.GetName(), got)
			}
		}
	}
}
