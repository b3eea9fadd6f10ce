package engine

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Facts about the classifications in force (the strictest audit retention and key rotation they
// ask for, whether one forbids public exposure, ...) are the same for every zone that hosts the
// same classifications, and the classifications change far less often than the zones judged
// against them. So the engine keeps their values from one evaluation for the next evaluations
// over the same classifications, the way it keeps their converted AST values, and hands them to
// OPA's evaluation as already evaluated rules: on the GovCloud zone of the benchmark that is
// 60 of its 930 allocations and 6-10 % of its time.
//
// A rule qualifies when its value is a function of core.classifications alone: it has no
// arguments, and what it reads, through every rule and function it uses, is core.classifications,
// constants, the parameters and deterministic builtins; never input, never `with`. This is
// decided from the compiled modules, so a rule changed to read more stops qualifying by itself.
// core.classifications itself reads input for every kind; its definition is pinned instead (see
// pinnedSource), and any change to it turns the cache off; a change to its Workload branch alone
// turns off the facts of Workloads (pinnedWorkload).
//
// The values are kept by what core.classifications is for the input: input.classifications for a
// LandingZone and a DataClassification, and for a Workload the ones it names, which the engine
// works out itself (declaredClassifications) while core.rego defines them as pinnedWorkload
// expects. Nine in ten objects `zonekeeper check` reads are Workloads, and a Workload's facts were
// a quarter of its evaluation. They are reused only for exactly the same classifications: the same
// AST values in the same order, which the engine's value caches give a classification while its
// UID and resourceVersion (or, for files, its map) are the same. A classification that changes is
// a new value, and so a new key; a LandingZone and a Workload over the same classifications share
// their facts.
//
// A Workload whose zone's value is kept the same way also keeps, by its zone and classifications,
// the rules that read the zone's spec besides (core.zone_spec, pinned like core.classifications:
// see pinnedZoneSpec): the zone's settings and its screens (zone_clean, ceiling_clean, the
// thresholds met), which every Workload in the zone would otherwise evaluate again.
const factsSource = "data.zonekeeper.lib.core.classifications"

// maxFactsEntries bounds each store: an entry holds its classifications' (and zone's) values, so
// entries kept for values the value caches have since dropped would otherwise pile up. An entry is
// a few hundred bytes besides the values it shares with the value caches; the zones' store holds
// one per zone and set of classifications its Workloads name.
const (
	maxFactsEntries     = 256
	maxZoneFactsEntries = 256
)

// factsLibPrefix is where the rules that may qualify live: the built-in library.
const factsLibPrefix = "data.zonekeeper.lib."

// facts is a snapshot's cache of fact values, by the classifications they were computed for and,
// for a Workload's zone facts, by its zone too.
type facts struct {
	rules     []ast.Ref // the qualifying rules, including factsSource itself
	workloads bool      // core.classifications of a Workload is as pinnedWorkload says: keep facts for them too
	// zoneRules qualify when core.zone_spec may be read too, including both sources: kept for a
	// Workload by its classifications and its zone (none unless pinnedZoneSpec holds).
	zoneRules []ast.Ref

	byClasses factsStore // the values of rules, by the classifications
	byZone    factsStore // the values of zoneRules, by a Workload's zone and classifications
}

// factsStore holds kept values by key.
type factsStore struct {
	mu      sync.Mutex
	max     int
	n       int
	entries map[ast.Object][]*factsEntry // by the key's first value
}

type factsEntry struct {
	key    factsKey // holding its values keeps their addresses from being reused
	refs   []ast.Ref
	values []*ast.Term // nil: the rule is undefined for these classifications
	has    []bool      // by position in the store's rules: whether refs holds that rule
}

// newFacts finds the rules of c whose values depend on the classifications in force alone, and
// those that may read a Workload's zone's spec besides. core is core.rego as parsed, before
// compilation: facts are kept only while its classifications rule is still input.classifications
// for every kind but Workload (see pinnedSource), for Workloads only while it is as pinnedWorkload
// expects, and by zone only while core.zone_spec is as pinnedZoneSpec expects.
func newFacts(c *ast.Compiler, core *ast.Module) *facts {
	a := factsAnalysis{c: c, state: map[*ast.Rule]factsState{}, sources: []ast.Ref{factsSourceRef}}
	f := &facts{
		byClasses: factsStore{max: maxFactsEntries, entries: map[ast.Object][]*factsEntry{}},
		byZone:    factsStore{max: maxZoneFactsEntries, entries: map[ast.Object][]*factsEntry{}},
	}
	if !pinnedSource(core) {
		return f // no rule qualifies: nothing is kept
	}
	f.workloads = pinnedWorkload(core)
	var z *factsAnalysis
	if f.workloads && pinnedZoneSpec(core) {
		z = &factsAnalysis{c: c, state: map[*ast.Rule]factsState{}, sources: []ast.Ref{factsSourceRef, zoneSpecSourceRef}}
	}
	seen := map[string]bool{}
	for _, file := range slices.Sorted(maps.Keys(c.Modules)) {
		m := c.Modules[file]
		if !strings.HasPrefix(m.Package.Path.String()+".", factsLibPrefix) {
			continue
		}
		for _, r := range m.Rules {
			if len(r.Head.Args) > 0 || !r.Ref().IsGround() || r.Head.RuleKind() != ast.SingleValue {
				continue // functions and partial rules: not kept
			}
			full := r.Ref().GroundPrefix()
			if !full.HasPrefix(ast.DefaultRootRef) { // not yet made absolute by the compiler
				head, ok := full[0].Value.(ast.Var)
				if !ok {
					continue
				}
				full = m.Package.Path.Append(ast.StringTerm(string(head))).Concat(full[1:])
			}
			if seen[full.String()] {
				continue
			}
			seen[full.String()] = true
			if full.String() == factsSource || a.qualifies(full) {
				f.rules = append(f.rules, full)
			}
			if z != nil && (full.String() == factsSource || full.String() == zoneSpecSource || z.qualifies(full)) {
				f.zoneRules = append(f.zoneRules, full)
			}
		}
	}
	return f
}

// zoneSpecSource is, for a Workload whose zone is in the input, its zone's spec (see
// pinnedZoneSpec): the zone's facts (its region, whether its screens pass, ...) are the same for
// every Workload in it over the same classifications, and those are nine in ten objects
// `zonekeeper check` reads.
const zoneSpecSource = "data.zonekeeper.lib.core.zone_spec"

var zoneSpecSourceRef = ast.MustParseRef(zoneSpecSource)

// pinnedZoneSpec reports whether core defines core.zone_spec as the engine relies on when it keeps
// a Workload's facts by its zone: for a Workload, the spec of input.zone alone.
//
//	zone_spec := object.get(input.object, "spec", {}) if input.object.kind == "LandingZone"
//	zone_spec := object.get(input.zone, "spec", {}) if { input.object.kind == "Workload"; is_object(input.zone) }
func pinnedZoneSpec(core *ast.Module) bool {
	var got []string
	for _, r := range core.Rules {
		if r.Head.Ref().Equal(pinnedZoneSpecName) {
			got = append(got, r.String())
		}
	}
	return slices.Equal(got, pinnedZoneSpecRules)
}

// pinnedZoneSpecSource is how core.rego defines core.zone_spec, which zone facts rely on (without
// its package line).
const pinnedZoneSpecSource = `
zone_spec := object.get(input.object, "spec", {}) if input.object.kind == "LandingZone"

zone_spec := object.get(input.zone, "spec", {}) if {
	input.object.kind == "Workload"
	is_object(input.zone)
}
`

var (
	pinnedZoneSpecName  = ast.Ref{ast.VarTerm("zone_spec")}
	pinnedZoneSpecRules = func() []string {
		m := ast.MustParseModule("package zonekeeper.lib.core\n" + pinnedZoneSpecSource)
		return []string{m.Rules[0].String(), m.Rules[1].String()}
	}()
)

// pinnedSource reports whether core defines core.classifications as written when the facts cache
// was built, and as newFactsKey relies on:
//
//	classifications := [...] if { input.object.kind == "Workload" } else := object.get(input, "classifications", [])
//
// The analysis cannot show this itself: the rule reads input for every kind. So the rule's shape
// is pinned instead, and any other definition turns the cache off (TestFactsQualify... fails).
func pinnedSource(core *ast.Module) bool {
	if core == nil || core.Package.Path.String() != "data.zonekeeper.lib.core" {
		return false
	}
	var defs []*ast.Rule
	for _, r := range core.Rules {
		if r.Head.Ref().Equal(pinnedSourceName) {
			defs = append(defs, r)
		}
	}
	if len(defs) != 1 || defs[0].Default || len(defs[0].Head.Args) > 0 {
		return false
	}
	r := defs[0]
	if !r.Body.Equal(pinnedWorkloadBody) || r.Else == nil || r.Else.Else != nil || len(r.Else.Body) != 1 ||
		!r.Else.Body[0].Equal(ast.NewExpr(ast.BooleanTerm(true))) || r.Else.Head.Value == nil {
		return false
	}
	return r.Else.Head.Value.Equal(pinnedOtherValue)
}

// pinnedWorkload reports whether core also defines, for a Workload, core.classifications and
// core.declared_classifications as declaredClassifications computes them:
//
//	classifications := [c | some c in object.get(input, "classifications", []); object.get(c, ["metadata", "name"], "") in declared_classifications] if { input.object.kind == "Workload" } else := ...
//	declared_classifications contains name if { input.object.kind == "Workload"; some name in object.get(input.object, ["spec", "classifications"], []) }
//	declared_classifications contains name if { input.object.kind == "Workload"; some s in object.get(input.object, ["spec", "storage"], []); name := s.classification }
//
// Any other definition keeps facts for LandingZones and DataClassifications only.
func pinnedWorkload(core *ast.Module) bool {
	var got []string
	for _, r := range core.Rules {
		switch {
		case r.Head.Ref().Equal(pinnedSourceName):
			got = append(got, r.Head.Value.String())
		case r.Head.Ref().Equal(pinnedDeclaredName):
			got = append(got, r.String())
		}
	}
	return slices.Equal(got, pinnedWorkloadRules)
}

// pinnedWorkloadSource is how core.rego defines a Workload's core.classifications, as
// declaredClassifications works it out.
const pinnedWorkloadSource = `package zonekeeper.lib.core
classifications := [c | some c in object.get(input, "classifications", []); object.get(c, ["metadata", "name"], "") in declared_classifications] if {
	input.object.kind == "Workload"
} else := object.get(input, "classifications", [])

declared_classifications contains name if {
	input.object.kind == "Workload"
	some name in object.get(input.object, ["spec", "classifications"], [])
}

declared_classifications contains name if {
	input.object.kind == "Workload"
	some s in object.get(input.object, ["spec", "storage"], [])
	name := s.classification
}
`

// pinnedWorkloadRules are the rules pinnedWorkload expects, as OPA prints them.
var pinnedWorkloadRules = func() []string {
	m := ast.MustParseModule(pinnedWorkloadSource)
	return []string{m.Rules[0].Head.Value.String(), m.Rules[1].String(), m.Rules[2].String()}
}()

var (
	pinnedDeclaredName = ast.Ref{ast.VarTerm("declared_classifications")}
	pinnedSourceName   = ast.Ref{ast.VarTerm("classifications")}
	pinnedWorkloadBody = ast.MustParseBody(`input.object.kind == "Workload"`)
	pinnedOtherValue   = ast.MustParseModule("package p\nclassifications := object.get(input, \"classifications\", [])\n").Rules[0].Head.Value
)

type factsState uint8

const (
	factsUnknown factsState = iota
	factsVisiting
	factsPure // depends on nothing that varies, or on factsSource only
	factsImpure
)

type factsAnalysis struct {
	c       *ast.Compiler
	state   map[*ast.Rule]factsState
	sources []ast.Ref // what a fact may read besides constants, the parameters and other facts
}

// qualifies reports whether every rule that ref may name reads only what a fact may read.
func (a *factsAnalysis) qualifies(ref ast.Ref) bool {
	rules := a.c.GetRules(ref)
	if len(rules) == 0 {
		return false
	}
	for _, r := range rules {
		if !a.pure(r) {
			return false
		}
	}
	return true
}

func (a *factsAnalysis) pure(r *ast.Rule) bool {
	switch a.state[r] {
	case factsPure:
		return true
	case factsImpure, factsVisiting: // recursion is refused by the compiler; be safe anyway
		return false
	}
	a.state[r] = factsVisiting
	ok := a.body(r)
	for e := r.Else; ok && e != nil; e = e.Else {
		ok = a.body(e)
	}
	if ok {
		a.state[r] = factsPure
	} else {
		a.state[r] = factsImpure
	}
	return ok
}

// body checks one rule (head and body, not its else chain).
func (a *factsAnalysis) body(r *ast.Rule) bool {
	ok := true
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		if len(e.With) > 0 {
			ok = false
		}
		return !ok
	})
	if !ok {
		return false
	}
	ast.WalkRefs(r, func(ref ast.Ref) bool {
		if !ok {
			return true
		}
		ok = a.ref(ref)
		return !ok
	})
	return ok
}

