package aws

import (
	"context"
	"fmt"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

type auditTrailConnector struct {
	resolver *awsclient.Resolver
	record   event.Recorder
}

func (c *auditTrailConnector) Connect(ctx context.Context, mg *awsv1.AuditTrail) (managed.TypedExternalClient[*awsv1.AuditTrail], error) {
	cfg, err := c.resolver.Config(ctx, mg, mg.Spec.ForProvider.Region)
	if err != nil {
		return nil, err
	}
	return &auditTrailClient{
		cfg:        cfg,
		cloudtrail: cloudtrail.NewFromConfig(cfg),
		// An endpoint override (an emulator, a proxy) serves buckets by path, not by host name.
		s3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil }),
		record: c.record,
	}, nil
}

// bucketState is what ZoneKeeper compares of a log bucket.
type bucketState struct {
	Exists            bool
	SSEAlgorithm      string
	KMSKeyID          string
	BucketKey         bool
	Versioning        string
	ObjectLock        bool
	LockMode          string
	LockDays          int32
	PublicAccessBlock [4]bool // BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets
	OwnerEnforced     bool
	Policy            string
	Tags              map[string]string
}

// trailState is what ZoneKeeper compares of a trail.
type trailState struct {
	Exists            bool
	Bucket            string
	KMSKeyID          string
	MultiRegion       bool
	LogFileValidation bool
	GlobalEvents      bool
	Logging           bool
	Tags              map[string]string
}

var publicAccessBlockSettings = [4]string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}

// bucketDrift describes how an observed log bucket differs from the desired one.
func bucketDrift(desired, observed bucketState) ([]string, error) {
	if !observed.Exists {
		return []string{"log bucket does not exist"}, nil
	}
	var out []string
	if observed.SSEAlgorithm != desired.SSEAlgorithm || observed.KMSKeyID != desired.KMSKeyID {
		out = append(out, fmt.Sprintf("default encryption is %s with key %q, want %s with the zone key", orNone(observed.SSEAlgorithm), observed.KMSKeyID, desired.SSEAlgorithm))
	} else if !observed.BucketKey {
		out = append(out, "S3 Bucket Key is off")
	}
	if observed.Versioning != desired.Versioning {
		out = append(out, fmt.Sprintf("versioning is %s, want %s", orNone(observed.Versioning), desired.Versioning))
	}
	switch {
	case !observed.ObjectLock:
		out = append(out, "Object Lock is not enabled")
	case observed.LockMode != desired.LockMode || observed.LockDays != desired.LockDays:
		out = append(out, fmt.Sprintf("Object Lock default retention is %d days %s, want %d days %s", observed.LockDays, orNone(observed.LockMode), desired.LockDays, desired.LockMode))
	}
	for i, name := range publicAccessBlockSettings {
		if !observed.PublicAccessBlock[i] {
			out = append(out, "Block Public Access "+name+" is off")
		}
	}
	if !observed.OwnerEnforced {
		out = append(out, "object ownership is not BucketOwnerEnforced (ACLs are enabled)")
	}
	if observed.Policy == "" {
		out = append(out, "bucket policy is missing")
	} else if same, err := awsclient.EquivalentPolicies(desired.Policy, observed.Policy); err != nil {
		return nil, errors.Wrap(err, "cannot compare bucket policies")
	} else if !same {
		out = append(out, "bucket policy differs (TLS-only access and log delivery grants)")
	}
	return append(out, tagDrift(desired.Tags, observed.Tags)...), nil
}

