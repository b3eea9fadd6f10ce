// Package aws reconciles ZoneKeeper's AWS managed resources (Account, VPC, Key, AuditTrail) with
// crossplane-runtime's managed reconciler: each kind has a connector that builds AWS clients from
// the object's ProviderConfig, and an external client whose Observe compares AWS with the spec and
// decides; Create, Update and Delete act on what Observe found.
package aws

import (
	"math/rand/v2"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

// Defaults of Options.
const (
	// DefaultPollInterval is how often an up-to-date object is observed again for drift. Minutes,
	// not seconds: every observation is several AWS calls, and AWS throttles.
	DefaultPollInterval = 5 * time.Minute
	// DefaultCreatingPollInterval is how often an object AWS is still creating (an account whose
	// creation is IN_PROGRESS) is looked at.
	DefaultCreatingPollInterval = 30 * time.Second
	// DefaultTimeout bounds the AWS calls of one reconcile.
	DefaultTimeout = 2 * time.Minute
	// DefaultCreationGracePeriod is how long after a create call a missing object is taken for
	// AWS's eventual consistency rather than for gone.
	DefaultCreationGracePeriod = 30 * time.Second
)

// Options configure the AWS reconcilers. The zero value is production's defaults; tests shorten
// the intervals and make AWS calls fail fast rather than waiting on timed assertions.
type Options struct {
	// PollInterval between observations of an up-to-date object; DefaultPollInterval when zero.
	PollInterval time.Duration
	// PollJitter is the most a poll is moved earlier or later at random, so objects created
	// together do not poll AWS together. A tenth of PollInterval when zero.
	PollJitter time.Duration
	// CreatingPollInterval between observations of an object AWS is still creating;
	// DefaultCreatingPollInterval when zero.
	CreatingPollInterval time.Duration
	// Timeout of one reconcile's AWS calls; DefaultTimeout when zero.
	Timeout time.Duration
	// CreationGracePeriod; DefaultCreationGracePeriod when zero.
	CreationGracePeriod time.Duration
	// NewRateLimiter returns the rate limiter of failed reconciles of one kind; crossplane's
	// per-object exponential backoff (1s to 60s) when nil.
	NewRateLimiter func() workqueue.TypedRateLimiter[reconcile.Request]
	// MaxConcurrentReconciles per kind; 2 when zero.
	MaxConcurrentReconciles int
	// AWSLoadOptions are applied to every AWS configuration after ZoneKeeper's own.
	AWSLoadOptions []func(*config.LoadOptions) error
	// NewAccountCreator returns the client Account creation calls go to; by default the same
	// Organizations client as every other Account call. Tests replace it for the calls moto lacks.
	NewAccountCreator func(sdkaws.Config) awsclient.AccountCreator
	// NewGovCloudOrganization returns the client of the GovCloud organization a GovCloud account
	// joins, for its management account and for the account accepting its invitation. Tests
	// replace it: moto has no handshakes.
	NewGovCloudOrganization func(sdkaws.Config) awsclient.GovCloudOrganization
	// InUsePollInterval between looks at a ProviderConfig whose deletion waits for its users;
	// DefaultInUsePollInterval when zero.
	InUsePollInterval time.Duration
}

func (o Options) withDefaults() Options {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.PollJitter <= 0 {
		o.PollJitter = o.PollInterval / 10
	}
	if o.CreatingPollInterval <= 0 {
		o.CreatingPollInterval = DefaultCreatingPollInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.CreationGracePeriod <= 0 {
		o.CreationGracePeriod = DefaultCreationGracePeriod
	}
	if o.NewRateLimiter == nil {
		o.NewRateLimiter = ratelimiter.NewController
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 2
	}
	if o.InUsePollInterval <= 0 {
		o.InUsePollInterval = DefaultInUsePollInterval
	}
	if o.NewAccountCreator == nil {
		o.NewAccountCreator = func(cfg sdkaws.Config) awsclient.AccountCreator { return organizations.NewFromConfig(cfg) }
	}
	if o.NewGovCloudOrganization == nil {
		o.NewGovCloudOrganization = func(cfg sdkaws.Config) awsclient.GovCloudOrganization { return organizations.NewFromConfig(cfg) }
	}
	return o
}

// pollHook returns the delay before an object is observed again after a successful reconcile: the
// poll interval, shorter while AWS is still creating the object, moved by up to the jitter either
// way.
func pollHook(o Options) managed.PollIntervalHook {
	return func(mg resource.Managed, interval time.Duration) time.Duration {
		if mg.GetCondition(xpv2.TypeReady).Reason == xpv2.ReasonCreating && interval > o.CreatingPollInterval {
			interval = o.CreatingPollInterval
		}
		return jitter(interval, o.PollJitter)
	}
}

// jitter moves d by a random amount in [-j, j], never below half of d.
func jitter(d, j time.Duration) time.Duration {
	if j <= 0 {
		return d
	}
	out := d + time.Duration((rand.Float64()*2-1)*float64(j)) //nolint:gosec // Spreading polls needs no secure randomness.
	return max(out, d/2)
}

// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=accounts;vpcs;keys;audittrails;buckets;roles,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=accounts/status;vpcs/status;keys/status;audittrails/status;buckets/status;roles/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=accounts/finalizers;vpcs/finalizers;keys/finalizers;audittrails/finalizers;buckets/finalizers;roles/finalizers,verbs=update
// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=providerconfigs;clusterproviderconfigs,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=providerconfigs/status;clusterproviderconfigs/status,verbs=get;patch
// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=providerconfigs/finalizers;clusterproviderconfigs/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Setup registers the Account, VPC, Key, AuditTrail, Bucket and Role reconcilers with mgr, and
// those that keep a ProviderConfig or ClusterProviderConfig while they use it.
func Setup(mgr ctrl.Manager, o Options) error {
	o = o.withDefaults()
	// ProviderConfigs and Secrets are read straight from the API server when an object is
	// reconciled: caching Secrets would mean watching every Secret in the cluster, and a
	// ProviderConfig changed a moment ago must be used as it is now.
	r := awsclient.NewResolver(mgr.GetAPIReader(), o.AWSLoadOptions...)
	usage := &usageRecorder{kube: mgr.GetClient()}
	return errors.Join(
		setupUsage(mgr, "aws-providerconfig-usage", awsv1.ProviderConfigGroupVersionKind.Kind,
			func() *awsv1.ProviderConfig { return &awsv1.ProviderConfig{} }, o),
		setupUsage(mgr, "aws-clusterproviderconfig-usage", awsv1.ClusterProviderConfigGroupVersionKind.Kind,
			func() *awsv1.ClusterProviderConfig { return &awsv1.ClusterProviderConfig{} }, o),
		kind[*awsv1.Account]{name: "aws-account", gvk: awsv1.AccountGroupVersionKind,
			connector: func(rec event.Recorder) managed.TypedExternalConnector[*awsv1.Account] {
				return &accountConnector{resolver: r, record: rec, newCreator: o.NewAccountCreator, newGovCloudOrg: o.NewGovCloudOrganization}
			},
			// Organizations assigns the account ID; it becomes the external-name when known.
			opts: []managed.ReconcilerOption{managed.WithInitializers()},
		}.setup(mgr, usage, o),
		kind[*awsv1.VPC]{name: "aws-vpc", gvk: awsv1.VPCGroupVersionKind,
			connector: func(rec event.Recorder) managed.TypedExternalConnector[*awsv1.VPC] {
				return &vpcConnector{resolver: r, record: rec}
			},
			opts: []managed.ReconcilerOption{managed.WithInitializers()}, // EC2 assigns the VPC ID
		}.setup(mgr, usage, o),
		kind[*awsv1.Key]{name: "aws-key", gvk: awsv1.KeyGroupVersionKind,
			connector: func(rec event.Recorder) managed.TypedExternalConnector[*awsv1.Key] {
				return &keyConnector{resolver: r, record: rec}
			},
			opts: []managed.ReconcilerOption{managed.WithInitializers()}, // KMS assigns the key ID
		}.setup(mgr, usage, o),
		// A trail is named after its object: crossplane's default initializer.
		kind[*awsv1.AuditTrail]{name: "aws-audittrail", gvk: awsv1.AuditTrailGroupVersionKind,
			connector: func(rec event.Recorder) managed.TypedExternalConnector[*awsv1.AuditTrail] {
				return &auditTrailConnector{resolver: r, record: rec}
			},
		}.setup(mgr, usage, o),
		// A bucket and a role are named by their spec: Observe records the name as the external-name.
		kind[*awsv1.Bucket]{name: "aws-bucket", gvk: awsv1.BucketGroupVersionKind,
			connector: func(rec event.Recorder) managed.TypedExternalConnector[*awsv1.Bucket] {
				return &bucketConnector{resolver: r, record: rec}
			},
			opts: []managed.ReconcilerOption{managed.WithInitializers()},
		}.setup(mgr, usage, o),
		kind[*awsv1.Role]{name: "aws-role", gvk: awsv1.RoleGroupVersionKind,
			connector: func(rec event.Recorder) managed.TypedExternalConnector[*awsv1.Role] {
				return &roleConnector{resolver: r, record: rec}
			},
			opts: []managed.ReconcilerOption{managed.WithInitializers()},
		}.setup(mgr, usage, o),
	)
}

// kind is one managed resource kind and how its reconciler is built.
type kind[T orphanable] struct {
	name      string
	gvk       schema.GroupVersionKind
	connector func(event.Recorder) managed.TypedExternalConnector[T]
	opts      []managed.ReconcilerOption
}

func (k kind[T]) setup(mgr ctrl.Manager, usage resource.ModernTracker, o Options) error {
	// One list of the kinds, which the usage controller reads too: a kind reconciled here but
	// missing there would keep its usages forever.
	newObj, ok := managedKinds[k.gvk]
	if !ok {
		return errors.Errorf("cannot set up %s reconciler: %s is not in managedKinds", k.name, k.gvk)
	}
	rec := newEventRecorder(mgr.GetEventRecorder("zonekeeper-" + k.name))
	connector := &usageTracked[T]{gvk: k.gvk, usage: usage, connector: k.connector(rec)}
	opts := append([]managed.ReconcilerOption{
		managed.WithTypedExternalConnector[T](&deletionGate[T]{kind: k.gvk.Kind, record: rec, connector: connector}),
		managed.WithLogger(logging.NewLogrLogger(mgr.GetLogger().WithValues("controller", k.name))),
		managed.WithRecorder(rec),
		managed.WithPollInterval(o.PollInterval),
		managed.WithPollIntervalHook(pollHook(o)),
		managed.WithTimeout(o.Timeout),
		managed.WithCreationGracePeriod(o.CreationGracePeriod),
		managed.WithManagementPolicies(),
		// Every kind can find its cloud object again if the reply of a create call was lost (by
		// email, alias, tag or name), so a create that may not have completed is observed rather
		// than refused forever, and never repeated blindly.
		managed.WithDeterministicExternalName(true),
	}, k.opts...)
	err := ctrl.NewControllerManagedBy(mgr).
		Named(k.name).
		For(newObj(), builder.WithPredicates(resource.DesiredStateChanged())).
		WithOptions(controller.Options{RateLimiter: o.NewRateLimiter(), MaxConcurrentReconciles: o.MaxConcurrentReconciles}).
		Complete(managed.NewReconciler(mgr, resource.ManagedKind(k.gvk), opts...))
	return errors.Wrapf(err, "cannot set up %s reconciler", k.name)
}
