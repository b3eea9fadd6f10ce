package engine

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestVirtualCacheBehavesLikeOPAs holds the pooled cache to the contract of
// topdown.VirtualCache: (nil, false) for a reference never put, (nil, true)
// for one put as undefined, the value otherwise; frames that hide and drop
// what was put above them; and nothing left over once released.
func TestVirtualCacheBehavesLikeOPAs(t *testing.T) {
	a := ast.MustParseRef("data.x.a")
	b := ast.MustParseRef(`data.x.b["k"]`)
	one := ast.IntNumberTerm(1)
	two := ast.IntNumberTerm(2)

	type want struct {
		value     *ast.Term
		undefined bool
	}
	get := func(c *virtualCache, ref ast.Ref) want {
		v, u := c.Get(ref)
		return want{v, u}
	}
	check := func(t *testing.T, c *virtualCache, ref ast.Ref, w want) {
		t.Helper()
		if got := get(c, ref); got.value != w.value || got.undefined != w.undefined {
			t.Errorf("Get(%v) = (%v, %v), want (%v, %v)", ref, got.value, got.undefined, w.value, w.undefined)
		}
	}

	t.Run("GetReturnsWhatWasPut", func(t *testing.T) {
		c := newVirtualCache()
		defer c.release()
		check(t, c, a, want{})
		c.Put(a, one)
		c.Put(b, nil)
		check(t, c, a, want{value: one})
		check(t, c, b, want{undefined: true})
		c.Put(a, two)
		check(t, c, a, want{value: two})
		if keys := c.Keys(); len(keys) != 1 || !keys[0].Equal(a) {
			t.Errorf("Keys() = %v, want [%v] (undefined ones left out)", keys, a)
		}
	})

	t.Run("PutCopiesTheReference", func(t *testing.T) {
		c := newVirtualCache()
		defer c.release()
		buf := a.Copy()
		c.Put(buf, one)
		buf[2] = ast.StringTerm("other") // topdown reuses its buffers
		check(t, c, a, want{value: one})
	})

	t.Run("RefsWithTheSameHashStayApart", func(t *testing.T) {
		// the hash of a reference is the sum of its terms' hashes
		x := ast.MustParseRef(`data.p["a"]["b"]`)
		y := ast.MustParseRef(`data.p["b"]["a"]`)
		if x.Hash() != y.Hash() {
			t.Fatal("the references do not collide: the test proves nothing")
		}
		c := newVirtualCache()
		defer c.release()
		c.Put(x, one)
		check(t, c, y, want{})
		c.Put(y, two)
		check(t, c, x, want{value: one})
		check(t, c, y, want{value: two})
	})

	t.Run("FramesHideAndDropWhatIsAboveThem", func(t *testing.T) {
		c := newVirtualCache()
		defer c.release()
		c.Put(a, one)
		c.Push()
		check(t, c, a, want{})
		c.Put(a, two)
		check(t, c, a, want{value: two})
		c.Pop()
		check(t, c, a, want{value: one})
		c.Push()
		check(t, c, a, want{}) // a fresh frame, not the one popped
		c.Pop()
	})

	t.Run("ReleasedCacheComesBackEmpty", func(t *testing.T) {
		c := newVirtualCache()
		c.Put(a, one)
		c.Push()
		c.Put(b, two)
		c.release()
		for range 4 { // the pool may hand back this cache or another
			d := newVirtualCache()
			check(t, d, a, want{})
			check(t, d, b, want{})
			if d.depth != 1 {
				t.Errorf("a new cache has %d frames, want 1", d.depth)
			}
			defer d.release()
		}
	})
}