// trailDrift describes how an observed trail differs from the desired one.
func trailDrift(desired, observed trailState) []string {
	if !observed.Exists {
		return []string{"trail does not exist"}
	}
	var out []string
	if observed.Bucket != desired.Bucket {
		out = append(out, fmt.Sprintf("trail writes to bucket %q, want %q", observed.Bucket, desired.Bucket))
	}
	if observed.KMSKeyID != desired.KMSKeyID {
		out = append(out, fmt.Sprintf("trail encrypts with key %q, want the zone key", observed.KMSKeyID))
	}
	if !observed.MultiRegion {
		out = append(out, "trail is not multi-region")
	}
	if !observed.LogFileValidation {
		out = append(out, "log file validation is off")
	}
	if !observed.GlobalEvents {
		out = append(out, "global service events are not recorded")
	}
	if !observed.Logging {
		out = append(out, "logging is stopped")
	}
	return append(out, tagDrift(desired.Tags, observed.Tags)...)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

type auditTrailClient struct {
	cfg        sdkaws.Config
	cloudtrail *cloudtrail.Client
	s3         *s3.Client
	record     event.Recorder

	wasReady bool
	account  string
	bucket   bucketState
	trail    trailState
	drift    []string
}

func (c *auditTrailClient) desired(mg *awsv1.AuditTrail) (bucketState, trailState, error) {
	p := mg.Spec.ForProvider
	policy, err := awsclient.LogBucketPolicy(awsclient.LogBucketPolicyInput{Region: p.Region, Account: c.account, Bucket: p.BucketName, Trail: meta.GetExternalName(mg)}).JSON()
	if err != nil {
		return bucketState{}, trailState{}, err
	}
	tags := desiredTags(mg, p.Tags)
	b := bucketState{
		Exists: true, SSEAlgorithm: string(s3types.ServerSideEncryptionAwsKms), KMSKeyID: p.KMSKeyARN, BucketKey: true,
		Versioning: string(s3types.BucketVersioningStatusEnabled), ObjectLock: true, LockMode: string(p.ObjectLockMode), LockDays: p.RetentionDays,
		PublicAccessBlock: [4]bool{true, true, true, true}, OwnerEnforced: true, Policy: policy, Tags: tags,
	}
	t := trailState{Exists: true, Bucket: p.BucketName, KMSKeyID: p.KMSKeyARN, MultiRegion: true, LogFileValidation: true, GlobalEvents: true, Logging: true, Tags: tags}
	return b, t, nil
}

func (c *auditTrailClient) Observe(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalObservation, error) {
	c.wasReady = isReady(mg)
	name := meta.GetExternalName(mg)
	if err := c.readTrail(ctx, name); err != nil {
		return managed.ExternalObservation{}, err
	}
	if !c.trail.Exists {
		return managed.ExternalObservation{}, nil
	}
	if err := c.readBucket(ctx, mg.Spec.ForProvider.BucketName); err != nil {
		return managed.ExternalObservation{}, err
	}
	wantBucket, wantTrail, err := c.desired(mg)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	drift, err := bucketDrift(wantBucket, c.bucket)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	c.drift = append(trailDrift(wantTrail, c.trail), drift...)
	p := mg.Spec.ForProvider
	mg.Status.AtProvider = awsv1.AuditTrailObservation{
		TrailARN:                awsclient.TrailARN(p.Region, c.account, name),
		BucketARN:               awsclient.BucketARN(p.Region, p.BucketName),
		IsLogging:               c.trail.Logging,
		IsMultiRegion:           c.trail.MultiRegion,
		LogFileValidation:       c.trail.LogFileValidation,
		KMSKeyARN:               c.trail.KMSKeyID,
		ObjectLockRetentionDays: c.bucket.LockDays,
	}
	if c.bucket.Exists {
		setReady(mg, xpv2.Available())
	} else {
		setReady(mg, xpv2.Unavailable().WithMessage("log bucket "+p.BucketName+" does not exist"))
	}
	driftObserved(c.record, mg, c.drift)
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: len(c.drift) == 0, Diff: strings.Join(c.drift, "; ")}, nil
}

