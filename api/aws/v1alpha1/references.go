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

// ResolveReferences sets spec.forProvider.kmsKeyARN from spec.forProvider.kmsKeyRef.
func (mg *AuditTrail) ResolveReferences(ctx context.Context, c client.Reader) error {
	rsp, err := reference.NewAPINamespacedResolver(c, mg).Resolve(ctx, reference.NamespacedResolutionRequest{
		CurrentValue: mg.Spec.ForProvider.KMSKeyARN,
		Reference:    localRef(mg.Spec.ForProvider.KMSKeyRef),
		To:           reference.To{Managed: &Key{}, List: &KeyList{}},
		Extract:      KeyARN(),
		Namespace:    mg.GetNamespace(),
	})
	if err != nil {
		return errors.Wrap(err, "cannot resolve spec.forProvider.kmsKeyRef")
	}
	mg.Spec.ForProvider.KMSKeyARN = rsp.ResolvedValue
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
