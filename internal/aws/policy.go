package awsclient

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// PolicyVersion is the IAM policy language version every document ZoneKeeper writes uses.
const PolicyVersion = "2012-10-17"

// Service principals. They are the same in aws-us-gov as in aws.
const (
	PrincipalCloudTrail  = "cloudtrail.amazonaws.com"
	PrincipalLogDelivery = "delivery.logs.amazonaws.com"
)

// PolicyDocument is an IAM-style policy: a KMS key policy, an S3 bucket policy, an IAM role's trust
// policy or an IAM identity policy.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a PolicyDocument. Principal is "*" or a map of principal type to
// principals, and absent from identity policies; Resource is absent from trust policies; Condition
// maps an operator to keys and values.
type Statement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// JSON renders a document.
func (d PolicyDocument) JSON() (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", errors.Wrap(err, "cannot render policy document")
	}
	return string(b), nil
}

// keyAdministration are the actions a key administrator needs to manage a key's life cycle, and no
// more: no cryptographic use and no kms:CreateGrant, since a grant would hand out use of the key
// without appearing in its policy.
var keyAdministration = []string{
	"kms:CancelKeyDeletion",
	"kms:CreateAlias",
	"kms:DeleteAlias",
	"kms:DescribeKey",
	"kms:DisableKey",
	"kms:DisableKeyRotation",
	"kms:EnableKey",
	"kms:EnableKeyRotation",
	"kms:GetKeyPolicy",
	"kms:GetKeyRotationStatus",
	"kms:ListAliases",
	"kms:ListGrants",
	"kms:ListKeyPolicies",
	"kms:ListKeyRotations",
	"kms:ListResourceTags",
	"kms:PutKeyPolicy",
	"kms:RevokeGrant",
	"kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion",
	"kms:TagResource",
	"kms:UntagResource",
	"kms:UpdateAlias",
	"kms:UpdateKeyDescription",
}

// keyUse are the cryptographic operations a key user needs for envelope encryption.
var keyUse = []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}

// KeyPolicyInput is what a zone key's policy depends on.
type KeyPolicyInput struct {
	Region         string
	Account        string
	Administrators []string
	Users          []string
}

// KeyPolicy returns the least-privilege policy of a zone key: administrators manage but cannot use
// it; users use but cannot manage it; CloudTrail may generate data keys only for trails of this
// account; the log delivery service may encrypt flow logs only for this account. Nothing else,
// including the account's own root, may use the key.
func KeyPolicy(in KeyPolicyInput) PolicyDocument {
	admins := in.Administrators
	if len(admins) == 0 {
		admins = []string{RootARN(in.Region, in.Account)}
	}
	sourceAccount := map[string]string{"aws:SourceAccount": in.Account}
	st := []Statement{{
		Sid:       "KeyAdministration",
		Effect:    "Allow",
		Principal: map[string][]string{"AWS": sorted(admins)},
		Action:    keyAdministration,
		Resource:  []string{"*"},
	}}
	if len(in.Users) > 0 {
		st = append(st, Statement{
			Sid:       "KeyUse",
			Effect:    "Allow",
			Principal: map[string][]string{"AWS": sorted(in.Users)},
			Action:    keyUse,
			Resource:  []string{"*"},
		})
	}
	st = append(st,
		Statement{
			Sid:       "CloudTrailEncryptLogs",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {PrincipalCloudTrail}},
			Action:    []string{"kms:GenerateDataKey*"},
			Resource:  []string{"*"},
			Condition: map[string]map[string]string{
				"StringEquals": sourceAccount,
				"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:" + PartitionOf(in.Region) + ":cloudtrail:*:" + in.Account + ":trail/*"},
			},
		},
		Statement{
			Sid:       "CloudTrailDescribeKey",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {PrincipalCloudTrail}},
			Action:    []string{"kms:DescribeKey"},
			Resource:  []string{"*"},
			Condition: map[string]map[string]string{"StringEquals": sourceAccount},
		},
		Statement{
			Sid:       "LogDeliveryEncryptFlowLogs",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {PrincipalLogDelivery}},
			Action:    keyUse,
			Resource:  []string{"*"},
			Condition: map[string]map[string]string{"StringEquals": sourceAccount},
		},
	)
	return PolicyDocument{Version: PolicyVersion, Statement: st}
}

