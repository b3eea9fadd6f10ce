package aws

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

func TestDesiredDataBucket(t *testing.T) {
	cases := map[string]struct {
		reason   string
		lock     *awsv1.BucketObjectLock
		wantLock [3]any // ObjectLock, LockMode, LockDays
	}{
		"NoObjectLock":      {reason: "Without objectLock, Object Lock is not asked for (nor compared).", wantLock: [3]any{false, "", int32(0)}},
		"LockWithoutPeriod": {reason: "Object Lock without a default retention.", lock: &awsv1.BucketObjectLock{Enabled: true, Mode: awsv1.ObjectLockCompliance}, wantLock: [3]any{true, "", int32(0)}},
		"LockWithRetention": {reason: "Object Lock with default retention.", lock: &awsv1.BucketObjectLock{Enabled: true, Mode: awsv1.ObjectLockGovernance, RetentionDays: 7}, wantLock: [3]any{true, "GOVERNANCE", int32(7)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			mg := &awsv1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "b"}, Spec: awsv1.BucketSpec{ForProvider: awsv1.BucketParameters{
				Region: "us-gov-west-1", BucketName: "zk-b", KMSKeyARN: "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/k", ObjectLock: tc.lock,
			}}}
			got, err := (&bucketClient{}).desired(mg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantLock, [3]any{got.ObjectLock, got.LockMode, got.LockDays}); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
			policy, _ := awsclient.TLSOnlyBucketPolicy("us-gov-west-1", "zk-b").JSON()
			if got.Policy != policy || got.SSEAlgorithm != "aws:kms" || got.KMSKeyID != mg.Spec.ForProvider.KMSKeyARN || !got.BucketKey || got.Versioning != "Enabled" || !got.publicAccessBlocked() || got.Tags[TagManagedBy] != "ns/b" {
				t.Errorf("%s\nthe shared controls are not all asked for: %+v", tc.reason, got)
			}
			// A bucket in the desired state has no drift; one without Object Lock is not drift when
			// none is wanted.
			if drift, err := bucketDrift(got, got); err != nil || drift != nil {
				t.Errorf("in sync: %v, %v", drift, err)
			}
		})
	}
}

func TestRoleDrift(t *testing.T) {
	in := awsclient.IRSATrustInput{Region: "us-gov-west-1", Account: "1", Issuer: "oidc.example/id/X", Namespace: "a", ServiceAccount: "b"}
	trust, _ := awsclient.IRSATrustPolicy(in).JSON()
	in.ServiceAccount = "other"
	otherTrust, _ := awsclient.IRSATrustPolicy(in).JSON()
	inline, _ := awsclient.WorkloadPolicy(awsclient.WorkloadPolicyInput{KeyARNs: []string{"arn:aws-us-gov:kms:us-gov-west-1:1:key/k"}}).JSON()
	wider, _ := awsclient.WorkloadPolicy(awsclient.WorkloadPolicyInput{KeyARNs: []string{"arn:aws-us-gov:kms:us-gov-west-1:1:key/k", "arn:aws-us-gov:kms:us-gov-west-1:1:key/other"}}).JSON()
	want := roleState{Exists: true, Trust: trust, Inline: inline, Tags: map[string]string{"a": "1"}}
	cases := map[string]struct {
		reason   string
		desired  func(roleState) roleState
		observed func(roleState) roleState
		want     []string
	}{
		"InSync":        {reason: "Nothing differs.", observed: func(r roleState) roleState { return r }},
		"TrustChanged":  {reason: "Another subject may assume the role.", observed: func(r roleState) roleState { r.Trust = otherTrust; return r }, want: []string{"trust policy differs from the ServiceAccount's web identity"}},
		"InlineWidened": {reason: "More keys than asked for.", observed: func(r roleState) roleState { r.Inline = wider; return r }, want: []string{"inline policy zonekeeper-least-privilege differs from the least-privilege policy"}},
		"InlineMissing": {reason: "The policy was deleted.", observed: func(r roleState) roleState { r.Inline = ""; return r }, want: []string{"inline policy zonekeeper-least-privilege is missing"}},
		"InlineUnwanted": {
			reason: "Nothing is named any more, so the policy must go.", desired: func(r roleState) roleState { r.Inline = ""; return r },
			observed: func(r roleState) roleState { return r }, want: []string{"inline policy zonekeeper-least-privilege grants what nothing asks for"},
		},
		"OthersAdded": {
			reason: "Other inline and attached managed policies widen the role.",
			observed: func(r roleState) roleState {
				r.OtherInline, r.Attached = []string{"x"}, []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
				return r
			},
			want: []string{"inline policy x is not ZoneKeeper's", "managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached"},
		},
		"BoundaryRemoved": {
			reason: "The permissions boundary was removed.", desired: func(r roleState) roleState { r.Boundary = "arn:aws:iam::1:policy/b"; return r },
			observed: func(r roleState) roleState { return r }, want: []string{"permissions boundary is none, want arn:aws:iam::1:policy/b"},
		},
		"TagChanged": {reason: "A tag changed.", observed: func(r roleState) roleState { r.Tags = map[string]string{"a": "2"}; return r }, want: []string{`tag a is "2", want "1"`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := want
			if tc.desired != nil {
				d = tc.desired(want)
			}
			got, err := roleDrift(d, tc.observed(want))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
