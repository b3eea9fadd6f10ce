package aws

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

type bucketConnector struct {
	resolver *awsclient.Resolver
	record   event.Recorder
}

func (c *bucketConnector) Connect(ctx context.Context, mg *awsv1.Bucket) (managed.TypedExternalClient[*awsv1.Bucket], error) {
	cfg, err := c.resolver.Config(ctx, mg, mg.Spec.ForProvider.Region)
	if err != nil {
		return nil, err
	}
	return &bucketClient{s3: newS3(cfg), record: c.record}, nil
}

// bucketClient manages one Bucket for one reconcile. Observe keeps what it found for Update.
type bucketClient struct {
	s3     *s3.Client
	record event.Recorder

	wasReady bool
	observed bucketState
	drift    []string
}

// desired is the Bucket's desired state: the shared bucket controls, a TLS-only policy, and
// Object Lock as the spec asks (legalHold only requires it, which the API enforces).
func (c *bucketClient) desired(mg *awsv1.Bucket) (bucketState, error) {
	p := mg.Spec.ForProvider
	policy, err := awsclient.TLSOnlyBucketPolicy(p.Region, p.BucketName).JSON()
	if err != nil {
		return bucketState{}, err
	}
	b := desiredBucket(p.KMSKeyARN, policy, desiredTags(mg, p.Tags))
	if l := p.ObjectLock; l != nil && l.Enabled {
		b.ObjectLock = true
		if l.RetentionDays > 0 {
			b.LockMode, b.LockDays = string(l.Mode), l.RetentionDays
			if b.LockMode == "" {
				b.LockMode = string(awsv1.ObjectLockCompliance)
			}
		}
	}
	return b, nil
}

func (c *bucketClient) Observe(ctx context.Context, mg *awsv1.Bucket) (managed.ExternalObservation, error) {
	c.wasReady = isReady(mg)
	p := mg.Spec.ForProvider
	var err error
	if c.observed, err = readBucket(ctx, c.s3, p.BucketName); err != nil || !c.observed.Exists {
		return managed.ExternalObservation{}, err
	}
	// The bucket's name is its identity: a bucket of the account with that name is this one,
	// unless another object made it.
	adopted := meta.GetExternalName(mg) != p.BucketName
	if adopted {
		if err := refuseForeign("bucket "+p.BucketName, c.observed.Tags, mg); err != nil {
			return managed.ExternalObservation{}, err
		}
		meta.SetExternalName(mg, p.BucketName)
	}
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	if c.drift, err = bucketDrift(want, c.observed); err != nil {
		return managed.ExternalObservation{}, err
	}
	o := c.observed
	mg.Status.AtProvider = awsv1.BucketObservation{
		ARN:                     awsclient.BucketARN(p.Region, p.BucketName),
		BucketName:              p.BucketName,
		Versioning:              o.Versioning,
		SSEAlgorithm:            o.SSEAlgorithm,
		KMSKeyARN:               o.KMSKeyID,
		BucketKeyEnabled:        o.BucketKey,
		ObjectLockEnabled:       o.ObjectLock,
		ObjectLockMode:          o.LockMode,
		ObjectLockRetentionDays: o.LockDays,
		PublicAccessBlocked:     o.publicAccessBlocked(),
	}
	setReady(mg, xpv2.Available())
	driftObserved(c.record, mg, c.drift)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        len(c.drift) == 0,
		ResourceLateInitialized: adopted,
		Diff:                    strings.Join(c.drift, "; "),
	}, nil
}

func (c *bucketClient) Create(ctx context.Context, mg *awsv1.Bucket) (managed.ExternalCreation, error) {
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	p := mg.Spec.ForProvider
	existed, err := createBucket(ctx, c.s3, p.Region, p.BucketName, want.ObjectLock)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	o := bucketState{Exists: true, ObjectLock: want.ObjectLock}
	if existed {
		// Created since Observe looked: read it, then put right what differs, unless another
		// object (one whose bucket name collides) created it.
		if o, err = readBucket(ctx, c.s3, p.BucketName); err != nil {
			return managed.ExternalCreation{}, err
		}
		if err := refuseForeign("bucket "+p.BucketName, o.Tags, mg); err != nil {
			return managed.ExternalCreation{}, err
		}
	}
	meta.SetExternalName(mg, p.BucketName)
	return managed.ExternalCreation{}, applyBucket(ctx, c.s3, p.Region, p.BucketName, o, want)
}

func (c *bucketClient) Update(ctx context.Context, mg *awsv1.Bucket) (managed.ExternalUpdate, error) {
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	p := mg.Spec.ForProvider
	if err := applyBucket(ctx, c.s3, p.Region, p.BucketName, c.observed, want); err != nil {
		return managed.ExternalUpdate{}, err
	}
	repaired(c.record, mg, c.wasReady, c.drift)
	setReady(mg, xpv2.Available())
	return managed.ExternalUpdate{}, nil
}

// Delete deletes the bucket, which S3 allows only when it holds no object versions. ZoneKeeper never
// deletes objects: a bucket that is not empty stays, and the object with it (Synced=False saying
// so), until it is emptied. It is reached only with deletionPolicy Delete.
func (c *bucketClient) Delete(ctx context.Context, mg *awsv1.Bucket) (managed.ExternalDelete, error) {
	name := mg.Spec.ForProvider.BucketName
	_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &name})
	switch {
	case err == nil, awsclient.IsCode(err, "NoSuchBucket"):
		return managed.ExternalDelete{}, nil
	case awsclient.IsCode(err, "BucketNotEmpty"):
		return managed.ExternalDelete{}, errors.Errorf("bucket %s still holds objects or object versions, and ZoneKeeper never deletes objects: empty it (Object Lock permitting) or set deletionPolicy Orphan", name)
	default:
		return managed.ExternalDelete{}, awsclient.Wrapf(err, "cannot delete bucket %s", name)
	}
}

func (c *bucketClient) Disconnect(context.Context) error { return nil }
