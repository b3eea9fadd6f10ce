package v1alpha1_test

import (
	"context"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

const bucket = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: Bucket
metadata: {name: NAME, namespace: default}
spec:
  forProvider: {region: us-gov-west-1, bucketName: zk-data-1, kmsKeyRef: {name: zone-key}}
`

const lockedBucket = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: Bucket
metadata: {name: NAME, namespace: default}
spec:
  forProvider: {region: us-gov-west-1, bucketName: zk-data-2, kmsKeyRef: {name: zone-key}, objectLock: {enabled: true, retentionDays: 30}, legalHold: true}
`

const role = `
apiVersion: aws.zonekeeper.dev/v1alpha1
kind: Role
metadata: {name: NAME, namespace: default}
spec:
  forProvider:
    region: us-gov-west-1
    roleName: zk-ingest
    serviceAccountIssuer: oidc.eks.us-gov-west-1.amazonaws.com/id/EXAMPLE
    serviceAccount: {namespace: evidence, name: ingest}
    kmsKeyRefs: [{name: zone-key}]
    bucketRefs: [{name: data}]
`

// TestWorkloadSchemaAllowsWhatMayChange checks that retention, mode and permissions stay editable.
func TestWorkloadSchemaAllowsWhatMayChange(t *testing.T) {
	ctx := context.Background()
	u := object(t, lockedBucket, nil)
	if err := k8s.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := unstructured.NestedString(u.Object, "spec", "forProvider", "objectLock", "mode"); got != "COMPLIANCE" {
		t.Errorf("objectLock.mode defaulted to %q, want COMPLIANCE", got)
	}
	if got, _, _ := unstructured.NestedString(u.Object, "spec", "deletionPolicy"); got != "Orphan" {
		t.Errorf("deletionPolicy defaulted to %q, want Orphan", got)
	}
	set("spec.forProvider.objectLock.retentionDays", int64(90))(u.Object)
	set("spec.forProvider.objectLock.mode", "GOVERNANCE")(u.Object)
	if err := k8s.Update(ctx, u); err != nil {
		t.Errorf("changing the retention: %v", err)
	}
	r := object(t, role, nil)
	if err := k8s.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	set("spec.forProvider.kmsKeyARNs", []any{"arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/k"})(r.Object)
	set("spec.forProvider.permissionsBoundaryARN", "arn:aws-us-gov:iam::111122223333:policy/boundary")(r.Object)
	if err := k8s.Update(ctx, r); err != nil {
		t.Errorf("changing the role's permissions: %v", err)
	}
}