func (c *auditTrailClient) readTrail(ctx context.Context, name string) error {
	c.trail = trailState{}
	out, err := c.cloudtrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &name})
	if awsclient.IsCode(err, "TrailNotFoundException") {
		return nil
	}
	if err != nil {
		return awsclient.Wrap(err, "cannot get trail")
	}
	t := out.Trail
	if a, err := arn.Parse(sdkaws.ToString(t.TrailARN)); err == nil {
		c.account = a.AccountID
	}
	c.trail = trailState{
		Exists:            true,
		Bucket:            sdkaws.ToString(t.S3BucketName),
		KMSKeyID:          sdkaws.ToString(t.KmsKeyId),
		MultiRegion:       sdkaws.ToBool(t.IsMultiRegionTrail),
		LogFileValidation: sdkaws.ToBool(t.LogFileValidationEnabled),
		GlobalEvents:      sdkaws.ToBool(t.IncludeGlobalServiceEvents),
		Tags:              map[string]string{},
	}
	st, err := c.cloudtrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &name})
	if err != nil {
		return awsclient.Wrap(err, "cannot get trail status")
	}
	c.trail.Logging = sdkaws.ToBool(st.IsLogging)
	tags, err := c.cloudtrail.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{sdkaws.ToString(t.TrailARN)}})
	if err != nil {
		return awsclient.Wrap(err, "cannot list trail tags")
	}
	for _, rt := range tags.ResourceTagList {
		for _, tag := range rt.TagsList {
			c.trail.Tags[sdkaws.ToString(tag.Key)] = sdkaws.ToString(tag.Value)
		}
	}
	return nil
}

// readBucket fills c.bucket. S3 reports each unset configuration as its own error code.
func (c *auditTrailClient) readBucket(ctx context.Context, bucket string) error {
	c.bucket = bucketState{Tags: map[string]string{}}
	b := &bucket
	enc, err := c.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchBucket"):
		return nil
	case awsclient.IsCode(err, "ServerSideEncryptionConfigurationNotFoundError"):
	case err != nil:
		return awsclient.Wrap(err, "cannot get log bucket encryption")
	default:
		for _, r := range enc.ServerSideEncryptionConfiguration.Rules {
			if d := r.ApplyServerSideEncryptionByDefault; d != nil {
				c.bucket.SSEAlgorithm = string(d.SSEAlgorithm)
				c.bucket.KMSKeyID = sdkaws.ToString(d.KMSMasterKeyID)
				c.bucket.BucketKey = sdkaws.ToBool(r.BucketKeyEnabled)
			}
		}
	}
	c.bucket.Exists = true
	ver, err := c.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	if err != nil {
		return awsclient.Wrap(err, "cannot get log bucket versioning")
	}
	c.bucket.Versioning = string(ver.Status)
	lock, err := c.s3.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "ObjectLockConfigurationNotFoundError"):
	case err != nil:
		return awsclient.Wrap(err, "cannot get log bucket Object Lock configuration")
	case lock.ObjectLockConfiguration != nil:
		c.bucket.ObjectLock = lock.ObjectLockConfiguration.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled
		if r := lock.ObjectLockConfiguration.Rule; r != nil && r.DefaultRetention != nil {
			c.bucket.LockMode = string(r.DefaultRetention.Mode)
			c.bucket.LockDays = sdkaws.ToInt32(r.DefaultRetention.Days)
		}
	}
	pab, err := c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchPublicAccessBlockConfiguration"):
	case err != nil:
		return awsclient.Wrap(err, "cannot get log bucket Block Public Access settings")
	default:
		p := pab.PublicAccessBlockConfiguration
		c.bucket.PublicAccessBlock = [4]bool{sdkaws.ToBool(p.BlockPublicAcls), sdkaws.ToBool(p.IgnorePublicAcls), sdkaws.ToBool(p.BlockPublicPolicy), sdkaws.ToBool(p.RestrictPublicBuckets)}
	}
	own, err := c.s3.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "OwnershipControlsNotFoundError"):
	case err != nil:
		return awsclient.Wrap(err, "cannot get log bucket ownership controls")
	default:
		for _, r := range own.OwnershipControls.Rules {
			c.bucket.OwnerEnforced = r.ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced
		}
	}
	pol, err := c.s3.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchBucketPolicy"):
	case err != nil:
		return awsclient.Wrap(err, "cannot get log bucket policy")
	default:
		c.bucket.Policy = sdkaws.ToString(pol.Policy)
	}
	tags, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchTagSet"):
	case err != nil:
		return awsclient.Wrap(err, "cannot get log bucket tags")
	default:
		for _, t := range tags.TagSet {
			c.bucket.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
	}
	return nil
}

