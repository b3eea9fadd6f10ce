// Package check evaluates manifests offline exactly as the admission webhook would: the same
// engine, the same input built by package compliance, and the DataClassifications, LandingZones,
// PolicyExceptions and CompliancePolicies found among the files standing in for the cluster. It is
// `zonekeeper check`, for CI pipelines and GitOps pre-merge checks.
package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/runtime"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/manifest"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// ErrBadInput marks input that cannot be checked at all (unparseable YAML, an unknown kind, an
// unknown baseline, a policy that does not compile): `zonekeeper check` exits 2 on it.
var ErrBadInput = errors.New("bad input")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

// Options say what to check.
type Options struct {
	// Paths are files or directories of YAML manifests.
	Paths []string
	// Baselines are evaluated for every object in addition to those that apply to it.
	Baselines []string
	// PolicyDirs each hold one custom policy: *.rego modules and *_test.rego tests.
	PolicyDirs []string
	// Now is the clock exceptions expire against; time.Now when zero.
	Now time.Time
}

// Report is the outcome, in the documented JSON shape of `zonekeeper check -o json`.
type Report struct {
	Results []Result `json:"results"`
	// Skipped are objects of other API groups, which no ZoneKeeper policy judges.
	Skipped []string `json:"skipped,omitempty"`
}

// Result is the verdict on one object.
type Result struct {
	File       string                   `json:"file"`
	Line       int                      `json:"line"`
	Kind       string                   `json:"kind"`
	Name       string                   `json:"name"`
	Namespace  string                   `json:"namespace,omitempty"`
	Baselines  []string                 `json:"baselines"`
	Violations []engine.Violation       `json:"violations"`
	Waived     []engine.WaivedViolation `json:"waived"`
}

// Denied reports whether any result has a violation the webhook would refuse the object for.
func (r Report) Denied() bool {
	for _, res := range r.Results {
		if (engine.Verdict{Violations: res.Violations}).Denied() {
			return true
		}
	}
	return false
}

