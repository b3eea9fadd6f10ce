package compliance

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// maxConversions bounds a Conversions cache. A cluster with more DataClassifications and
// LandingZones than this only loses the cache's benefit, never correctness: when full, the cache
// starts again empty.
const maxConversions = 4096

// Conversions keeps the policy form (toMap) of objects read from the API server or the informer
// cache, keyed by UID and resourceVersion: the API server gives every change of an object a new
// resourceVersion, so a converted map is reused only while the object it came from is unchanged,
// and a change is converted afresh on the next read. Objects without both (built from files, or
// the object under admission, whose content may differ from what its resourceVersion names) are
// never cached.
//
// The maps it returns are shared between evaluations and must not be modified; the engine only
// reads its input. The zero value is not usable: use NewConversions.
type Conversions struct {
	mu      sync.RWMutex
	entries map[conversionKey]conversion
}

type conversionKey struct {
	kind string
	uid  types.UID
}

type conversion struct {
	resourceVersion string
	m               map[string]any
}

// NewConversions returns an empty cache.
func NewConversions() *Conversions {
	return &Conversions{entries: map[conversionKey]conversion{}}
}

// toMap returns obj's policy form, converting it only when the cache has no map for its UID at
// its resourceVersion. A nil cache converts every time.
func (c *Conversions) toMap(obj client.Object, kind string) (map[string]any, error) {
	uid, rv := obj.GetUID(), obj.GetResourceVersion()
	if c == nil || uid == "" || rv == "" {
		return toMap(obj, kind)
	}
	key := conversionKey{kind: kind, uid: uid}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if ok && e.resourceVersion == rv {
		return e.m, nil
	}
	m, err := toMap(obj, kind)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxConversions {
		clear(c.entries)
	}
	// One entry per object: an older resourceVersion is replaced, so the cache holds what the
	// cluster holds now rather than every version ever read.
	c.entries[key] = conversion{resourceVersion: rv, m: m}
	return m, nil
}
