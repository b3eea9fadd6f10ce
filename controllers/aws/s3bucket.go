package aws

import (
	"context"
	"fmt"
	"maps"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

// The S3 bucket code shared by the AuditTrail's log bucket and the Bucket kind: both are read,
// compared and configured the same way, and differ only in their desired state (Object Lock, the
// bucket policy).

// newS3 returns an S3 client for cfg. An endpoint override (an emulator, a proxy) serves buckets by
// path, not by host name.
func newS3(cfg sdkaws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil })
}

// bucketState is what ZoneKeeper compares of a bucket.
type bucketState struct {
	Exists       bool
	SSEAlgorithm string
	KMSKeyID     string
	BucketKey    bool
	Versioning   string
	// ObjectLock, when desired, asks for Object Lock with the default retention LockMode and
	// LockDays (none when LockDays is 0). When not desired, Object Lock is not compared: S3 cannot
	// turn it off.
	ObjectLock        bool
	LockMode          string
	LockDays          int32
	PublicAccessBlock [4]bool // BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets
	OwnerEnforced     bool
	Policy            string
	Tags              map[string]string
}

// desiredBucket is the part of a bucket's desired state every ZoneKeeper bucket shares: SSE-KMS
// under key with S3 Bucket Key, versioning, every Block Public Access setting, ACLs off, policy
// and tags. The caller sets Object Lock.
func desiredBucket(key, policy string, tags map[string]string) bucketState {
	return bucketState{
		Exists: true, SSEAlgorithm: string(s3types.ServerSideEncryptionAwsKms), KMSKeyID: key, BucketKey: true,
		Versioning:        string(s3types.BucketVersioningStatusEnabled),
		PublicAccessBlock: [4]bool{true, true, true, true}, OwnerEnforced: true, Policy: policy, Tags: tags,
	}
}

func (b bucketState) publicAccessBlocked() bool {
	return b.PublicAccessBlock == [4]bool{true, true, true, true}
}

var publicAccessBlockSettings = [4]string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}

// bucketDrift describes how an observed bucket differs from the desired one.
func bucketDrift(desired, observed bucketState) ([]string, error) {
	if !observed.Exists {
		return []string{"bucket does not exist"}, nil
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
	case !desired.ObjectLock:
	case !observed.ObjectLock:
		out = append(out, "Object Lock is not enabled")
	case observed.LockMode != desired.LockMode || observed.LockDays != desired.LockDays:
		out = append(out, fmt.Sprintf("Object Lock default retention is %d days %s, want %d days %s", observed.LockDays, orNone(observed.LockMode), desired.LockDays, orNone(desired.LockMode)))
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
		out = append(out, "bucket policy differs from ZoneKeeper's (TLS-only access)")
	}
	return append(out, tagDrift(desired.Tags, observed.Tags)...), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// readBucket returns the state of bucket; Exists is false when there is no such bucket. S3 reports
// each unset configuration as its own error code.
func readBucket(ctx context.Context, c *s3.Client, bucket string) (bucketState, error) {
	out := bucketState{Tags: map[string]string{}}
	b := &bucket
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchBucket"):
		return bucketState{}, nil
	case awsclient.IsCode(err, "ServerSideEncryptionConfigurationNotFoundError"):
	case err != nil:
		return out, awsclient.Wrapf(err, "cannot get encryption of bucket %s", bucket)
	default:
		for _, r := range enc.ServerSideEncryptionConfiguration.Rules {
			if d := r.ApplyServerSideEncryptionByDefault; d != nil {
				out.SSEAlgorithm = string(d.SSEAlgorithm)
				out.KMSKeyID = sdkaws.ToString(d.KMSMasterKeyID)
				out.BucketKey = sdkaws.ToBool(r.BucketKeyEnabled)
			}
		}
	}
	out.Exists = true
	ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	if err != nil {
		return out, awsclient.Wrapf(err, "cannot get versioning of bucket %s", bucket)
	}
	out.Versioning = string(ver.Status)
	lock, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "ObjectLockConfigurationNotFoundError"):
	case err != nil:
		return out, awsclient.Wrapf(err, "cannot get Object Lock configuration of bucket %s", bucket)
	case lock.ObjectLockConfiguration != nil:
		out.ObjectLock = lock.ObjectLockConfiguration.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled
		if r := lock.ObjectLockConfiguration.Rule; r != nil && r.DefaultRetention != nil {
			out.LockMode = string(r.DefaultRetention.Mode)
			out.LockDays = sdkaws.ToInt32(r.DefaultRetention.Days)
		}
	}
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchPublicAccessBlockConfiguration"):
	case err != nil:
		return out, awsclient.Wrapf(err, "cannot get Block Public Access settings of bucket %s", bucket)
	default:
		p := pab.PublicAccessBlockConfiguration
		out.PublicAccessBlock = [4]bool{sdkaws.ToBool(p.BlockPublicAcls), sdkaws.ToBool(p.IgnorePublicAcls), sdkaws.ToBool(p.BlockPublicPolicy), sdkaws.ToBool(p.RestrictPublicBuckets)}
	}
	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "OwnershipControlsNotFoundError"):
	case err != nil:
		return out, awsclient.Wrapf(err, "cannot get ownership controls of bucket %s", bucket)
	default:
		for _, r := range own.OwnershipControls.Rules {
			out.OwnerEnforced = r.ObjectOwnership == s3types.ObjectOwnershipBucketOwnerEnforced
		}
	}
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchBucketPolicy"):
	case err != nil:
		return out, awsclient.Wrapf(err, "cannot get policy of bucket %s", bucket)
	default:
		out.Policy = sdkaws.ToString(pol.Policy)
	}
	tags, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	switch {
	case awsclient.IsCode(err, "NoSuchTagSet"):
	case err != nil:
		return out, awsclient.Wrapf(err, "cannot get tags of bucket %s", bucket)
	default:
		for _, t := range tags.TagSet {
			out.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
	}
	return out, nil
}

