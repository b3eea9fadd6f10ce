package aws_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
)

var deleteFromAWS = xpv2.DeletionDelete

// TestDeletionPolicyDelete asks for deletion explicitly and expects each kind's documented way out
// of AWS: the account closed, the key scheduled for deletion in 30 days with its alias freed, the
// trail deleted but its log bucket kept, and the network taken apart.
func TestDeletionPolicyDelete(t *testing.T) {
	z := newZone(t)
	o := newOrg(t)
	acc := newAccount(z.ns, "closing", "aws+closing@mpd.example.gov", false)
	key := newKey(z.ns, "zone-key", "closing")
	trail := newAuditTrail(z.ns, "audit", "zk-closing-logs", "zone-key")
	vpc := newVPC(z.ns, "network", "audit")
	for _, mg := range []interface{ SetDeletionPolicy(xpv2.DeletionPolicy) }{acc, key, trail, vpc} {
		mg.SetDeletionPolicy(deleteFromAWS)
	}
	z.create(acc, key, trail, vpc)
	for _, mg := range []resource.Managed{acc, key, trail, vpc} {
		z.waitReady(mg)
	}
	z.deleteAndWait(vpc, trail, key, acc)

	cfg := awsConfig(t, region)
	ctx := t.Context()
	md, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &key.Status.AtProvider.KeyID})
	if err != nil {
		t.Fatal(err)
	}
	if md.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion || md.KeyMetadata.DeletionDate == nil ||
		md.KeyMetadata.DeletionDate.Before(time.Now().Add(29*24*time.Hour)) {
		t.Errorf("key %s deletion date %v; want PendingDeletion in 30 days", md.KeyMetadata.KeyState, md.KeyMetadata.DeletionDate)
	}
	if _, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sdkaws.String("alias/zonekeeper/closing")}); err == nil {
		t.Error("the zone alias still exists after the key was scheduled for deletion")
	}
	if _, err := cloudtrail.NewFromConfig(cfg).GetTrail(ctx, &cloudtrail.GetTrailInput{Name: sdkaws.String("audit")}); err == nil {
		t.Error("the trail still exists after its object was deleted with deletionPolicy Delete")
	}
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: sdkaws.String("zk-closing-logs")}); err != nil {
		t.Errorf("the log bucket is gone: %v; audit logs must outlive their trail", err)
	}
	vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{vpc.Status.AtProvider.VPCID}}}})
	if err != nil || len(vpcs.Vpcs) != 0 {
		t.Errorf("VPC after deletion: %+v, %v; want it gone", vpcs, err)
	}
	a, err := o.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &acc.Status.AtProvider.AccountID})
	if err != nil || (a.Account.State != orgtypes.AccountStateSuspended && a.Account.State != orgtypes.AccountStatePendingClosure) {
		t.Errorf("account after deletion: %+v, %v; want it closed", a, err)
	}
}

// TestDeletionNeedsManagementPolicies sets deletionPolicy Delete on a key whose managementPolicies
// leave Delete out: the managementPolicies win and the key stays.
func TestDeletionNeedsManagementPolicies(t *testing.T) {
	z := newZone(t)
	key := newKey(z.ns, "kept", "kept")
	key.SetDeletionPolicy(deleteFromAWS)
	key.SetManagementPolicies(xpv2.ManagementPolicies{xpv2.ManagementActionObserve, xpv2.ManagementActionCreate, xpv2.ManagementActionUpdate, xpv2.ManagementActionLateInitialize})
	z.create(key)
	z.waitReady(key)
	z.deleteAndWait(key)
	md, err := kms.NewFromConfig(awsConfig(t, region)).DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &key.Status.AtProvider.KeyID})
	if err != nil || md.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
		t.Errorf("key: %+v, %v; want it Enabled: managementPolicies without Delete never delete", md, err)
	}
}

