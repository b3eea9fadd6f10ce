package compliance

import (
	"sync"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Frozen wraps a Resolver whose objects do not change while it is used (those `zonekeeper check`
// reads from files, which have no UID or resourceVersion for Conversions to key on) and keeps the
// policy form of every DataClassification and LandingZone it resolves, by object: thousands of
// workloads are evaluated against the same few classifications and zones, and converting those on
// every evaluation was most of what building an input cost. The object evaluated is converted
// afresh every time, as Input always does.
//
// The maps are shared between evaluations, possibly concurrent ones, and must not be modified;
// the engine only reads its input. The objects the wrapped Resolver returns must not be modified
// either, for as long as the Frozen is used.
type Frozen struct {
	Resolver

	mu   sync.RWMutex
	maps map[frozenKey]map[string]any
}

type frozenKey struct {
	obj  client.Object
	kind string
}

// NewFrozen wraps r.
func NewFrozen(r Resolver) *Frozen {
	return &Frozen{Resolver: r, maps: map[frozenKey]map[string]any{}}
}

// convert implements converter.
func (f *Frozen) convert(obj client.Object, kind string) (map[string]any, error) {
	key := frozenKey{obj, kind}
	f.mu.RLock()
	m, ok := f.maps[key]
	f.mu.RUnlock()
	if ok {
		return m, nil
	}
	m, err := toMap(obj, kind)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if prev, ok := f.maps[key]; ok {
		return prev, nil // converted meanwhile by another evaluation: share one
	}
	f.maps[key] = m
	return m, nil
}
