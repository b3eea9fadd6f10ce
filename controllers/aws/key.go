package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

type keyConnector struct {
	resolver *awsclient.Resolver
	record   event.Recorder
}

func (c *keyConnector) Connect(ctx context.Context, mg *awsv1.Key) (managed.TypedExternalClient[*awsv1.Key], error) {
	cfg, err := c.resolver.Config(ctx, mg, mg.Spec.ForProvider.Region)
	if err != nil {
		return nil, err
	}
	return &keyClient{kms: kms.NewFromConfig(cfg), cfg: cfg, record: c.record}, nil
}

// keyState is what ZoneKeeper compares of a key: the desired state built from the spec, or the
// observed state read from KMS.
type keyState struct {
	Enabled            bool
	PendingDeletion    bool
	RotationEnabled    bool
	RotationPeriodDays int32 // 0 when KMS did not report a period
	Policy             string
	Aliases            []string
	Description        string
	Tags               map[string]string
}

// keyDrift describes how observed differs from desired, in words an event can carry.
func keyDrift(desired, observed keyState) ([]string, error) {
	var out []string
	if observed.PendingDeletion {
		out = append(out, "key is pending deletion")
	} else if !observed.Enabled {
		out = append(out, "key is disabled")
	}
	switch {
	case !observed.RotationEnabled:
		out = append(out, "automatic rotation is disabled")
	// KMS reports the period since 2024; an API that does not (moto) reports 0 and is not drift.
	case observed.RotationPeriodDays != 0 && observed.RotationPeriodDays != desired.RotationPeriodDays:
		out = append(out, fmt.Sprintf("rotation period is %d days, want %d", observed.RotationPeriodDays, desired.RotationPeriodDays))
	}
	same, err := awsclient.EquivalentPolicies(desired.Policy, observed.Policy)
	if err != nil {
		return nil, errors.Wrap(err, "cannot compare key policies")
	}
	if !same {
		out = append(out, "key policy differs from the least-privilege policy")
	}
	for _, a := range desired.Aliases {
		if !slices.Contains(observed.Aliases, a) {
			out = append(out, fmt.Sprintf("alias %s does not point at the key", a))
		}
	}
	if observed.Description != desired.Description {
		out = append(out, "description differs")
	}
	return append(out, tagDrift(desired.Tags, observed.Tags)...), nil
}

// keyClient manages one Key for one reconcile. Observe keeps what it found for Update.
type keyClient struct {
	kms    *kms.Client
	cfg    sdkaws.Config
	record event.Recorder

	wasReady bool
	account  string
	observed keyState
	drift    []string
}

func keyAlias(mg *awsv1.Key) string { return awsv1.KeyAliasPrefix + mg.Spec.ForProvider.Zone }

func (c *keyClient) desired(mg *awsv1.Key) (keyState, error) {
	p := mg.Spec.ForProvider
	doc, err := awsclient.KeyPolicy(awsclient.KeyPolicyInput{Region: p.Region, Account: c.account, Administrators: p.AdministratorARNs, Users: p.UserARNs}).JSON()
	if err != nil {
		return keyState{}, err
	}
	return keyState{
		Enabled:            true,
		RotationEnabled:    true,
		RotationPeriodDays: p.RotationPeriodDays,
		Policy:             doc,
		Aliases:            []string{keyAlias(mg)},
		Description:        p.Description,
		Tags:               desiredTags(mg, p.Tags),
	}, nil
}

