package aws_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

const issuer = "oidc.eks.us-gov-west-1.amazonaws.com/id/ZONEKEEPERTEST"

func newBucket(ns, name, bucket, keyRef string, lockDays int32) *awsv1.Bucket {
	b := &awsv1.Bucket{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: awsv1.BucketSpec{ResourceSpec: spec("aws"), ForProvider: awsv1.BucketParameters{
			Region: region, BucketName: bucket, KMSKeyRef: &xpv2.Reference{Name: keyRef}, Tags: map[string]string{"classification": "cjis"},
		}},
	}
	if lockDays > 0 {
		b.Spec.ForProvider.ObjectLock = &awsv1.BucketObjectLock{Enabled: true, Mode: awsv1.ObjectLockGovernance, RetentionDays: lockDays}
		b.Spec.ForProvider.LegalHold = true
	}
	return b
}

func newRole(ns, name, keyRef, bucketRef string) *awsv1.Role {
	return &awsv1.Role{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: awsv1.RoleSpec{ResourceSpec: spec("aws"), ForProvider: awsv1.RoleParameters{
			Region: region, RoleName: "zk-" + name, ServiceAccountIssuer: issuer,
			ServiceAccount: awsv1.ServiceAccountReference{Namespace: "evidence", Name: name},
			KMSKeyRefs:     []xpv2.Reference{{Name: keyRef}},
			BucketRefs:     []xpv2.Reference{{Name: bucketRef}},
			Tags:           map[string]string{"workload": "evidence"},
		}},
	}
}

// workloadClients are SDK clients reading moto directly.
func workloadClients(t *testing.T) (*s3.Client, *iam.Client) {
	t.Helper()
	cfg := awsConfig(t, region)
	ic := iam.NewFromConfig(cfg)
	// IRSA needs the cluster's OIDC provider in the account; ZoneKeeper does not create it.
	if _, err := ic.CreateOpenIDConnectProvider(t.Context(), &iam.CreateOpenIDConnectProviderInput{
		Url: sdkaws.String("https://" + issuer), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("a", 40)},
	}); err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), ic
}

func decode(t *testing.T, doc string) awsclient.PolicyDocument {
	t.Helper()
	if s, err := url.PathUnescape(doc); err == nil {
		doc = s
	}
	var d struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal map[string]any
			Action    any
			Resource  any
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("policy %s: %v", doc, err)
	}
	out := awsclient.PolicyDocument{}
	for _, s := range d.Statement {
		st := awsclient.Statement{Sid: s.Sid, Effect: s.Effect, Action: list(s.Action), Resource: list(s.Resource), Condition: s.Condition}
		if s.Principal != nil {
			p := map[string][]string{}
			for k, v := range s.Principal {
				p[k] = list(v)
			}
			st.Principal = p
		}
		out.Statement = append(out.Statement, st)
	}
	return out
}

func list(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, e.(string))
		}
		slices.Sort(out)
		return out
	}
	return nil
}