func (c *auditTrailClient) Create(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalCreation, error) {
	account, err := awsclient.CallerAccount(ctx, c.cfg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	c.account = account
	// The bucket may be left from an earlier trail (buckets are never deleted): read what it has.
	if err := c.readBucket(ctx, mg.Spec.ForProvider.BucketName); err != nil {
		return managed.ExternalCreation{}, err
	}
	return managed.ExternalCreation{}, c.apply(ctx, mg)
}

func (c *auditTrailClient) Update(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalUpdate, error) {
	if err := c.apply(ctx, mg); err != nil {
		return managed.ExternalUpdate{}, err
	}
	repaired(c.record, mg, c.wasReady, c.drift)
	setReady(mg, xpv2.Available())
	return managed.ExternalUpdate{}, nil
}

// apply makes the bucket and then the trail what the spec says, changing only what differs from
// what was read. The bucket comes first: CloudTrail refuses a bucket it cannot write to.
func (c *auditTrailClient) apply(ctx context.Context, mg *awsv1.AuditTrail) error {
	wantBucket, wantTrail, err := c.desired(mg)
	if err != nil {
		return err
	}
	if err := c.applyBucket(ctx, mg.Spec.ForProvider.Region, mg.Spec.ForProvider.BucketName, wantBucket); err != nil {
		return err
	}
	return c.applyTrail(ctx, meta.GetExternalName(mg), wantTrail)
}

func (c *auditTrailClient) applyBucket(ctx context.Context, region, bucket string, want bucketState) error {
	o, b := c.bucket, &bucket
	if !o.Exists {
		in := &s3.CreateBucketInput{Bucket: b, ObjectLockEnabledForBucket: sdkaws.Bool(true), ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}
		if region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
		}
		if _, err := c.s3.CreateBucket(ctx, in); err != nil && !awsclient.IsCode(err, "BucketAlreadyOwnedByYou") {
			return awsclient.Wrapf(err, "cannot create log bucket %s", bucket)
		}
		o = bucketState{}
	}
	if !o.PublicAccessBlock[0] || !o.PublicAccessBlock[1] || !o.PublicAccessBlock[2] || !o.PublicAccessBlock[3] {
		if _, err := c.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: sdkaws.Bool(true), IgnorePublicAcls: sdkaws.Bool(true), BlockPublicPolicy: sdkaws.Bool(true), RestrictPublicBuckets: sdkaws.Bool(true),
		}}); err != nil {
			return awsclient.Wrap(err, "cannot block public access to log bucket")
		}
	}
	if !o.OwnerEnforced {
		if _, err := c.s3.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &s3types.OwnershipControls{
			Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}},
		}}); err != nil {
			return awsclient.Wrap(err, "cannot enforce bucket ownership of log bucket")
		}
	}
	if o.Versioning != want.Versioning {
		if _, err := c.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			return awsclient.Wrap(err, "cannot enable log bucket versioning")
		}
	}
	if !o.ObjectLock || o.LockMode != want.LockMode || o.LockDays != want.LockDays {
		if _, err := c.s3.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b, ObjectLockConfiguration: &s3types.ObjectLockConfiguration{
			ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule:              &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionMode(want.LockMode), Days: sdkaws.Int32(want.LockDays)}},
		}}); err != nil {
			return awsclient.Wrap(err, "cannot set log bucket Object Lock retention")
		}
	}
	if o.SSEAlgorithm != want.SSEAlgorithm || o.KMSKeyID != want.KMSKeyID || !o.BucketKey {
		if _, err := c.s3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: sdkaws.String(want.KMSKeyID)},
				BucketKeyEnabled:                   sdkaws.Bool(true),
			}},
		}}); err != nil {
			return awsclient.Wrap(err, "cannot set log bucket encryption")
		}
	}
	if same, err := awsclient.EquivalentPolicies(want.Policy, orEmptyPolicy(o.Policy)); err != nil || !same {
		if _, err := c.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: sdkaws.String(want.Policy)}); err != nil {
			return awsclient.Wrap(err, "cannot put log bucket policy")
		}
	}
	if len(tagDrift(want.Tags, o.Tags)) > 0 {
		tags := make([]s3types.Tag, 0, len(want.Tags))
		for _, k := range sortedKeys(want.Tags) {
			tags = append(tags, s3types.Tag{Key: sdkaws.String(k), Value: sdkaws.String(want.Tags[k])})
		}
		if _, err := c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: tags}}); err != nil {
			return awsclient.Wrap(err, "cannot tag log bucket")
		}
	}
	return nil
}

