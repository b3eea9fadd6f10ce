package landingzone

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// Field indexes let a change to one object find the objects that refer to it without listing the
// whole cluster on every event.
const (
	// indexZoneByClassification indexes LandingZones by spec.maxClassification.
	indexZoneByClassification = "spec.maxClassification"
	// indexWorkloadByZone indexes Workloads by spec.landingZoneRef.name.
	indexWorkloadByZone = "spec.landingZoneRef.name"
	// indexWorkloadByClassification indexes Workloads by every classification they name, in
	// spec.classifications and spec.storage[].classification.
	indexWorkloadByClassification = "spec.classifications"
)

// SetupIndexes registers the field indexes the reconcilers of this package rely on. Call it once
// per manager, before the reconcilers are set up.
func SetupIndexes(ctx context.Context, fi client.FieldIndexer) error {
	if err := fi.IndexField(ctx, &lzv1.LandingZone{}, indexZoneByClassification, func(o client.Object) []string {
		return []string{o.(*lzv1.LandingZone).Spec.MaxClassification}
	}); err != nil {
		return errors.Wrap(err, "cannot index LandingZones by classification")
	}
	if err := fi.IndexField(ctx, &lzv1.Workload{}, indexWorkloadByZone, func(o client.Object) []string {
		return []string{o.(*lzv1.Workload).Spec.LandingZoneRef.Name}
	}); err != nil {
		return errors.Wrap(err, "cannot index Workloads by landing zone")
	}
	if err := fi.IndexField(ctx, &lzv1.Workload{}, indexWorkloadByClassification, func(o client.Object) []string {
		return workloadClassifications(o.(*lzv1.Workload))
	}); err != nil {
		return errors.Wrap(err, "cannot index Workloads by classification")
	}
	return nil
}
