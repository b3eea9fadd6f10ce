// Package engine evaluates ZoneKeeper's compliance policies: the built-in
// baselines of package policies plus custom policies security teams add at
// run time. One Engine serves the admission webhook, the reconcilers and the
// offline CLI with the same input and the same verdict.
//
// Modules are compiled once per policy set with restricted capabilities (no
// network, no runtime introspection); queries are prepared once per set of
// baselines and reused; an evaluation converts its input to an AST value once
// and runs under a deadline. Replacing the custom policies compiles the new
// set first and swaps it in atomically, so evaluations in flight finish on the
// set they started with.
package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/zonekeeper/zonekeeper/policies"
)

// DefaultTimeout bounds one evaluation unless WithTimeout says otherwise. An
// admission webhook has seconds in all; a policy that loops must not take
// them.
const DefaultTimeout = time.Second

// builtinFilePrefix and customFilePrefix name modules so that a compiler or
// runtime error's location says which policy it is in.
const (
	builtinFilePrefix = "builtin/"
	customFilePrefix  = "custom/"
	coreModuleFile    = builtinFilePrefix + "lib/core.rego"
)

var (
	zonekeeperRef = ast.MustParseRef("data.zonekeeper")
	paramsRef     = ast.MustParseRef("data.zonekeeper.params")
	customRef     = ast.MustParseRef("data.zonekeeper.custom")
)

// Option configures an Engine.
type Option func(*config)

type config struct {
	timeout time.Duration
	params  map[string]any
	actions map[string]string
}

// WithTimeout bounds each evaluation; DefaultTimeout when unset.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithParams overrides baseline parameters. Keys are baseline names
// ("cjis-v6"), values objects of parameter overrides
// ({"audit_retention_days": 400}); they are loaded as
// data.zonekeeper.params.<package> (data.zonekeeper.params.cjis_v6). A
// parameter the baseline does not declare, or of another type than its
// default, is an error.
func WithParams(params map[string]any) Option {
	return func(c *config) { c.params = params }
}

// WithEnforcementActions sets the enforcement action of built-in baselines by
// name (deny, warn or audit); a baseline not named denies.
func WithEnforcementActions(actions map[string]string) Option {
	return func(c *config) { c.actions = actions }
}

// Engine evaluates policies. It is safe for concurrent use.
type Engine struct {
	cfg     config
	caps    *ast.Capabilities
	builtin map[string]*ast.Module // parsed once, copied by each compile
	// tests are the built-in Rego tests, parsed on first use: only RunTests
	// reads them, and parsing them is a sixth of New's time.
	tests func() (map[string]*ast.Module, error)
	store storage.Store // parameters; read-only after New

	mu      sync.Mutex // orders SetCustomPolicies so the last call wins
	current atomic.Pointer[snapshot]
	onSwap  []func() // called, under mu, after each SetCustomPolicies that succeeds
}

// New compiles the built-in baselines and returns an Engine without custom
// policies.
func New(ctx context.Context, opts ...Option) (*Engine, error) {
	cfg := config{timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.timeout <= 0 {
		return nil, fmt.Errorf("evaluation timeout must be positive, got %s", cfg.timeout)
	}
	if err := ValidateEnforcementActions(cfg.actions); err != nil {
		return nil, err
	}

	e := &Engine{cfg: cfg, caps: restrictedCapabilities()}
	var err error
	if e.builtin, err = parseBuiltin(policies.Modules); err != nil {
		return nil, err
	}
	e.tests = sync.OnceValues(func() (map[string]*ast.Module, error) { return parseBuiltin(policies.Tests) })

	snap, err := e.build(ctx, nil)
	if err != nil {
		return nil, err
	}
	data, err := snap.paramsData(cfg.params)
	if err != nil {
		return nil, err
	}
	e.store = inmem.NewFromObjectWithOpts(data, inmem.OptReturnASTValuesOnRead(true))
	snap.store = e.store
	if err := e.specialize(ctx, snap, e.store); err != nil {
		return nil, err
	}
	e.current.Store(snap)
	return e, nil
}

// ValidateEnforcementActions reports the first setting, by baseline name, that New refuses in
// WithEnforcementActions: a baseline that is not built in (ErrUnknownBaseline), or an action that
// is not deny, warn or audit.
func ValidateEnforcementActions(actions map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(actions)) {
		if _, ok := policies.BaselinePackage(name); !ok {
			return fmt.Errorf("cannot set enforcement action of baseline %q: %w", name, ErrUnknownBaseline)
		}
		if !validAction(actions[name]) {
			return fmt.Errorf("cannot set enforcement action of baseline %q: %q is not deny, warn or audit", name, actions[name])
		}
	}
	return nil
}

func validAction(a string) bool {
	return a == ActionDeny || a == ActionWarn || a == ActionAudit
}