// TestWorkloadBucketAndRole drives a Key, a Bucket encrypted under it and an IRSA Role using both
// to Ready (each found through references), verifies them in moto through the SDK, changes them out
// of band and watches each be put back with an event, then deletes the objects with the default
// deletion policy and finds the bucket and role still in AWS.
func TestWorkloadBucketAndRole(t *testing.T) {
	z := newZone(t)
	sc, ic := workloadClients(t)
	ctx := t.Context()
	key := newKey(z.ns, "data-key", "evidence")
	bucket := newBucket(z.ns, "data", "zk-evidence-data", "data-key", 30)
	role := newRole(z.ns, "ingest", "data-key", "data")
	z.create(role, bucket, key) // in reverse: references wait for what they name
	z.waitReady(key)
	z.waitReady(bucket)
	z.waitReady(role)
	b := sdkaws.String("zk-evidence-data")
	keyARN := key.Status.AtProvider.ARN
	bucketARN := "arn:aws-us-gov:s3:::zk-evidence-data"

	t.Run("BucketInS3", func(t *testing.T) {
		if diff := cmp.Diff(awsv1.BucketObservation{
			ARN: bucketARN, BucketName: *b, Versioning: "Enabled", SSEAlgorithm: "aws:kms", KMSKeyARN: keyARN, BucketKeyEnabled: true,
			ObjectLockEnabled: true, ObjectLockMode: "GOVERNANCE", ObjectLockRetentionDays: 30, PublicAccessBlocked: true,
		}, bucket.Status.AtProvider); diff != "" {
			t.Errorf("status.atProvider: -want +got:\n%s", diff)
		}
		if meta := bucket.GetAnnotations()["crossplane.io/external-name"]; meta != *b {
			t.Errorf("external-name %q, want the bucket name", meta)
		}
		enc, err := sc.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		r := enc.ServerSideEncryptionConfiguration.Rules[0]
		if d := r.ApplyServerSideEncryptionByDefault; d.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms || sdkaws.ToString(d.KMSMasterKeyID) != keyARN || !sdkaws.ToBool(r.BucketKeyEnabled) {
			t.Errorf("encryption %s with %s, bucket key %t; want aws:kms with %s and bucket key on", d.SSEAlgorithm, sdkaws.ToString(d.KMSMasterKeyID), sdkaws.ToBool(r.BucketKeyEnabled), keyARN)
		}
		ver, _ := sc.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if ver.Status != s3types.BucketVersioningStatusEnabled {
			t.Errorf("versioning %q, want Enabled", ver.Status)
		}
		lock, err := sc.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if l := lock.ObjectLockConfiguration; l.ObjectLockEnabled != s3types.ObjectLockEnabledEnabled || l.Rule == nil ||
			l.Rule.DefaultRetention.Mode != s3types.ObjectLockRetentionModeGovernance || sdkaws.ToInt32(l.Rule.DefaultRetention.Days) != 30 {
			t.Errorf("object lock %+v, want enabled, GOVERNANCE, 30 days", l)
		}
		pab, err := sc.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if p := pab.PublicAccessBlockConfiguration; !sdkaws.ToBool(p.BlockPublicAcls) || !sdkaws.ToBool(p.IgnorePublicAcls) || !sdkaws.ToBool(p.BlockPublicPolicy) || !sdkaws.ToBool(p.RestrictPublicBuckets) {
			t.Errorf("Block Public Access %+v, want all four on", p)
		}
		pol, err := sc.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		if err != nil {
			t.Fatal(err)
		}
		if !deniesInsecureTransport(t, sdkaws.ToString(pol.Policy)) {
			t.Errorf("bucket policy does not deny requests without TLS: %s", sdkaws.ToString(pol.Policy))
		}
	})

	t.Run("RoleInIAM", func(t *testing.T) {
		out, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("zk-ingest")})
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws-us-gov:iam::" + moto.AccountID + ":role/zk-ingest"; role.Status.AtProvider.ARN != want || role.Status.AtProvider.RoleID != sdkaws.ToString(out.Role.RoleId) {
			t.Errorf("status.atProvider %+v, want ARN %s and role ID %s", role.Status.AtProvider, want, sdkaws.ToString(out.Role.RoleId))
		}
		trust := decode(t, sdkaws.ToString(out.Role.AssumeRolePolicyDocument))
		want := []awsclient.Statement{{
			Sid: "ServiceAccountWebIdentity", Effect: "Allow",
			Principal: map[string][]string{"Federated": {"arn:aws-us-gov:iam::" + moto.AccountID + ":oidc-provider/" + issuer}},
			Action:    []string{"sts:AssumeRoleWithWebIdentity"},
			Condition: map[string]map[string]string{"StringEquals": {issuer + ":sub": "system:serviceaccount:evidence:ingest", issuer + ":aud": "sts.amazonaws.com"}},
		}}
		if diff := cmp.Diff(want, trust.Statement); diff != "" {
			t.Errorf("trust policy: -want +got:\n%s", diff)
		}
		pol, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: sdkaws.String("zk-ingest"), PolicyName: sdkaws.String(awsv1.RoleInlinePolicyName)})
		if err != nil {
			t.Fatal(err)
		}
		wantInline := []awsclient.Statement{
			{Sid: "UseKeys", Effect: "Allow", Action: []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"}, Resource: []string{keyARN}},
			{Sid: "ListBuckets", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: []string{bucketARN}},
			{Sid: "ReadWriteObjects", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{bucketARN + "/*"}},
		}
		if diff := cmp.Diff(wantInline, decode(t, sdkaws.ToString(pol.PolicyDocument)).Statement); diff != "" {
			t.Errorf("inline policy: -want +got:\n%s", diff)
		}
		names, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: sdkaws.String("zk-ingest")})
		if err != nil || len(names.PolicyNames) != 1 {
			t.Errorf("inline policies %v, %v; want exactly ZoneKeeper's", names.PolicyNames, err)
		}
	})

	t.Run("DriftIsRepaired", func(t *testing.T) {
		z := z.in(t)
		// Both objects are paused while they are changed, so that no observation lands between
		// two changes and repairs one without reporting the other: each repair below is one event.
		z.pause(bucket)
		z.pause(role)
		if _, err := sc.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: b}); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: sdkaws.Bool(false), IgnorePublicAcls: sdkaws.Bool(true), BlockPublicPolicy: sdkaws.Bool(false), RestrictPublicBuckets: sdkaws.Bool(true),
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := sc.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}); err != nil {
			t.Fatal(err)
		}
		wide := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
		if _, err := ic.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: sdkaws.String("zk-ingest"), PolicyDocument: &wide}); err != nil {
			t.Fatal(err)
		}
		all := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: sdkaws.String("zk-ingest"), PolicyName: sdkaws.String(awsv1.RoleInlinePolicyName), PolicyDocument: &all}); err != nil {
			t.Fatal(err)
		}
		z.resume(bucket)
		z.resume(role)
		z.waitEvent("data", "RepairedDrift", "default encryption is none", "Block Public Access BlockPublicAcls is off", "bucket policy is missing")
		z.waitEvent("ingest", "RepairedDrift", "trust policy differs", "differs from the least-privilege policy")

		got, err := sc.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil || sdkaws.ToString(got.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != keyARN {
			t.Errorf("encryption after repair: %+v, %v", got, err)
		}
		pol, err := sc.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		if err != nil || !deniesInsecureTransport(t, sdkaws.ToString(pol.Policy)) {
			t.Errorf("TLS policy after repair: %v", err)
		}
		r, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("zk-ingest")})
		if err != nil || strings.Contains(sdkaws.ToString(r.Role.AssumeRolePolicyDocument), "sts%3AAssumeRole%22") || !strings.Contains(decodeString(sdkaws.ToString(r.Role.AssumeRolePolicyDocument)), "AssumeRoleWithWebIdentity") {
			t.Errorf("trust policy after repair: %+v, %v", r, err)
		}
		ip, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: sdkaws.String("zk-ingest"), PolicyName: sdkaws.String(awsv1.RoleInlinePolicyName)})
		if err != nil || strings.Contains(decodeString(sdkaws.ToString(ip.PolicyDocument)), `"s3:*"`) {
			t.Errorf("inline policy after repair: %+v, %v", ip, err)
		}

		// Each later drift of the bucket is evidence of its own, not a repeat of the first:
		// client-go's event recorder folds events about the same object and resourceVersion that
		// differ only in their note, and a tag changes nothing in the bucket's status, so both
		// repairs below are recorded against the same resourceVersion once the status shows the
		// repaired bucket.
		eventually(t, "the repaired bucket in status", func() error {
			if err := z.get(bucket); err != nil {
				return err
			}
			if o := bucket.Status.AtProvider; !o.PublicAccessBlocked || o.KMSKeyARN != keyARN {
				return fmt.Errorf("status.atProvider %+v", o)
			}
			return nil
		})
		for _, v := range []string{"public", "open"} {
			if _, err := sc.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
				{Key: sdkaws.String("classification"), Value: sdkaws.String(v)},
			}}}); err != nil {
				t.Fatal(err)
			}
			z.waitEvent("data", "RepairedDrift", fmt.Sprintf("tag classification is %q, want \"cjis\"", v))
		}

		// Versioning suspended is repaired too.
		if _, err := sc.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); err != nil {
			t.Logf("moto refuses to suspend versioning of an Object Lock bucket (as S3 does): %v", err)
		} else {
			z.waitEvent("data", "RepairedDrift", "versioning is Suspended, want Enabled")
		}
		z.waitReady(bucket)
		z.waitReady(role)
	})

	t.Run("OrphanByDefault", func(t *testing.T) {
		z := z.in(t)
		z.deleteAndWait(role, bucket)
		if _, err := sc.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); err != nil {
			t.Errorf("bucket after deleting its object: %v; want it kept", err)
		}
		if _, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("zk-ingest")}); err != nil {
			t.Errorf("role after deleting its object: %v; want it kept", err)
		}
		z.waitEvent("data", "Orphaned", *b)
		z.waitEvent("ingest", "Orphaned", "zk-ingest")
	})
}

