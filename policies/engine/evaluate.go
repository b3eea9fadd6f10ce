package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/zonekeeper/zonekeeper/policies"
)

// ApplicableBaselines returns the baselines that apply to an input by default:
// the zone's spec.baselines (the object's own if it is a LandingZone, else
// input.Zone's), the object's own if it is a DataClassification, and those of
// every classification in force (for a Workload, only the classifications it
// names), sorted and deduplicated. Names are returned as written; Evaluate
// refuses the ones it does not know.
func ApplicableBaselines(in Input) []string {
	kind, _ := in.Object["kind"].(string)
	var names []string
	zone := in.Zone
	if kind == "LandingZone" {
		zone = in.Object
	}
	names = append(names, stringsAt(zone, "spec", "baselines")...)
	if kind == "DataClassification" {
		names = append(names, stringsAt(in.Object, "spec", "baselines")...)
	}
	declared := workloadClassifications(in.Object, kind)
	for _, c := range in.Classifications {
		if declared != nil && !declared[nameOf(c)] {
			continue
		}
		names = append(names, stringsAt(c, "spec", "baselines")...)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// workloadClassifications returns the classification names a Workload
// declares, or nil for other kinds.
func workloadClassifications(obj map[string]any, kind string) map[string]bool {
	if kind != "Workload" {
		return nil
	}
	out := map[string]bool{}
	for _, n := range stringsAt(obj, "spec", "classifications") {
		out[n] = true
	}
	storage, _ := at(obj, "spec", "storage").([]any)
	for _, s := range storage {
		if m, ok := s.(map[string]any); ok {
			if n, ok := m["classification"].(string); ok {
				out[n] = true
			}
		}
	}
	return out
}

func at(obj map[string]any, path ...string) any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func stringsAt(obj map[string]any, path ...string) []string {
	switch v := at(obj, path...).(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func nameOf(obj map[string]any) string {
	s, _ := at(obj, "metadata", "name").(string)
	return s
}

// Evaluate applies the baselines of opts (ApplicableBaselines by default) and
// every custom policy to the input, then waives what opts.Exceptions allow. A
// baseline name may also name a loaded custom policy, which is applied in any
// case.
//
// An unknown baseline, a policy that fails to evaluate and an evaluation that
// outlives the engine's timeout are errors, never an empty verdict.
func (e *Engine) Evaluate(ctx context.Context, in Input, opts Options) (Verdict, error) {
	// One load: the whole evaluation uses this policy set, whatever
	// SetCustomPolicies swaps in meanwhile.
	return e.current.Load().evaluate(ctx, in, opts)
}

func (snap *snapshot) evaluate(ctx context.Context, in Input, opts Options) (Verdict, error) {
	baselines := opts.Baselines
	if baselines == nil {
		baselines = ApplicableBaselines(in)
	} else {
		baselines = slices.Clone(baselines)
		slices.Sort(baselines)
		baselines = slices.Compact(baselines)
	}
	builtin := baselines[:0:0]
	for _, name := range baselines {
		if _, ok := policies.BaselinePackage(name); ok {
			builtin = append(builtin, name)
			continue
		}
		if p, ok := snap.policies[name]; ok && !p.builtin {
			continue // a custom policy named in spec.baselines: applied anyway
		}
		return Verdict{}, fmt.Errorf("cannot evaluate baseline %q: %w (known: %s)", name, ErrUnknownBaseline, strings.Join(snap.sortedNames(), ", "))
	}
	baselines = builtin
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	verdict := Verdict{Violations: []Violation{}, Waived: []WaivedViolation{}}

	q, err := snap.prepared(ctx, baselines, nil)
	if err != nil {
		return Verdict{}, err
	}
	if q == nil { // nothing applies
		return verdict, nil
	}
	input, key, err := in.value(opts.Unchanging)
	if err != nil {
		return Verdict{}, err
	}
	rs, err := snap.run(ctx, q, input, key, now)
	for err != nil && opts.IsolateAdvisoryErrors && ctx.Err() == nil {
		failed, msg := snap.failingAdvisory(q, err), err.Error()
		if failed == nil {
			// Not one advisory policy's own error: the deadline, or an error in the library or
			// a baseline. Each advisory policy may be the cause (a slow comprehension, a library
			// function called with what it cannot take), so all are left out and the rest run
			// again; if that fails too, the fault was not theirs and the error stands.
			failed = snap.advisoryIn(q)
			if len(failed) == 0 {
				break
			}
			msg = "evaluated with it, the policies failed: " + snap.evalError(ctx, q, err).Error()
		}
		for _, p := range failed {
			verdict.Errors = append(verdict.Errors, PolicyError{Policy: p.name, EnforcementAction: p.action, Message: msg})
		}
		left := make([]string, 0, len(verdict.Errors))
		for _, e := range verdict.Errors {
			left = append(left, e.Policy)
		}
		slices.Sort(left) // one prepared query per set left out, whatever order they failed in
		if q, err = snap.prepared(ctx, baselines, left); err != nil {
			return Verdict{}, err
		}
		if q == nil {
			return verdict, nil
		}
		rs, err = snap.run(ctx, q, input, key, now)
	}
	if err != nil {
		return Verdict{}, snap.evalError(ctx, q, err)
	}
	if len(rs) != 1 {
		// Every violation set is defined (possibly empty) when its rules
		// exist, so no result means a policy did not evaluate.
		return Verdict{}, fmt.Errorf("cannot evaluate %s: the query produced %d results, want 1", q.names(), len(rs))
	}

	for i, p := range q.policies {
		raw := rs[0].Bindings[q.vars[i]]
		vs, err := decodeViolations(p, raw)
		if err != nil {
			return Verdict{}, err
		}
		verdict.Violations = append(verdict.Violations, vs...)
	}
	waive(&verdict, in.Object, opts.Exceptions, snap, now)
	sortViolations(verdict.Violations, func(v Violation) Violation { return v })
	sortViolations(verdict.Waived, func(w WaivedViolation) Violation { return w.Violation })
	return verdict, nil
}

// run evaluates q over input once, under the engine's deadline, starting from
// the facts kept for key and keeping those it computes.
func (snap *snapshot) run(ctx context.Context, q *prepared, input ast.Value, key factsKey, now time.Time) (rego.ResultSet, error) {

	// Left to itself, OPA starts a goroutine per evaluation to cancel it when
	// ctx ends: on a busy core that is two more goroutine switches per
	// admission review. A timer and context.AfterFunc do the same without
	// one, and without a context of our own, whose timer and cancellation
	// links were a fiftieth of the bytes an evaluation allocated.
	stop := topdown.NewCancel()
	deadline := time.AfterFunc(snap.timeout, stop.Cancel)
	defer deadline.Stop()
	if ctx.Done() != nil {
		defer context.AfterFunc(ctx, stop.Cancel)()
	}
	var builtinErrs []topdown.Error
	cache := newVirtualCache()
	defer cache.release()
	seeded := snap.facts.lookup(key)
	seeded.seed(cache)
	rs, err := q.query.Eval(ctx,
		rego.EvalParsedInput(input),
		rego.EvalTime(now),
		rego.EvalExternalCancel(stop),
		rego.EvalMetrics(noMetrics), // nobody reads per-evaluation metrics
		rego.EvalVirtualCache(cache),
		rego.EvalGenerateJSON(keepTerm),
		rego.EvalBuiltinErrorList(&builtinErrs),
	)
	if err != nil {
		return nil, err
	}
	if err := snap.customBuiltinError(builtinErrs); err != nil {
		return nil, err
	}
	snap.facts.harvest(key, cache, seeded)
	return rs, nil
}

// customBuiltinError returns the first error a built-in function raised in a custom policy, or
// nil. OPA makes a built-in function's error (to_number("9 "), a date that does not parse)
// undefined and goes on, so the rule around it silently does not fire: in a custom policy that is
// a pass nobody decided, so it fails the evaluation instead, naming the policy and line. The
// built-in baselines read malformed fields on purpose (the declared spec is checked for them) and
// keep OPA's leniency.
func (snap *snapshot) customBuiltinError(errs []topdown.Error) error {
	for i := range errs {
		if p := snap.policyAt(errs[i].Location); p != nil && !p.builtin {
			return &errs[i]
		}
	}
	return nil
}

// policyAt returns the policy whose module loc is in, or nil (a library module, no location).
func (snap *snapshot) policyAt(loc *ast.Location) *policy {
	if loc == nil {
		return nil
	}
	return snap.policies[snap.owner[loc.File]]
}

// failingAdvisory returns the custom warn or audit policy of q that err, an
// evaluation error, happened in (as a one-element list), or nil when it
// happened elsewhere (a deny policy, a baseline, a library module, the
// deadline).
func (snap *snapshot) failingAdvisory(q *prepared, err error) []*policy {
	var te *topdown.Error
	if topdown.IsCancel(err) || !errors.As(err, &te) {
		return nil
	}
	p := snap.policyAt(te.Location)
	if p == nil || !advisory(p) || !slices.Contains(q.policies, p) {
		return nil
	}
	return []*policy{p}
}

// advisoryIn returns the custom warn or audit policies q evaluates.
func (snap *snapshot) advisoryIn(q *prepared) []*policy {
	var out []*policy
	for _, p := range q.policies {
		if advisory(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func advisory(p *policy) bool { return !p.builtin && p.action != ActionDeny }

var noMetrics = metrics.NoOp()

// prepared is one prepared query over a set of policies: one variable per
// violation set, all evaluated in a single pass.
type prepared struct {
	query    rego.PreparedEvalQuery
	vars     []string
	refs     []ast.Ref // refs[i] is the violation set bound to vars[i]
	policies []*policy // policies[i] owns vars[i]
}

func (q *prepared) names() string {
	var names []string
	for _, p := range q.policies {
		if !slices.Contains(names, p.name) {
			names = append(names, p.name)
		}
	}
	return "policies " + quoteAll(names)
}

// prepared returns the prepared query for the baselines (sorted, known) plus
// every custom policy not left out, preparing and caching it on first use. It
// returns nil when no policy applies.
func (s *snapshot) prepared(ctx context.Context, baselines, leftOut []string) (*prepared, error) {
	key := strings.Join(baselines, ",")
	if len(leftOut) > 0 {
		key += " without " + strings.Join(leftOut, ",")
	}
	if q, ok := s.queries.Load(key); ok {
		return q.(*prepared), nil
	}
	q := &prepared{}
	var body ast.Body
	add := func(p *policy) {
		for _, r := range p.rules {
			v := fmt.Sprintf("v%d", len(q.vars))
			q.vars = append(q.vars, v)
			q.refs = append(q.refs, r)
			q.policies = append(q.policies, p)
			body = append(body, ast.Equality.Expr(ast.VarTerm(v), ast.NewTerm(r)))
		}
	}
	for _, name := range baselines {
		add(s.policies[name])
	}
	for _, p := range s.custom {
		if !slices.Contains(leftOut, p.name) {
			add(p)
		}
	}
	if len(body) == 0 {
		return nil, nil
	}
	pq, err := rego.New(
		rego.ParsedQuery(body),
		rego.Compiler(s.compiler),
		rego.Store(s.store),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot prepare %s: %w", q.names(), err)
	}
	q.query = pq
	actual, _ := s.queries.LoadOrStore(key, q)
	return actual.(*prepared), nil
}

// evalError wraps an evaluation error, naming the policy whose module it
// comes from when OPA says where it happened.
func (s *snapshot) evalError(ctx context.Context, q *prepared, err error) error {
	if topdown.IsCancel(err) || ctx.Err() != nil {
		cause := ctx.Err()
		if cause == nil {
			// Only the caller's context and the deadline's timer cancel
			// an evaluation, and the caller's has not ended.
			cause = context.DeadlineExceeded
		}
		return fmt.Errorf("cannot evaluate %s within %s: %w", q.names(), s.timeout, cause)
	}
	var te *topdown.Error
	if errors.As(err, &te) && te.Location != nil {
		if name, ok := s.owner[te.Location.File]; ok {
			return fmt.Errorf("cannot evaluate policy %q: %w", name, err)
		}
	}
	return fmt.Errorf("cannot evaluate %s: %w", q.names(), err)
}

// value converts the input to an AST value once, so that no evaluation pays a
// JSON round trip.
//
// It also returns the key of the input's facts (see facts.go): the values of its
// classifications and, for a Workload, of its zone, each left out when it may not
// be reused for this input.
func (in Input) value(unchanging *Unchanging) (ast.Value, factsKey, error) {
	if in.Object == nil {
		return nil, factsKey{}, errors.New("cannot evaluate an input without an object")
	}
	conv := newConverter()
	defer conv.release()
	self, _ := versionOf(in.Object)
	obj, err := conv.objectValue(in.Object)
	if err != nil {
		return nil, factsKey{}, fmt.Errorf("cannot convert input object: %w", err)
	}
	seen := make(map[string]bool, len(in.Classifications))
	stable := true
	classes := make([]*ast.Term, 0, len(in.Classifications))
	objectID := identity(in.Object)
	for _, c := range in.Classifications {
		name := nameOf(c)
		if seen[name] {
			continue // keep the first: duplicates would conflict in policies
		}
		seen[name] = true
		u := unchanging
		if identity(c) == objectID {
			u = nil // the object itself: converted afresh, as it always is
		}
		v, kept, err := conv.cachedObjectValue(c, self.uid, u)
		stable = stable && kept
		if err != nil {
			return nil, factsKey{}, fmt.Errorf("cannot convert classification %q: %w", name, err)
		}
		classes = append(classes, ast.NewTerm(v))
	}
	plan, err := conv.list(in.Plan, "plan")
	if err != nil {
		return nil, factsKey{}, err
	}
	observed, err := conv.list(in.Observed, "observed")
	if err != nil {
		return nil, factsKey{}, err
	}
	kvs := [][2]*ast.Term{
		{ast.InternedTerm("object"), ast.NewTerm(obj)},
		{ast.InternedTerm("classifications"), ast.ArrayTerm(classes...)},
		{ast.InternedTerm("plan"), plan},
		{ast.InternedTerm("observed"), observed},
	}
	var keptZone ast.Object
	if in.Zone != nil {
		zone, kept, err := conv.cachedObjectValue(in.Zone, self.uid, unchanging)
		if err != nil {
			return nil, factsKey{}, fmt.Errorf("cannot convert input zone: %w", err)
		}
		kvs = append(kvs, [2]*ast.Term{ast.InternedTerm("zone"), ast.NewTerm(zone)})
		if kept {
			keptZone, _ = zone.(ast.Object)
		}
	}
	kind, _ := in.Object["kind"].(string)
	objValue, _ := obj.(ast.Object)
	return ast.NewObject(kvs...), newFactsKey(kind, objValue, classes, stable, keptZone), nil
}

// objectValue converts a Kubernetes object, leaving out
// metadata.managedFields: server-side apply bookkeeping is often the bulk of
// an object read from the API server, and no policy has business with it.
func (c *converter) objectValue(obj map[string]any) (ast.Value, error) {
	md, ok := obj["metadata"].(map[string]any)
	if !ok {
		return c.value(obj)
	}
	if _, ok := md["managedFields"]; !ok {
		return c.value(obj)
	}
	md = maps.Clone(md)
	delete(md, "managedFields")
	obj = maps.Clone(obj)
	obj["metadata"] = md
	return c.value(obj)
}

func (c *converter) list(items []map[string]any, what string) (*ast.Term, error) {
	if len(items) == 0 {
		return ast.InternedEmptyArray, nil
	}
	terms := make([]*ast.Term, len(items))
	for i, x := range items {
		v, err := c.value(x)
		if err != nil {
			return nil, fmt.Errorf("cannot convert input %s[%d]: %w", what, i, err)
		}
		terms[i] = ast.NewTerm(v)
	}
	return ast.ArrayTerm(terms...), nil
}

// decodeViolations reads a policy's violation set. A malformed violation is
// an error naming the policy: dropping it would pass what the policy failed.
func decodeViolations(p *policy, raw any) ([]Violation, error) {
	t, _ := raw.(*ast.Term)
	if t == nil {
		return nil, fmt.Errorf("policy %q: violation must be a set of objects, got %T", p.name, raw)
	}
	set, ok := t.Value.(ast.Set)
	if !ok {
		return nil, fmt.Errorf("policy %q: violation must be a set of objects, got %s", p.name, ast.ValueName(t.Value))
	}
	out := make([]Violation, 0, set.Len())
	for _, x := range set.Slice() {
		m, ok := x.Value.(ast.Object)
		if !ok {
			return nil, fmt.Errorf("policy %q: violation must be an object, got %v", p.name, x)
		}
		v := Violation{Baseline: p.name, EnforcementAction: p.action, References: []string{}}
		v.Control = stringField(m, controlKey)
		v.Message = stringField(m, messageKey)
		v.Severity = stringField(m, severityKey)
		v.Field = stringField(m, fieldKey)
		if v.Control == "" || v.Message == "" || v.Severity == "" {
			return nil, fmt.Errorf("policy %q: violation %v must carry a control, a severity and a message (strings)", p.name, x)
		}
		if _, known := p.controls[v.Control]; !known {
			return nil, fmt.Errorf("policy %q: violation reports control %q, which is not in its controls set", p.name, v.Control)
		}
		if refs := m.Get(referencesKey); refs != nil {
			var elems []*ast.Term
			switch r := refs.Value.(type) {
			case *ast.Array:
				elems = make([]*ast.Term, r.Len())
				for i := range elems {
					elems[i] = r.Elem(i)
				}
			case ast.Set:
				elems = r.Slice() // sorted, as OPA would have listed it
			}
			for _, e := range elems {
				s, ok := e.Value.(ast.String)
				if !ok {
					return nil, fmt.Errorf("policy %q: violation references must be strings, got %v", p.name, e)
				}
				v.References = append(v.References, string(s))
			}
		}
		out = append(out, v)
	}
	return out, nil
}

var (
	controlKey    = ast.StringTerm("control")
	messageKey    = ast.StringTerm("message")
	severityKey   = ast.StringTerm("severity")
	fieldKey      = ast.StringTerm("field")
	referencesKey = ast.StringTerm("references")
)

// keepTerm hands each result to decodeViolations as OPA computed it. Left to
// itself, rego converts every result to Go maps and slices first, which was
// a twentieth of the bytes an evaluation allocated.
func keepTerm(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// stringField is obj[key] when it is a string, else "".
func stringField(obj ast.Object, key *ast.Term) string {
	t := obj.Get(key)
	if t == nil {
		return ""
	}
	s, _ := t.Value.(ast.String)
	return string(s)
}

func sortViolations[T any](xs []T, v func(T) Violation) {
	slices.SortFunc(xs, func(a, b T) int {
		x, y := v(a), v(b)
		return cmp.Or(
			strings.Compare(x.Baseline, y.Baseline),
			strings.Compare(x.Control, y.Control),
			strings.Compare(x.Field, y.Field),
			strings.Compare(x.Message, y.Message),
		)
	})
}
