package awsclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

var (
	motoServer *moto.Server
	motoErr    error
)

func TestMain(m *testing.M) {
	motoServer, motoErr = moto.Start()
	code := m.Run()
	if motoServer != nil {
		_ = motoServer.Stop()
	}
	os.Exit(code)
}

// capture records the host a request would go to and sends nothing.
type capture struct{ host string }

func (c *capture) Do(r *http.Request) (*http.Response, error) {
	c.host = r.URL.Host
	return nil, errors.New("not sent")
}

var static = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

func secretSpec() awsv1.ProviderConfigSpec {
	return awsv1.ProviderConfigSpec{Credentials: awsv1.Credentials{Source: awsv1.CredentialsSecret, SecretRef: &awsv1.SecretReference{Name: "aws"}}}
}

// TestEndpoints resolves endpoints through the real SDK rules with the configuration ZoneKeeper
// builds, without sending anything: FIPS in GovCloud unless switched off, never with an override.
func TestEndpoints(t *testing.T) {
	off, on := false, true
	cases := map[string]struct {
		reason string
		region string
		fips   *bool
		url    string
		want   map[string]string // service -> host
	}{
		"GovCloudDefaultsToFIPS": {
			reason: "In aws-us-gov FIPS endpoints are on unless a ProviderConfig says otherwise.",
			region: "us-gov-west-1",
			want:   map[string]string{"kms": "kms-fips.us-gov-west-1.amazonaws.com", "s3": "s3-fips.us-gov-west-1.amazonaws.com", "sts": "sts.us-gov-west-1.amazonaws.com"},
		},
		"GovCloudFIPSOff": {
			reason: "fips: false selects the standard endpoints.",
			region: "us-gov-west-1", fips: &off,
			want: map[string]string{"kms": "kms.us-gov-west-1.amazonaws.com", "s3": "s3.us-gov-west-1.amazonaws.com"},
		},
		"CommercialDefaultsToStandard": {
			reason: "Outside GovCloud FIPS is off by default.",
			region: "us-east-1",
			want:   map[string]string{"kms": "kms.us-east-1.amazonaws.com", "s3": "s3.us-east-1.amazonaws.com"},
		},
		"CommercialFIPSOn": {
			reason: "fips: true selects FIPS endpoints anywhere they exist.",
			region: "us-east-1", fips: &on,
			want: map[string]string{"kms": "kms-fips.us-east-1.amazonaws.com"},
		},
		"OverrideWins": {
			reason: "An endpoint override (moto in tests) replaces resolution, FIPS included.",
			region: "us-gov-west-1", url: "http://127.0.0.1:5000",
			want: map[string]string{"kms": "127.0.0.1:5000", "sts": "127.0.0.1:5000", "organizations": "127.0.0.1:5000"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := secretSpec()
			spec.FIPS = tc.fips
			if tc.url != "" {
				spec.Endpoint = &awsv1.Endpoint{URL: tc.url}
			}
			cfg, err := NewResolver(nil, config.WithRetryMaxAttempts(1)).build(t.Context(), spec, tc.region, static, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := &capture{}
			cfg.HTTPClient = c
			for svc, want := range tc.want {
				c.host = ""
				switch svc {
				case "kms":
					_, _ = kms.NewFromConfig(cfg).ListKeys(t.Context(), &kms.ListKeysInput{})
				case "s3":
					_, _ = s3.NewFromConfig(cfg).ListBuckets(t.Context(), &s3.ListBucketsInput{})
				case "sts":
					_, _ = sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
				case "organizations":
					_, _ = organizations.NewFromConfig(cfg).ListRoots(t.Context(), &organizations.ListRootsInput{})
				}
				if c.host != want {
					t.Errorf("%s\n%s endpoint = %q, want %q", tc.reason, svc, c.host, want)
				}
			}
		})
	}
}

// memberAccount creates an organization and a member account in moto, which also creates the
// member's OrganizationAccountAccessRole, and returns the member's ID.
func memberAccount(t *testing.T, region string) string {
	t.Helper()
	org := organizations.New(organizations.Options{Region: region, BaseEndpoint: aws.String(motoServer.URL), Credentials: static})
	if _, err := org.CreateOrganization(t.Context(), &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	out, err := org.CreateAccount(t.Context(), &organizations.CreateAccountInput{AccountName: aws.String("member"), Email: aws.String("member@example.gov")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.CreateAccountStatus.AccountId)
}

func callerIdentity(ctx context.Context, t *testing.T, cfg aws.Config) *sts.GetCallerIdentityOutput {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return out
}

// TestCredentialsAgainstMoto runs each credential mode against moto's STS: static keys act in the
// management account; an assume-role chain ends in the member account's
// OrganizationAccountAccessRole; a web identity token is exchanged for its role.
func TestCredentialsAgainstMoto(t *testing.T) {
	moto.Require(t, motoServer, motoErr)
	const region = "us-gov-west-1"
	member := memberAccount(t, region)
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("eyJhbGciOiJub25lIn0.e30."), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason      string
		spec        func(awsv1.ProviderConfigSpec) awsv1.ProviderConfigSpec
		wantAccount string
		wantARN     string
	}{
		"StaticKeys": {
			reason:      "Keys from a Secret act as themselves, in the management account.",
			spec:        func(s awsv1.ProviderConfigSpec) awsv1.ProviderConfigSpec { return s },
			wantAccount: moto.AccountID,
		},
		"MemberRoleByAccountID": {
			reason: "accountID names OrganizationAccountAccessRole in the member account, in the region's partition.",
			spec: func(s awsv1.ProviderConfigSpec) awsv1.ProviderConfigSpec {
				s.AssumeRoleChain = []awsv1.AssumeRole{{AccountID: member}}
				return s
			},
			wantAccount: member,
			wantARN:     "assumed-role/OrganizationAccountAccessRole/zonekeeper",
		},
		"ChainOfTwo": {
			reason: "A deployment role in the management account, then a named role in the member account.",
			spec: func(s awsv1.ProviderConfigSpec) awsv1.ProviderConfigSpec {
				s.AssumeRoleChain = []awsv1.AssumeRole{
					{RoleARN: "arn:aws-us-gov:iam::" + moto.AccountID + ":role/zonekeeper-deploy", ExternalID: "zk"},
					{AccountID: member, RoleName: "OrganizationAccountAccessRole", RoleSessionName: "landing-zone"},
				}
				return s
			},
			wantAccount: member,
			wantARN:     "assumed-role/OrganizationAccountAccessRole/landing-zone",
		},
		"WebIdentity": {
			reason: "A projected token is exchanged for its role (IRSA).",
			spec: func(awsv1.ProviderConfigSpec) awsv1.ProviderConfigSpec {
				return awsv1.ProviderConfigSpec{Credentials: awsv1.Credentials{Source: awsv1.CredentialsWebIdentity, WebIdentity: &awsv1.WebIdentity{
					RoleARN: "arn:aws-us-gov:iam::" + member + ":role/zonekeeper-irsa", TokenFile: token,
				}}}
			},
			wantAccount: member,
			// moto reports web identity sessions as user/moto; the account shows the exchange.
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			spec := tc.spec(secretSpec())
			spec.Endpoint = &awsv1.Endpoint{URL: motoServer.URL}
			var base aws.CredentialsProvider
			if spec.Credentials.Source == awsv1.CredentialsSecret {
				base = static
			}
			cfg, err := NewResolver(nil, config.WithRetryMaxAttempts(1)).build(t.Context(), spec, region, base, nil)
			if err != nil {
				t.Fatal(err)
			}
			id := callerIdentity(t.Context(), t, cfg)
			if got := aws.ToString(id.Account); got != tc.wantAccount {
				t.Errorf("%s\naccount = %s, want %s (ARN %s)", tc.reason, got, tc.wantAccount, aws.ToString(id.Arn))
			}
			if !strings.Contains(aws.ToString(id.Arn), tc.wantARN) {
				t.Errorf("%s\ncaller ARN %s does not contain %s", tc.reason, aws.ToString(id.Arn), tc.wantARN)
			}
		})
	}
}

// TestCredentialErrorsHoldNoSecret fails an assume-role call and checks that the error, which ends
// up in a condition and an event, names the role but holds no key.
func TestCredentialErrorsHoldNoSecret(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
	spec := secretSpec()
	spec.Endpoint = &awsv1.Endpoint{URL: "http://127.0.0.1:1"}
	spec.AssumeRoleChain = []awsv1.AssumeRole{{AccountID: "111122223333"}}
	_, err := NewResolver(nil, config.WithRetryMaxAttempts(1)).build(t.Context(), spec, "us-gov-west-1", credentials.NewStaticCredentialsProvider("AKIAEXAMPLEKEYID", secret, "session-token-value"), nil)
	if err == nil {
		t.Fatal("assuming a role through an unreachable STS succeeded")
	}
	for _, s := range []string{secret, "session-token-value"} {
		if strings.Contains(err.Error(), s) || strings.Contains(fmt.Sprintf("%+v", err), s) {
			t.Errorf("error holds a credential: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "arn:aws-us-gov:iam::111122223333:role/OrganizationAccountAccessRole") {
		t.Errorf("error does not name the role it could not assume: %v", err)
	}
}
