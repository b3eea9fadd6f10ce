package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Folding specialises the compiled policies on what is known once the engine
// is built: the parameters (read-only after New) and the rules computed from
// nothing else (a baseline's params, its reasons and references, its stamps,
// the region lists). Such a rule is evaluated once, when a policy set is
// built, and every reference to it is replaced by its value, so an evaluation
// reads a constant where it would evaluate the rule (object.union of the
// defaults and the overrides, objects built from other rules) and look it up
// in its cache.
//
// A rule is folded when it is a built-in rule without arguments, every rule
// at its path is such a rule, no rule is defined below its path, and its body,
// value and else branches read neither input nor anything but the parameters
// (data.zonekeeper.params) and other folded rules, call only deterministic
// built-in functions and use no `with`. The Rego tests run on the modules as
// written, with their `with data.zonekeeper.params...` overrides.

// foldable finds the rule paths that can be folded, keyed by their string.
func foldable(c *ast.Compiler, builtin func(file string) bool) map[string]ast.Ref {
	candidates := map[string]ast.Ref{}
	for file, m := range c.Modules {
		if !builtin(file) {
			continue
		}
		for _, r := range m.Rules {
			if len(r.Head.Args) > 0 || !r.Head.Ref().IsGround() {
				continue
			}
			path := r.Ref()
			candidates[path.String()] = path
		}
	}
	// Rules below a path, or of another shape at it, leave the path alone.
	for key, path := range candidates {
		for _, r := range c.GetRulesWithPrefix(path) {
			if !r.Ref().Equal(path) || len(r.Head.Args) > 0 || !builtin(r.Location.File) {
				delete(candidates, key)
				break
			}
		}
	}
	// Keep only the paths whose rules depend on nothing but parameters and
	// other such paths, until nothing changes.
	for changed := true; changed; {
		changed = false
		for key, path := range candidates {
			for _, r := range c.GetRulesExact(path) {
				if !staticRule(r, candidates) {
					delete(candidates, key)
					changed = true
					break
				}
			}
		}
	}
	return candidates
}

// staticRule reports whether a rule (with its else branches) reads only
// parameters and the candidate paths, and calls only deterministic built-in
// functions.
func staticRule(r *ast.Rule, candidates map[string]ast.Ref) bool {
	static := true
	check := func(x any) {
		ast.WalkExprs(x, func(e *ast.Expr) bool {
			if len(e.With) > 0 {
				static = false
			}
			if e.IsCall() && !deterministicBuiltin(e.Operator()) {
				static = false
			}
			return !static
		})
		ast.WalkTerms(x, func(t *ast.Term) bool {
			switch v := t.Value.(type) {
			case ast.Call:
				if op, ok := v[0].Value.(ast.Ref); !ok || !deterministicBuiltin(op) {
					static = false
				}
			case ast.Ref:
				if !staticRef(v, candidates) {
					static = false
				}
			}
			return !static
		})
	}
	for ; r != nil && static; r = r.Else {
		check(r.Body)
		if r.Head.Value != nil {
			check(r.Head.Value)
		}
		if r.Head.Key != nil {
			check(r.Head.Key)
		}
	}
	return static
}

func deterministicBuiltin(op ast.Ref) bool {
	b, ok := ast.BuiltinMap[op.String()]
	return ok && !b.Nondeterministic && b.Name != "time.now_ns"
}

// staticRef reports whether a reference reads only parameters, a candidate
// path, or a local variable.
func staticRef(ref ast.Ref, candidates map[string]ast.Ref) bool {
	switch {
	case ref.HasPrefix(ast.InputRootRef):
		return false
	case !ref.HasPrefix(ast.DefaultRootRef):
		return true // a local variable, or a built-in function's name
	case ref.HasPrefix(paramsRef):
		return true
	}
	_, ok := foldedPrefix(ref, candidates)
	return ok
}

// foldedPrefix returns the path among paths that ref starts with.
func foldedPrefix[V any](ref ast.Ref, paths map[string]V) (int, bool) {
	for i := len(ref); i > 2; i-- {
		if !ref[:i].IsGround() {
			continue
		}
		if _, ok := paths[ref[:i].String()]; ok {
			return i, true
		}
	}
	return 0, false
}

// usesWithOnData reports whether a module replaces part of data with `with`:
// folding would then ignore the replacement, so nothing is folded.
func usesWithOnData(modules map[string]*ast.Module) bool {
	found := false
	for _, m := range modules {
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			for _, w := range e.With {
				if ref, ok := w.Target.Value.(ast.Ref); ok && ref.HasPrefix(ast.DefaultRootRef) {
					found = true
				}
			}
			return found
		})
	}
	return found
}

