package engine

import (
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"unsafe"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Converting the input to an AST value is a large part of what an evaluation
// allocates, and most of it is the same few scalars over and over: field
// names, enum values, region and classification names, small numbers. Scalar
// AST values are immutable, so they are boxed once and shared by every
// conversion; objects and arrays are built as ast.InterfaceToValue builds
// them, one block of terms each.

// maxSharedScalars bounds the shared scalars, and maxSharedStringLen the
// strings shared: free text (descriptions, emails) is converted every time.
const (
	maxSharedScalars   = 4096
	maxSharedStringLen = 64
)

var shared = struct {
	sync.RWMutex
	n       int
	strings map[string]ast.Value
	ints    map[int64]ast.Value   // formatted as integers
	floats  map[float64]ast.Value // formatted as ast.InterfaceToValue formats a float64
}{strings: map[string]ast.Value{}, ints: map[int64]ast.Value{}, floats: map[float64]ast.Value{}}

// share looks key up in m, or stores newValue's there while there is room.
func share[K comparable](m map[K]ast.Value, key K, newValue func() ast.Value) ast.Value {
	shared.RLock()
	v, ok := m[key]
	shared.RUnlock()
	if ok {
		return v
	}
	v = newValue()
	shared.Lock()
	if _, ok := m[key]; !ok && shared.n < maxSharedScalars {
		m[key] = v
		shared.n++
	}
	shared.Unlock()
	return v
}

func sharedString(s string) ast.Value {
	if ast.HasInternedValue(s) {
		return ast.InternedValue(s)
	}
	if len(s) > maxSharedStringLen {
		return ast.String(s)
	}
	return share(shared.strings, s, func() ast.Value { return ast.String(s) })
}

// converters are reused: every evaluation converts its input, and the pair
// stack is the same size each time.
var converters = sync.Pool{New: func() any { return &converter{kvs: make([][2]*ast.Term, 0, 64)} }}

func newConverter() *converter { return converters.Get().(*converter) }

// release returns c for reuse. The values it built share nothing with it:
// ast.NewObject copies the pairs it is given.
func (c *converter) release() {
	clear(c.kvs[:cap(c.kvs)])
	c.kvs = c.kvs[:0]
	converters.Put(c)
}

// converter keeps the key-value pairs of the objects being converted on one
// stack: ast.NewObject copies them, so each object's pairs are dropped as soon
// as it is built and the next object reuses the room.
type converter struct {
	kvs [][2]*ast.Term
}

// value converts a JSON-shaped Go value to an AST value, as
// ast.InterfaceToValue does.
func (c *converter) value(x any) (ast.Value, error) {
	switch x := x.(type) {
	case string:
		return sharedString(x), nil
	case bool:
		return ast.InternedValue(x), nil
	case nil:
		return ast.NullValue, nil
	case int64:
		if ast.HasInternedValue(x) {
			return ast.InternedValue(x), nil
		}
		return share(shared.ints, x, func() ast.Value { return ast.Number(strconv.FormatInt(x, 10)) }), nil
	case int:
		return c.value(int64(x))
	case float64:
		if x != x { // NaN: not a key
			return ast.InterfaceToValue(x)
		}
		return share(shared.floats, x, func() ast.Value { return ast.Number(strconv.FormatFloat(x, 'g', -1, 64)) }), nil
	case map[string]any:
		if len(x) == 0 {
			return ast.InternedEmptyObjectValue, nil
		}
		terms := make([]ast.Term, 2*len(x))
		base := len(c.kvs)
		for k, v := range x {
			i := len(c.kvs) - base
			val, err := c.value(v)
			if err != nil {
				return nil, err
			}
			terms[2*i].Value = sharedString(k)
			terms[2*i+1].Value = val
			c.kvs = append(c.kvs[:base+i], [2]*ast.Term{&terms[2*i], &terms[2*i+1]})
		}
		obj := ast.NewObject(c.kvs[base:]...)
		clear(c.kvs[base:])
		c.kvs = c.kvs[:base]
		return obj, nil
	case []any:
		if len(x) == 0 {
			return ast.InternedEmptyArrayValue, nil
		}
		terms := make([]ast.Term, len(x))
		ptrs := make([]*ast.Term, len(x))
		for i, e := range x {
			val, err := c.value(e)
			if err != nil {
				return nil, err
			}
			terms[i].Value = val
			ptrs[i] = &terms[i]
		}
		return ast.NewArray(ptrs...), nil
	case json.Number:
		if i, err := x.Int64(); err == nil && strconv.FormatInt(i, 10) == string(x) {
			return c.value(i)
		}
	}
	return ast.InterfaceToValue(x)
}

// The classifications and zone an evaluation reads come from the API server
// (the manager's informer cache), where an object's UID and resourceVersion
// name one content for good; the same few are converted for every zone and
// workload evaluated. So their AST values are kept by UID and resourceVersion
// and shared: AST values are never modified once built, and OPA reads shared
// ones concurrently (its store hands them out the same way).
//
// Only a map carrying both is cached, and never one with the UID of the
// object under evaluation: on UPDATE that object carries the resourceVersion
// of the version it replaces, with new content. Objects read from files
// (zonekeeper check) carry neither and are converted every time.
const maxCachedValues = 1024

type valueKey struct{ uid, resourceVersion string }

var cachedValues = struct {
	sync.RWMutex
	m map[valueKey]ast.Value
}{m: map[valueKey]ast.Value{}}

// versionOf returns the cache key of a JSON-shaped object, if it has one.
func versionOf(obj map[string]any) (valueKey, bool) {
	md, _ := obj["metadata"].(map[string]any)
	uid, _ := md["uid"].(string)
	rv, _ := md["resourceVersion"].(string)
	return valueKey{uid, rv}, uid != "" && rv != ""
}

// Unchanging keeps the AST values of maps that do not change for as long as
// it is used, by the maps themselves. Objects read from files (zonekeeper
// check) carry no UID or resourceVersion, yet thousands of workloads are
// evaluated against the same few classifications and zones; passed in
// Options.Unchanging, it lets each of those be converted once per run.
//
// Only Input.Classifications and Input.Zone are looked up in it, never
// Input.Object, nor a classification that is the object itself (a
// DataClassification's input). The caller must not modify those maps while
// it uses the Unchanging: a map is found by its identity, not its content
// (an entry keeps its map alive, so no other map can take its address). It
// holds at most maxUnchangingValues values and starts over when full.
type Unchanging struct {
	mu     sync.RWMutex
	values map[unsafe.Pointer]ast.Value // keyed by the map's own pointer, which keeps it alive
}

// NewUnchanging returns an empty Unchanging.
func NewUnchanging() *Unchanging {
	return &Unchanging{values: map[unsafe.Pointer]ast.Value{}}
}

// maxUnchangingValues bounds an Unchanging.
const maxUnchangingValues = 256

func identity(m map[string]any) unsafe.Pointer { return reflect.ValueOf(m).UnsafePointer() }

// value converts obj once, with conv.
func (u *Unchanging) value(conv *converter, obj map[string]any) (ast.Value, error) {
	key := identity(obj)
	u.mu.RLock()
	v, ok := u.values[key]
	u.mu.RUnlock()
	if ok {
		return v, nil
	}
	v, err := conv.objectValue(obj)
	if err != nil {
		return nil, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if prev, ok := u.values[key]; ok {
		return prev, nil // converted meanwhile by another evaluation: share one
	}
	if len(u.values) >= maxUnchangingValues {
		// Files keep a zone near its workloads: starting over keeps memory flat
		// as the files grow and costs one conversion per zone still in use.
		clear(u.values)
	}
	u.values[key] = v
	return v, nil
}

// cachedObjectValue converts obj, or returns the value converted for the same
// version of it, unless it shares the UID excluded (the object evaluated).
// Without a version, it is looked up in unchanging when that is set. kept
// reports whether the value came from (or went into) one of those caches, so
// that the same object may give the same value again.
func (c *converter) cachedObjectValue(obj map[string]any, excluded string, unchanging *Unchanging) (v ast.Value, kept bool, err error) {
	key, ok := versionOf(obj)
	if !ok && unchanging != nil {
		v, err := unchanging.value(c, obj)
		return v, err == nil, err
	}
	if !ok || key.uid == excluded {
		v, err := c.objectValue(obj)
		return v, false, err
	}
	cachedValues.RLock()
	v, hit := cachedValues.m[key]
	cachedValues.RUnlock()
	if hit {
		return v, true, nil
	}
	v, err = c.objectValue(obj)
	if err != nil {
		return nil, false, err
	}
	cachedValues.Lock()
	if len(cachedValues.m) >= maxCachedValues {
		clear(cachedValues.m)
	}
	cachedValues.m[key] = v
	cachedValues.Unlock()
	return v, true, nil
}
