package aws_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

// The suite runs the real crossplane managed reconciler in a controller-runtime manager against a
// real kube-apiserver (envtest) and a real AWS emulator (moto), then reads AWS back through the SDK.
// Each test resets moto and runs its own manager, watching only the test's own namespace, so no
// test's objects are reconciled against another test's cloud.

var (
	scheme    = runtime.NewScheme()
	restCfg   *rest.Config
	k8s       client.Client
	motoSrv   *moto.Server
	motoErr   error
	namespace atomic.Int64
)

const (
	region     = "us-gov-west-1"
	orgRegion  = "us-east-1" // the commercial organization GovCloud accounts are created from
	accessKey  = "AKIAZONEKEEPERTEST01"
	secretKey  = "zk/secret/Do+Not+Leak+Me/0123456789abcdef"
	sessionTok = "zk-session-token-never-shown"
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(testenv.LogLevel())))
	_ = clientgoscheme.AddToScheme(scheme)
	_ = awsv1.AddToScheme(scheme)
	env, cfg, err := testenv.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer testenv.Stop(env)
	restCfg = cfg
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	motoSrv, motoErr = moto.Start()
	defer func() {
		if motoSrv != nil {
			_ = motoSrv.Stop()
		}
	}()
	return m.Run()
}

// options are the reconcilers' options in tests: short intervals instead of timed assertions, and
// AWS calls that fail at once instead of retrying what moto does not implement.
func options() awsctrl.Options {
	return awsctrl.Options{
		PollInterval:         time.Second,
		PollJitter:           100 * time.Millisecond,
		CreatingPollInterval: 200 * time.Millisecond,
		CreationGracePeriod:  time.Second,
		Timeout:              30 * time.Second,
		NewRateLimiter: func() workqueue.TypedRateLimiter[reconcile.Request] {
			return workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](50*time.Millisecond, 2*time.Second)
		},
		AWSLoadOptions: []func(*config.LoadOptions) error{config.WithRetryMaxAttempts(1)},
	}
}

// zone is one test's namespace, its credentials pointing at moto, and its running manager.
type zone struct {
	t  *testing.T
	ns string
	// also are more namespaces the manager watches besides ns.
	also []string
}

// newZone resets moto, creates a namespace with a Secret and a ProviderConfig named aws, and starts
// the reconcilers for that namespace with o (options() when none is given).
func newZone(t *testing.T, o ...awsctrl.Options) *zone {
	t.Helper()
	z := setupZone(t)
	opts := options()
	if len(o) > 0 {
		opts = o[0]
	}
	z.start(opts, logr.Logger{})
	return z
}

// setupZone is newZone without a manager: the test starts its own.
func setupZone(t *testing.T) *zone {
	t.Helper()
	moto.Require(t, motoSrv, motoErr)
	z := &zone{t: t, ns: fmt.Sprintf("zk-aws-%d", namespace.Add(1))}
	z.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: z.ns}})
	z.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: z.ns, Name: "aws"}, StringData: map[string]string{
		awsv1.SecretKeyAccessKeyID: accessKey, awsv1.SecretKeySecretAccessKey: secretKey, awsv1.SecretKeySessionToken: sessionTok,
	}})
	z.create(z.providerConfig("aws"))
	return z
}

// in is z for the subtest t: a failure inside a subtest must end that subtest, not call FailNow
// on the parent from the subtest's goroutine.
func (z *zone) in(t *testing.T) *zone {
	c := *z
	c.t = t
	return &c
}

func (z *zone) providerConfig(name string, chain ...awsv1.AssumeRole) *awsv1.ProviderConfig {
	return &awsv1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: z.ns, Name: name}, Spec: awsv1.ProviderConfigSpec{
		Credentials:     awsv1.Credentials{Source: awsv1.CredentialsSecret, SecretRef: &awsv1.SecretReference{Name: "aws"}},
		AssumeRoleChain: chain,
		Endpoint:        &awsv1.Endpoint{URL: motoSrv.URL},
	}}
}

// start runs a manager with the AWS reconcilers for the zone's namespace until the test ends or
// the returned stop is called. A zero log uses the suite's logger.
func (z *zone) start(o awsctrl.Options, log logr.Logger) (stop func()) {
	z.t.Helper()
	opts := ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsserver.Options{BindAddress: "0"},
		Cache:   cache.Options{DefaultNamespaces: map[string]cache.Config{z.ns: {}}},
		// Every test runs its own manager with the same controllers.
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	}
	for _, ns := range z.also {
		opts.Cache.DefaultNamespaces[ns] = cache.Config{}
	}
	if log.GetSink() != nil {
		opts.Logger = log
	}
	mgr, err := ctrl.NewManager(restCfg, opts)
	if err != nil {
		z.t.Fatal(err)
	}
	if err := awsctrl.Setup(mgr, o); err != nil {
		z.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var stopped atomic.Bool
	stop = func() {
		if stopped.Swap(true) {
			return
		}
		cancel()
		if err := <-done; err != nil {
			z.t.Errorf("manager: %v", err)
		}
	}
	z.t.Cleanup(stop)
	return stop
}

