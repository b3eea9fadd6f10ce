package cli

import (
	"context"
	"flag"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
	lzctrl "github.com/zonekeeper/zonekeeper/controllers/landingzone"
	policyctrl "github.com/zonekeeper/zonekeeper/controllers/policy"
	"github.com/zonekeeper/zonekeeper/internal/admission"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/internal/webhookserver"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// Scheme holds every kind the manager and the command line read: the webhook's, and the AWS
// managed resources.
func Scheme() *runtime.Scheme {
	s := webhookserver.Scheme()
	// AddToScheme only registers static Go types; it cannot fail at run time.
	_ = awsv1.AddToScheme(s)
	return s
}

type managerOptions struct {
	kubeconfig string
	// The flags the manager shares with zonekeeper-webhook: metrics, probes, the webhook's
	// address and certificate, and the policy settings both must agree on.
	common         webhookserver.Options
	leaderElect    bool
	leaderElectNS  string
	noWebhooks     bool
	pollInterval   time.Duration
	zoneNamespace  string
	orgRegion      string
	accountCreator string
	govCloudOrg    string
	saIssuer       string
	zap            zap.Options
}

func newManagerCommand() *cobra.Command {
	o := managerOptions{}
	cmd := &cobra.Command{
		Use:   "manager",
		Short: "Run the operator: reconcilers, admission webhook, metrics and health probes",
		RunE: func(*cobra.Command, []string) error {
			return runManager(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "path to a kubeconfig; defaults to $KUBECONFIG, ~/.kube/config, then in-cluster")
	common := flag.NewFlagSet("common", flag.ContinueOnError)
	o.common.BindFlags(common)
	f.AddGoFlagSet(common)
	f.BoolVar(&o.leaderElect, "leader-elect", false, "elect a leader so only one replica reconciles at a time (every replica serves the webhook)")
	f.StringVar(&o.leaderElectNS, "leader-election-namespace", "", "namespace of the leader election lease; defaults to the pod's namespace")
	f.BoolVar(&o.noWebhooks, "disable-webhooks", false, "do not serve the admission webhook: zonekeeper-webhook serves it, or policies are enforced only by the reconcilers' Compliant condition")
	f.DurationVar(&o.pollInterval, "poll-interval", awsctrl.DefaultPollInterval, "how often cloud resources are observed for drift, jittered by a tenth either way")
	f.StringVar(&o.zoneNamespace, "zone-namespace", "zonekeeper-system", "namespace of the managed resources a LandingZone composes; {tenant} is replaced by the zone's tenant")
	f.StringVar(&o.orgRegion, "organization-region", "us-east-1", "region of the AWS Organizations endpoint accounts are created through")
	f.StringVar(&o.saIssuer, "service-account-issuer", "", "the cluster's OIDC issuer (host/path, no https://) that IAM trusts for IRSA; workload roles are composed only with it")
	f.StringVar(&o.accountCreator, "account-creation-endpoint", "", "send the Organizations account-creation calls (CreateAccount, CreateGovCloudAccount, DescribeCreateAccountStatus, ListCreateAccountStatus) to this URL instead; for emulators that lack them, such as the demo's")
	f.StringVar(&o.govCloudOrg, "govcloud-organization-endpoint", "", "send the calls made in GovCloud organizations (invitations of GovCloud accounts, their acceptance, membership and OU placement) to this URL instead; for emulators that lack handshakes, such as the demo's")
	zfs := flag.NewFlagSet("zap", flag.ContinueOnError)
	o.zap.BindFlags(zfs)
	f.AddGoFlagSet(zfs)
	return cmd
}

func runManager(o managerOptions) error {
	if err := o.common.Err(); err != nil {
		return err
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&o.zap)))
	log := ctrl.Log.WithName("setup")
	cfg, err := restConfig(o.kubeconfig)
	if err != nil {
		return errors.Wrap(err, "cannot load kubeconfig")
	}
	ctx := ctrl.SetupSignalHandler()
	eng, err := engine.New(ctx, engine.WithEnforcementActions(o.common.Enforcement), engine.WithTimeout(o.common.PolicyTimeout))
	if err != nil {
		return errors.Wrap(err, "cannot start the policy engine")
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  Scheme(),
		Metrics:                 metricsserver.Options{BindAddress: o.common.MetricsAddr},
		HealthProbeBindAddress:  o.common.ProbeAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        "zonekeeper.zonekeeper.dev",
		LeaderElectionNamespace: o.leaderElectNS,
		WebhookServer:           webhook.NewServer(webhook.Options{Host: o.common.WebhookHost, Port: o.common.WebhookPort, CertDir: o.common.WebhookCertDir}),
	})
	if err != nil {
		return errors.Wrap(err, "cannot create manager")
	}
	err = Setup(ctx, mgr, SetupOptions{
		Engine:       eng,
		Webhooks:     !o.noWebhooks,
		AWS:          &lzctrl.AWSComposer{Namespace: o.zoneNamespace, OrganizationRegion: o.orgRegion},
		AWSWorkloads: &lzctrl.WorkloadComposer{ServiceAccountIssuer: o.saIssuer},
	})
	if err != nil {
		return err
	}
	awsOpts := awsctrl.Options{PollInterval: o.pollInterval, AWSLoadOptions: []func(*config.LoadOptions) error{awsclient.WithCallMetrics()}}
	if o.accountCreator != "" {
		endpoint := o.accountCreator
		awsOpts.NewAccountCreator = func(cfg sdkaws.Config) awsclient.AccountCreator {
			return organizations.NewFromConfig(cfg, overrideEndpoint(endpoint))
		}
	}
	if o.govCloudOrg != "" {
		endpoint := o.govCloudOrg
		awsOpts.NewGovCloudOrganization = func(cfg sdkaws.Config) awsclient.GovCloudOrganization {
			return organizations.NewFromConfig(cfg, overrideEndpoint(endpoint))
		}
	}
	if err := awsctrl.Setup(mgr, awsOpts); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return errors.Wrap(err, "cannot add health check")
	}
	ready := healthz.Ping
	if !o.noWebhooks {
		ready = mgr.GetWebhookServer().StartedChecker()
	}
	if err := mgr.AddReadyzCheck("readyz", ready); err != nil {
		return errors.Wrap(err, "cannot add ready check")
	}
	log.Info("starting manager", "metrics", o.common.MetricsAddr, "probes", o.common.ProbeAddr, "leaderElection", o.leaderElect, "webhooks", !o.noWebhooks)
	return errors.Wrap(mgr.Start(ctx), "manager stopped with an error")
}

