package awsclient

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func statement(t *testing.T, d PolicyDocument, sid string) Statement {
	t.Helper()
	for _, s := range d.Statement {
		if s.Sid == sid {
			return s
		}
	}
	t.Fatalf("no statement %s in %+v", sid, d)
	return Statement{}
}

func TestKeyPolicy(t *testing.T) {
	const account = "111122223333"
	cases := map[string]struct {
		reason     string
		in         KeyPolicyInput
		wantAdmins []string
		wantUsers  []string
		wantSids   []string
		wantTrail  string
	}{
		"DefaultAdministratorIsTheAccount": {
			reason:     "Without administrators, the account itself (IAM) administers; nobody uses the key but the log services.",
			in:         KeyPolicyInput{Region: "us-gov-west-1", Account: account},
			wantAdmins: []string{"arn:aws-us-gov:iam::111122223333:root"},
			wantSids:   []string{"KeyAdministration", "CloudTrailEncryptLogs", "CloudTrailDescribeKey", "LogDeliveryEncryptFlowLogs"},
			wantTrail:  "arn:aws-us-gov:cloudtrail:*:111122223333:trail/*",
		},
		"NamedAdministratorsAndUsers": {
			reason:     "Named administrators replace the account; named users get a use statement.",
			in:         KeyPolicyInput{Region: "us-east-1", Account: account, Administrators: []string{"arn:aws:iam::111122223333:role/b", "arn:aws:iam::111122223333:role/a"}, Users: []string{"arn:aws:iam::111122223333:role/app"}},
			wantAdmins: []string{"arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"},
			wantUsers:  []string{"arn:aws:iam::111122223333:role/app"},
			wantSids:   []string{"KeyAdministration", "KeyUse", "CloudTrailEncryptLogs", "CloudTrailDescribeKey", "LogDeliveryEncryptFlowLogs"},
			wantTrail:  "arn:aws:cloudtrail:*:111122223333:trail/*",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := KeyPolicy(tc.in)
			var sids []string
			for _, s := range d.Statement {
				sids = append(sids, s.Sid)
				if s.Effect != "Allow" {
					t.Errorf("%s\nstatement %s has effect %s", tc.reason, s.Sid, s.Effect)
				}
			}
			if diff := cmp.Diff(tc.wantSids, sids); diff != "" {
				t.Errorf("%s\nstatements: -want +got:\n%s", tc.reason, diff)
			}
			admin := statement(t, d, "KeyAdministration")
			if diff := cmp.Diff(map[string][]string{"AWS": tc.wantAdmins}, admin.Principal); diff != "" {
				t.Errorf("%s\nadministrators: -want +got:\n%s", tc.reason, diff)
			}
			for _, a := range admin.Action {
				if a == "kms:*" || a == "kms:CreateGrant" || a == "kms:Decrypt" || a == "kms:Encrypt" || strings.HasPrefix(a, "kms:GenerateDataKey") || strings.HasPrefix(a, "kms:ReEncrypt") {
					t.Errorf("%s\nadministrators may %s: administration must not include use of the key", tc.reason, a)
				}
			}
			if !slices.Contains(admin.Action, "kms:PutKeyPolicy") {
				t.Errorf("%s\nadministrators cannot put the key policy: KMS would refuse the policy as a lockout", tc.reason)
			}
			if tc.wantUsers != nil {
				use := statement(t, d, "KeyUse")
				if diff := cmp.Diff(map[string][]string{"AWS": tc.wantUsers}, use.Principal); diff != "" {
					t.Errorf("%s\nusers: -want +got:\n%s", tc.reason, diff)
				}
			}
			trail := statement(t, d, "CloudTrailEncryptLogs")
			if got := trail.Condition["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"]; got != tc.wantTrail {
				t.Errorf("%s\nCloudTrail may encrypt for %q, want only %q", tc.reason, got, tc.wantTrail)
			}
			for _, sid := range []string{"CloudTrailEncryptLogs", "CloudTrailDescribeKey", "LogDeliveryEncryptFlowLogs"} {
				if got := statement(t, d, sid).Condition["StringEquals"]["aws:SourceAccount"]; got != account {
					t.Errorf("%s\n%s is not limited to this account (aws:SourceAccount %q)", tc.reason, sid, got)
				}
			}
			if _, err := d.JSON(); err != nil {
				t.Errorf("JSON: %v", err)
			}
		})
	}
}

