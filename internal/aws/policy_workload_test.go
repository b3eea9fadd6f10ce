package awsclient

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTLSOnlyBucketPolicy(t *testing.T) {
	cases := map[string]struct {
		reason string
		region string
		want   []string
	}{
		"GovCloud":   {reason: "The bucket ARN is in the region's partition.", region: "us-gov-west-1", want: []string{"arn:aws-us-gov:s3:::zk-data", "arn:aws-us-gov:s3:::zk-data/*"}},
		"Commercial": {reason: "And in aws elsewhere.", region: "eu-west-2", want: []string{"arn:aws:s3:::zk-data", "arn:aws:s3:::zk-data/*"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := TLSOnlyBucketPolicy(tc.region, "zk-data")
			want := []Statement{{
				Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: []string{"s3:*"}, Resource: tc.want,
				Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "false"}},
			}}
			if diff := cmp.Diff(want, d.Statement); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
			// The log bucket shares the statement.
			logs := LogBucketPolicy(LogBucketPolicyInput{Region: tc.region, Account: "1", Bucket: "zk-data", Trail: "t"})
			if diff := cmp.Diff(want[0], statement(t, logs, "DenyInsecureTransport")); diff != "" {
				t.Errorf("log bucket TLS statement differs: -want +got:\n%s", diff)
			}
		})
	}
}

func TestIRSATrustPolicy(t *testing.T) {
	const issuer = "oidc.eks.us-gov-west-1.amazonaws.com/id/ABC123"
	cases := map[string]struct {
		reason        string
		in            IRSATrustInput
		wantPrincipal string
		wantSub       string
	}{
		"GovCloud": {
			reason:        "The OIDC provider ARN is in aws-us-gov; the subject is exactly the ServiceAccount.",
			in:            IRSATrustInput{Region: "us-gov-west-1", Account: "111122223333", Issuer: issuer, Namespace: "evidence", ServiceAccount: "ingest"},
			wantPrincipal: "arn:aws-us-gov:iam::111122223333:oidc-provider/" + issuer,
			wantSub:       "system:serviceaccount:evidence:ingest",
		},
		"SchemeStripped": {
			reason:        "An issuer given with https:// names the same provider.",
			in:            IRSATrustInput{Region: "us-east-1", Account: "111122223333", Issuer: "https://" + issuer, Namespace: "a", ServiceAccount: "b"},
			wantPrincipal: "arn:aws:iam::111122223333:oidc-provider/" + issuer,
			wantSub:       "system:serviceaccount:a:b",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := IRSATrustPolicy(tc.in)
			want := []Statement{{
				Sid: "ServiceAccountWebIdentity", Effect: "Allow",
				Principal: map[string][]string{"Federated": {tc.wantPrincipal}},
				Action:    []string{"sts:AssumeRoleWithWebIdentity"},
				Condition: map[string]map[string]string{"StringEquals": {issuer + ":sub": tc.wantSub, issuer + ":aud": "sts.amazonaws.com"}},
			}}
			if diff := cmp.Diff(want, d.Statement); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
			doc, err := d.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(doc, `"Resource"`) {
				t.Errorf("a trust policy has no Resource: %s", doc)
			}
		})
	}
}

func TestWorkloadPolicy(t *testing.T) {
	const (
		keyA    = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/a"
		keyB    = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/b"
		bucketA = "arn:aws-us-gov:s3:::zk-a"
		bucketB = "arn:aws-us-gov:s3:::zk-b"
	)
	cases := map[string]struct {
		reason string
		in     WorkloadPolicyInput
		want   []Statement
	}{
		"Nothing": {reason: "Nothing named grants nothing.", want: []Statement{}},
		"KeysOnly": {
			reason: "Use of exactly the named keys, sorted; no ReEncrypt, no grants.",
			in:     WorkloadPolicyInput{KeyARNs: []string{keyB, keyA}},
			want:   []Statement{{Sid: "UseKeys", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"}, Resource: []string{keyA, keyB}}},
		},
		"KeysAndBuckets": {
			reason: "Listing the buckets; reading and writing, never deleting, their objects.",
			in:     WorkloadPolicyInput{KeyARNs: []string{keyA}, BucketARNs: []string{bucketB, bucketA}},
			want: []Statement{
				{Sid: "UseKeys", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"}, Resource: []string{keyA}},
				{Sid: "ListBuckets", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{bucketA, bucketB}},
				{Sid: "ReadWriteObjects", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{bucketA + "/*", bucketB + "/*"}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := WorkloadPolicy(tc.in)
			if diff := cmp.Diff(tc.want, d.Statement); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
			doc, err := d.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(doc, `"Principal"`) {
				t.Errorf("an identity policy has no Principal: %s", doc)
			}
		})
	}
}
