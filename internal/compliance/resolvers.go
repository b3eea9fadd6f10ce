package compliance

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// ClientResolver resolves objects through a Kubernetes client (the manager's cache, in the
// reconcilers and the webhook alike).
//
// It reads with client.UnsafeDisableDeepCopy: the objects it returns may be the informer cache's
// own, so they are read-only. Input only reads them (toMap copies what it changes), which is all
// they are resolved for; a deep copy of every DataClassification, zone and workload on every
// evaluation would be pure garbage. Readers other than the cache ignore the option.
type ClientResolver struct {
	Reader client.Reader
	// ZoneIndex, when set, is a field index of Workloads by spec.landingZoneRef.name; without it
	// every workload is listed and filtered.
	ZoneIndex string
	// Conversions, when set, keeps the policy form of the DataClassifications and LandingZones
	// resolved, by UID and resourceVersion.
	Conversions *Conversions
}

// NamespaceLabels implements NamespaceResolver: the reconcilers and the admission webhook both
// read namespaces, so both judge a zone by the workloads it admits.
func (r ClientResolver) NamespaceLabels(ctx context.Context, name string) (map[string]string, error) {
	ns := &corev1.Namespace{}
	if err := r.Reader.Get(ctx, types.NamespacedName{Name: name}, ns, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	return ns.Labels, nil
}

// Classification implements Resolver.
func (r ClientResolver) Classification(ctx context.Context, name string) (*lzv1.DataClassification, error) {
	dc := &lzv1.DataClassification{}
	return dc, r.Reader.Get(ctx, types.NamespacedName{Name: name}, dc, client.UnsafeDisableDeepCopy)
}

// LandingZone implements Resolver.
func (r ClientResolver) LandingZone(ctx context.Context, name string) (*lzv1.LandingZone, error) {
	z := &lzv1.LandingZone{}
	return z, r.Reader.Get(ctx, types.NamespacedName{Name: name}, z, client.UnsafeDisableDeepCopy)
}

func (r ClientResolver) convert(obj client.Object, kind string) (map[string]any, error) {
	return r.Conversions.toMap(obj, kind)
}

// WorkloadsInZone implements Resolver.
func (r ClientResolver) WorkloadsInZone(ctx context.Context, zone string) ([]lzv1.Workload, error) {
	wls := &lzv1.WorkloadList{}
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if r.ZoneIndex != "" {
		opts = append(opts, client.MatchingFields{r.ZoneIndex: zone})
	}
	if err := r.Reader.List(ctx, wls, opts...); err != nil {
		return nil, err
	}
	out := wls.Items[:0]
	for _, wl := range wls.Items {
		if wl.Spec.LandingZoneRef.Name == zone {
			out = append(out, wl)
		}
	}
	return out, nil
}

// Objects resolves from a fixed set of objects, as `zonekeeper check` finds them among its files.
type Objects struct {
	Classifications map[string]*lzv1.DataClassification
	LandingZones    map[string]*lzv1.LandingZone
	Workloads       []*lzv1.Workload

	// byZone indexes Workloads by zone on first use, so evaluating every zone does not scan
	// every workload (zones x workloads on a large repository).
	byZone map[string][]lzv1.Workload
}

// Classification implements Resolver.
func (o *Objects) Classification(_ context.Context, name string) (*lzv1.DataClassification, error) {
	if dc, ok := o.Classifications[name]; ok {
		return dc, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: lzv1.GroupVersion.Group, Resource: "dataclassifications"}, name)
}

// LandingZone implements Resolver.
func (o *Objects) LandingZone(_ context.Context, name string) (*lzv1.LandingZone, error) {
	if z, ok := o.LandingZones[name]; ok {
		return z, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: lzv1.GroupVersion.Group, Resource: "landingzones"}, name)
}

// WorkloadsInZone implements Resolver.
// The index is built once, on the first call: add every workload before resolving.
func (o *Objects) WorkloadsInZone(_ context.Context, zone string) ([]lzv1.Workload, error) {
	if o.byZone == nil {
		o.byZone = make(map[string][]lzv1.Workload, len(o.LandingZones))
		for _, wl := range o.Workloads {
			o.byZone[wl.Spec.LandingZoneRef.Name] = append(o.byZone[wl.Spec.LandingZoneRef.Name], *wl)
		}
	}
	return o.byZone[zone], nil
}
