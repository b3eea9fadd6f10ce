package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// parsedPolicy is a custom policy parsed and checked on its own.
type parsedPolicy struct {
	name     string
	action   string
	modules  map[string]*ast.Module // by file name under custom/<name>/
	tests    map[string]*ast.Module // by file name under custom/<name>/tests/
	packages []ast.Ref              // distinct packages of modules, sorted
}

// SetCustomPolicies replaces the custom policies. The new set is compiled
// (with the built-in baselines) before it is swapped in; evaluations already
// running finish on the previous set, later ones see the new set. When any
// policy is invalid nothing changes and the error names it. Tests are not run
// here: ValidatePolicy runs them at admission.
func (e *Engine) SetCustomPolicies(ctx context.Context, custom []CustomPolicy) error {
	parsed := make([]*parsedPolicy, 0, len(custom))
	names := map[string]bool{}
	for _, c := range custom {
		if names[c.Name] {
			return fmt.Errorf("cannot load custom policies: %w: policy %q is given twice", ErrInvalidPolicy, c.Name)
		}
		names[c.Name] = true
		p, err := parsePolicy(c)
		if err != nil {
			return &FaultyPoliciesError{Policies: []string{c.Name}, err: fmt.Errorf("cannot load custom policies: %w", err)}
		}
		parsed = append(parsed, p)
	}
	if err := packageCollisions(parsed); err != nil {
		return fmt.Errorf("cannot load custom policies: %w", err)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	snap, err := e.build(ctx, parsed)
	if err != nil {
		return fmt.Errorf("cannot load custom policies: %w", wrapInvalid(err))
	}
	if err := e.specialize(ctx, snap, e.store); err != nil {
		return fmt.Errorf("cannot load custom policies: %w", wrapInvalid(err))
	}
	e.current.Store(snap)
	for _, f := range e.onSwap {
		f()
	}
	return nil
}

// OnSwap registers f to be called each time SetCustomPolicies has put a new
// policy set in force, so that what was judged with the old set can be judged
// again. A caller that reacts to the CompliancePolicy objects themselves may
// run before the set they bring is in force; this runs after. f must not block
// or call back into the engine; register before the engine is shared.
func (e *Engine) OnSwap(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onSwap = append(e.onSwap, f)
}

// ValidatePolicy checks a custom policy for admission: it must parse, use no
// forbidden builtin, keep to its own packages under zonekeeper.custom, compile
// together with the built-in baselines and the other loaded custom policies
// (a policy of the same name is the one it replaces), declare a violation set
// with its controls, and pass its own tests. Every refusal wraps
// ErrInvalidPolicy and carries the parser's, compiler's or test's message.
func (e *Engine) ValidatePolicy(ctx context.Context, c CustomPolicy) error {
	p, err := e.compilePolicy(ctx, c, true)
	if err != nil {
		return err
	}
	if len(p.tests) == 0 && !hasTests(p.modules) {
		return nil
	}
	results, err := e.runTests(ctx, p.moduleSet(), p.tests)
	if err != nil {
		return fmt.Errorf("%w: policy %q: cannot run its tests: %w", ErrInvalidPolicy, p.name, err)
	}
	if len(results) == 0 {
		return fmt.Errorf("%w: policy %q has test modules but no tests: name test rules test_*", ErrInvalidPolicy, p.name)
	}
	if failed := failures(results); len(failed) > 0 {
		return fmt.Errorf("%w: policy %q fails %d of its %d tests:\n%s", ErrInvalidPolicy, p.name, len(failed), len(results), strings.Join(failed, "\n"))
	}
	return nil
}

// compilePolicy parses c and compiles it with the built-in baselines and, when
// withLoaded, the other loaded custom policies, publishing nothing.
func (e *Engine) compilePolicy(ctx context.Context, c CustomPolicy, withLoaded bool) (*parsedPolicy, error) {
	p, err := parsePolicy(c)
	if err != nil {
		return nil, err
	}
	var set []*parsedPolicy
	if withLoaded {
		for _, other := range e.current.Load().parsed {
			if other.name != p.name {
				set = append(set, other)
			}
		}
	}
	// p last, so a collision is reported against it
	if err := e.compile(ctx, append(set, p)); err != nil {
		return nil, err
	}
	return p, nil
}

// wrapInvalid marks a build error as the policy's fault unless it already is.
func wrapInvalid(err error) error {
	if errors.Is(err, ErrInvalidPolicy) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrInvalidPolicy, err)
}