func (a *factsAnalysis) ref(ref ast.Ref) bool {
	switch {
	case ref.HasPrefix(ast.InputRootRef):
		return false
	case ref.HasPrefix(ast.DefaultRootRef):
		for _, src := range a.sources {
			if ref.HasPrefix(src) {
				return true
			}
		}
		prefix := ref.GroundPrefix()
		rules := a.c.GetRulesWithPrefix(prefix)
		rules = append(rules, a.c.GetRules(ref)...)
		for _, r := range rules {
			if !a.pure(r) {
				return false
			}
		}
		return true // rules, or the parameters in the store: constant for a snapshot
	}
	// A builtin's name, or a reference into a local variable.
	name := ref.String()
	if b, ok := ast.BuiltinMap[name]; ok && (b.Nondeterministic || readsTheClock[name]) {
		return false
	}
	return true
}

// readsTheClock are builtins OPA does not mark nondeterministic that read the evaluation's time
// or the wall clock when their arguments do not say which time to use.
var readsTheClock = map[string]bool{
	"io.jwt.decode_verify":                                   true,
	"crypto.x509.parse_and_verify_certificates":              true,
	"crypto.x509.parse_and_verify_certificates_with_options": true,
}

var factsSourceRef = ast.MustParseRef(factsSource)

// factsKey is what facts are kept by: the values of core.classifications, in order.
type factsKey struct {
	classes  []ast.Object
	workload bool       // the object is a Workload: the key is declaredClassifications' list
	zone     ast.Object // a Workload's zone, when its value is kept too: the key of zone facts
}