// foldedValues evaluates the foldable rules, leaving out those that are
// undefined (they are left to evaluation).
func foldedValues(ctx context.Context, c *ast.Compiler, store storage.Store, paths map[string]ast.Ref) (map[string]ast.Value, error) {
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, err
	}
	defer store.Abort(ctx, txn)
	out := make(map[string]ast.Value, len(paths))
	x := ast.VarTerm("x")
	for _, key := range slices.Sorted(maps.Keys(paths)) {
		q := topdown.NewQuery(ast.NewBody(ast.Equality.Expr(x, ast.NewTerm(paths[key])))).
			WithCompiler(c).WithStore(store).WithTransaction(txn)
		rs, err := q.Run(ctx)
		if err != nil {
			return nil, fmt.Errorf("cannot evaluate %s: %w", key, err)
		}
		if len(rs) == 1 {
			out[key] = rs[0][x.Value.(ast.Var)].Value
		}
	}
	return out, nil
}

// foldStage replaces references to folded rules by their values: a reference
// to the rule or into it along a ground path becomes the value there, one
// with variables after the rule's path a reference into the value
// ({...}[check]).
func foldStage(values map[string]ast.Value) ast.CompilerStageDefinition {
	replace := func(ref ast.Ref) (ast.Value, error) {
		if !ref.HasPrefix(ast.DefaultRootRef) {
			return ref, nil
		}
		n, ok := foldedPrefix(ref, values)
		if !ok {
			return ref, nil
		}
		v := values[ref[:n].String()]
		rest := ref[n:]
		// not rest.IsGround(), which leaves out a reference's head
		if !ast.NewArray(rest...).IsGround() {
			// a reference into the value: {...}[x]
			return append(ast.Ref{ast.NewTerm(v).Copy().SetLocation(ref[0].Location)}, rest...), nil
		}
		if len(rest) > 0 {
			found, err := v.Find(rest)
			if err != nil {
				return ref, nil // undefined: evaluation says so
			}
			v = found
		}
		return ast.NewTerm(v).Copy().Value, nil
	}
	transform := func(x any) error {
		if _, err := ast.TransformRefs(x, replace); err != nil {
			return err
		}
		// ast.Transform does not descend into `some x in xs` declarations,
		// where a baseline reads its stamps: fold their symbols one by one.
		var err error
		ast.WalkExprs(x, func(e *ast.Expr) bool {
			decl, ok := e.Terms.(*ast.SomeDecl)
			if !ok {
				return false
			}
			for _, sym := range decl.Symbols {
				var out any
				if out, err = ast.TransformRefs(sym.Value, replace); err != nil {
					return true
				}
				sym.Value = out.(ast.Value)
			}
			return false
		})
		return err
	}
	return ast.CompilerStageDefinition{
		Name:       "FoldParameters",
		MetricName: "compile_stage_fold_parameters",
		Stage: func(c *ast.Compiler) *ast.Error {
			for _, m := range c.Modules {
				for _, r := range m.Rules {
					for rule := r; rule != nil; rule = rule.Else {
						for _, x := range []any{rule.Body, rule.Head.Value, rule.Head.Key} {
							if x == (*ast.Term)(nil) {
								continue
							}
							if err := transform(x); err != nil {
								return ast.NewError(ast.CompileErr, rule.Location, "cannot fold parameters: %v", err)
							}
						}
					}
				}
			}
			return nil
		},
	}
}

// specialize recompiles the snapshot's modules with the foldable rules
// replaced by their values under store. The declarations read from the first
// compilation are unchanged: folding does not change what any rule evaluates
// to.
func (e *Engine) specialize(ctx context.Context, snap *snapshot, store storage.Store) error {
	if usesWithOnData(snap.modules) {
		snap.facts = newFacts(snap.compiler, e.builtin[coreModuleFile])
		return nil
	}
	paths := foldable(snap.compiler, func(file string) bool { return !strings.HasPrefix(file, customFilePrefix) })
	values, err := foldedValues(ctx, snap.compiler, store, paths)
	if err != nil {
		return fmt.Errorf("cannot fold parameters: %w", err)
	}
	// The modules passed every check when they were compiled as written;
	// folding only puts constants where references to them were. So the
	// stages that only check (types, conflicts, imports, recursion) are not
	// run again: they are a quarter of the compilation. Those that rewrite
	// or order what is evaluated (safety reorders bodies) still run, and so
	// does the check for builtins the capabilities forbid.
	c := e.newCompiler().WithStageAfterID(ast.StageResolveRefs, foldStage(values)).WithSkipStages(
		ast.StageCheckUnusedImports,
		ast.StageCheckKeywordOverrides,
		ast.StageCheckDuplicateImports,
		ast.StageCheckRuleConflicts,
		ast.StageCheckUndefinedFuncs,
		ast.StageCheckRecursion,
		ast.StageCheckTypes,
		ast.StageCheckDeprecatedBuiltins,
		ast.StageBuildRequiredCapabilities,
	)
	c.Compile(snap.modules)
	if c.Failed() {
		return compileError(c.Errors, snap.owner)
	}
	snap.compiler = c
	snap.modules = nil // compiled; not needed any more
	snap.facts = newFacts(c, e.builtin[coreModuleFile])
	return nil
}