// TestObserveOnlyAdoption adopts a key, a network and an account made outside ZoneKeeper: each is
// reported Ready with its state, its differences from the spec are announced and never repaired,
// and deleting the objects leaves them as they were.
func TestObserveOnlyAdoption(t *testing.T) {
	z := newZone(t)
	o := newOrg(t)
	cfg := awsConfig(t, region)
	ctx := t.Context()
	kc, ec := kms.NewFromConfig(cfg), ec2.NewFromConfig(cfg)
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: sdkaws.String("made by hand")})
	if err != nil {
		t.Fatal(err)
	}
	keyID := sdkaws.ToString(k.KeyMetadata.KeyId)
	v, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: sdkaws.String("10.50.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := sdkaws.ToString(v.Vpc.VpcId)
	a, err := o.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: sdkaws.String("legacy"), Email: sdkaws.String("legacy@mpd.example.gov")})
	if err != nil {
		t.Fatal(err)
	}
	accountID := sdkaws.ToString(a.CreateAccountStatus.AccountId)

	key := newKey(z.ns, "adopted-key", "legacy")
	vpc := newVPC(z.ns, "adopted-network", "")
	vpc.Spec.ForProvider.CIDRBlock = "10.50.0.0/16"
	vpc.Spec.ForProvider.FlowLogs = awsv1.FlowLogs{Enabled: sdkaws.Bool(false)}
	acc := newAccount(z.ns, "legacy", "legacy@mpd.example.gov", false)
	for mg, id := range map[resource.Managed]string{key: keyID, vpc: vpcID, acc: accountID} {
		meta.SetExternalName(mg, id)
		mg.SetManagementPolicies(awsv1.ObserveOnly)
	}
	z.create(key, vpc, acc)
	z.waitReady(key)
	z.waitReady(vpc)
	z.waitReady(acc)
	if key.Status.AtProvider.KeyID != keyID || vpc.Status.AtProvider.VPCID != vpcID || acc.Status.AtProvider.AccountID != accountID {
		t.Errorf("adopted objects do not report their cloud objects: %+v %+v %+v", key.Status.AtProvider, vpc.Status.AtProvider, acc.Status.AtProvider)
	}
	z.waitEvent("adopted-key", "DriftDetected", "automatic rotation is disabled", "not repaired")
	z.waitEvent("adopted-network", "DriftDetected", "subnet 10.50.0.0/19 in us-gov-west-1a is missing")
	z.waitEvent("legacy", "DriftDetected", "want Workloads/Prod")

	rot, err := kc.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &keyID})
	if err != nil || rot.KeyRotationEnabled {
		t.Errorf("rotation of an observe-only key: %+v, %v; want it left disabled", rot, err)
	}
	subnets, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{vpcID}}}})
	if err != nil || len(subnets.Subnets) != 0 {
		t.Errorf("subnets of an observe-only VPC: %d, %v; want none created", len(subnets.Subnets), err)
	}
	if p := o.parent(t, accountID); p != o.root {
		t.Errorf("observe-only account moved to %s", p)
	}
	z.deleteAndWait(key, vpc, acc)
	if md, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID}); err != nil || md.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
		t.Errorf("adopted key after deleting its object: %+v, %v", md, err)
	}
	if out, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}}); err != nil || len(out.Vpcs) != 1 {
		t.Errorf("adopted VPC after deleting its object: %v", err)
	}
}

// TestErrorsBecomeConditions expects a failure to show in Synced with the operation that failed and
// AWS's own error code, and the message to stay the same from one attempt to the next.
func TestErrorsBecomeConditions(t *testing.T) {
	z := newZone(t)
	// No organization exists in moto: CreateAccount answers AWSOrganizationsNotInUseException.
	acc := newAccount(z.ns, "no-org", "aws+noorg@mpd.example.gov", false)
	noSecret := newKey(z.ns, "no-secret", "no-secret")
	noSecret.Spec.ProviderConfigReference = pcRef("broken")
	noPC := newKey(z.ns, "no-pc", "no-pc")
	noPC.Spec.ProviderConfigReference = pcRef("missing")
	broken := z.providerConfig("broken")
	broken.Spec.Credentials.SecretRef.Name = "half"
	z.create(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: z.ns, Name: "half"}, StringData: map[string]string{awsv1.SecretKeyAccessKeyID: accessKey}})
	z.create(broken, acc, noSecret, noPC)

	cases := map[resource.Managed]string{
		acc:      "create failed: cannot create account: AWSOrganizationsNotInUseException: ",
		noSecret: "connect failed: credentials Secret " + z.ns + "/half has no aws_secret_access_key",
		noPC:     "connect failed: cannot get ProviderConfig " + z.ns + "/missing",
	}
	for mg, want := range cases {
		var first string
		eventually(t, "Synced=False on "+mg.GetName(), func() error {
			if err := z.get(mg); err != nil {
				return err
			}
			c := mg.GetCondition(xpv2.TypeSynced)
			if c.Status != corev1.ConditionFalse || c.Reason != xpv2.ReasonReconcileError || !strings.HasPrefix(c.Message, want) {
				return errors.Errorf("Synced %s %s: %q, want a message starting %q", c.Status, c.Reason, c.Message, want)
			}
			first = c.Message
			return nil
		})
		time.Sleep(1500 * time.Millisecond) // more than one retry
		if err := z.get(mg); err != nil {
			t.Fatal(err)
		}
		if got := mg.GetCondition(xpv2.TypeSynced).Message; got != first {
			t.Errorf("%s: the condition message changed between attempts (it must not flap):\n%q\n%q", mg.GetName(), first, got)
		}
	}
}