// createBucket creates bucket in region, with Object Lock if objectLock. existed is true when the
// account already owned a bucket of that name (outside us-east-1, which answers success).
func createBucket(ctx context.Context, c *s3.Client, region, bucket string, objectLock bool) (existed bool, err error) {
	in := &s3.CreateBucketInput{Bucket: &bucket, ObjectLockEnabledForBucket: sdkaws.Bool(objectLock), ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err = c.CreateBucket(ctx, in)
	if awsclient.IsCode(err, "BucketAlreadyOwnedByYou") {
		return true, nil
	}
	return false, awsclient.Wrapf(err, "cannot create bucket %s", bucket)
}

// applyBucket makes bucket in region what want says, creating it if o (what was read) says it does
// not exist, and changing only what differs from o.
func applyBucket(ctx context.Context, c *s3.Client, region, bucket string, o, want bucketState) error {
	b := &bucket
	if !o.Exists {
		if _, err := createBucket(ctx, c, region, bucket, want.ObjectLock); err != nil {
			return err
		}
		o = bucketState{ObjectLock: want.ObjectLock}
	}
	if !o.publicAccessBlocked() {
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: sdkaws.Bool(true), IgnorePublicAcls: sdkaws.Bool(true), BlockPublicPolicy: sdkaws.Bool(true), RestrictPublicBuckets: sdkaws.Bool(true),
		}}); err != nil {
			return awsclient.Wrapf(err, "cannot block public access to bucket %s", bucket)
		}
	}
	if !o.OwnerEnforced {
		if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &s3types.OwnershipControls{
			Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}},
		}}); err != nil {
			return awsclient.Wrapf(err, "cannot enforce bucket ownership of bucket %s", bucket)
		}
	}
	if o.Versioning != want.Versioning {
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			return awsclient.Wrapf(err, "cannot enable versioning of bucket %s", bucket)
		}
	}
	if want.ObjectLock && (!o.ObjectLock || o.LockMode != want.LockMode || o.LockDays != want.LockDays) {
		cfg := &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}
		if want.LockDays > 0 {
			cfg.Rule = &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionMode(want.LockMode), Days: sdkaws.Int32(want.LockDays)}}
		}
		if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: b, ObjectLockConfiguration: cfg}); err != nil {
			return awsclient.Wrapf(err, "cannot set Object Lock retention of bucket %s", bucket)
		}
	}
	if o.SSEAlgorithm != want.SSEAlgorithm || o.KMSKeyID != want.KMSKeyID || !o.BucketKey {
		if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
			Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: sdkaws.String(want.KMSKeyID)},
				BucketKeyEnabled:                   sdkaws.Bool(true),
			}},
		}}); err != nil {
			return awsclient.Wrapf(err, "cannot set encryption of bucket %s", bucket)
		}
	}
	if same, err := awsclient.EquivalentPolicies(want.Policy, orEmptyPolicy(o.Policy)); err != nil || !same {
		if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: sdkaws.String(want.Policy)}); err != nil {
			return awsclient.Wrapf(err, "cannot put policy of bucket %s", bucket)
		}
	}
	if len(tagDrift(want.Tags, o.Tags)) > 0 {
		// PutBucketTagging replaces the whole tag set, so the tags others set are put back with
		// ZoneKeeper's (which win on a clash): tagDrift leaves them alone, and so must the repair.
		// S3 also refuses a set that leaves out the system (aws:) tags a bucket has.
		merged := map[string]string{}
		maps.Copy(merged, o.Tags)
		maps.Copy(merged, want.Tags)
		tags := sdkTags(merged, func(k, v *string) s3types.Tag { return s3types.Tag{Key: k, Value: v} })
		if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: tags}}); err != nil {
			return awsclient.Wrapf(err, "cannot tag bucket %s", bucket)
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
