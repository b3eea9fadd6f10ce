package compliance

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

func versioned(name string, level int32, uid types.UID, rv string) *lzv1.DataClassification {
	c := dc(name, level)
	c.UID, c.ResourceVersion = uid, rv
	return c
}

func level(m map[string]any) any { return m["spec"].(map[string]any)["level"] }

func TestConversionsReuseAMapOnlyWhileTheObjectIsUnchanged(t *testing.T) {
	cases := map[string]struct {
		reason      string
		first, then *lzv1.DataClassification
		wantShared  bool
		wantLevel   int64
	}{
		"same UID and resourceVersion": {
			reason: "the API server names one content with one resourceVersion",
			first:  versioned("cji", 6, "u1", "10"), then: versioned("cji", 6, "u1", "10"),
			wantShared: true, wantLevel: 6,
		},
		"new resourceVersion": {
			reason: "a changed object must be converted afresh",
			first:  versioned("cji", 6, "u1", "10"), then: versioned("cji", 7, "u1", "11"),
			wantLevel: 7,
		},
		"no resourceVersion": {
			reason: "objects not read from the API server are never cached",
			first:  versioned("cji", 6, "u1", ""), then: versioned("cji", 7, "u1", ""),
			wantLevel: 7,
		},
		"no UID": {
			reason: "objects not read from the API server are never cached",
			first:  versioned("cji", 6, "", "10"), then: versioned("cji", 7, "", "10"),
			wantLevel: 7,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := NewConversions()
			a, err := c.toMap(tc.first, "DataClassification")
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.toMap(tc.then, "DataClassification")
			if err != nil {
				t.Fatal(err)
			}
			if shared := reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer(); shared != tc.wantShared {
				t.Errorf("%s: map shared = %t, want %t", tc.reason, shared, tc.wantShared)
			}
			if got := level(b); got != tc.wantLevel {
				t.Errorf("%s: level %v, want %d", tc.reason, got, tc.wantLevel)
			}
		})
	}
}

func TestConversionsGiveWhatAConversionGives(t *testing.T) {
	obj := versioned("cji", 6, "u1", "10")
	obj.Spec.Baselines = []string{"cjis-v6"}
	want, err := toMap(obj, "DataClassification")
	if err != nil {
		t.Fatal(err)
	}
	c := NewConversions()
	for range 2 { // converted, then cached
		got, err := c.toMap(obj, "DataClassification")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("cached map %v, want %v", got, want)
		}
	}
}

func TestToMapLeavesOutManagedFieldsWithoutTouchingTheObject(t *testing.T) {
	mf := []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
	cases := map[string]client.Object{
		"LandingZone":        &lzv1.LandingZone{ObjectMeta: metav1.ObjectMeta{Name: "z", ManagedFields: mf}},
		"Workload":           &lzv1.Workload{ObjectMeta: metav1.ObjectMeta{Name: "w", ManagedFields: mf}},
		"DataClassification": &lzv1.DataClassification{ObjectMeta: metav1.ObjectMeta{Name: "c", ManagedFields: mf}},
	}
	for kind, obj := range cases {
		t.Run(kind, func(t *testing.T) {
			m, err := toMap(obj, kind)
			if err != nil {
				t.Fatal(err)
			}
			md := m["metadata"].(map[string]any)
			if _, has := md["managedFields"]; has {
				t.Error("managedFields must be left out: no policy judges server-side apply bookkeeping")
			}
			if md["name"] == nil {
				t.Error("the rest of metadata must stay")
			}
			if len(obj.GetManagedFields()) != 1 {
				t.Error("the object, which may be the informer cache's own, must not be modified")
			}
		})
	}
}
