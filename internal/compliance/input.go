// Package compliance builds the policy engine's input from ZoneKeeper objects and turns verdicts
// into status. The admission webhook, the reconcilers and `zonekeeper check` all go through it, so
// one object gets one input and one verdict wherever it is evaluated.
package compliance

import (
	"context"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// Resolver finds the objects an evaluation needs. A missing object is reported with a NotFound
// error (apierrors.IsNotFound), which the input builder tolerates: admission must not depend on
// the order GitOps tools apply objects in, and the reconcilers report dangling references
// themselves.
type Resolver interface {
	Classification(ctx context.Context, name string) (*lzv1.DataClassification, error)
	LandingZone(ctx context.Context, name string) (*lzv1.LandingZone, error)
	// WorkloadsInZone lists the workloads whose spec.landingZoneRef names the zone.
	WorkloadsInZone(ctx context.Context, zone string) ([]lzv1.Workload, error)
}

// Input builds the engine input for a LandingZone, Workload or DataClassification.
//
//   - LandingZone: classifications are its maxClassification and those of every workload it hosts.
//   - Workload: zone is its LandingZone; classifications are those it names plus the zone's
//     maxClassification (which the engine uses for the level comparison only).
//   - DataClassification: classifications is itself.
func Input(ctx context.Context, r Resolver, obj runtime.Object) (engine.Input, error) {
	switch o := obj.(type) {
	case *lzv1.LandingZone:
		return zoneInput(ctx, r, o)
	case *lzv1.Workload:
		return workloadInput(ctx, r, o)
	case *lzv1.DataClassification:
		m, err := toMap(o, "DataClassification")
		if err != nil {
			return engine.Input{}, err
		}
		return engine.Input{Object: m, Classifications: []map[string]any{m}}, nil
	}
	return engine.Input{}, errors.Errorf("cannot evaluate %T: only LandingZone, Workload and DataClassification are evaluated", obj)
}

func zoneInput(ctx context.Context, r Resolver, zone *lzv1.LandingZone) (engine.Input, error) {
	obj, err := toMap(zone, "LandingZone")
	if err != nil {
		return engine.Input{}, err
	}
	names := []string{zone.Spec.MaxClassification}
	wls, err := r.WorkloadsInZone(ctx, zone.Name)
	if err != nil {
		return engine.Input{}, errors.Wrapf(err, "cannot list workloads in zone %q", zone.Name)
	}
	for i := range wls {
		names = append(names, workloadClassifications(&wls[i])...)
	}
	classes, err := classifications(ctx, r, names)
	if err != nil {
		return engine.Input{}, err
	}
	return engine.Input{Object: obj, Classifications: classes, Plan: []map[string]any{}, Observed: []map[string]any{}}, nil
}

func workloadInput(ctx context.Context, r Resolver, wl *lzv1.Workload) (engine.Input, error) {
	obj, err := toMap(wl, "Workload")
	if err != nil {
		return engine.Input{}, err
	}
	in := engine.Input{Object: obj, Plan: []map[string]any{}, Observed: []map[string]any{}}
	names := workloadClassifications(wl)
	zone, err := r.LandingZone(ctx, wl.Spec.LandingZoneRef.Name)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return engine.Input{}, errors.Wrapf(err, "cannot get LandingZone %q", wl.Spec.LandingZoneRef.Name)
	default:
		if in.Zone, err = resolvedMap(r, zone, "LandingZone"); err != nil {
			return engine.Input{}, err
		}
		names = append(names, zone.Spec.MaxClassification)
	}
	if in.Classifications, err = classifications(ctx, r, names); err != nil {
		return engine.Input{}, err
	}
	return in, nil
}

// classifications resolves names in order, once each, skipping those that do not exist.
func classifications(ctx context.Context, r Resolver, names []string) ([]map[string]any, error) {
	out := make([]map[string]any, 0, len(names))
	for i, n := range names {
		// A handful of names: a scan of those before costs less than a map.
		if slices.Contains(names[:i], n) {
			continue
		}
		dc, err := r.Classification(ctx, n)
		switch {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return nil, errors.Wrapf(err, "cannot get DataClassification %q", n)
		}
		m, err := resolvedMap(r, dc, "DataClassification")
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// converter is implemented by resolvers that keep the policy form of the objects they resolve
// (ClientResolver with Conversions), so an unchanged object is not converted on every evaluation.
type converter interface {
	convert(obj client.Object, kind string) (map[string]any, error)
}

// resolvedMap is the policy form of an object a resolver returned.
func resolvedMap(r Resolver, obj client.Object, kind string) (map[string]any, error) {
	if c, ok := r.(converter); ok {
		return c.convert(obj, kind)
	}
	return toMap(obj, kind)
}

func workloadClassifications(wl *lzv1.Workload) []string {
	names := slices.Clone(wl.Spec.Classifications)
	for _, s := range wl.Spec.Storage {
		names = append(names, s.Classification)
	}
	return names
}

// toMap renders a typed object as the JSON-shaped map policies read, with apiVersion and kind set:
// objects read through a typed client have an empty TypeMeta, and policies key on kind.
//
// metadata.managedFields is left out before converting: it is server-side apply bookkeeping,
// often the bulk of an object read from the API server and costly to convert (every entry is
// JSON), and the engine drops it from what policies see anyway.
func toMap(obj runtime.Object, kind string) (map[string]any, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(withoutManagedFields(obj))
	if err != nil {
		return nil, errors.Wrapf(err, "cannot convert %s for policy evaluation", kind)
	}
	m["apiVersion"] = lzv1.GroupVersion.String()
	m["kind"] = kind
	// Status is what ZoneKeeper wrote, not what the user declared; policies judge the declaration
	// and, through input.observed, the cloud.
	delete(m, "status")
	return m, nil
}

// withoutManagedFields returns obj, or a shallow copy of it without managedFields when it has
// some: obj may be shared with the informer cache and is never modified.
func withoutManagedFields(obj runtime.Object) runtime.Object {
	switch o := obj.(type) {
	case *lzv1.LandingZone:
		if o.ManagedFields != nil {
			c := *o
			c.ManagedFields = nil
			return &c
		}
	case *lzv1.Workload:
		if o.ManagedFields != nil {
			c := *o
			c.ManagedFields = nil
			return &c
		}
	case *lzv1.DataClassification:
		if o.ManagedFields != nil {
			c := *o
			c.ManagedFields = nil
			return &c
		}
	}
	return obj
}