func TestLogBucketPolicy(t *testing.T) {
	d := LogBucketPolicy(LogBucketPolicyInput{Region: "us-gov-west-1", Account: "111122223333", Bucket: "zk-logs", Trail: "audit"})
	deny := statement(t, d, "DenyInsecureTransport")
	want := Statement{
		Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: []string{"s3:*"},
		Resource:  []string{"arn:aws-us-gov:s3:::zk-logs", "arn:aws-us-gov:s3:::zk-logs/*"},
		Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "false"}},
	}
	if diff := cmp.Diff(want, deny); diff != "" {
		t.Errorf("TLS-only statement: -want +got:\n%s", diff)
	}
	write := statement(t, d, "CloudTrailWrite")
	if diff := cmp.Diff([]string{"arn:aws-us-gov:s3:::zk-logs/AWSLogs/111122223333/*"}, write.Resource); diff != "" {
		t.Errorf("CloudTrail may write outside AWSLogs/<account>/: -want +got:\n%s", diff)
	}
	if got := write.Condition["StringEquals"]["aws:SourceArn"]; got != "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/audit" {
		t.Errorf("CloudTrail writes are not limited to the zone's trail: aws:SourceArn %q", got)
	}
	if got := statement(t, d, "LogDeliveryWrite").Condition["StringEquals"]["aws:SourceAccount"]; got != "111122223333" {
		t.Errorf("flow log delivery is not limited to the account: aws:SourceAccount %q", got)
	}
	for _, s := range d.Statement {
		if s.Effect == "Allow" && s.Principal == "*" {
			t.Errorf("statement %s allows everyone", s.Sid)
		}
	}
}

func TestEquivalentPolicies(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":["kms:Describe*","kms:Get*"],"Resource":["*"]},{"Sid":"B","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	cases := map[string]struct {
		reason  string
		other   string
		want    bool
		wantErr bool
	}{
		"Identical": {reason: "The same text.", other: base, want: true},
		"Reformatted": {
			reason: "What AWS returns: statements reordered, one-element lists as strings, lists reordered, whitespace.",
			other: `{ "Version": "2012-10-17", "Statement": [
				{"Sid":"B","Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":["*"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}},
				{"Sid":"A","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":["kms:Get*","kms:Describe*"],"Resource":"*"}]}`,
			want: true,
		},
		"ActionAdded": {
			reason: "One more action is a different grant.",
			other:  strings.Replace(base, `"kms:Get*"]`, `"kms:Get*","kms:Decrypt"]`, 1),
			want:   false,
		},
		"EffectChanged": {
			reason: "Allow is not Deny.",
			other:  strings.Replace(base, `"Effect":"Deny"`, `"Effect":"Allow"`, 1),
			want:   false,
		},
		"StatementRemoved": {
			reason: "A missing statement (the TLS deny) is drift.",
			other:  `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":["kms:Describe*","kms:Get*"],"Resource":["*"]}]}`,
			want:   false,
		},
		"NotJSON": {reason: "An unparsable policy is an error, not a difference.", other: `{"Version":`, wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := EquivalentPolicies(base, tc.other)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s\nerror %v, want error %t", tc.reason, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("%s\nEquivalentPolicies = %t, want %t", tc.reason, got, tc.want)
			}
		})
	}
	// What ZoneKeeper renders must compare equal to itself after a JSON round trip with
	// indentation, as services return it.
	doc, _ := KeyPolicy(KeyPolicyInput{Region: "us-gov-west-1", Account: "1"}).JSON()
	var v any
	_ = json.Unmarshal([]byte(doc), &v)
	pretty, _ := json.MarshalIndent(v, "", "  ")
	if same, err := EquivalentPolicies(doc, string(pretty)); err != nil || !same {
		t.Errorf("a rendered key policy is not equivalent to itself reformatted: %t, %v", same, err)
	}
}
