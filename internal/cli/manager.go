package cli

import (
	"flag"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	lzctrl "github.com/zonekeeper/zonekeeper/controllers/landingzone"
)

// Scheme holds every kind the manager and the command line read.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	// Both AddToScheme calls only register static Go types; they cannot fail at run time.
	_ = clientgoscheme.AddToScheme(s)
	_ = lzv1.AddToScheme(s)
	return s
}

type managerOptions struct {
	kubeconfig    string
	metricsAddr   string
	probeAddr     string
	leaderElect   bool
	leaderElectNS string
	zap           zap.Options
}

func newManagerCommand() *cobra.Command {
	o := managerOptions{}
	cmd := &cobra.Command{
		Use:   "manager",
		Short: "Run the operator: reconcilers, metrics and health probes",
		RunE: func(*cobra.Command, []string) error {
			return runManager(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "path to a kubeconfig; defaults to $KUBECONFIG, ~/.kube/config, then in-cluster")
	f.StringVar(&o.metricsAddr, "metrics-bind-address", ":8080", "address the Prometheus metrics endpoint binds to; 0 disables it")
	f.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "address the /healthz and /readyz probes bind to")
	f.BoolVar(&o.leaderElect, "leader-elect", false, "elect a leader so only one replica reconciles at a time")
	f.StringVar(&o.leaderElectNS, "leader-election-namespace", "", "namespace of the leader election lease; defaults to the pod's namespace")
	zfs := flag.NewFlagSet("zap", flag.ContinueOnError)
	o.zap.BindFlags(zfs)
	f.AddGoFlagSet(zfs)
	return cmd
}

func runManager(o managerOptions) error {
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&o.zap)))
	cfg, err := restConfig(o.kubeconfig)
	if err != nil {
		return errors.Wrap(err, "cannot load kubeconfig")
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  Scheme(),
		Metrics:                 metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress:  o.probeAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        "zonekeeper.zonekeeper.dev",
		LeaderElectionNamespace: o.leaderElectNS,
	})
	if err != nil {
		return errors.Wrap(err, "cannot create manager")
	}
	ctx := ctrl.SetupSignalHandler()
	if err := lzctrl.Setup(ctx, mgr); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return errors.Wrap(err, "cannot add health check")
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return errors.Wrap(err, "cannot add ready check")
	}
	ctrl.Log.WithName("setup").Info("starting manager", "metrics", o.metricsAddr, "probes", o.probeAddr, "leaderElection", o.leaderElect)
	return errors.Wrap(mgr.Start(ctx), "manager stopped with an error")
}
