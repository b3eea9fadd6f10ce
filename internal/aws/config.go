package awsclient

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
)

// DefaultConfigRef is what an unset providerConfigRef means (the CRDs default it too).
var DefaultConfigRef = xpv2.ProviderConfigReference{Kind: awsv1.ClusterProviderConfigGroupVersionKind.Kind, Name: "default"}

// DefaultRoleSessionName is the session name of roles ZoneKeeper assumes, as CloudTrail shows it.
const DefaultRoleSessionName = "zonekeeper"

// Resolver builds the AWS configuration a managed resource's calls are made with, from the
// ProviderConfig or ClusterProviderConfig it references.
//
// Credentials never leave it: they are not logged, and no error it returns contains a key, a
// token or a session credential, only the names of the objects and fields involved.
type Resolver struct {
	kube client.Reader
	load []func(*config.LoadOptions) error

	mu    sync.Mutex
	creds map[string]cachedCredentials
}

// cachedCredentials are the credentials of one ProviderConfig in one region, valid while the
// ProviderConfig's generation and its Secret's resource version are those of the fingerprint.
type cachedCredentials struct {
	fingerprint string
	provider    aws.CredentialsProvider
}

// NewResolver returns a Resolver reading ProviderConfigs and Secrets through kube. The load options
// are applied after ZoneKeeper's own, so tests can, for example, make calls fail fast with
// config.WithRetryMaxAttempts(1).
func NewResolver(kube client.Reader, load ...func(*config.LoadOptions) error) *Resolver {
	return &Resolver{kube: kube, load: load, creds: map[string]cachedCredentials{}}
}

// Config returns the AWS configuration for calls made on behalf of mg in region.
func (r *Resolver) Config(ctx context.Context, mg resource.ModernManaged, region string) (aws.Config, error) {
	return r.ConfigFor(ctx, mg.GetProviderConfigReference(), mg.GetNamespace(), region)
}

// ConfigFor returns the AWS configuration of the ProviderConfig or ClusterProviderConfig ref names
// (a ProviderConfig in namespace), in region, with the roles of then assumed after the config's
// own chain: for calls made inside an account reached through the config.
func (r *Resolver) ConfigFor(ctx context.Context, ref *xpv2.ProviderConfigReference, namespace, region string, then ...awsv1.AssumeRole) (aws.Config, error) {
	spec, uid, generation, secretNS, err := r.providerConfig(ctx, ref, namespace)
	if err != nil {
		return aws.Config{}, err
	}
	spec.AssumeRoleChain = append(slices.Clone(spec.AssumeRoleChain), then...)
	var static aws.CredentialsProvider
	var version string
	if spec.Credentials.Source == awsv1.CredentialsSecret {
		if static, version, err = r.secretCredentials(ctx, spec.Credentials.SecretRef, secretNS); err != nil {
			return aws.Config{}, err
		}
	}
	key := string(uid) + "/" + region
	for _, step := range then {
		// Quoted, so that no two chains of free-form names make the same key.
		key += fmt.Sprintf("/%q%q%q%q%q", step.RoleARN, step.AccountID, step.RoleName, step.ExternalID, step.RoleSessionName)
	}
	fingerprint := fmt.Sprintf("%d/%s", generation, version)
	r.mu.Lock()
	cached, ok := r.creds[key]
	r.mu.Unlock()
	if ok && cached.fingerprint == fingerprint {
		return r.build(ctx, spec, region, static, cached.provider)
	}
	// Built without the lock held: assuming roles calls STS, and one slow ProviderConfig must not
	// hold up every other object's reconcile. Two concurrent builds for one key are harmless.
	cfg, err := r.build(ctx, spec, region, static, nil)
	if err != nil {
		return aws.Config{}, err
	}
	// Cached so that assumed-role sessions are reused until they near expiry instead of calling
	// STS on every poll; replaced as soon as the ProviderConfig or its Secret changes.
	r.mu.Lock()
	r.creds[key] = cachedCredentials{fingerprint: fingerprint, provider: cfg.Credentials}
	r.mu.Unlock()
	return cfg, nil
}

// build returns the configuration of spec in region. static are the keys of a Secret source;
// chained, when not nil, are credentials built before for the same spec, reused as they are.
func (r *Resolver) build(ctx context.Context, spec awsv1.ProviderConfigSpec, region string, static, chained aws.CredentialsProvider) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(region),
		// Adaptive retries back off and rate-limit the client itself when AWS throttles, on top of
		// the reconciler's own per-object exponential backoff.
		config.WithRetryMode(aws.RetryModeAdaptive),
	}
	if spec.Endpoint != nil {
		// An override replaces endpoint resolution, so there is no FIPS variant to select.
		opts = append(opts, config.WithBaseEndpoint(spec.Endpoint.URL))
	} else if useFIPS(spec, region) {
		opts = append(opts, config.WithUseFIPSEndpoint(aws.FIPSEndpointStateEnabled))
	}
	if static != nil {
		opts = append(opts, config.WithCredentialsProvider(static))
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(opts, r.load...)...)
	if err != nil {
		return aws.Config{}, errors.Wrap(err, "cannot load AWS configuration")
	}
	if chained == nil {
		if chained, err = chain(cfg, spec, region); err != nil {
			return aws.Config{}, err
		}
	}
	cfg.Credentials = chained
	// Fetched now, so that a role that cannot be assumed is reported as such when connecting,
	// naming the roles (never a key), rather than inside the first AWS call's error.
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, errors.Wrapf(err, "cannot get AWS credentials (%s)", describeChain(spec, region))
	}
	return cfg, nil
}

