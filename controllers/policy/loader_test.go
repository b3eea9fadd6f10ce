package policy_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	policyctrl "github.com/zonekeeper/zonekeeper/controllers/policy"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

var (
	cfg *rest.Config
	k8s client.Client
)

func TestMain(m *testing.M) {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(testenv.LogLevel())))
	os.Exit(testenv.MainWithConfig(m, &cfg, &k8s, policyv1.AddToScheme))
}

const customPolicy = `package zonekeeper.custom.owner

controls := {"CM-8"}

violation contains {"control": "CM-8", "severity": "low", "field": "metadata.labels.owner", "message": "label the object with its owner"} if {
	not input.object.metadata.labels.owner
}
`

func loaded(e *engine.Engine, name string) bool {
	return slices.ContainsFunc(e.Policies(), func(p engine.PolicyInfo) bool { return !p.Builtin && p.Name == name })
}

// TestStandbyReplicaLoadsPoliciesAndLeavesStatusToTheLeader runs the manager's policy controllers
// in a replica that never wins the leader election, as the second of the Deployment's replicas:
// it serves admission too, so its engine must hold the cluster's CompliancePolicies, while the
// status is the leader's to write.
func TestStandbyReplicaLoadsPoliciesAndLeavesStatusToTheLeader(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const leaseName = "zonekeeper-standby-test"
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: leaseName, Namespace: "default"},
		Spec: coordinationv1.LeaseSpec{
			HolderIdentity:       ptr.To("the-leader"),
			LeaseDurationSeconds: ptr.To[int32](3600),
			AcquireTime:          &metav1.MicroTime{Time: time.Now()},
			RenewTime:            &metav1.MicroTime{Time: time.Now()},
		},
	}
	if err := k8s.Create(ctx, lease); err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  k8s.Scheme(),
		Metrics:                 metricsserver.Options{BindAddress: "0"},
		LeaderElection:          true,
		LeaderElectionID:        leaseName,
		LeaderElectionNamespace: "default",
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loader, err := policyctrl.Setup(mgr, eng)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	}()
	readyz := func() error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/readyz", nil)
		return loader.Checker(mgr.GetClient())(req)
	}
	testenv.Eventually(t, 30*time.Second, "ready with no CompliancePolicy", readyz)

	cp := &policyv1.CompliancePolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "owner-labels"},
		Spec:       policyv1.CompliancePolicySpec{Modules: []policyv1.RegoFile{{Name: "owner.rego", Rego: customPolicy}}},
	}
	if err := k8s.Create(ctx, cp); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = k8s.Delete(context.Background(), cp) }()
	testenv.Eventually(t, 30*time.Second, "the standby's engine holds the CompliancePolicy", func() error {
		if !loaded(eng, cp.Name) {
			return fmt.Errorf("policy %s not loaded", cp.Name)
		}
		return readyz()
	})

	select {
	case <-mgr.Elected():
		t.Fatal("the replica was elected leader: the test proves nothing")
	default:
	}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(cp), cp); err != nil {
		t.Fatal(err)
	}
	if len(cp.Status.Conditions) != 0 {
		t.Errorf("a standby replica wrote status %+v; only the leader may", cp.Status.Conditions)
	}

	// Deleting the policy takes it out of the standby's engine too.
	if err := k8s.Delete(ctx, cp); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, "the deleted CompliancePolicy leaves the engine", func() error {
		if loaded(eng, cp.Name) {
			return fmt.Errorf("policy %s still loaded", cp.Name)
		}
		return readyz()
	})
}

// TestAPolicyTakesOverThePackageOfOneDeletedMeanwhile: a CompliancePolicy renamed (the old one
// deleted, the new one created, seen in one pass) must be loaded, not refused for sharing its
// package with a policy that is no longer listed.
func TestAPolicyTakesOverThePackageOfOneDeletedMeanwhile(t *testing.T) {
	ctx := context.Background()
	eng, err := engine.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := &policyctrl.Loader{Engine: eng}
	policy := func(name string, gen int64) policyv1.CompliancePolicy {
		return policyv1.CompliancePolicy{
			ObjectMeta: metav1.ObjectMeta{Name: name, UID: "uid-" + types.UID(name), Generation: gen},
			Spec:       policyv1.CompliancePolicySpec{Modules: []policyv1.RegoFile{{Name: "owner.rego", Rego: customPolicy}}},
		}
	}
	if refused := l.Load(ctx, []policyv1.CompliancePolicy{policy("a-old", 1)}); len(refused) > 0 {
		t.Fatalf("the first policy was refused: %v", refused)
	}
	if refused := l.Load(ctx, []policyv1.CompliancePolicy{policy("b-new", 1)}); len(refused) > 0 {
		t.Errorf("the policy that replaced a-old was refused: %v", refused)
	}
	if !loaded(eng, "b-new") || loaded(eng, "a-old") {
		t.Errorf("engine holds %v, want b-new alone", eng.Policies())
	}
	// Two listed policies in one package still cannot both be in force: the later by name is
	// refused, naming the other.
	refused := l.Load(ctx, []policyv1.CompliancePolicy{policy("b-new", 1), policy("c-copy", 1)})
	if err := refused["c-copy"]; err == nil || !strings.Contains(err.Error(), "b-new") {
		t.Errorf("refused = %v, want c-copy refused for sharing b-new's package", refused)
	}
	if !loaded(eng, "b-new") {
		t.Errorf("b-new left the engine with c-copy: %v", eng.Policies())
	}
}