// hasTests reports whether modules define test rules (test_*), which run at
// admission wherever they are written.
func hasTests(modules map[string]*ast.Module) bool {
	for _, m := range modules {
		for _, r := range m.Rules {
			if name, _ := r.Head.Ref()[0].Value.(ast.Var); strings.HasPrefix(string(name), "test_") {
				return true
			}
		}
	}
	return false
}

func (p *parsedPolicy) moduleSet() map[string]*ast.Module {
	return maps.Clone(p.modules)
}

// parsePolicy parses a custom policy's modules and tests and checks what can
// be checked without compiling: a name, modules, valid enforcement action,
// packages under zonekeeper.custom and no forbidden builtin.
func parsePolicy(c CustomPolicy) (*parsedPolicy, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: policy %q: "+format, append([]any{ErrInvalidPolicy, c.Name}, args...)...)
	}
	if c.Name == "" || strings.ContainsAny(c.Name, "/\\") {
		return nil, fmt.Errorf("%w: policy name %q must be non-empty and contain no slash", ErrInvalidPolicy, c.Name)
	}
	action := c.EnforcementAction
	if action == "" {
		action = ActionDeny
	}
	if !validAction(action) {
		return nil, invalid("enforcementAction %q is not deny, warn or audit", c.EnforcementAction)
	}
	if len(c.Modules) == 0 {
		return nil, invalid("no modules: add at least one Rego module")
	}
	p := &parsedPolicy{name: c.Name, action: action, modules: map[string]*ast.Module{}, tests: map[string]*ast.Module{}}
	packages := map[string]ast.Ref{}
	parse := func(dir string, srcs map[string]string, into map[string]*ast.Module, recordPackages bool) error {
		for _, file := range slices.Sorted(maps.Keys(srcs)) {
			src := srcs[file]
			if strings.TrimSpace(src) == "" {
				return invalid("module %q is empty", file)
			}
			path := customFilePrefix + c.Name + "/" + dir + file
			m, err := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
			if err != nil {
				return invalid("cannot parse %q: %w", file, err)
			}
			if err := checkPackage(m.Package.Path); err != nil {
				return invalid("module %q: %w", file, err)
			}
			if errs := forbiddenCalls(m); len(errs) > 0 {
				return invalid("module %q: %w", file, errs)
			}
			into[path] = m
			if recordPackages {
				packages[m.Package.Path.String()] = m.Package.Path
			}
		}
		return nil
	}
	if err := parse("", c.Modules, p.modules, true); err != nil {
		return nil, err
	}
	if err := parse("tests/", c.Tests, p.tests, false); err != nil {
		return nil, err
	}
	for _, k := range slices.Sorted(maps.Keys(packages)) {
		p.packages = append(p.packages, packages[k])
	}
	return p, nil
}

// checkPackage keeps custom modules in zonekeeper.custom.<name>: a package
// anywhere else could redefine rules of a built-in baseline or helper and
// turn controls off for everyone.
func checkPackage(path ast.Ref) error {
	pkg := strings.TrimPrefix(path.String(), "data.")
	if path.HasPrefix(zonekeeperRef) && len(path) > 2 {
		if s, ok := path[2].Value.(ast.String); ok {
			switch seg := string(s); {
			case seg == "baselines" || strings.HasPrefix(seg, "lib") || seg == "params":
				return fmt.Errorf("package %s shadows the built-in package zonekeeper.%s: custom policies live under zonekeeper.custom", pkg, seg)
			}
		}
	}
	if !path.HasPrefix(customRef) || len(path) < 4 {
		return fmt.Errorf("package %s is outside zonekeeper.custom: name it zonekeeper.custom.<policy>", pkg)
	}
	return nil
}

// packageCollisions refuses two policies writing into the same package:
// their violation sets would merge and be attributed to both.
func packageCollisions(set []*parsedPolicy) error {
	owner := map[string]string{}
	for _, p := range set {
		for _, pkg := range p.packages {
			key := pkg.String()
			if other, ok := owner[key]; ok && other != p.name {
				return &FaultyPoliciesError{Policies: []string{p.name},
					err: fmt.Errorf("%w: policy %q: package %s is already used by policy %q", ErrInvalidPolicy, p.name, strings.TrimPrefix(key, "data."), other)}
			}
			owner[key] = p.name
		}
	}
	return nil
}