func (c *keyClient) Observe(ctx context.Context, mg *awsv1.Key) (managed.ExternalObservation, error) {
	c.wasReady = isReady(mg)
	id := meta.GetExternalName(mg)
	adopted := false
	if id == "" {
		// KMS assigns key IDs. If the reply to CreateKey was lost, the zone's alias still finds the
		// key, or, when the crash came before the alias was made, the managed-by tag CreateKey set
		// does; either way it is adopted rather than created a second time.
		found, err := c.keyByAlias(ctx, keyAlias(mg))
		if err == nil && found == "" {
			found, err = c.keyByTag(ctx, managedBy(mg))
		}
		if err != nil || found == "" {
			return managed.ExternalObservation{}, err
		}
		id, adopted = found, true
	}
	md, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
	if awsclient.IsCode(err, "NotFoundException") {
		return managed.ExternalObservation{}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, awsclient.Wrap(err, "cannot describe KMS key")
	}
	k := md.KeyMetadata
	c.account = sdkaws.ToString(k.AWSAccountId)
	c.observed = keyState{Enabled: k.KeyState == kmstypes.KeyStateEnabled, PendingDeletion: k.KeyState == kmstypes.KeyStatePendingDeletion, Description: sdkaws.ToString(k.Description)}
	if meta.WasDeleted(mg) && c.observed.PendingDeletion {
		// Deletion was scheduled: as far as ZoneKeeper is concerned the key is gone.
		return managed.ExternalObservation{}, nil
	}
	if err := c.read(ctx, id); err != nil {
		return managed.ExternalObservation{}, err
	}
	if adopted {
		// Recorded only once the key is known not to be another object's: two Keys of one zone
		// find the same alias.
		if err := refuseForeign("KMS key "+id+" (alias "+keyAlias(mg)+")", c.observed.Tags, mg); err != nil {
			return managed.ExternalObservation{}, err
		}
		meta.SetExternalName(mg, id)
	}
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	if c.drift, err = keyDrift(want, c.observed); err != nil {
		return managed.ExternalObservation{}, err
	}
	mg.Status.AtProvider = awsv1.KeyObservation{
		KeyID:              sdkaws.ToString(k.KeyId),
		ARN:                awsclient.KeyARN(mg.Spec.ForProvider.Region, c.account, sdkaws.ToString(k.KeyId)),
		KeyState:           string(k.KeyState),
		RotationEnabled:    c.observed.RotationEnabled,
		RotationPeriodDays: c.observed.RotationPeriodDays,
	}
	if slices.Contains(c.observed.Aliases, keyAlias(mg)) {
		mg.Status.AtProvider.Alias = keyAlias(mg)
	}
	if c.observed.Enabled {
		setReady(mg, xpv2.Available())
	} else {
		setReady(mg, xpv2.Unavailable().WithMessage("key state is "+string(k.KeyState)))
	}
	driftObserved(c.record, mg, c.drift)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        len(c.drift) == 0,
		ResourceLateInitialized: adopted,
		Diff:                    strings.Join(c.drift, "; "),
	}, nil
}

// read fills the observed rotation, policy, aliases and tags of key id.
func (c *keyClient) read(ctx context.Context, id string) error {
	rot, err := c.kms.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &id})
	if err != nil {
		return awsclient.Wrap(err, "cannot get KMS key rotation status")
	}
	c.observed.RotationEnabled = rot.KeyRotationEnabled
	c.observed.RotationPeriodDays = sdkaws.ToInt32(rot.RotationPeriodInDays)
	pol, err := c.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id, PolicyName: sdkaws.String("default")})
	if err != nil {
		return awsclient.Wrap(err, "cannot get KMS key policy")
	}
	c.observed.Policy = sdkaws.ToString(pol.Policy)
	aliases := kms.NewListAliasesPaginator(c.kms, &kms.ListAliasesInput{KeyId: &id})
	for aliases.HasMorePages() {
		page, err := aliases.NextPage(ctx)
		if err != nil {
			return awsclient.Wrap(err, "cannot list KMS key aliases")
		}
		for _, a := range page.Aliases {
			c.observed.Aliases = append(c.observed.Aliases, sdkaws.ToString(a.AliasName))
		}
	}
	c.observed.Tags, err = c.tags(ctx, id)
	return err
}

// tags returns the tags of key id.
func (c *keyClient) tags(ctx context.Context, id string) (map[string]string, error) {
	out := map[string]string{}
	tags := kms.NewListResourceTagsPaginator(c.kms, &kms.ListResourceTagsInput{KeyId: &id})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if err != nil {
			return nil, awsclient.Wrap(err, "cannot list KMS key tags")
		}
		for _, t := range page.Tags {
			out[sdkaws.ToString(t.TagKey)] = sdkaws.ToString(t.TagValue)
		}
	}
	return out, nil
}

