package v1alpha1

import (
	"context"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// References only ever name objects in the referencing object's own namespace: a tenant's network
// or trail can never pick up another tenant's key or bucket.

// KeyARN extracts the ARN of a Key once it is known.
func KeyARN() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		k, ok := mg.(*Key)
		if !ok {
			return ""
		}
		return k.Status.AtProvider.ARN
	}
}

// LogBucketARN extracts the ARN of an AuditTrail's log bucket once it is known.
func LogBucketARN() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		a, ok := mg.(*AuditTrail)
		if !ok {
			return ""
		}
		return a.Status.AtProvider.BucketARN
	}
}

func localRef(r *xpv2.Reference) *xpv2.NamespacedReference {
	if r == nil {
		return nil
	}
	return &xpv2.NamespacedReference{Name: r.Name, Policy: r.Policy}
}

// resolveKeyARN returns the ARN of the Key ref names in mg's namespace, or current when ref is nil
// or already resolved.
func resolveKeyARN(ctx context.Context, c client.Reader, mg resource.Managed, current string, ref *xpv2.Reference) (string, error) {
	rsp, err := reference.NewAPINamespacedResolver(c, mg).Resolve(ctx, reference.NamespacedResolutionRequest{
		CurrentValue: current,
		Reference:    localRef(ref),
		To:           reference.To{Managed: &Key{}, List: &KeyList{}},
		Extract:      KeyARN(),
		Namespace:    mg.GetNamespace(),
	})
	return rsp.ResolvedValue, errors.Wrap(err, "cannot resolve spec.forProvider.kmsKeyRef")
}

// ResolveReferences sets spec.forProvider.kmsKeyARN from spec.forProvider.kmsKeyRef.
func (mg *AuditTrail) ResolveReferences(ctx context.Context, c client.Reader) error {
	arn, err := resolveKeyARN(ctx, c, mg, mg.Spec.ForProvider.KMSKeyARN, mg.Spec.ForProvider.KMSKeyRef)
	if err != nil {
		return err
	}
	mg.Spec.ForProvider.KMSKeyARN = arn
	return nil
}

// ResolveReferences sets spec.forProvider.flowLogs.bucketARN from
// spec.forProvider.flowLogs.bucketRef.
func (mg *VPC) ResolveReferences(ctx context.Context, c client.Reader) error {
	rsp, err := reference.NewAPINamespacedResolver(c, mg).Resolve(ctx, reference.NamespacedResolutionRequest{
		CurrentValue: mg.Spec.ForProvider.FlowLogs.BucketARN,
		Reference:    localRef(mg.Spec.ForProvider.FlowLogs.BucketRef),
		To:           reference.To{Managed: &AuditTrail{}, List: &AuditTrailList{}},
		Extract:      LogBucketARN(),
		Namespace:    mg.GetNamespace(),
	})
	if err != nil {
		return errors.Wrap(err, "cannot resolve spec.forProvider.flowLogs.bucketRef")
	}
	mg.Spec.ForProvider.FlowLogs.BucketARN = rsp.ResolvedValue
	return nil
}

// BucketARN extracts the ARN of a Bucket once it is known.
func BucketARN() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		b, ok := mg.(*Bucket)
		if !ok {
			return ""
		}
		return b.Status.AtProvider.ARN
	}
}

func localRefs(rs []xpv2.Reference) []xpv2.NamespacedReference {
	out := make([]xpv2.NamespacedReference, 0, len(rs))
	for _, r := range rs {
		out = append(out, xpv2.NamespacedReference{Name: r.Name, Policy: r.Policy})
	}
	return out
}

// ResolveReferences sets spec.forProvider.kmsKeyARN from spec.forProvider.kmsKeyRef.
func (mg *Bucket) ResolveReferences(ctx context.Context, c client.Reader) error {
	arn, err := resolveKeyARN(ctx, c, mg, mg.Spec.ForProvider.KMSKeyARN, mg.Spec.ForProvider.KMSKeyRef)
	if err != nil {
		return err
	}
	mg.Spec.ForProvider.KMSKeyARN = arn
	return nil
}

// ResolveReferences sets spec.forProvider.kmsKeyARNs from spec.forProvider.kmsKeyRefs and
// spec.forProvider.bucketARNs from spec.forProvider.bucketRefs.
func (mg *Role) ResolveReferences(ctx context.Context, c client.Reader) error {
	r := reference.NewAPINamespacedResolver(c, mg)
	p := &mg.Spec.ForProvider
	keys, err := r.ResolveMultiple(ctx, reference.MultiNamespacedResolutionRequest{
		CurrentValues: p.KMSKeyARNs,
		References:    localRefs(p.KMSKeyRefs),
		To:            reference.To{Managed: &Key{}, List: &KeyList{}},
		Extract:       KeyARN(),
		Namespace:     mg.GetNamespace(),
	})
	if err != nil {
		return errors.Wrap(err, "cannot resolve spec.forProvider.kmsKeyRefs")
	}
	p.KMSKeyARNs = keys.ResolvedValues
	buckets, err := r.ResolveMultiple(ctx, reference.MultiNamespacedResolutionRequest{
		CurrentValues: p.BucketARNs,
		References:    localRefs(p.BucketRefs),
		To:            reference.To{Managed: &Bucket{}, List: &BucketList{}},
		Extract:       BucketARN(),
		Namespace:     mg.GetNamespace(),
	})
	if err != nil {
		return errors.Wrap(err, "cannot resolve spec.forProvider.bucketRefs")
	}
	p.BucketARNs = buckets.ResolvedValues
	return nil
}
