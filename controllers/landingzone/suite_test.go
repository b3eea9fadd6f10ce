package landingzone_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	lzctrl "github.com/zonekeeper/zonekeeper/controllers/landingzone"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// k8s reads and writes straight to the real API server (no cache), so what a test sees is what the
// reconcilers wrote, not what a shared informer happens to hold.
var k8s client.Client

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(testenv.LogLevel())))
	env, cfg, err := testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer testenv.Stop(env)
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = lzv1.AddToScheme(s)
	_ = policyv1.AddToScheme(s)

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: s, Metrics: metricsserver.Options{BindAddress: "0"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	managerClient = mgr.GetClient()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng, err = engine.New(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := lzctrl.Setup(ctx, mgr, &lzctrl.Evaluator{Engine: eng, Tracker: compliance.NewTracker()}, nil, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	if k8s, err = client.New(cfg, client.Options{Scheme: s}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// managerClient is the manager's client: reads come from its cache, with the field indexes the
// reconcilers list by, for tests that drive a reconciler's passes by hand.
var managerClient client.Client

// eng is the reconcilers' policy engine; no loader runs here, so tests set its custom policies.
var eng *engine.Engine

// eventually waits for check to pass; see testenv.Eventually.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	testenv.Eventually(t, 30*time.Second, what, check)
}
