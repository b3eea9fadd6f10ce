package landingzone

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

func dc(name string, level int32) lzv1.DataClassification {
	return lzv1.DataClassification{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: lzv1.DataClassificationSpec{Level: level}}
}

func TestHighestLevel(t *testing.T) {
	cases := map[string]struct {
		in       []lzv1.DataClassification
		wantName string
		wantOK   bool
	}{
		"empty has no highest":             {in: nil, wantOK: false},
		"single is highest":                {in: []lzv1.DataClassification{dc("pii", 4)}, wantName: "pii", wantOK: true},
		"highest level wins":               {in: []lzv1.DataClassification{dc("pii", 4), dc("evidence", 7), dc("cji", 6)}, wantName: "evidence", wantOK: true},
		"ties go to the first sorted name": {in: []lzv1.DataClassification{dc("zeta", 5), dc("alpha", 5)}, wantName: "alpha", wantOK: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := highestLevel(tc.in)
			if ok != tc.wantOK || got.Name != tc.wantName {
				t.Errorf("highestLevel = %q, %v; want %q, %v", got.Name, ok, tc.wantName, tc.wantOK)
			}
		})
	}
}

func TestNamespaceSelector(t *testing.T) {
	cases := map[string]struct {
		allowed  *metav1.LabelSelector
		nsLabels map[string]string
		want     bool
	}{
		"unset admits the tenant's namespaces":      {nsLabels: map[string]string{lzv1.TenantLabel: "dc-mpd"}, want: true},
		"unset refuses another tenant's namespaces": {nsLabels: map[string]string{lzv1.TenantLabel: "other"}, want: false},
		"unset refuses unlabelled namespaces":       {nsLabels: nil, want: false},
		"empty selector admits every namespace":     {allowed: &metav1.LabelSelector{}, nsLabels: nil, want: true},
		"selector admits matching namespaces":       {allowed: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}, nsLabels: map[string]string{"team": "a"}, want: true},
		"selector refuses the rest":                 {allowed: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}, nsLabels: map[string]string{lzv1.TenantLabel: "dc-mpd"}, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			zone := &lzv1.LandingZone{Spec: lzv1.LandingZoneSpec{Tenant: "dc-mpd", AllowedNamespaces: tc.allowed}}
			sel, err := namespaceSelector(zone)
			if err != nil {
				t.Fatal(err)
			}
			if got := sel.Matches(labels.Set(tc.nsLabels)); got != tc.want {
				t.Errorf("selector %q matches %v = %v, want %v", sel, tc.nsLabels, got, tc.want)
			}
		})
	}
}

func TestNamespaceSelectorRefusesInvalidSelectors(t *testing.T) {
	zone := &lzv1.LandingZone{Spec: lzv1.LandingZoneSpec{AllowedNamespaces: &metav1.LabelSelector{
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: "Near"}},
	}}}
	if _, err := namespaceSelector(zone); err == nil {
		t.Error("an invalid operator must be an error, not a selector that admits everything")
	}
}

func TestWorkloadClassificationsIncludeStorageOnes(t *testing.T) {
	wl := &lzv1.Workload{Spec: lzv1.WorkloadSpec{
		Classifications: []string{"pii", "cji"},
		Storage:         []lzv1.StorageSpec{{Name: "a", Classification: "evidence"}, {Name: "b", Classification: "cji"}},
	}}
	if got, want := workloadClassifications(wl), []string{"cji", "evidence", "pii"}; !slices.Equal(got, want) {
		t.Errorf("workloadClassifications = %v, want %v", got, want)
	}
}