func orEmptyPolicy(p string) string {
	if p == "" {
		return `{"Statement":[]}`
	}
	return p
}

func (c *auditTrailClient) applyTrail(ctx context.Context, name string, want trailState) error {
	o := c.trail
	switch {
	case !o.Exists:
		if _, err := c.cloudtrail.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
			Name:                       &name,
			S3BucketName:               &want.Bucket,
			KmsKeyId:                   &want.KMSKeyID,
			IsMultiRegionTrail:         sdkaws.Bool(true),
			EnableLogFileValidation:    sdkaws.Bool(true),
			IncludeGlobalServiceEvents: sdkaws.Bool(true),
			TagsList:                   trailTags(want.Tags),
		}); err != nil && !awsclient.IsCode(err, "TrailAlreadyExistsException") {
			return awsclient.Wrap(err, "cannot create trail")
		}
	case o.Bucket != want.Bucket || o.KMSKeyID != want.KMSKeyID || !o.MultiRegion || !o.LogFileValidation || !o.GlobalEvents:
		if _, err := c.cloudtrail.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{
			Name:                       &name,
			S3BucketName:               &want.Bucket,
			KmsKeyId:                   &want.KMSKeyID,
			IsMultiRegionTrail:         sdkaws.Bool(true),
			EnableLogFileValidation:    sdkaws.Bool(true),
			IncludeGlobalServiceEvents: sdkaws.Bool(true),
		}); err != nil {
			return awsclient.Wrap(err, "cannot update trail")
		}
	}
	if o.Exists && len(tagDrift(want.Tags, o.Tags)) > 0 {
		if _, err := c.cloudtrail.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: sdkaws.String(awsclient.TrailARN(c.cfg.Region, c.account, name)), TagsList: trailTags(want.Tags)}); err != nil {
			return awsclient.Wrap(err, "cannot tag trail")
		}
	}
	if !o.Logging {
		if _, err := c.cloudtrail.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: &name}); err != nil {
			return awsclient.Wrap(err, "cannot start trail logging")
		}
	}
	return nil
}

func trailTags(tags map[string]string) []cttypes.Tag {
	out := make([]cttypes.Tag, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, cttypes.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return out
}

// Delete deletes the trail. It is reached only with deletionPolicy Delete. The log bucket is never
// deleted: audit logs must outlive the trail that wrote them, and Object Lock refuses anyway.
func (c *auditTrailClient) Delete(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalDelete, error) {
	name := meta.GetExternalName(mg)
	if _, err := c.cloudtrail.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: &name}); err != nil && !awsclient.IsCode(err, "TrailNotFoundException") {
		return managed.ExternalDelete{}, awsclient.Wrap(err, "cannot delete trail")
	}
	return managed.ExternalDelete{}, nil
}

func (c *auditTrailClient) Disconnect(context.Context) error { return nil }
