package compliance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

func dc(name string, level int32) *lzv1.DataClassification {
	return &lzv1.DataClassification{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: lzv1.DataClassificationSpec{Level: level}}
}

func names(in []map[string]any) []string {
	var out []string
	for _, m := range in {
		out = append(out, m["metadata"].(map[string]any)["name"].(string))
	}
	return out
}

func TestInputResolvesWhatEachKindIsJudgedWith(t *testing.T) {
	zone := &lzv1.LandingZone{ObjectMeta: metav1.ObjectMeta{Name: "z"}, Spec: lzv1.LandingZoneSpec{MaxClassification: "cji"}}
	wl := &lzv1.Workload{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "w"},
		Spec: lzv1.WorkloadSpec{
			LandingZoneRef:  lzv1.LandingZoneReference{Name: "z"},
			Classifications: []string{"pii", "missing"},
			Storage:         []lzv1.StorageSpec{{Name: "s", Classification: "pii"}},
		},
	}
	objs := &Objects{
		Classifications: map[string]*lzv1.DataClassification{"cji": dc("cji", 6), "pii": dc("pii", 4)},
		LandingZones:    map[string]*lzv1.LandingZone{"z": zone},
		Workloads:       []*lzv1.Workload{wl},
	}
	ctx := context.Background()

	t.Run("zone: its maxClassification and its workloads' classifications, once each", func(t *testing.T) {
		in, err := Input(ctx, objs, zone)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(in.Classifications), []string{"cji", "pii"}; !slices.Equal(got, want) {
			t.Errorf("classifications %v, want %v", got, want)
		}
		if in.Object["kind"] != "LandingZone" || in.Object["apiVersion"] != "landingzone.zonekeeper.dev/v1alpha1" {
			t.Errorf("object has no kind or apiVersion: %v", in.Object)
		}
		if _, has := in.Object["status"]; has {
			t.Error("status must not be judged as if the user declared it")
		}
	})
	t.Run("workload: its zone and classifications, missing ones skipped", func(t *testing.T) {
		in, err := Input(ctx, objs, wl)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(in.Classifications), []string{"pii", "cji"}; !slices.Equal(got, want) {
			t.Errorf("classifications %v, want %v", got, want)
		}
		if in.Zone == nil || in.Zone["kind"] != "LandingZone" {
			t.Errorf("zone = %v", in.Zone)
		}
	})
	t.Run("workload whose zone is missing has no zone", func(t *testing.T) {
		orphan := wl.DeepCopy()
		orphan.Spec.LandingZoneRef.Name = "gone"
		in, err := Input(ctx, objs, orphan)
		if err != nil {
			t.Fatal(err)
		}
		if in.Zone != nil {
			t.Errorf("zone = %v, want nil", in.Zone)
		}
	})
}

func TestTrackerGaugeIsTheSumOfLatestVerdicts(t *testing.T) {
	tr := NewTracker()
	au11 := engine.Violation{Control: "AU-11", Baseline: "tracker-test", EnforcementAction: "deny"}
	sc7 := engine.Violation{Control: "SC-7", Baseline: "tracker-test", EnforcementAction: "deny"}
	gauge := func(control string) float64 {
		return testutil.ToFloat64(violationsGauge.WithLabelValues("LandingZone", "tracker-test", control, "deny"))
	}

	tr.Observe("LandingZone", "a", []engine.Violation{au11, sc7})
	tr.Observe("LandingZone", "b", []engine.Violation{au11})
	if gauge("AU-11") != 2 || gauge("SC-7") != 1 {
		t.Fatalf("after two objects: AU-11=%v SC-7=%v, want 2 and 1", gauge("AU-11"), gauge("SC-7"))
	}
	tr.Observe("LandingZone", "a", []engine.Violation{au11}) // a fixed SC-7
	if gauge("AU-11") != 2 {
		t.Errorf("after a fixed SC-7: AU-11=%v, want 2", gauge("AU-11"))
	}
	if got := trackerTestSeries(t); !slices.Equal(got, []string{"AU-11"}) {
		t.Errorf("after a fixed SC-7 the gauge has series %v, want AU-11 alone: a series at zero is removed", got)
	}
	tr.Forget("LandingZone", "b")
	tr.Forget("LandingZone", "a")
	if got := trackerTestSeries(t); len(got) > 0 {
		t.Errorf("after both deleted the gauge has series %v, want none", got)
	}
}

// trackerTestSeries returns the controls of the gauge's series for baseline tracker-test, without
// creating any (WithLabelValues would).
func trackerTestSeries(t *testing.T) []string {
	t.Helper()
	ch := make(chan prometheus.Metric, 64)
	go func() { violationsGauge.Collect(ch); close(ch) }()
	var out []string
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{}
		for _, l := range pb.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["baseline"] == "tracker-test" {
			out = append(out, labels["control"])
		}
	}
	slices.Sort(out)
	return out
}

func TestStatusStaysSmallAndStillShowsADenial(t *testing.T) {
	var v engine.Verdict
	for i := range 250 {
		v.Violations = append(v.Violations, engine.Violation{Control: fmt.Sprintf("ZK-%03d", i), Baseline: "audit-policy", EnforcementAction: engine.ActionAudit, Message: strings.Repeat("é", 3000)})
	}
	// Sorted by baseline, the deny violation comes last.
	v.Violations = append(v.Violations, engine.Violation{Control: "AU-11", Baseline: "zz-baseline", EnforcementAction: engine.ActionDeny, Message: "short"})
	for range 150 {
		v.Waived = append(v.Waived, engine.WaivedViolation{Violation: engine.Violation{Control: "SC-7"}, Exception: "e"})
	}
	s := Status(nil, v)
	if s.ViolationCount != 251 || s.WaivedCount != 150 {
		t.Errorf("counts %d and %d, want 251 and 150", s.ViolationCount, s.WaivedCount)
	}
	if len(s.Violations) != 100 || len(s.Waived) != 100 {
		t.Errorf("listed %d violations and %d waived, want 100 of each", len(s.Violations), len(s.Waived))
	}
	if s.Violations[0].EnforcementAction != engine.ActionDeny {
		t.Errorf("first listed %+v, want the deny violation first so the list shows what denies", s.Violations[0])
	}
	if m := s.Violations[1].Message; len(m) > 1024 || !utf8.ValidString(m) || !strings.HasSuffix(m, " ...") {
		t.Errorf("a 6000-byte message became %d bytes (valid UTF-8: %t), want at most 1024, cut on a character, marked", len(m), utf8.ValidString(m))
	}
}
