// Package webhookserver runs ZoneKeeper's admission webhook as a process of its own
// (cmd/zonekeeper-webhook): the webhook server, the caches admission reads and the CompliancePolicy
// loader, and nothing else. The process every admission request reaches then links no reconciler
// and no cloud SDK, holds no cloud credentials and can only read, and it maps a third less of its
// executable; the manager runs with --disable-webhooks beside it (config/default). Every replica
// serves: there is no leader election.
package webhookserver

import (
	"context"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	policyctrl "github.com/zonekeeper/zonekeeper/controllers/policy"
	"github.com/zonekeeper/zonekeeper/internal/admission"
	"github.com/zonekeeper/zonekeeper/internal/compliance"
	"github.com/zonekeeper/zonekeeper/policies/engine"
)

// What admission reads: the objects an input is built from, the exceptions that may waive a
// violation, and the custom policies the engine loads. Nothing is written.
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=landingzone.zonekeeper.dev,resources=landingzones;workloads;dataclassifications,verbs=get;list;watch
// +kubebuilder:rbac:groups=policy.zonekeeper.dev,resources=compliancepolicies;policyexceptions,verbs=get;list;watch

// Scheme holds the kinds the webhook reads.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	// The AddToScheme calls only register static Go types; they cannot fail at run time.
	_ = clientgoscheme.AddToScheme(s)
	_ = lzv1.AddToScheme(s)
	_ = policyv1.AddToScheme(s)
	return s
}

// Options configure the webhook process. The policy settings must match the manager's, so that
// admission and the reconcilers' Compliant condition judge alike.
type Options struct {
	MetricsAddr    string
	ProbeAddr      string
	WebhookHost    string
	WebhookPort    int
	WebhookCertDir string
	// Enforcement is the enforcement action per built-in baseline (deny by default).
	Enforcement map[string]string
	// PolicyTimeout bounds one evaluation.
	PolicyTimeout time.Duration

	envErr error // a policy setting in the environment that could not be read
}

// Run serves the admission webhook until ctx ends. It is ready (/readyz) once the webhook server
// has started and the cluster's CompliancePolicies are loaded into its engine.
func Run(ctx context.Context, cfg *rest.Config, o Options) error {
	if err := o.Err(); err != nil {
		return err
	}
	eng, err := engine.New(ctx, engine.WithEnforcementActions(o.Enforcement), engine.WithTimeout(o.PolicyTimeout))
	if err != nil {
		return errors.Wrap(err, "cannot start the policy engine")
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 Scheme(),
		Metrics:                metricsserver.Options{BindAddress: o.MetricsAddr},
		HealthProbeBindAddress: o.ProbeAddr,
		WebhookServer:          webhook.NewServer(webhook.Options{Host: o.WebhookHost, Port: o.WebhookPort, CertDir: o.WebhookCertDir}),
	})
	if err != nil {
		return errors.Wrap(err, "cannot create manager")
	}
	loader, err := policyctrl.SetupLoader(mgr, eng)
	if err != nil {
		return err
	}
	if err := admission.Setup(mgr, &admission.Checker{Engine: eng, Reader: mgr.GetClient(), Record: compliance.CountAdmission}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return errors.Wrap(err, "cannot add health check")
	}
	if err := mgr.AddReadyzCheck("webhook", mgr.GetWebhookServer().StartedChecker()); err != nil {
		return errors.Wrap(err, "cannot add webhook ready check")
	}
	if err := mgr.AddReadyzCheck("policies", loader.Checker(mgr.GetClient())); err != nil {
		return errors.Wrap(err, "cannot add policies ready check")
	}
	ctrl.Log.WithName("setup").Info("starting admission webhook", "metrics", o.MetricsAddr, "probes", o.ProbeAddr, "port", o.WebhookPort)
	return errors.Wrap(mgr.Start(ctx), "webhook stopped with an error")
}