// withoutTLSPolicy runs op against bucket with its bucket policy lifted: the test talks to moto
// without TLS, which the policy refuses (moto enforces it). A poll may put the policy back at any
// moment, so op is retried until it succeeds.
func withoutTLSPolicy(t *testing.T, sc *s3.Client, bucket string, op func() error) {
	t.Helper()
	eventually(t, "an operation on "+bucket+" without its TLS policy", func() error {
		if _, err := sc.DeleteBucketPolicy(t.Context(), &s3.DeleteBucketPolicyInput{Bucket: &bucket}); err != nil {
			return err
		}
		return op()
	})
}

func decodeString(doc string) string {
	if s, err := url.PathUnescape(doc); err == nil {
		return s
	}
	return doc
}

// TestWorkloadDeletionPolicyDelete deletes a Role and two Buckets with deletionPolicy Delete: the
// role and its inline policy go, the empty bucket goes, and the bucket holding an object stays,
// Synced=False saying why, until it is emptied out of band.
func TestWorkloadDeletionPolicyDelete(t *testing.T) {
	z := newZone(t)
	sc, ic := workloadClients(t)
	ctx := t.Context()
	key := newKey(z.ns, "data-key", "closing")
	empty := newBucket(z.ns, "empty", "zk-closing-empty", "data-key", 0)
	full := newBucket(z.ns, "full", "zk-closing-full", "data-key", 0)
	role := newRole(z.ns, "ingest", "data-key", "full")
	for _, mg := range []interface{ SetDeletionPolicy(xpv2.DeletionPolicy) }{empty, full, role} {
		mg.SetDeletionPolicy(deleteFromAWS)
	}
	z.create(key, empty, full, role)
	z.waitReady(key)
	z.waitReady(empty)
	z.waitReady(full)
	z.waitReady(role)
	var put *s3.PutObjectOutput
	withoutTLSPolicy(t, sc, "zk-closing-full", func() (err error) {
		put, err = sc.PutObject(ctx, &s3.PutObjectInput{Bucket: sdkaws.String("zk-closing-full"), Key: sdkaws.String("evidence.bin"), Body: strings.NewReader("x")})
		return err
	})

	z.deleteAndWait(role, empty)
	if _, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("zk-ingest")}); err == nil {
		t.Error("the role still exists after its object was deleted with deletionPolicy Delete")
	}
	if _, err := sc.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdkaws.String("zk-closing-empty")}); err == nil {
		t.Error("the empty bucket still exists after its object was deleted with deletionPolicy Delete")
	}

	if err := k8s.Delete(ctx, full); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a condition saying the bucket is not empty", func() error {
		if err := z.get(full); err != nil {
			return err
		}
		if c := full.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "bucket zk-closing-full still holds objects") || !strings.Contains(c.Message, "never deletes objects") {
			return fmt.Errorf("Synced %s %s: %s", c.Status, c.Reason, c.Message)
		}
		return nil
	})
	withoutTLSPolicy(t, sc, "zk-closing-full", func() error {
		_, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: sdkaws.String("zk-closing-full"), Key: sdkaws.String("evidence.bin")})
		return err // the object must still be there: ZoneKeeper never deletes objects
	})
	withoutTLSPolicy(t, sc, "zk-closing-full", func() error {
		_, err := sc.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: sdkaws.String("zk-closing-full"), Key: sdkaws.String("evidence.bin"), VersionId: put.VersionId})
		return err
	})
	z.deleteAndWait(full)
	if _, err := sc.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdkaws.String("zk-closing-full")}); err == nil {
		t.Error("the emptied bucket still exists")
	}
}