// keyByTag returns the ID of the key tagged as managed by owner, "" when there is none. Keys
// pending deletion are left out: they were given up, not lost. KMS cannot filter keys by tag, so
// every key of the region is read; this happens only while a Key has no external-name and its
// alias does not exist, that is before its key is first made or after a crash during CreateKey.
func (c *keyClient) keyByTag(ctx context.Context, owner string) (string, error) {
	var found []string
	keys := kms.NewListKeysPaginator(c.kms, &kms.ListKeysInput{})
	for keys.HasMorePages() {
		page, err := keys.NextPage(ctx)
		if err != nil {
			return "", awsclient.Wrap(err, "cannot list KMS keys")
		}
		for _, k := range page.Keys {
			id := sdkaws.ToString(k.KeyId)
			tags, err := c.tags(ctx, id)
			if awsclient.IsCode(err, "AccessDeniedException") {
				continue // a key whose policy keeps this account out is not one ZoneKeeper made
			}
			if err != nil {
				return "", err
			}
			if tags[TagManagedBy] != owner {
				continue
			}
			md, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id})
			if err != nil {
				return "", awsclient.Wrap(err, "cannot describe KMS key")
			}
			if s := md.KeyMetadata.KeyState; s != kmstypes.KeyStatePendingDeletion && s != kmstypes.KeyStatePendingReplicaDeletion {
				found = append(found, id)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	default:
		return "", errors.Errorf("%d KMS keys are tagged %s=%s; set the %s annotation to the one to manage", len(found), TagManagedBy, owner, meta.AnnotationKeyExternalName)
	}
}

// keyByAlias returns the ID of the key alias points at, or "" when there is no such alias.
func (c *keyClient) keyByAlias(ctx context.Context, alias string) (string, error) {
	md, err := c.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &alias})
	if awsclient.IsCode(err, "NotFoundException") {
		return "", nil
	}
	if err != nil {
		return "", awsclient.Wrapf(err, "cannot look up KMS key by alias %s", alias)
	}
	return sdkaws.ToString(md.KeyMetadata.KeyId), nil
}

func (c *keyClient) Create(ctx context.Context, mg *awsv1.Key) (managed.ExternalCreation, error) {
	account, err := awsclient.CallerAccount(ctx, c.cfg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	c.account = account
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	out, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{
		Description: sdkaws.String(want.Description),
		KeySpec:     kmstypes.KeySpecSymmetricDefault,
		KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
		Policy:      sdkaws.String(want.Policy),
		Tags:        kmsTags(want.Tags),
	})
	if err != nil {
		return managed.ExternalCreation{}, awsclient.Wrap(err, "cannot create KMS key")
	}
	// Recorded at once: the reconciler saves the external-name even if what follows fails.
	id := sdkaws.ToString(out.KeyMetadata.KeyId)
	meta.SetExternalName(mg, id)
	c.observed = keyState{Enabled: true, Policy: want.Policy, Description: want.Description, Tags: want.Tags}
	// The alias first, so that the key is found by it as soon as possible should the external-name
	// be lost (the tag finds it until then).
	if err := c.pointAlias(ctx, mg, id); err != nil {
		return managed.ExternalCreation{}, err
	}
	c.observed.Aliases = []string{keyAlias(mg)}
	return managed.ExternalCreation{}, c.apply(ctx, id, mg, want)
}

func (c *keyClient) Update(ctx context.Context, mg *awsv1.Key) (managed.ExternalUpdate, error) {
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if err := c.apply(ctx, meta.GetExternalName(mg), mg, want); err != nil {
		return managed.ExternalUpdate{}, err
	}
	repaired(c.record, mg, c.wasReady, c.drift)
	setReady(mg, xpv2.Available())
	return managed.ExternalUpdate{}, nil
}

