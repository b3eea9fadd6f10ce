package check

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// index is what the first pass keeps: the objects that stand in for the cluster when an object is
// evaluated, and of the Workloads only what a zone's input reads from them.
type index struct {
	classifications map[string]*lzv1.DataClassification
	zones           map[string]*lzv1.LandingZone
	// zoneClasses are, per zone name, the classification names its Workloads name (spec and
	// storage), first occurrence first, in file order.
	zoneClasses map[string][]string
	exceptions  []sourcedException
	policies    []sourcedPolicy
	skipped     []string
	// found counts the ZoneKeeper objects of every kind: none at all is bad input.
	found int
}

// sourcedException is a PolicyException and where it was found, for the error if it is invalid.
type sourcedException struct {
	file string
	line int
	pe   *policyv1.PolicyException
}

// indexed is what the first pass finds in one unit (a file or a chunk of one), in document order.
type indexed struct {
	parseErr  error // the file does not parse: reported before any decoding error
	decodeErr error // the first document that does not decode
	objects   []any
	skipped   []string
}

// workloadRef is a Workload reduced to what its zone's input reads.
type workloadRef struct {
	zone    string
	classes []string
}

func buildIndex(ctx context.Context, src *sources) (*index, error) {
	idx := &index{
		classifications: map[string]*lzv1.DataClassification{},
		zones:           map[string]*lzv1.LandingZone{},
		zoneClasses:     map[string][]string{},
	}
	// Reading everything at once reported the first file that does not parse, whatever decoding
	// errors came before it; then the first object that does not decode.
	var decodeErr error
	err := inOrder(ctx, len(src.units), workers(), nil, func(_ context.Context, i int) indexed { return indexUnit(src, src.units[i]) },
		func(f indexed) error {
			if f.parseErr != nil {
				return f.parseErr
			}
			if decodeErr != nil {
				return nil // only parse errors matter now
			}
			if f.decodeErr != nil {
				decodeErr = f.decodeErr
				return nil
			}
			idx.add(f)
			return nil
		})
	if err != nil {
		return nil, err
	}
	if decodeErr != nil {
		return nil, decodeErr
	}
	return idx, nil
}

// indexUnit parses and decodes one unit, keeping what the index needs.
func indexUnit(src *sources, u unit) indexed {
	objs, err := src.read(u)
	if err != nil {
		return indexed{parseErr: fmt.Errorf("%w: %w", ErrBadInput, err)}
	}
	var out indexed
	for _, src := range objs {
		obj, err := decodeObject(src)
		if err != nil {
			out.decodeErr = err
			return out
		}
		switch t := obj.(type) {
		case nil:
			out.skipped = append(out.skipped, skippedName(src))
		case *lzv1.Workload:
			out.objects = append(out.objects, workloadRef{zone: t.Spec.LandingZoneRef.Name, classes: workloadClassifications(t)})
		case *policyv1.CompliancePolicy:
			out.objects = append(out.objects, sourcedPolicy{src, t})
		case *policyv1.PolicyException:
			out.objects = append(out.objects, sourcedException{src.File, src.Line, t})
		default:
			out.objects = append(out.objects, obj)
		}
	}
	return out
}

func (idx *index) add(f indexed) {
	idx.skipped = append(idx.skipped, f.skipped...)
	idx.found += len(f.objects)
	for _, o := range f.objects {
		switch t := o.(type) {
		case *lzv1.DataClassification:
			idx.classifications[t.Name] = t
		case *lzv1.LandingZone:
			idx.zones[t.Name] = t
		case workloadRef:
			names := idx.zoneClasses[t.zone]
			for _, c := range t.classes {
				if !slices.Contains(names, c) {
					names = append(names, c)
				}
			}
			idx.zoneClasses[t.zone] = names
		case sourcedException:
			idx.exceptions = append(idx.exceptions, t)
		case sourcedPolicy:
			idx.policies = append(idx.policies, t)
		}
	}
}

// workloadClassifications are the classification names a Workload's zone reads from it, in the
// order package compliance reads them.
func workloadClassifications(wl *lzv1.Workload) []string {
	names := slices.Clone(wl.Spec.Classifications)
	for _, s := range wl.Spec.Storage {
		names = append(names, s.Classification)
	}
	return names
}

// resolver returns the index as a compliance.Resolver. Each zone's workloads are one Workload
// naming, in order and once each, every classification its workloads name: a zone's input reads
// nothing else from them and resolves each name once, first occurrence first, so the input is the
// one the workloads themselves would give (TestIndexResolverGivesTheSameInput). The maps are only
// read from here on, so the second pass's workers share them.
func (idx *index) resolver() *indexResolver {
	r := &indexResolver{idx: idx, byZone: make(map[string][]lzv1.Workload, len(idx.zoneClasses))}
	for zone, names := range idx.zoneClasses {
		wl := lzv1.Workload{}
		wl.Spec.LandingZoneRef.Name = zone
		wl.Spec.Classifications = names
		r.byZone[zone] = []lzv1.Workload{wl}
	}
	return r
}

type indexResolver struct {
	idx    *index
	byZone map[string][]lzv1.Workload
}

// Classification implements compliance.Resolver.
func (r *indexResolver) Classification(_ context.Context, name string) (*lzv1.DataClassification, error) {
	if dc, ok := r.idx.classifications[name]; ok {
		return dc, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: lzv1.GroupVersion.Group, Resource: "dataclassifications"}, name)
}

// LandingZone implements compliance.Resolver.
func (r *indexResolver) LandingZone(_ context.Context, name string) (*lzv1.LandingZone, error) {
	if z, ok := r.idx.zones[name]; ok {
		return z, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: lzv1.GroupVersion.Group, Resource: "landingzones"}, name)
}

// WorkloadsInZone implements compliance.Resolver. The slice is shared: package compliance only
// reads it.
func (r *indexResolver) WorkloadsInZone(_ context.Context, zone string) ([]lzv1.Workload, error) {
	return r.byZone[zone], nil
}

// namesUnknownBaseline reports whether a DataClassification or LandingZone among the files names
// a baseline that is neither built in nor a loaded custom policy. Evaluating that object (its own
// baselines apply to it) is then certain to fail.
func (idx *index) namesUnknownBaseline(eng *engine.Engine) bool {
	known := map[string]bool{}
	for _, p := range eng.Policies() {
		known[p.Name] = true
	}
	unknown := func(names []string) bool {
		for _, n := range names {
			if !known[n] {
				return true
			}
		}
		return false
	}
	for _, dc := range idx.classifications {
		if unknown(dc.Spec.Baselines) {
			return true
		}
	}
	for _, z := range idx.zones {
		if unknown(z.Spec.Baselines) {
			return true
		}
	}
	return false
}
