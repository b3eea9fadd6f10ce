// Package e2e drives LandingZones end to end: a real kube-apiserver (envtest), the ZoneKeeper
// zone reconciler composing AWS managed resources, the AWS managed resource reconcilers, and the
// AWS emulator moto, read back through the real SDK.
package e2e

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlconfig "sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
	lzctrl "github.com/zonekeeper/zonekeeper/controllers/landingzone"
	"github.com/zonekeeper/zonekeeper/internal/cli"
	"github.com/zonekeeper/zonekeeper/internal/moto"
	"github.com/zonekeeper/zonekeeper/internal/testenv"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

var (
	restCfg *rest.Config
	k8s     client.Client
	motoSrv *moto.Server
	motoErr error
	seq     atomic.Int64
)

const (
	region    = "us-east-1"
	accessKey = "AKIAZONEKEEPERE2E001"
	secretKey = "e2e/secret/Never+Shown/0123456789abcdef"
	issuer    = "oidc.e2e.zonekeeper.dev/id/E2E"
)

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
	restCfg = cfg
	if k8s, err = client.New(cfg, client.Options{Scheme: cli.Scheme()}); err != nil {
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

// stack is one test's world: a fresh moto with an organization, a namespace for the zones'
// managed resources, management credentials pointing at moto, and a running manager.
type stack struct {
	t    *testing.T
	ns   string
	mgmt string
	stop func()
}

func newStack(t *testing.T) *stack {
	t.Helper()
	moto.Require(t, motoSrv, motoErr)
	n := seq.Add(1)
	s := &stack{t: t, ns: fmt.Sprintf("zk-e2e-%d", n), mgmt: fmt.Sprintf("mgmt-%d", n)}
	create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: s.ns}})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: s.ns, Name: "aws"}, StringData: map[string]string{
		awsv1.SecretKeyAccessKeyID: accessKey, awsv1.SecretKeySecretAccessKey: secretKey,
	}})
	create(t, &awsv1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: s.mgmt}, Spec: awsv1.ProviderConfigSpec{
		Credentials: awsv1.Credentials{Source: awsv1.CredentialsSecret, SecretRef: &awsv1.SecretReference{Namespace: s.ns, Name: "aws"}},
		Endpoint:    &awsv1.Endpoint{URL: motoSrv.URL},
	}})
	orgs := organizations.NewFromConfig(awsConfig(t))
	if _, err := orgs.CreateOrganization(t.Context(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	s.stop = s.start()
	return s
}

// start runs a manager with the zone reconciler and the AWS reconcilers. Each test has its own;
// zones of earlier tests are deleted when those tests end.
func (s *stack) start() func() {
	s.t.Helper()
	mgr, err := ctrl.NewManager(restCfg, ctrl.Options{
		Scheme:     cli.Scheme(),
		Metrics:    metricsserver.Options{BindAddress: "0"},
		Controller: ctrlconfig.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	eng, err := engine.New(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := cli.Setup(ctx, mgr, cli.SetupOptions{
		Engine:       eng,
		AWS:          &lzctrl.AWSComposer{Namespace: s.ns, OrganizationRegion: region},
		AWSWorkloads: &lzctrl.WorkloadComposer{ServiceAccountIssuer: issuer},
	}); err != nil {
		s.t.Fatal(err)
	}
	err = awsctrl.Setup(mgr, awsctrl.Options{
		PollInterval:         time.Second,
		PollJitter:           100 * time.Millisecond,
		CreatingPollInterval: 200 * time.Millisecond,
		CreationGracePeriod:  time.Second,
		Timeout:              30 * time.Second,
		NewRateLimiter: func() workqueue.TypedRateLimiter[reconcile.Request] {
			return workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](50*time.Millisecond, 2*time.Second)
		},
		AWSLoadOptions: []func(*config.LoadOptions) error{config.WithRetryMaxAttempts(1)},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var stopped atomic.Bool
	stop := func() {
		if stopped.Swap(true) {
			return
		}
		cancel()
		if err := <-done; err != nil {
			s.t.Errorf("manager: %v", err)
		}
	}
	s.t.Cleanup(stop)
	return stop
}

// awsConfig reads moto as the management account.
func awsConfig(t *testing.T) sdkaws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion(region), config.WithBaseEndpoint(motoSrv.URL), config.WithRetryMaxAttempts(1),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIAE2EREADER0000001", "reader", "")))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// memberConfig reads moto as a member account, through its OrganizationAccountAccessRole.
func memberConfig(t *testing.T, account string) sdkaws.Config {
	t.Helper()
	mgmt := awsConfig(t)
	role, err := sts.NewFromConfig(mgmt).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: sdkaws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: sdkaws.String("e2e"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := mgmt.Copy()
	c.Credentials = credentials.NewStaticCredentialsProvider(*role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken)
	return c
}

func create(t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, o := range objs {
		if err := k8s.Create(context.Background(), o); err != nil {
			t.Fatalf("cannot create %T %s: %v", o, o.GetName(), err)
		}
	}
}

// eventually waits for check to pass; see testenv.Eventually.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	testenv.Eventually(t, 90*time.Second, what, check)
}
