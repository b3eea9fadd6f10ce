package compliance

import (
	"context"
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

func TestFrozenGivesTheSameInputConvertingEachObjectOnce(t *testing.T) {
	dc := &lzv1.DataClassification{ObjectMeta: metav1.ObjectMeta{Name: "cji"}, Spec: lzv1.DataClassificationSpec{Level: 6, Baselines: []string{"cjis-v6"}}}
	zone := &lzv1.LandingZone{ObjectMeta: metav1.ObjectMeta{Name: "z"}, Spec: lzv1.LandingZoneSpec{MaxClassification: "cji"}}
	wl := &lzv1.Workload{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "ns"}}
	wl.Spec.LandingZoneRef.Name = "z"
	wl.Spec.Classifications = []string{"cji", "missing"}
	objs := &Objects{
		Classifications: map[string]*lzv1.DataClassification{"cji": dc},
		LandingZones:    map[string]*lzv1.LandingZone{"z": zone},
		Workloads:       []*lzv1.Workload{wl},
	}
	cases := map[string]struct {
		obj runtime.Object
	}{
		"workload": {obj: wl},
		"zone":     {obj: zone},
		"class":    {obj: dc},
	}
	ctx := context.Background()
	frozen := NewFrozen(objs)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := Input(ctx, objs, tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, err := Input(ctx, frozen, tc.obj)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("input\n got  %+v\n want %+v", got, want)
				}
			}
		})
	}
	a, _ := Input(ctx, frozen, wl)
	b, _ := Input(ctx, frozen, wl)
	if reflect.ValueOf(a.Zone).Pointer() != reflect.ValueOf(b.Zone).Pointer() ||
		reflect.ValueOf(a.Classifications[0]).Pointer() != reflect.ValueOf(b.Classifications[0]).Pointer() {
		t.Errorf("the zone and classification maps should be converted once and shared")
	}
	if reflect.ValueOf(a.Object).Pointer() == reflect.ValueOf(b.Object).Pointer() {
		t.Errorf("the object evaluated must be converted afresh")
	}
}