func parseBuiltin(read func() (map[string]string, error)) (map[string]*ast.Module, error) {
	srcs, err := read()
	if err != nil {
		return nil, err
	}
	out := make(map[string]*ast.Module, len(srcs))
	for path, src := range srcs {
		file := builtinFilePrefix + path
		m, err := ast.ParseModuleWithOpts(file, src, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return nil, fmt.Errorf("cannot parse built-in policy %q: %w", path, err)
		}
		out[file] = m
	}
	return out, nil
}

// Baselines returns the names of the built-in baselines, sorted.
func (e *Engine) Baselines() []string {
	return policies.BaselineNames()
}

// Policies describes the loaded baselines and custom policies, sorted by name.
func (e *Engine) Policies() []PolicyInfo {
	snap := e.current.Load()
	out := make([]PolicyInfo, 0, len(snap.policies))
	for _, p := range snap.policies {
		out = append(out, PolicyInfo{
			Name:              p.name,
			Builtin:           p.builtin,
			Controls:          slices.Sorted(maps.Keys(p.controls)),
			ExceptionMaxDays:  maps.Clone(p.maxDays),
			EnforcementAction: p.action,
		})
	}
	slices.SortFunc(out, func(a, b PolicyInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// snapshot is one compiled policy set. It is never modified once published,
// except for its cache of prepared queries.
type snapshot struct {
	compiler *ast.Compiler
	store    storage.Store
	timeout  time.Duration

	policies map[string]*policy     // built-in baselines and custom policies by name
	custom   []*policy              // sorted by name; applied to every evaluation
	owner    map[string]string      // module file -> policy name, to attribute errors
	parsed   []*parsedPolicy        // the custom policies as given, to rebuild from
	modules  map[string]*ast.Module // what compiler compiled, to specialize

	queries sync.Map // baseline set key -> *prepared
	facts   *facts   // values of the rules over the classifications alone, by classifications
}

// policy is what the engine knows about one baseline or custom policy.
type policy struct {
	name     string
	builtin  bool
	pkg      ast.Ref   // the baseline's package (built-ins)
	rules    []ast.Ref // the violation sets it contributes
	controls map[string]struct{}
	maxDays  map[string]int // exception caps by control
	defaults map[string]any // documented parameter defaults (built-ins)
	action   string
}

// build compiles the built-in modules with the given custom policies and reads
// what each policy declares as data: its controls, exception caps and
// parameter defaults. It does not publish the result.
func (e *Engine) build(ctx context.Context, custom []*parsedPolicy) (*snapshot, error) {
	modules := maps.Clone(e.builtin)
	owner := map[string]string{}
	byPackage := map[string]string{}
	for _, name := range policies.BaselineNames() {
		pkg, _ := policies.BaselinePackage(name)
		byPackage[pkg] = name
	}
	for file, m := range e.builtin {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if name, ok := byPackage[pkg]; ok {
			owner[file] = name
		} else {
			owner[file] = pkg // a library module: name it by its package
		}
	}
	for _, p := range custom {
		for file, m := range p.modules {
			modules[file] = m
			owner[file] = p.name
		}
	}

	compiler := e.newCompiler()
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, compileError(compiler.Errors, owner)
	}
	if errs := undefinedRefs(compiler); len(errs) > 0 {
		return nil, compileError(errs, owner)
	}

	snap := &snapshot{
		compiler: compiler,
		store:    e.store,
		timeout:  e.cfg.timeout,
		policies: map[string]*policy{},
		owner:    owner,
		parsed:   custom,
		modules:  modules,
	}
	meta := inmem.New() // declarations are constants: they must not depend on data

	for _, name := range policies.BaselineNames() {
		pkg, _ := policies.BaselinePackage(name)
		ref := ast.MustParseRef("data." + pkg)
		p := &policy{name: name, builtin: true, pkg: ref, action: ActionDeny}
		if a, ok := e.cfg.actions[name]; ok {
			p.action = a
		}
		if err := snap.declare(ctx, meta, p, []ast.Ref{ref}); err != nil {
			return nil, err
		}
		defaults, err := snap.readObject(ctx, meta, ref.Append(ast.StringTerm("default_params")))
		if err != nil {
			return nil, fmt.Errorf("cannot read parameters of baseline %q: %w", name, err)
		}
		p.defaults = defaults
		snap.policies[name] = p
	}

	for _, c := range custom {
		p := &policy{name: c.name, action: c.action}
		if err := snap.declare(ctx, meta, p, c.packages); err != nil {
			return nil, &FaultyPoliciesError{Policies: []string{p.name}, err: fmt.Errorf("%w: %w", ErrInvalidPolicy, err)}
		}
		if _, ok := snap.policies[p.name]; ok {
			return nil, &FaultyPoliciesError{Policies: []string{p.name}, err: fmt.Errorf("%w: policy %q has the name of a built-in baseline", ErrInvalidPolicy, p.name)}
		}
		snap.policies[p.name] = p
		snap.custom = append(snap.custom, p)
	}
	slices.SortFunc(snap.custom, func(a, b *policy) int { return strings.Compare(a.name, b.name) })
	return snap, nil
}

func (e *Engine) newCompiler() *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(e.caps).
		WithDefaultRegoVersion(ast.RegoV1)
}

// declare finds the violation sets of a policy's packages and reads the
// controls and exception caps the policy declares beside them.
func (s *snapshot) declare(ctx context.Context, meta storage.Store, p *policy, packages []ast.Ref) error {
	p.controls = map[string]struct{}{}
	p.maxDays = map[string]int{}
	for _, pkg := range packages {
		violation := pkg.Append(ast.StringTerm("violation"))
		rules := s.compiler.GetRulesExact(violation)
		if len(rules) == 0 {
			continue
		}
		for _, r := range rules {
			if r.Head.RuleKind() != ast.MultiValue {
				return fmt.Errorf("policy %q: %s must be a set (`violation contains v if ...`), at %s", p.name, violation, r.Location)
			}
		}
		p.rules = append(p.rules, violation)

		controlsRef := pkg.Append(ast.StringTerm("controls"))
		if len(s.compiler.GetRulesExact(controlsRef)) == 0 {
			return fmt.Errorf("policy %q: package %s defines violation but no controls set: declare `controls := {\"<control ID>\", ...}`", p.name, pkg)
		}
		controls, err := s.readStrings(ctx, meta, controlsRef)
		if err != nil {
			return fmt.Errorf("policy %q: cannot read %s: %w", p.name, controlsRef, err)
		}
		for _, c := range controls {
			p.controls[c] = struct{}{}
		}

		capsRef := pkg.Append(ast.StringTerm("exception_max_days"))
		if len(s.compiler.GetRulesExact(capsRef)) == 0 {
			continue
		}
		caps, err := s.readObject(ctx, meta, capsRef)
		if err != nil {
			return fmt.Errorf("policy %q: cannot read %s: %w", p.name, capsRef, err)
		}
		for control, v := range caps {
			days, ok := wholeNumber(v)
			if !ok || days <= 0 {
				return fmt.Errorf("policy %q: %s[%q] must be a positive number of days, got %v", p.name, capsRef, control, v)
			}
			if _, known := p.controls[control]; !known {
				return fmt.Errorf("policy %q: %s caps control %q, which is not in its controls", p.name, capsRef, control)
			}
			p.maxDays[control] = days
		}
	}
	if len(p.rules) == 0 {
		return fmt.Errorf("policy %q defines no violation set: add `violation contains v if { ... }` to a package under zonekeeper.custom", p.name)
	}
	return nil
}

func (s *snapshot) read(ctx context.Context, store storage.Store, ref ast.Ref) (any, error) {
	rs, err := rego.New(
		rego.ParsedQuery(ast.NewBody(ast.NewExpr(ast.NewTerm(ref)))),
		rego.Compiler(s.compiler),
		rego.Store(store),
	).Eval(ctx)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, errors.New("undefined")
	}
	return rs[0].Expressions[0].Value, nil
}