// syncBuffer collects a manager's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCredentialsNeverShown runs objects that succeed and objects that fail on credentials (a role
// that cannot be assumed) with debug logging, then searches every log line, event and object for
// the Secret's keys.
func TestCredentialsNeverShown(t *testing.T) {
	z := setupZone(t)
	logs := &syncBuffer{}
	z.start(options(), zap.New(zap.WriteTo(logs), zap.Level(zapLevelDebug())))
	unreachable := z.providerConfig("unreachable", awsv1.AssumeRole{AccountID: "111122223333"})
	unreachable.Spec.Endpoint.URL = "http://127.0.0.1:1"
	good := newKey(z.ns, "good", "good")
	bad := newKey(z.ns, "bad", "bad")
	bad.Spec.ProviderConfigReference = pcRef("unreachable")
	z.create(unreachable, good, bad)
	z.waitReady(good)
	eventually(t, "Synced=False on the key whose role cannot be assumed", func() error {
		if err := z.get(bad); err != nil {
			return err
		}
		if c := bad.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "role arn:aws-us-gov:iam::111122223333:role/OrganizationAccountAccessRole") {
			return errors.Errorf("Synced %s: %s", c.Status, c.Message)
		}
		return nil
	})
	var haystack []string
	haystack = append(haystack, logs.String())
	for _, mg := range []client.Object{good, bad} {
		if err := z.get(mg); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(mg)
		haystack = append(haystack, string(b))
		for _, e := range z.events(mg.GetName()) {
			haystack = append(haystack, e.Note, e.Reason)
			for k, v := range e.Annotations {
				haystack = append(haystack, k, v)
			}
		}
	}
	if len(logs.String()) == 0 {
		t.Fatal("no logs were captured: the test would prove nothing")
	}
	for _, h := range haystack {
		for _, s := range []string{secretKey, sessionTok} {
			if strings.Contains(h, s) {
				t.Errorf("a credential appears in a log, event or object: ...%s...", excerpt(h, s))
			}
		}
	}
}

func excerpt(h, s string) string {
	i := strings.Index(h, s)
	return h[max(0, i-80):min(len(h), i+len(s)+20)]
}

// TestThrottlingBacksOff points a Key at an endpoint that answers every call with KMS's
// ThrottlingException and counts the calls: retries slow down exponentially instead of looping,
// and the condition names the operation and AWS's error.
func TestThrottlingBacksOff(t *testing.T) {
	var calls atomic.Int32
	throttle := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"ThrottlingException","message":"Rate exceeded"}`))
	}))
	defer throttle.Close()
	z := newZone(t)
	pc := z.providerConfig("throttled")
	pc.Spec.Endpoint.URL = throttle.URL
	key := newKey(z.ns, "throttled", "throttled")
	key.Spec.ProviderConfigReference = pcRef("throttled")
	z.create(pc, key)
	eventually(t, "Synced=False naming the throttled operation", func() error {
		if err := z.get(key); err != nil {
			return err
		}
		if c := key.GetCondition(xpv2.TypeSynced); !strings.Contains(c.Message, "observe failed: cannot look up KMS key by alias alias/zonekeeper/throttled: ThrottlingException: Rate exceeded") {
			return errors.Errorf("Synced %s: %s", c.Status, c.Message)
		}
		return nil
	})
	start := calls.Load()
	time.Sleep(5 * time.Second)
	// The test rate limiter starts at 50ms and doubles up to 2s: about seven attempts in five
	// seconds. A hot loop would make hundreds.
	n := calls.Load() - start
	t.Logf("%d calls in 5s while throttled", n)
	if n > 12 {
		t.Errorf("%d calls in 5s while throttled: retries do not back off", n)
	}
}
