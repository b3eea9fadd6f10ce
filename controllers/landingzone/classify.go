package landingzone

import (
	"slices"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// workloadClassifications is every classification a workload names, sorted and without repeats.
// The schema requires storage entries to name listed classifications, but objects stored before
// that rule existed need not, so storage entries are read too.
func workloadClassifications(wl *lzv1.Workload) []string {
	names := slices.Clone(wl.Spec.Classifications)
	for _, s := range wl.Spec.Storage {
		names = append(names, s.Classification)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// highestLevel returns the classification with the highest level; ties go to the first name in
// sorted order so the result is stable. ok is false for an empty list.
func highestLevel(dcs []lzv1.DataClassification) (top lzv1.DataClassification, ok bool) {
	for _, dc := range dcs {
		if !ok || dc.Spec.Level > top.Spec.Level || (dc.Spec.Level == top.Spec.Level && dc.Name < top.Name) {
			top, ok = dc, true
		}
	}
	return top, ok
}

// namespaceSelector is the selector a zone admits workload namespaces by: spec.allowedNamespaces
// when set, otherwise the namespaces labelled with the zone's tenant.
func namespaceSelector(zone *lzv1.LandingZone) (labels.Selector, error) {
	if zone.Spec.AllowedNamespaces == nil {
		return labels.SelectorFromSet(labels.Set{lzv1.TenantLabel: zone.Spec.Tenant}), nil
	}
	return metav1.LabelSelectorAsSelector(zone.Spec.AllowedNamespaces)
}

// key renders a namespaced object as namespace/name, the form status lists use.
func key(namespace, name string) string {
	return types.NamespacedName{Namespace: namespace, Name: name}.String()
}