// first is what the key's entries are filed under.
func (k factsKey) first() ast.Object {
	if k.zone != nil {
		return k.zone
	}
	return k.classes[0]
}

// same says whether two keys keep the same facts: a LandingZone's and a Workload's over the same
// classifications do, unless the Workload's holds its zone.
func (k factsKey) same(o factsKey) bool {
	return k.zone == o.zone && sameObjects(k.classes, o.classes)
}

// newFactsKey returns the key of an input's facts, or a key without classifications when its
// facts may not be reused: every classification must be a value the engine's caches give again
// for the same object, and for a Workload, declaredClassifications must know what
// core.classifications is.
func newFactsKey(kind string, obj ast.Object, classes []*ast.Term, stable bool, zone ast.Object) factsKey {
	if !stable {
		return factsKey{}
	}
	key := factsKey{workload: kind == "Workload"}
	if key.workload {
		key.zone = zone
	}
	switch kind {
	case "LandingZone", "DataClassification":
	case "Workload":
		var ok bool
		if obj == nil {
			return factsKey{}
		}
		if classes, ok = declaredClassifications(obj, classes); !ok {
			return factsKey{}
		}
	default:
		return factsKey{}
	}
	if len(classes) == 0 && key.zone == nil {
		return factsKey{}
	}
	key.classes = make([]ast.Object, len(classes))
	for i, t := range classes {
		o, ok := t.Value.(ast.Object)
		if !ok {
			return factsKey{}
		}
		key.classes[i] = o
	}
	return key
}