// awsConfig is an SDK configuration for reading moto directly, as the management account.
func awsConfig(t *testing.T, r string) sdkaws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion(r), config.WithBaseEndpoint(motoSrv.URL), config.WithRetryMaxAttempts(1),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIATESTREADER", "reader", "")))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (z *zone) create(objs ...client.Object) {
	z.t.Helper()
	for _, o := range objs {
		if err := k8s.Create(context.Background(), o); err != nil {
			z.t.Fatalf("cannot create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// update applies change to the latest version of obj, retrying on conflicts with the reconciler.
func (z *zone) update(obj client.Object, change func()) {
	z.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		return k8s.Update(context.Background(), obj)
	})
	if err != nil {
		z.t.Fatalf("cannot update %s: %v", obj.GetName(), err)
	}
}

// pause stops reconciling mg (crossplane's paused annotation) and waits until the reconciler says
// so: no reconcile of mg is then under way.
func (z *zone) pause(mg resource.Managed) {
	z.t.Helper()
	z.update(mg, func() { meta.AddAnnotations(mg, map[string]string{meta.AnnotationKeyReconciliationPaused: "true"}) })
	eventually(z.t, fmt.Sprintf("%s paused", mg.GetName()), func() error {
		if err := z.get(mg); err != nil {
			return err
		}
		if c := mg.GetCondition(xpv2.TypeSynced); c.Reason != xpv2.ReasonReconcilePaused {
			return fmt.Errorf("Synced=%s (%s)", c.Status, c.Reason)
		}
		return nil
	})
}

// resume undoes pause.
func (z *zone) resume(mg resource.Managed) {
	z.t.Helper()
	z.update(mg, func() { meta.RemoveAnnotations(mg, meta.AnnotationKeyReconciliationPaused) })
}

func (z *zone) get(obj client.Object) error {
	return k8s.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
}

// eventually waits for check to pass; see testenv.Eventually.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	testenv.Eventually(t, 60*time.Second, what, check)
}

// waitReady waits until mg is Ready and Synced for its current generation.
func (z *zone) waitReady(mg resource.Managed) {
	z.t.Helper()
	eventually(z.t, fmt.Sprintf("%T %s Ready", mg, mg.GetName()), func() error {
		if err := z.get(mg); err != nil {
			return err
		}
		return readyErr(mg)
	})
}

func readyErr(mg resource.Managed) error {
	r, s := mg.GetCondition(xpv2.TypeReady), mg.GetCondition(xpv2.TypeSynced)
	if s.Status != corev1.ConditionTrue || r.Status != corev1.ConditionTrue || r.ObservedGeneration != mg.GetGeneration() {
		return fmt.Errorf("Ready=%s (%s: %s) Synced=%s (%s: %s) generation %d/%d", r.Status, r.Reason, r.Message, s.Status, s.Reason, s.Message, r.ObservedGeneration, mg.GetGeneration())
	}
	return nil
}

// deleteAndWait deletes objs and waits until they are gone from the API server.
func (z *zone) deleteAndWait(objs ...client.Object) {
	z.t.Helper()
	for _, o := range objs {
		if err := k8s.Delete(context.Background(), o); err != nil {
			z.t.Fatalf("cannot delete %s: %v", o.GetName(), err)
		}
	}
	for _, o := range objs {
		eventually(z.t, "deletion of "+o.GetName(), func() error {
			if err := z.get(o); err == nil {
				return fmt.Errorf("still there, finalizers %v", o.GetFinalizers())
			} else if client.IgnoreNotFound(err) != nil {
				return err
			}
			return nil
		})
	}
}

// events returns the events recorded about the object named name in the zone's namespace.
func (z *zone) events(name string) []eventsv1.Event {
	z.t.Helper()
	l := &eventsv1.EventList{}
	if err := k8s.List(context.Background(), l, client.InNamespace(z.ns)); err != nil {
		z.t.Fatal(err)
	}
	var out []eventsv1.Event
	for _, e := range l.Items {
		if e.Regarding.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// waitEvent waits for an event about name with reason whose note contains every one of words.
func (z *zone) waitEvent(name, reason string, words ...string) eventsv1.Event {
	z.t.Helper()
	var found eventsv1.Event
	eventually(z.t, fmt.Sprintf("event %s about %s mentioning %q", reason, name, words), func() error {
		var seen []string
		for _, e := range z.events(name) {
			seen = append(seen, e.Reason+": "+e.Note)
			if e.Reason != reason {
				continue
			}
			ok := true
			for _, w := range words {
				ok = ok && strings.Contains(e.Note, w)
			}
			if ok {
				found = e
				return nil
			}
		}
		return fmt.Errorf("events so far: %q", seen)
	})
	return found
}

func pcRef(name string) *xpv2.ProviderConfigReference {
	return &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: name}
}

func spec(pc string) awsv1.ResourceSpec {
	return awsv1.ResourceSpec{ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: pcRef(pc)}}
}

func zapLevelDebug() zapcore.Level { return zapcore.DebugLevel }