// TestLoadingRunsNoTests: a policy's tests gate it at admission only. Run again at every load, a
// test that depends on the clock, or outlives its timeout on a throttled pod, would drop a policy
// admitted long before; loading compiles it and no more.
func TestLoadingRunsNoTests(t *testing.T) {
	ctx := context.Background()
	eng, err := engine.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := &policyctrl.Loader{Engine: eng}
	cp := policyv1.CompliancePolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "owner", UID: "uid-owner", Generation: 1},
		Spec: policyv1.CompliancePolicySpec{
			Modules: []policyv1.RegoFile{{Name: "owner.rego", Rego: customPolicy}},
			Tests:   []policyv1.RegoFile{{Name: "owner_test.rego", Rego: "package zonekeeper.custom.owner_test\n\ntest_admitted_a_while_ago if {\n\ttime.now_ns() < 0\n}\n"}},
		},
	}
	if refused := l.Load(ctx, []policyv1.CompliancePolicy{cp}); len(refused) > 0 {
		t.Errorf("a policy whose test fails now was refused at load: %v", refused)
	}
	if !loaded(eng, "owner") {
		t.Errorf("engine holds %v, want owner", eng.Policies())
	}
}

// TestPoliciesMayImportEachOther: the set is compiled as it runs, so a policy that imports another
// policy's package is loaded with it; and a policy that does not compile is refused alone, with
// those that need it, not the others.
func TestPoliciesMayImportEachOther(t *testing.T) {
	ctx := context.Background()
	eng, err := engine.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := &policyctrl.Loader{Engine: eng}
	policy := func(name, pkg, rego string) policyv1.CompliancePolicy {
		return policyv1.CompliancePolicy{
			ObjectMeta: metav1.ObjectMeta{Name: name, UID: "uid-" + types.UID(name), Generation: 1},
			Spec:       policyv1.CompliancePolicySpec{Modules: []policyv1.RegoFile{{Name: pkg + ".rego", Rego: rego}}},
		}
	}
	helpers := policy("a-helpers", "helpers", `package zonekeeper.custom.helpers

controls := {"ZK-HELP-1"}

violation contains {"control": "ZK-HELP-1", "severity": "low", "field": "metadata.name", "message": "m"} if false

unowned if not input.object.metadata.labels.owner
`)
	user := policy("b-owner", "owner", `package zonekeeper.custom.owner

import data.zonekeeper.custom.helpers

controls := {"CM-8"}

violation contains {"control": "CM-8", "severity": "low", "field": "metadata.labels.owner", "message": "label the object with its owner"} if helpers.unowned
`)
	other := policy("c-tags", "tags", strings.Replace(customPolicy, "zonekeeper.custom.owner", "zonekeeper.custom.tags", 1))
	if refused := l.Load(ctx, []policyv1.CompliancePolicy{helpers, user, other}); len(refused) > 0 {
		t.Fatalf("a policy importing another's package was refused: %v", refused)
	}
	for _, name := range []string{"a-helpers", "b-owner", "c-tags"} {
		if !loaded(eng, name) {
			t.Errorf("%s is not loaded: %v", name, eng.Policies())
		}
	}

	broken := policy("a-helpers", "helpers", strings.Replace(helpers.Spec.Modules[0].Rego, "unowned if not", "unowned if count(1) > 0; not", 1))
	broken.Generation = 2
	refused := l.Load(ctx, []policyv1.CompliancePolicy{broken, user, other})
	if refused["a-helpers"] == nil || refused["b-owner"] == nil || refused["c-tags"] != nil {
		t.Errorf("refused = %v; want a-helpers (broken) and b-owner (needs it), not c-tags", refused)
	}
	if !loaded(eng, "c-tags") {
		t.Errorf("c-tags left the engine with the broken policy: %v", eng.Policies())
	}
}