// describeChain names the identities of spec in order, for error messages.
func describeChain(spec awsv1.ProviderConfigSpec, region string) string {
	parts := []string{"credentials source " + string(spec.Credentials.Source)}
	if wi := spec.Credentials.WebIdentity; wi != nil {
		parts = append(parts, "web identity role "+wi.RoleARN)
	}
	for _, step := range spec.AssumeRoleChain {
		role := step.RoleARN
		if role == "" {
			role = RoleARN(region, step.AccountID, orDefault(step.RoleName, awsv1.DefaultMemberRoleName))
		}
		parts = append(parts, "role "+role)
	}
	return strings.Join(parts, ", then ")
}

func useFIPS(spec awsv1.ProviderConfigSpec, region string) bool {
	if spec.FIPS != nil {
		return *spec.FIPS
	}
	return FIPSByDefault(region)
}

// providerConfig returns the spec of the config ref names (a ProviderConfig in namespace), its
// UID and generation, and the namespace its Secret may be read from.
func (r *Resolver) providerConfig(ctx context.Context, ref *xpv2.ProviderConfigReference, namespace string) (spec awsv1.ProviderConfigSpec, uid types.UID, generation int64, secretNS string, err error) {
	if ref == nil {
		def := DefaultConfigRef
		ref = &def
	}
	switch ref.Kind {
	case awsv1.ProviderConfigGroupVersionKind.Kind:
		pc := &awsv1.ProviderConfig{}
		if err := r.kube.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, pc); err != nil {
			return spec, "", 0, "", errors.Wrapf(err, "cannot get ProviderConfig %s/%s", namespace, ref.Name)
		}
		// A namespaced ProviderConfig reads Secrets in its own namespace only; the CRD refuses a
		// namespace, and this keeps that true for objects written before the rule existed.
		return pc.Spec, pc.UID, pc.Generation, pc.Namespace, nil
	case awsv1.ClusterProviderConfigGroupVersionKind.Kind:
		pc := &awsv1.ClusterProviderConfig{}
		if err := r.kube.Get(ctx, types.NamespacedName{Name: ref.Name}, pc); err != nil {
			return spec, "", 0, "", errors.Wrapf(err, "cannot get ClusterProviderConfig %s", ref.Name)
		}
		if pc.Spec.Credentials.SecretRef != nil {
			secretNS = pc.Spec.Credentials.SecretRef.Namespace
		}
		return pc.Spec, pc.UID, pc.Generation, secretNS, nil
	default:
		return spec, "", 0, "", errors.Errorf("providerConfigRef kind %q is not ProviderConfig or ClusterProviderConfig", ref.Kind)
	}
}

// secretCredentials reads static keys. Errors name the Secret and the missing key, never a value.
func (r *Resolver) secretCredentials(ctx context.Context, ref *awsv1.SecretReference, ns string) (aws.CredentialsProvider, string, error) {
	if ref == nil {
		return nil, "", errors.New("credentials source Secret needs credentials.secretRef")
	}
	s := &corev1.Secret{}
	if err := r.kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: ref.Name}, s); err != nil {
		return nil, "", errors.Wrapf(err, "cannot get credentials Secret %s/%s", ns, ref.Name)
	}
	var missing []string
	for _, k := range []string{awsv1.SecretKeyAccessKeyID, awsv1.SecretKeySecretAccessKey} {
		if len(s.Data[k]) == 0 {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, "", errors.Errorf("credentials Secret %s/%s has no %s", ns, ref.Name, strings.Join(missing, " or "))
	}
	p := credentials.NewStaticCredentialsProvider(
		strings.TrimSpace(string(s.Data[awsv1.SecretKeyAccessKeyID])),
		strings.TrimSpace(string(s.Data[awsv1.SecretKeySecretAccessKey])),
		strings.TrimSpace(string(s.Data[awsv1.SecretKeySessionToken])))
	return p, s.ResourceVersion, nil
}

// chain returns the credentials calls are signed with: the base identity of cfg (static keys, the
// SDK's default chain) or a web identity exchange, then each role of the assume-role chain in
// turn, each assumed with the credentials of the step before.
func chain(cfg aws.Config, spec awsv1.ProviderConfigSpec, region string) (aws.CredentialsProvider, error) {
	p := cfg.Credentials
	if spec.Credentials.Source == awsv1.CredentialsWebIdentity {
		wi := spec.Credentials.WebIdentity
		if wi == nil {
			return nil, errors.New("credentials source WebIdentity needs credentials.webIdentity")
		}
		file := wi.TokenFile
		if file == "" {
			file = awsv1.DefaultWebIdentityTokenFile
		}
		p = aws.NewCredentialsCache(stscreds.NewWebIdentityRoleProvider(sts.NewFromConfig(cfg), wi.RoleARN, stscreds.IdentityTokenFile(file),
			func(o *stscreds.WebIdentityRoleOptions) {
				o.RoleSessionName = orDefault(wi.RoleSessionName, DefaultRoleSessionName)
			}))
	}
	for i, step := range spec.AssumeRoleChain {
		role := step.RoleARN
		if role == "" {
			if step.AccountID == "" {
				return nil, errors.Errorf("assumeRoleChain[%d] names neither roleARN nor accountID", i)
			}
			role = RoleARN(region, step.AccountID, orDefault(step.RoleName, awsv1.DefaultMemberRoleName))
		}
		prev := cfg.Copy()
		prev.Credentials = p
		p = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(prev), role, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = orDefault(step.RoleSessionName, DefaultRoleSessionName)
			if step.ExternalID != "" {
				o.ExternalID = aws.String(step.ExternalID)
			}
		}))
	}
	if p == nil {
		return nil, errors.New("no AWS credentials: the SDK's default chain found none in the manager's environment")
	}
	return p, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// CallerAccount returns the account the configuration's credentials act in.
func CallerAccount(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", Wrap(err, "cannot get caller identity")
	}
	return aws.ToString(out.Account), nil
}
