package policy

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// PolicyLoader keeps the engine's custom policies equal to the CompliancePolicies in the cluster,
// in every replica that judges: it does not wait to be elected leader, because every replica
// serves admission, and a standby replica judging without the cluster's custom policies would let
// through what they deny. It writes nothing; CompliancePolicyReconciler reports status.
type PolicyLoader struct {
	client.Client
	Loader *Loader
}

// SetupWithManager registers the loader to run whether or not this replica leads.
func (r *PolicyLoader) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("compliancepolicy-loader").
		For(&policyv1.CompliancePolicy{}).
		WithOptions(controller.Options{NeedLeaderElection: ptr.To(false)}).
		Complete(r)
}

// Reconcile loads the cluster's policies, whichever one changed: every pass recomputes the whole
// set from a list, so a deleted policy leaves the engine as surely as a new one enters it.
func (r *PolicyLoader) Reconcile(ctx context.Context, _ ctrl.Request) (ctrl.Result, error) {
	list := &policyv1.CompliancePolicyList{}
	if err := r.List(ctx, list); err != nil {
		return ctrl.Result{}, errors.Wrap(err, "cannot list CompliancePolicies")
	}
	r.Loader.Load(ctx, list.Items)
	return ctrl.Result{}, nil
}

// SetupLoader registers a PolicyLoader for e and returns its Loader. On its own it serves a process
// that judges but reports no status (the stand-alone admission webhook).
func SetupLoader(mgr ctrl.Manager, e *engine.Engine) (*Loader, error) {
	loader := &Loader{Engine: e}
	if err := (&PolicyLoader{Client: mgr.GetClient(), Loader: loader}).SetupWithManager(mgr); err != nil {
		return nil, errors.Wrap(err, "cannot set up CompliancePolicy loader")
	}
	return loader, nil
}

// Loader swaps sets of CompliancePolicies into an engine. The loader and the status reconciler of
// one process share one, so that the set they both list is compiled once.
type Loader struct {
	Engine *engine.Engine

	mu      sync.Mutex       // one Load at a time
	refused map[string]error // why each policy of the loaded set was left out; nil before any Load
	// loaded is the key of the set in the engine, "" (no policies) to start with. It is read
	// without mu, so that a readiness probe never waits for a compilation.
	loaded atomic.Pointer[string]
}

func (l *Loader) loadedKey() string {
	if k := l.loaded.Load(); k != nil {
		return *k
	}
	return ""
}

// Checker is a readiness check (healthz.Checker) that fails until the engine holds the
// CompliancePolicies reader lists: a replica must not answer admission requests before the
// cluster's custom policies are in force in it.
func (l *Loader) Checker(reader client.Reader) func(*http.Request) error {
	return func(req *http.Request) error {
		list := &policyv1.CompliancePolicyList{}
		if err := reader.List(req.Context(), list); err != nil {
			return errors.Wrap(err, "cannot list CompliancePolicies")
		}
		if setKey(byName(list.Items)) != l.loadedKey() {
			return fmt.Errorf("the %d CompliancePolicies are not all loaded into the policy engine yet", len(list.Items))
		}
		return nil
	}
}

// Load swaps the set of policies that compile together into the engine, unless that set is the one
// loaded already, and returns why each of the others was left out. Policies are added one at a
// time in name order, so one bad or conflicting policy cannot take the others out of force with
// it.
func (l *Loader) Load(ctx context.Context, items []policyv1.CompliancePolicy) map[string]error {
	items = byName(items)
	key := setKey(items)

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refused != nil && key == l.loadedKey() {
		return l.refused
	}
	l.refused = l.load(ctx, items)
	l.loaded.Store(&key)
	return l.refused
}

// byName returns the policies sorted by name, leaving items as they are.
func byName(items []policyv1.CompliancePolicy) []policyv1.CompliancePolicy {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b policyv1.CompliancePolicy) int { return strings.Compare(a.Name, b.Name) })
	return items
}

// setKey identifies a set of policies, sorted by name, by what the engine compiles from them: a
// new generation is new Rego, new tests or a new enforcement action.
func setKey(items []policyv1.CompliancePolicy) string {
	var b strings.Builder
	for _, cp := range items {
		fmt.Fprintf(&b, "%s/%s/%d;", cp.Name, cp.UID, cp.Generation)
	}
	return b.String()
}

func (l *Loader) load(ctx context.Context, items []policyv1.CompliancePolicy) map[string]error {
	refused := map[string]error{}
	accepted := make([]engine.CustomPolicy, 0, len(items))
	for i := range items {
		accepted = append(accepted, compliance.CustomPolicy(&items[i]))
	}
	// The set is compiled as a whole, as it will run: a policy may import another's package.
	// Their tests ran at admission and are not run again at every load, where a test on the
	// clock or a throttled pod could drop a policy admitted long before. A set that does not
	// compile loses the policies the compiler blames (their own modules do not compile, or they
	// take a package another holds), or else the last by name, so the outcome does not depend
	// on the order events arrive in; what is left is compiled again.
	for len(accepted) > 0 {
		err := l.Engine.SetCustomPolicies(ctx, accepted)
		if err == nil {
			return refused
		}
		blamed := engine.FaultyPolicies(err)
		kept := accepted[:0]
		for _, cp := range accepted {
			if slices.Contains(blamed, cp.Name) {
				refused[cp.Name] = err
				continue
			}
			kept = append(kept, cp)
		}
		if len(kept) == len(accepted) {
			last := accepted[len(accepted)-1]
			refused[last.Name] = errors.Wrap(err, "does not compile together with the other CompliancePolicies")
			kept = accepted[:len(accepted)-1]
		}
		accepted = kept
	}
	if err := l.Engine.SetCustomPolicies(ctx, nil); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "cannot clear custom policies")
	}
	return refused
}