// apply changes what differs between c.observed and want.
func (c *keyClient) apply(ctx context.Context, id string, mg *awsv1.Key, want keyState) error {
	o := c.observed
	if o.PendingDeletion {
		if _, err := c.kms.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: &id}); err != nil {
			return awsclient.Wrap(err, "cannot cancel KMS key deletion")
		}
		o.Enabled = false // a key whose deletion is cancelled is Disabled
	}
	if !o.Enabled {
		if _, err := c.kms.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &id}); err != nil {
			return awsclient.Wrap(err, "cannot enable KMS key")
		}
	}
	if !o.RotationEnabled || (o.RotationPeriodDays != 0 && o.RotationPeriodDays != want.RotationPeriodDays) {
		if _, err := c.kms.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: sdkaws.Int32(want.RotationPeriodDays)}); err != nil {
			return awsclient.Wrap(err, "cannot enable KMS key rotation")
		}
	}
	if same, err := awsclient.EquivalentPolicies(want.Policy, o.Policy); err != nil || !same {
		if _, err := c.kms.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, PolicyName: sdkaws.String("default"), Policy: sdkaws.String(want.Policy)}); err != nil {
			return awsclient.Wrap(err, "cannot put KMS key policy")
		}
	}
	if !slices.Contains(o.Aliases, keyAlias(mg)) {
		if err := c.pointAlias(ctx, mg, id); err != nil {
			return err
		}
	}
	if o.Description != want.Description {
		if _, err := c.kms.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: &id, Description: sdkaws.String(want.Description)}); err != nil {
			return awsclient.Wrap(err, "cannot update KMS key description")
		}
	}
	if len(tagDrift(want.Tags, o.Tags)) > 0 {
		if _, err := c.kms.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: kmsTags(want.Tags)}); err != nil {
			return awsclient.Wrap(err, "cannot tag KMS key")
		}
	}
	return nil
}

// pointAlias makes mg's zone alias point at key id, creating it or moving it from another key. It
// does not move it from a key another object manages (a second Key of the zone): that object
// would move it back on its next poll, and each would in turn be without its alias.
func (c *keyClient) pointAlias(ctx context.Context, mg *awsv1.Key, id string) error {
	alias := keyAlias(mg)
	_, err := c.kms.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: &id})
	if awsclient.IsCode(err, "AlreadyExistsException") {
		held, err := c.keyByAlias(ctx, alias)
		if err != nil {
			return err
		}
		if held != "" && held != id {
			tags, err := c.tags(ctx, held)
			if err != nil {
				return err
			}
			if owner, ok := tags[TagManagedBy]; ok && owner != managedBy(mg) {
				return errors.Errorf("alias %s points at KMS key %s, which is managed by %s: refusing to move it", alias, held, owner)
			}
		}
		_, err = c.kms.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: &alias, TargetKeyId: &id})
		return awsclient.Wrapf(err, "cannot point alias %s at KMS key", alias)
	}
	return awsclient.Wrapf(err, "cannot point alias %s at KMS key", alias)
}

// Delete schedules the key for deletion after KMS's longest waiting period, during which it can be
// cancelled, and frees the zone's alias. It is reached only with deletionPolicy Delete.
func (c *keyClient) Delete(ctx context.Context, mg *awsv1.Key) (managed.ExternalDelete, error) {
	id := meta.GetExternalName(mg)
	alias := keyAlias(mg)
	if slices.Contains(c.observed.Aliases, alias) {
		if _, err := c.kms.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: &alias}); err != nil && !awsclient.IsCode(err, "NotFoundException") {
			return managed.ExternalDelete{}, awsclient.Wrapf(err, "cannot delete alias %s", alias)
		}
	}
	_, err := c.kms.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: sdkaws.Int32(awsv1.KeyDeletionWindowDays)})
	if err != nil && !awsclient.IsCode(err, "KMSInvalidStateException", "NotFoundException") {
		return managed.ExternalDelete{}, awsclient.Wrap(err, "cannot schedule KMS key deletion")
	}
	return managed.ExternalDelete{}, nil
}

func (c *keyClient) Disconnect(context.Context) error { return nil }

func kmsTags(tags map[string]string) []kmstypes.Tag {
	return sdkTags(tags, func(k, v *string) kmstypes.Tag { return kmstypes.Tag{TagKey: k, TagValue: v} })
}