// Run checks the manifests. Errors wrapping ErrBadInput are the user's input; others are not.
func Run(ctx context.Context, o Options) (Report, error) {
	if len(o.Paths) == 0 {
		return Report{}, badInput("no manifests: name files or directories with -f")
	}
	objs, err := manifest.ReadPaths(o.Paths...)
	if err != nil {
		return Report{}, fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	set, err := decode(objs)
	if err != nil {
		return Report{}, err
	}
	eng, err := engine.New(ctx)
	if err != nil {
		return Report{}, errors.Wrap(err, "cannot start the policy engine")
	}
	if err := loadPolicies(ctx, eng, o.PolicyDirs, set.policies); err != nil {
		return Report{}, err
	}
	known := eng.Baselines()
	for _, b := range o.Baselines {
		if !slices.Contains(known, b) {
			return Report{}, badInput("--baseline %q: %v (known: %s)", b, engine.ErrUnknownBaseline, strings.Join(known, ", "))
		}
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	exceptions := make([]engine.Exception, 0, len(set.exceptions))
	for _, pe := range set.exceptions {
		exceptions = append(exceptions, compliance.Exception(pe))
	}

	rep := Report{Results: []Result{}, Skipped: set.skipped}
	for _, it := range set.evaluate {
		in, err := compliance.Input(ctx, set.resolver, it.obj)
		if err != nil {
			return Report{}, errors.Wrapf(err, "%s:%d", it.src.File, it.src.Line)
		}
		baselines := engine.ApplicableBaselines(in)
		for _, b := range o.Baselines {
			if !slices.Contains(baselines, b) {
				baselines = append(baselines, b)
			}
		}
		sort.Strings(baselines)
		v, err := eng.Evaluate(ctx, in, engine.Options{Baselines: baselines, Exceptions: exceptions, Now: now})
		if err != nil {
			if errors.Is(err, engine.ErrUnknownBaseline) {
				return Report{}, badInput("%s:%d: %s %s: %v", it.src.File, it.src.Line, it.src.GetKind(), it.src.GetName(), err)
			}
			return Report{}, errors.Wrapf(err, "%s:%d: cannot evaluate %s %s", it.src.File, it.src.Line, it.src.GetKind(), it.src.GetName())
		}
		rep.Results = append(rep.Results, Result{
			File: it.src.File, Line: it.src.Line, Kind: it.src.GetKind(), Name: it.src.GetName(), Namespace: it.src.GetNamespace(),
			Baselines: baselines, Violations: v.Violations, Waived: v.Waived,
		})
	}
	return rep, nil
}

type item struct {
	src manifest.Object
	obj runtime.Object
}

type objectSet struct {
	resolver   *compliance.Objects
	evaluate   []item
	exceptions []*policyv1.PolicyException
	policies   []sourcedPolicy
	skipped    []string
}

type sourcedPolicy struct {
	src manifest.Object
	cp  *policyv1.CompliancePolicy
}

// decode sorts the objects into what is evaluated and what stands in for the cluster. An object
// of a ZoneKeeper group whose kind this release does not know is bad input, not a silent pass.
func decode(objs []manifest.Object) (*objectSet, error) {
	set := &objectSet{resolver: &compliance.Objects{
		Classifications: map[string]*lzv1.DataClassification{},
		LandingZones:    map[string]*lzv1.LandingZone{},
	}}
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		into, err := typed(gvk.Group, gvk.Version, gvk.Kind)
		if err != nil {
			return nil, badInput("%s:%d: %v", o.File, o.Line, err)
		}
		if into == nil {
			set.skipped = append(set.skipped, fmt.Sprintf("%s:%d %s/%s", o.File, o.Line, o.GetKind(), o.GetName()))
			continue
		}
		if err := applyDefaults(gvk, o.Object); err != nil {
			return nil, err
		}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(o.Object, into, true); err != nil {
			return nil, badInput("%s:%d: %s %s: %v", o.File, o.Line, o.GetKind(), o.GetName(), err)
		}
		switch t := into.(type) {
		case *lzv1.DataClassification:
			set.resolver.Classifications[t.Name] = t
			set.evaluate = append(set.evaluate, item{o, t})
		case *lzv1.LandingZone:
			set.resolver.LandingZones[t.Name] = t
			set.evaluate = append(set.evaluate, item{o, t})
		case *lzv1.Workload:
			if t.Namespace == "" {
				t.Namespace = "default"
			}
			set.resolver.Workloads = append(set.resolver.Workloads, t)
			set.evaluate = append(set.evaluate, item{o, t})
		case *policyv1.PolicyException:
			set.exceptions = append(set.exceptions, t)
		case *policyv1.CompliancePolicy:
			set.policies = append(set.policies, sourcedPolicy{o, t})
		}
	}
	return set, nil
}

// typed returns an empty object of the kind, nil for kinds of other groups, or an error for an
// unknown kind of a ZoneKeeper group.
func typed(group, version, kind string) (runtime.Object, error) {
	switch group {
	case lzv1.GroupVersion.Group, policyv1.GroupVersion.Group:
	default:
		return nil, nil
	}
	if version != "v1alpha1" {
		return nil, fmt.Errorf("unknown version %s/%s: this zonekeeper knows v1alpha1", group, version)
	}
	switch kind {
	case "DataClassification":
		return &lzv1.DataClassification{}, nil
	case "LandingZone":
		return &lzv1.LandingZone{}, nil
	case "Workload":
		return &lzv1.Workload{}, nil
	case "CompliancePolicy":
		return &policyv1.CompliancePolicy{}, nil
	case "PolicyException":
		return &policyv1.PolicyException{}, nil
	}
	return nil, fmt.Errorf("unknown kind %q in %s", kind, group)
}

// loadPolicies validates every custom policy (its own tests included) as admission would, then
// loads them all into the engine.
func loadPolicies(ctx context.Context, eng *engine.Engine, dirs []string, inFiles []sourcedPolicy) error {
	var all []engine.CustomPolicy
	for _, d := range dirs {
		cp, err := ReadPolicyDir(d)
		if err != nil {
			return err
		}
		if err := eng.ValidatePolicy(ctx, cp); err != nil {
			return badInput("--policy %s: %v", d, err)
		}
		all = append(all, cp)
	}
	for _, p := range inFiles {
		cp := compliance.CustomPolicy(p.cp)
		if err := eng.ValidatePolicy(ctx, cp); err != nil {
			return badInput("%s:%d: CompliancePolicy %s: %v", p.src.File, p.src.Line, p.cp.Name, err)
		}
		all = append(all, cp)
	}
	if len(all) == 0 {
		return nil
	}
	if err := eng.SetCustomPolicies(ctx, all); err != nil {
		return badInput("the custom policies do not load together: %v", err)
	}
	return nil
}

// ReadPolicyDir reads a directory as one custom policy named after it: *_test.rego files are its
// tests, other *.rego files its modules.
func ReadPolicyDir(dir string) (engine.CustomPolicy, error) {
	cp := engine.CustomPolicy{Name: filepath.Base(filepath.Clean(dir)), Modules: map[string]string{}, Tests: map[string]string{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return cp, badInput("--policy %s: %v", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".rego") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return cp, badInput("--policy %s: %v", dir, err)
		}
		if strings.HasSuffix(e.Name(), "_test.rego") {
			cp.Tests[e.Name()] = string(src)
		} else {
			cp.Modules[e.Name()] = string(src)
		}
	}
	if len(cp.Modules) == 0 {
		return cp, badInput("--policy %s: no .rego modules", dir)
	}
	return cp, nil
}
