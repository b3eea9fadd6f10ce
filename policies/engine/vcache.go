package engine

import (
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// virtualCache is the topdown.VirtualCache of one evaluation: the values of
// the rules it has evaluated, so that a rule read by several checks and
// baselines is evaluated once. OPA's own cache is a tree with a hash map per
// path element, built afresh for every evaluation; on an admission review
// that tree was a tenth of the bytes allocated. This one keeps each frame's
// entries in one slice and one map by the reference's hash, and is reused
// from a pool, so that a warm evaluation allocates nothing for its cache.
//
// Frames follow `with` statements, as in OPA's: Push starts an empty frame,
// Pop drops it, and Get and Put see only the top one.
type virtualCache struct {
	frames []*cacheFrame
	depth  int // frames[:depth] are in use
}

type cacheFrame struct {
	index   map[int]int // reference hash -> position in entries of the newest entry with it
	entries []cacheEntry
	refs    []*ast.Term // the entries' references, copied: topdown reuses its buffers
}

type cacheEntry struct {
	from, to  int // the reference is refs[from:to]
	value     *ast.Term
	undefined bool
	next      int // position of the previous entry with the same hash, or -1
}

var _ topdown.VirtualCache = (*virtualCache)(nil)

var virtualCaches = sync.Pool{New: func() any { return &virtualCache{} }}

// newVirtualCache returns an empty cache with one frame. Give it back with
// release once the evaluation's results have been read.
func newVirtualCache() *virtualCache {
	c := virtualCaches.Get().(*virtualCache)
	c.Push()
	return c
}

// release empties the cache, dropping its references to values, and returns
// it to the pool.
func (c *virtualCache) release() {
	for c.depth > 0 {
		c.Pop()
	}
	virtualCaches.Put(c)
}

func (c *virtualCache) Push() {
	if c.depth == len(c.frames) {
		c.frames = append(c.frames, &cacheFrame{index: map[int]int{}})
	}
	c.depth++
}

func (c *virtualCache) Pop() {
	if c.depth == 0 {
		return
	}
	c.depth--
	f := c.frames[c.depth]
	clear(f.index)
	clear(f.entries) // no value outlives the evaluation
	f.entries = f.entries[:0]
	clear(f.refs)
	f.refs = f.refs[:0]
}

func (c *virtualCache) top() *cacheFrame {
	return c.frames[c.depth-1]
}

func (c *virtualCache) Get(ref ast.Ref) (*ast.Term, bool) {
	f := c.top()
	if e := f.find(ref, ref.Hash()); e != nil {
		return e.value, e.undefined
	}
	return nil, false
}

func (c *virtualCache) Put(ref ast.Ref, value *ast.Term) {
	f := c.top()
	h := ref.Hash()
	if e := f.find(ref, h); e != nil {
		e.value, e.undefined = value, value == nil
		return
	}
	prev, ok := f.index[h]
	if !ok {
		prev = -1
	}
	from := len(f.refs)
	f.refs = append(f.refs, ref...)
	f.entries = append(f.entries, cacheEntry{from: from, to: len(f.refs), value: value, undefined: value == nil, next: prev})
	f.index[h] = len(f.entries) - 1
}

func (c *virtualCache) Keys() []ast.Ref {
	f := c.top()
	var keys []ast.Ref
	for _, e := range f.entries {
		if e.value != nil {
			keys = append(keys, slices.Clone(ast.Ref(f.refs[e.from:e.to])))
		}
	}
	return keys
}

func (f *cacheFrame) find(ref ast.Ref, hash int) *cacheEntry {
	i, ok := f.index[hash]
	if !ok {
		return nil
	}
	for ; i >= 0; i = f.entries[i].next {
		e := &f.entries[i]
		if ast.Ref(f.refs[e.from:e.to]).Equal(ref) {
			return e
		}
	}
	return nil
}