// overrideEndpoint sends an Organizations client's calls to endpoint. FIPS endpoint selection,
// the default in GovCloud regions, cannot be combined with a custom endpoint, so it is turned off
// for this client alone.
func overrideEndpoint(endpoint string) func(*organizations.Options) {
	return func(o *organizations.Options) {
		o.BaseEndpoint = &endpoint
		o.EndpointOptions.UseFIPSEndpoint = sdkaws.FIPSEndpointStateDisabled
	}
}

// SetupOptions say what Setup wires.
type SetupOptions struct {
	// Engine judges at admission and in the reconcilers alike.
	Engine *engine.Engine
	// Webhooks serves the admission webhook.
	Webhooks bool
	// AWS provisions AWS zones; nil leaves them Pending.
	AWS *lzctrl.AWSComposer
	// AWSWorkloads provisions the workloads of AWS zones; nil leaves them Pending.
	AWSWorkloads *lzctrl.WorkloadComposer
}

// Setup wires the ZoneKeeper reconcilers and, when asked, the admission webhook into mgr around
// one policy engine, so admission and reconcilers judge with the same policies. The AWS managed
// resource reconcilers are set up apart (awsctrl.Setup). Tests call it too.
func Setup(ctx context.Context, mgr ctrl.Manager, o SetupOptions) error {
	eng := o.Engine
	tracker := compliance.NewTracker()
	if err := lzctrl.Setup(ctx, mgr, &lzctrl.Evaluator{Engine: eng, Tracker: tracker}, o.AWS, o.AWSWorkloads); err != nil {
		return err
	}
	loader, err := policyctrl.Setup(mgr, eng)
	if err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("policies", loader.Checker(mgr.GetClient())); err != nil {
		return errors.Wrap(err, "cannot add policies ready check")
	}
	if !o.Webhooks {
		return nil
	}
	return admission.Setup(mgr, &admission.Checker{Engine: eng, Reader: mgr.GetClient(), Record: compliance.CountAdmission})
}