func (s *snapshot) readStrings(ctx context.Context, store storage.Store, ref ast.Ref) ([]string, error) {
	v, err := s.read(ctx, store, ref)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be a set of strings, got %T", v)
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		str, ok := x.(string)
		if !ok || str == "" {
			return nil, fmt.Errorf("must be a set of non-empty strings, got %v", x)
		}
		out = append(out, str)
	}
	return out, nil
}

func (s *snapshot) readObject(ctx context.Context, store storage.Store, ref ast.Ref) (map[string]any, error) {
	v, err := s.read(ctx, store, ref)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be an object, got %T", v)
	}
	return obj, nil
}

// paramsData validates parameter overrides against the defaults each baseline
// declares, and lays them out as the data document policies read.
func (s *snapshot) paramsData(params map[string]any) (map[string]any, error) {
	byPackage := map[string]any{}
	for name, raw := range params {
		p, ok := s.policies[name]
		if !ok || !p.builtin {
			return nil, fmt.Errorf("cannot set parameters of baseline %q: %w", name, ErrUnknownBaseline)
		}
		norm, err := normalizeJSON(raw) // only JSON values reach the store, numbers as json.Number
		if err != nil {
			return nil, fmt.Errorf("cannot set parameters of baseline %q: %w", name, err)
		}
		overrides, ok := norm.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("cannot set parameters of baseline %q: want an object of parameters, got %T", name, raw)
		}
		for key, v := range overrides {
			def, ok := p.defaults[key]
			if !ok {
				return nil, fmt.Errorf("cannot set parameter %q of baseline %q: it has none by that name (it has %s)", key, name, strings.Join(slices.Sorted(maps.Keys(p.defaults)), ", "))
			}
			if jsonType(v) != jsonType(def) {
				return nil, fmt.Errorf("cannot set parameter %q of baseline %q: want a %s like the default %v, got %s", key, name, jsonType(def), def, jsonType(v))
			}
		}
		byPackage[string(p.pkg[len(p.pkg)-1].Value.(ast.String))] = overrides
	}
	return map[string]any{"zonekeeper": map[string]any{"params": byPackage}}, nil
}
