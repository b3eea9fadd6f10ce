// Package compliance builds the policy engine's input from ZoneKeeper objects and turns verdicts
// into status. The admission webhook, the reconcilers and `zonekeeper check` all go through it, so
// one object gets one input and one verdict wherever it is evaluated.
package compliance

import (
	"context"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
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

// NamespaceResolver is implemented by resolvers that can read namespaces (ClientResolver, for
// the reconcilers and the admission webhook). With one, a zone's input counts only the workloads
// in namespaces the zone admits, as the workload reconciler places them: a workload refused at
// the tenant boundary must not judge, nor shape, a zone it is not in. A resolver without one
// (`zonekeeper check` reads no Namespaces from its files) counts every workload that names the
// zone.
type NamespaceResolver interface {
	// NamespaceLabels returns the labels of a namespace; NotFound when it does not exist.
	NamespaceLabels(ctx context.Context, name string) (map[string]string, error)
}

// AllowedNamespaces is the selector of the namespaces whose workloads a zone admits: its
// spec.allowedNamespaces, or, without one, the namespaces labelled for its tenant. It is the
// tenant boundary, shared by the workload reconciler (which refuses a workload outside it) and
// everything that counts a zone's workloads.
func AllowedNamespaces(zone *lzv1.LandingZone) (labels.Selector, error) {
	if zone.Spec.AllowedNamespaces == nil {
		return labels.SelectorFromSet(labels.Set{lzv1.TenantLabel: zone.Spec.Tenant}), nil
	}
	return metav1.LabelSelectorAsSelector(zone.Spec.AllowedNamespaces)
}

// AdmittedWorkloads returns those of wls whose namespace zone admits, in order, in a new slice
// (wls may be shared). A zone with an invalid spec.allowedNamespaces admits none, as the
// workload reconciler refuses them all; a namespace that does not exist admits nothing.
func AdmittedWorkloads(ctx context.Context, r NamespaceResolver, zone *lzv1.LandingZone, wls []lzv1.Workload) ([]lzv1.Workload, error) {
	if len(wls) == 0 {
		return nil, nil
	}
	sel, err := AllowedNamespaces(zone)
	if err != nil {
		// An invalid spec.allowedNamespaces admits no namespace: not an error of this evaluation,
		// and the workload reconciler says so on each workload it refuses.
		return nil, nil
	}
	admits := map[string]bool{}
	out := make([]lzv1.Workload, 0, len(wls))
	for i := range wls {
		ns := wls[i].Namespace
		ok, seen := admits[ns]
		if !seen {
			l, err := r.NamespaceLabels(ctx, ns)
			switch {
			case apierrors.IsNotFound(err):
			case err != nil:
				return nil, errors.Wrapf(err, "cannot get Namespace %q", ns)
			default:
				ok = sel.Matches(labels.Set(l))
			}
			admits[ns] = ok
		}
		if ok {
			out = append(out, wls[i])
		}
	}
	return out, nil
}

// Input builds the engine input for a LandingZone, Workload or DataClassification.
//
//   - LandingZone: classifications are its maxClassification and those of every workload it hosts
//     (with a NamespaceResolver, only the workloads in namespaces it admits).
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
	if nr, ok := r.(NamespaceResolver); ok {
		if wls, err = AdmittedWorkloads(ctx, nr, zone, wls); err != nil {
			return engine.Input{}, errors.Wrapf(err, "cannot tell which workloads zone %q admits", zone.Name)
		}
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