// declaredClassifications is core.classifications of a Workload (see pinnedWorkload): the
// classifications, in input order, whose metadata.name the workload names in spec.classifications
// or in a spec.storage entry's classification. It returns false for a shape it does not follow
// exactly as Rego would (a name that is not a string, a list that is not an array): such a
// workload is evaluated without kept facts.
func declaredClassifications(obj ast.Object, classes []*ast.Term) ([]*ast.Term, bool) {
	declared := map[ast.String]bool{}
	var spec ast.Object
	if s := obj.Get(specKey); s != nil {
		o, ok := s.Value.(ast.Object)
		if !ok {
			return nil, false
		}
		spec = o
	}
	if spec != nil {
		if t := spec.Get(classificationsKey); t != nil {
			names, ok := t.Value.(*ast.Array)
			if !ok {
				return nil, false
			}
			for i := range names.Len() {
				n, ok := names.Elem(i).Value.(ast.String)
				if !ok {
					return nil, false
				}
				declared[n] = true
			}
		}
		if t := spec.Get(storageKey); t != nil {
			entries, ok := t.Value.(*ast.Array)
			if !ok {
				return nil, false
			}
			for i := range entries.Len() {
				e, ok := entries.Elem(i).Value.(ast.Object)
				if !ok {
					return nil, false
				}
				if c := e.Get(classificationKey); c != nil {
					n, ok := c.Value.(ast.String)
					if !ok {
						return nil, false
					}
					declared[n] = true
				}
			}
		}
	}
	var out []*ast.Term
	for _, c := range classes {
		o, ok := c.Value.(ast.Object)
		if !ok {
			return nil, false
		}
		name := ast.String("")
		if md := o.Get(metadataKey); md != nil {
			if m, ok := md.Value.(ast.Object); ok {
				if n := m.Get(nameKey); n != nil {
					s, ok := n.Value.(ast.String)
					if !ok {
						return nil, false
					}
					name = s
				}
			}
		}
		if declared[name] {
			out = append(out, c)
		}
	}
	return out, true
}