// LogBucketPolicyInput is what a log bucket's policy depends on.
type LogBucketPolicyInput struct {
	Region  string
	Account string
	Bucket  string
	Trail   string
}

// LogBucketPolicy returns the policy of a zone's log bucket: every request without TLS is denied;
// CloudTrail may write only this trail's logs, and the log delivery service only this account's
// flow logs, both under AWSLogs/<account>/ and owned by the bucket owner.
func LogBucketPolicy(in LogBucketPolicyInput) PolicyDocument {
	bucket := BucketARN(in.Region, in.Bucket)
	logs := bucket + "/AWSLogs/" + in.Account + "/*"
	trail := TrailARN(in.Region, in.Account, in.Trail)
	return PolicyDocument{Version: PolicyVersion, Statement: []Statement{
		denyInsecureTransport(bucket),
		{
			Sid:       "CloudTrailAclCheck",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {PrincipalCloudTrail}},
			Action:    []string{"s3:GetBucketAcl"},
			Resource:  []string{bucket},
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceArn": trail}},
		},
		{
			Sid:       "CloudTrailWrite",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {PrincipalCloudTrail}},
			Action:    []string{"s3:PutObject"},
			Resource:  []string{logs},
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control"}},
		},
		{
			Sid:       "LogDeliveryAclCheck",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {PrincipalLogDelivery}},
			Action:    []string{"s3:GetBucketAcl", "s3:ListBucket"},
			Resource:  []string{bucket},
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceAccount": in.Account}},
		},
		{
			Sid:       "LogDeliveryWrite",
			Effect:    "Allow",
			Principal: map[string][]string{"Service": {PrincipalLogDelivery}},
			Action:    []string{"s3:PutObject"},
			Resource:  []string{logs},
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceAccount": in.Account, "s3:x-amz-acl": "bucket-owner-full-control"}},
		},
	}}
}

// denyInsecureTransport is the bucket policy statement refusing every request to bucket (an ARN)
// and its objects made without TLS.
func denyInsecureTransport(bucket string) Statement {
	return Statement{
		Sid:       "DenyInsecureTransport",
		Effect:    "Deny",
		Principal: "*",
		Action:    []string{"s3:*"},
		Resource:  []string{bucket, bucket + "/*"},
		Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "false"}},
	}
}

// TLSOnlyBucketPolicy returns the policy of a workload's data bucket: every request without TLS is
// denied. It grants nothing: access comes from identity policies such as a Role's.
func TLSOnlyBucketPolicy(region, bucket string) PolicyDocument {
	return PolicyDocument{Version: PolicyVersion, Statement: []Statement{denyInsecureTransport(BucketARN(region, bucket))}}
}

// IRSATrustInput is what the trust policy of a role assumed through IRSA depends on.
type IRSATrustInput struct {
	Region  string
	Account string
	// Issuer is the cluster's OIDC issuer without https://.
	Issuer         string
	Namespace      string
	ServiceAccount string
}

// STSAudience is the audience of the service account tokens EKS projects for IRSA.
const STSAudience = "sts.amazonaws.com"

