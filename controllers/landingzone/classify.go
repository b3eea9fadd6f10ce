package landingzone

import (
	"context"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
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
// when set, otherwise the namespaces labelled with the zone's tenant. It is compliance's, so
// placing a workload and counting a zone's workloads draw the tenant boundary in one place.
func namespaceSelector(zone *lzv1.LandingZone) (labels.Selector, error) {
	return compliance.AllowedNamespaces(zone)
}

// admittedWorkloads lists the workloads placed in zone: those whose spec.landingZoneRef names it
// and whose namespace it admits. A workload refused at the tenant boundary (NamespaceNotAllowed)
// must not show in the zone's status nor shape what it composes.
func admittedWorkloads(ctx context.Context, c client.Reader, zone *lzv1.LandingZone) ([]lzv1.Workload, error) {
	wls := &lzv1.WorkloadList{}
	if err := c.List(ctx, wls, client.MatchingFields{indexWorkloadByZone: zone.Name}); err != nil {
		return nil, errors.Wrap(err, "cannot list the zone's workloads")
	}
	return compliance.AdmittedWorkloads(ctx, compliance.ClientResolver{Reader: c}, zone, wls.Items)
}

// key renders a namespaced object as namespace/name, the form status lists use.
func key(namespace, name string) string {
	return types.NamespacedName{Namespace: namespace, Name: name}.String()
}
