package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// restrictedCapabilities are this OPA version's capabilities without the
// builtins that reach outside the evaluation or do not give the same answer
// twice: http.send and net.lookup_ip_addr talk to the network (and could leak
// the objects evaluated), opa.runtime exposes the operator's environment and
// configuration, rand.intn and uuid.rfc4122 are random. A policy is a pure
// function of its input; the same object gets the same verdict in the webhook,
// the reconciler and the offline CLI. The net.cidr_* functions are pure
// arithmetic on addresses and stay.
func restrictedCapabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := make([]*ast.Builtin, 0, len(caps.Builtins))
	for _, b := range caps.Builtins {
		if !forbiddenBuiltin(b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{} // empty, not nil: no host, not any host
	return caps
}

func forbiddenBuiltin(name string) bool {
	switch name {
	case "http.send", "opa.runtime", "rand.intn", "uuid.rfc4122":
		return true
	}
	return strings.HasPrefix(name, "net.") && !strings.HasPrefix(name, "net.cidr_")
}

// forbiddenCalls finds calls of forbidden builtins in a parsed module. The
// compiler refuses them anyway (they are not in its capabilities), but with
// "undefined function"; this says why.
func forbiddenCalls(m *ast.Module) ast.Errors {
	var errs ast.Errors
	report := func(op ast.Ref, loc *ast.Location) {
		name := op.String()
		if _, builtin := ast.BuiltinMap[name]; builtin && forbiddenBuiltin(name) {
			errs = append(errs, ast.NewError(ast.CompileErr, loc,
				"%s is not allowed in ZoneKeeper policies: policies may not use the network (http.send, net.lookup_ip_addr), the OPA runtime (opa.runtime) or randomness (rand.intn, uuid.rfc4122), so that an object gets the same verdict everywhere", name))
		}
	}
	ast.WalkExprs(m, func(x *ast.Expr) bool {
		if x.IsCall() {
			report(x.Operator(), x.Location)
		}
		return false
	})
	ast.WalkTerms(m, func(t *ast.Term) bool {
		if call, ok := t.Value.(ast.Call); ok && len(call) > 0 {
			if op, ok := call[0].Value.(ast.Ref); ok {
				report(op, t.Location)
			}
		}
		return false
	})
	return errs
}

// undefinedRefs finds references into data.zonekeeper that no rule defines.
// OPA treats an unknown data reference as undefined at run time, which inside
// a negation or a comprehension quietly passes: a misspelt helper would turn a
// control off. Only parameters are base data.
func undefinedRefs(c *ast.Compiler) ast.Errors {
	var errs ast.Errors
	seen := map[string]bool{}
	for _, file := range slices.Sorted(maps.Keys(c.Modules)) {
		var loc *ast.Location // of the enclosing rule or expression: rewritten terms may have none
		ast.NewGenericVisitor(func(x any) bool {
			switch n := x.(type) {
			case *ast.Rule:
				loc = n.Location
			case *ast.Expr:
				loc = n.Location
			case *ast.Term:
				ref, ok := n.Value.(ast.Ref)
				if !ok || !ref.HasPrefix(zonekeeperRef) || ref.HasPrefix(paramsRef) {
					return false
				}
				ground := ref.GroundPrefix()
				if len(c.GetRules(ground)) > 0 {
					return false
				}
				at := n.Location
				if at == nil {
					at = loc
				}
				if key := file + ground.String(); !seen[key] {
					seen[key] = true
					errs = append(errs, ast.NewError(ast.CompileErr, at, "undefined reference %s: no rule or package defines it", ground))
				}
			}
			return false
		}).Walk(c.Modules[file])
	}
	return errs
}

// compileError turns compiler errors into one error naming the policies they
// are in.
func compileError(errs ast.Errors, owner map[string]string) error {
	var names []string
	for _, e := range errs {
		if e.Location == nil {
			continue
		}
		if name, ok := owner[e.Location.File]; ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	switch len(names) {
	case 0:
		return fmt.Errorf("cannot compile policies: %w", errs)
	case 1:
		return &FaultyPoliciesError{Policies: names, err: fmt.Errorf("cannot compile policy %q: %w", names[0], errs)}
	default:
		return &FaultyPoliciesError{Policies: names, err: fmt.Errorf("cannot compile policies %s: %w", quoteAll(names), errs)}
	}
}

// FaultyPoliciesError is an error that says which policies are at fault: the ones whose modules
// do not parse or compile, or that take a package another policy holds. Policies may hold the
// names of built-in library packages as well as of custom policies.
type FaultyPoliciesError struct {
	Policies []string
	err      error
}

func (e *FaultyPoliciesError) Error() string { return e.err.Error() }
func (e *FaultyPoliciesError) Unwrap() error { return e.err }

// FaultyPolicies returns the policies err blames, if it names any: a caller loading a set of
// custom policies leaves those out rather than guess.
func FaultyPolicies(err error) []string {
	var f *FaultyPoliciesError
	if errors.As(err, &f) {
		return f.Policies
	}
	return nil
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// normalizeJSON round-trips a value through JSON so that only JSON types
// (with json.Number for numbers) reach the store.
func normalizeJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number, float64, float32, int, int32, int64, uint, uint32, uint64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// wholeNumber reads a whole number out of a decoded JSON value.
func wholeNumber(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil && i <= math.MaxInt32 && i >= math.MinInt32 {
			return int(i), true
		}
	case int:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= math.MaxInt32 {
			return int(n), true
		}
	}
	return 0, false
}