var (
	specKey            = ast.StringTerm("spec")
	classificationsKey = ast.StringTerm("classifications")
	classificationKey  = ast.StringTerm("classification")
	storageKey         = ast.StringTerm("storage")
	metadataKey        = ast.StringTerm("metadata")
	nameKey            = ast.StringTerm("name")
)

// kept are the entries an evaluation starts from: by its classifications, and by its zone.
type kept struct {
	classes, zone *factsEntry
}

// lookup finds what is kept for k.
func (f *facts) lookup(k factsKey) kept {
	var out kept
	if f == nil {
		return out
	}
	if ck, ok := f.classKey(k); ok {
		out.classes = f.byClasses.lookup(ck)
	}
	if f.zoneUsable(k) {
		out.zone = f.byZone.lookup(k)
	}
	return out
}

// classKey is k without its zone, when facts may be kept by the classifications alone.
func (f *facts) classKey(k factsKey) (factsKey, bool) {
	k.zone = nil
	return k, len(k.classes) > 0 && (!k.workload || f.workloads)
}

// zoneUsable says whether facts may be kept by k's zone.
func (f *facts) zoneUsable(k factsKey) bool {
	return k.zone != nil && len(f.zoneRules) > 0
}

func (s *factsStore) lookup(k factsKey) *factsEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries[k.first()] {
		if e.key.same(k) {
			return e
		}
	}
	return nil
}

func sameObjects(a, b []ast.Object) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// seed puts the kept values into an evaluation's cache before it starts.
func (k kept) seed(c *virtualCache) {
	for _, e := range []*factsEntry{k.classes, k.zone} {
		if e == nil {
			continue
		}
		for i, ref := range e.refs {
			c.Put(ref, e.values[i])
		}
	}
}

// harvest keeps, for k, the values an evaluation left in its cache for the qualifying rules that
// what it started from does not hold yet.
func (f *facts) harvest(k factsKey, c *virtualCache, old kept) {
	if f == nil {
		return
	}
	if ck, ok := f.classKey(k); ok {
		f.byClasses.harvest(ck, f.rules, c, old.classes)
	}
	if f.zoneUsable(k) {
		f.byZone.harvest(k, f.zoneRules, c, old.zone)
	}
}

// harvest keeps, for k, the values of rules the evaluation left in c that the entry for k (if
// any) does not hold yet. Entries are never changed once kept (seed reads them without the lock):
// a new one replaces the old.
func (s *factsStore) harvest(k factsKey, rules []ast.Ref, c *virtualCache, old *factsEntry) {
	var e *factsEntry
	for i, ref := range rules {
		if old != nil && old.has[i] {
			continue
		}
		v, undefined := c.Get(ref)
		if v == nil && !undefined {
			continue // not evaluated: nothing to keep
		}
		if e == nil {
			e = &factsEntry{key: k, has: make([]bool, len(rules))}
			if old != nil {
				e.refs = slices.Clone(old.refs)
				e.values = slices.Clone(old.values)
				copy(e.has, old.has)
			}
		}
		e.refs = append(e.refs, ref)
		e.values = append(e.values, v)
		e.has[i] = true
	}
	if e == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.entries[k.first()]
	for i, kept := range list {
		if kept.key.same(k) {
			if kept != old {
				return // another evaluation kept its values meanwhile
			}
			list[i] = e
			return
		}
	}
	if s.n >= s.max {
		clear(s.entries)
		s.n = 0
	}
	s.entries[k.first()] = append(s.entries[k.first()], e)
	s.n++
}