// IRSATrustPolicy returns the trust policy of a role one Kubernetes ServiceAccount assumes through
// IRSA: AssumeRoleWithWebIdentity from the cluster's OIDC provider, for tokens whose subject is
// exactly that ServiceAccount and whose audience is STS. Nothing else may assume the role.
func IRSATrustPolicy(in IRSATrustInput) PolicyDocument {
	issuer := strings.TrimPrefix(in.Issuer, "https://")
	return PolicyDocument{Version: PolicyVersion, Statement: []Statement{{
		Sid:       "ServiceAccountWebIdentity",
		Effect:    "Allow",
		Principal: map[string][]string{"Federated": {OIDCProviderARN(in.Region, in.Account, issuer)}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string]string{"StringEquals": {
			issuer + ":sub": "system:serviceaccount:" + in.Namespace + ":" + in.ServiceAccount,
			issuer + ":aud": STSAudience,
		}},
	}}}
}

// workloadKeyUse are the KMS operations a workload needs to read and write data encrypted under a
// key: no ReEncrypt, no grants.
var workloadKeyUse = []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"}

// WorkloadPolicyInput is what a workload role's inline policy depends on.
type WorkloadPolicyInput struct {
	KeyARNs    []string
	BucketARNs []string // bare bucket ARNs
}

// WorkloadPolicy returns the least-privilege inline policy of a workload role: cryptographic use of
// exactly the named keys, listing the named buckets, and reading and writing (never deleting)
// their objects. It has no statements, and is not to be put, when nothing is named.
func WorkloadPolicy(in WorkloadPolicyInput) PolicyDocument {
	d := PolicyDocument{Version: PolicyVersion, Statement: []Statement{}}
	if len(in.KeyARNs) > 0 {
		d.Statement = append(d.Statement, Statement{Sid: "UseKeys", Effect: "Allow", Action: workloadKeyUse, Resource: sorted(in.KeyARNs)})
	}
	if len(in.BucketARNs) > 0 {
		buckets := sorted(in.BucketARNs)
		objects := make([]string, 0, len(buckets))
		for _, b := range buckets {
			objects = append(objects, b+"/*")
		}
		d.Statement = append(d.Statement,
			Statement{Sid: "ListBuckets", Effect: "Allow", Action: []string{"s3:ListBucket"}, Resource: buckets},
			Statement{Sid: "ReadWriteObjects", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: objects},
		)
	}
	return d
}

// EquivalentPolicies reports whether two policy documents grant the same thing: the same statements
// in any order, where a single string and a one-element list are the same, and lists are sets. AWS
// services return policies reformatted (KMS and S3 both may), so comparing text would report drift
// that is not there.
func EquivalentPolicies(a, b string) (bool, error) {
	na, err := normalizePolicy(a)
	if err != nil {
		return false, err
	}
	nb, err := normalizePolicy(b)
	if err != nil {
		return false, err
	}
	return na == nb, nil
}

func normalizePolicy(doc string) (string, error) {
	var d map[string]any
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return "", errors.Wrap(err, "cannot parse policy document")
	}
	var stmts []any
	switch s := d["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	canon := make([]string, 0, len(stmts))
	for _, s := range stmts {
		m, ok := s.(map[string]any)
		if !ok {
			return "", errors.New("cannot parse policy document: a statement is not an object")
		}
		b, err := json.Marshal(normalizeValue(m))
		if err != nil {
			return "", errors.Wrap(err, "cannot normalize policy statement")
		}
		canon = append(canon, string(b))
	}
	sort.Strings(canon)
	out, err := json.Marshal(map[string]any{"Version": d["Version"], "Statement": canon})
	if err != nil {
		return "", errors.Wrap(err, "cannot normalize policy document")
	}
	return string(out), nil
}

// normalizeValue turns every string that could have been a list into a sorted list, recursively.
// encoding/json sorts map keys, so maps need nothing more.
func normalizeValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if k == "Effect" || k == "Sid" || k == "Version" {
				out[k] = e
				continue
			}
			out[k] = normalizeValue(e)
		}
		return out
	case []any:
		strs := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return t
			}
			strs = append(strs, s)
		}
		return sorted(strs)
	case string:
		return []string{t}
	default:
		return v
	}
}

func sorted(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
