package aws_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

// org is the organization in moto an Account test works in: a root with Workloads/Prod below it.
type org struct {
	*organizations.Client
	root, prod string
}

func newOrg(t *testing.T) org {
	t.Helper()
	c := organizations.NewFromConfig(awsConfig(t, orgRegion))
	ctx := t.Context()
	if _, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	o := org{Client: c, root: sdkaws.ToString(roots.Roots[0].Id)}
	w, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &o.root, Name: sdkaws.String("Workloads")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: w.OrganizationalUnit.Id, Name: sdkaws.String("Prod")})
	if err != nil {
		t.Fatal(err)
	}
	o.prod = sdkaws.ToString(p.OrganizationalUnit.Id)
	return o
}

// withEmail returns the accounts in the organization with email.
func (o org) withEmail(t *testing.T, email string) []orgtypes.Account {
	t.Helper()
	out, err := o.ListAccounts(t.Context(), &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var found []orgtypes.Account
	for _, a := range out.Accounts {
		if strings.EqualFold(sdkaws.ToString(a.Email), email) {
			found = append(found, a)
		}
	}
	return found
}

func (o org) parent(t *testing.T, id string) string {
	t.Helper()
	out, err := o.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return sdkaws.ToString(out.Parents[0].Id)
}

func (o org) tags(t *testing.T, id string) map[string]string {
	t.Helper()
	out, err := o.ListTagsForResource(t.Context(), &organizations.ListTagsForResourceInput{ResourceId: &id})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tag := range out.Tags {
		m[sdkaws.ToString(tag.Key)] = sdkaws.ToString(tag.Value)
	}
	return m
}

func newAccount(ns, name, email string, govCloud bool) *awsv1.Account {
	return &awsv1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: awsv1.AccountSpec{ResourceSpec: spec("aws"), ForProvider: awsv1.AccountParameters{
			Region: orgRegion, Name: name, Email: email, OrganizationalUnit: "Workloads/Prod", GovCloud: govCloud,
			Tags: map[string]string{"tenant": "dc-mpd"},
		}},
	}
}

// stubOptions returns the test options with account creation sent to stub.
func stubOptions(stub *moto.AccountCreationServer) awsctrl.Options {
	o := options()
	o.NewAccountCreator = func(cfg sdkaws.Config) awsclient.AccountCreator {
		return organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = sdkaws.String(stub.URL) })
	}
	return o
}

func TestAccountCreatedMovedAndTagged(t *testing.T) {
	z := newZone(t)
	o := newOrg(t)
	acc := newAccount(z.ns, "evidence-prod", "aws+evidence@mpd.example.gov", false)
	z.create(acc)
	z.waitReady(acc)

	found := o.withEmail(t, "aws+evidence@mpd.example.gov")
	if len(found) != 1 {
		t.Fatalf("%d accounts with the email, want 1", len(found))
	}
	id := sdkaws.ToString(found[0].Id)
	if meta.GetExternalName(acc) != id || acc.Status.AtProvider.AccountID != id {
		t.Errorf("external-name %q, status accountID %q; want the account ID %s", meta.GetExternalName(acc), acc.Status.AtProvider.AccountID, id)
	}
	if acc.GetAnnotations()[awsv1.AnnotationCreateAccountRequestID] == "" || acc.Status.AtProvider.CreateState != "SUCCEEDED" {
		t.Errorf("create request not recorded: annotations %v, status %+v", acc.GetAnnotations(), acc.Status.AtProvider)
	}
	if got := o.parent(t, id); got != o.prod {
		t.Errorf("account is in %s, want Workloads/Prod (%s)", got, o.prod)
	}
	tags := o.tags(t, id)
	if tags["tenant"] != "dc-mpd" || tags["zonekeeper.dev/managed-by"] != z.ns+"/evidence-prod" {
		t.Errorf("account tags %v lack the spec's and ZoneKeeper's", tags)
	}
}

// TestGovCloudAccountFollowsCreation creates a GovCloud account. moto has no
// CreateGovCloudAccount and never reports IN_PROGRESS, so account creation goes to the httptest
// stand-in (internal/moto.AccountCreationServer) speaking the Organizations wire protocol, which
// keeps the creation IN_PROGRESS for several polls and then creates the account in moto.
func TestGovCloudAccountFollowsCreation(t *testing.T) {
	moto.Require(t, motoSrv, motoErr)
	stub := moto.NewAccountCreationServer(motoSrv, orgRegion)
	defer stub.Close()
	stub.InProgressPolls = 10
	z := newZone(t, stubOptions(stub))
	o := newOrg(t)
	acc := newAccount(z.ns, "evidence-gov", "aws+gov@mpd.example.gov", true)
	z.create(acc)

	eventually(t, "Ready=False Creating while the creation is IN_PROGRESS", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		if c := acc.GetCondition(xpv2.TypeReady); c.Reason != xpv2.ReasonCreating || c.Status != corev1.ConditionFalse || !strings.HasPrefix(meta.GetExternalName(acc), "car-") {
			return errors.Errorf("Ready %s %s, external-name %q", c.Status, c.Reason, meta.GetExternalName(acc))
		}
		return nil
	})
	z.waitReady(acc)
	if stub.DescribeCalls() <= stub.InProgressPolls {
		t.Errorf("%d DescribeCreateAccountStatus calls: the creation was not followed through IN_PROGRESS", stub.DescribeCalls())
	}
	found := o.withEmail(t, "aws+gov@mpd.example.gov")
	if len(found) != 1 {
		t.Fatalf("%d accounts with the email, want 1", len(found))
	}
	at := acc.Status.AtProvider
	if at.AccountID != sdkaws.ToString(found[0].Id) || len(at.GovCloudAccountID) != 12 || at.GovCloudAccountID == at.AccountID {
		t.Errorf("status %+v: want the commercial account %s and its GovCloud pair", at, sdkaws.ToString(found[0].Id))
	}
	if got := o.parent(t, at.AccountID); got != o.prod {
		t.Errorf("account is in %s, want Workloads/Prod (%s)", got, o.prod)
	}
	if n := stub.CreateCalls(); n != 1 {
		t.Errorf("%d create calls, want 1", n)
	}
}

// TestAccountCreationFailure ends a creation FAILED and expects the reason in the Ready condition,
// one event, and no retry: AWS said no, and a person must fix the cause.
func TestAccountCreationFailure(t *testing.T) {
	moto.Require(t, motoSrv, motoErr)
	stub := moto.NewAccountCreationServer(motoSrv, orgRegion)
	defer stub.Close()
	stub.FailWith = orgtypes.CreateAccountFailureReasonAccountLimitExceeded
	z := newZone(t, stubOptions(stub))
	o := newOrg(t)
	acc := newAccount(z.ns, "over-limit", "aws+limit@mpd.example.gov", false)
	z.create(acc)
	eventually(t, "Ready=False CreateFailed", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		c := acc.GetCondition(xpv2.TypeReady)
		if c.Reason != awsv1.ReasonCreateFailed || c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "ACCOUNT_LIMIT_EXCEEDED") {
			return errors.Errorf("Ready %s %s: %s", c.Status, c.Reason, c.Message)
		}
		if c.ObservedGeneration != acc.Generation {
			return errors.Errorf("Ready observedGeneration %d, generation %d", c.ObservedGeneration, acc.Generation)
		}
		return nil
	})
	z.waitEvent("over-limit", "CreateFailed", "ACCOUNT_LIMIT_EXCEEDED")
	before := stub.DescribeCalls()
	time.Sleep(3 * time.Second) // three poll intervals
	if n := stub.DescribeCalls() - before; n > 10 {
		t.Errorf("%d status calls in three poll intervals: a failed creation is polled in a hot loop", n)
	}
	if n := stub.CreateCalls(); n != 1 {
		t.Errorf("%d create calls, want 1: a failed creation is not retried on its own", n)
	}
	if len(o.withEmail(t, "aws+limit@mpd.example.gov")) != 0 {
		t.Error("an account exists although its creation failed")
	}
	if err := z.get(acc); err == nil && acc.GetCondition(xpv2.TypeSynced).Status != corev1.ConditionTrue {
		t.Errorf("Synced %+v: observing a failed creation is not a reconcile error", acc.GetCondition(xpv2.TypeSynced))
	}
}

// crashingCreator stands for a process that dies right after AWS accepted the creation: the call
// returns, and the manager stops before anything about it can be saved.
type crashingCreator struct {
	awsclient.AccountCreator
	crash func()
	once  *sync.Once
	calls *int
	mu    *sync.Mutex
}

func (c crashingCreator) count() {
	c.mu.Lock()
	defer c.mu.Unlock()
	*c.calls++
}

func (c crashingCreator) CreateAccount(ctx context.Context, in *organizations.CreateAccountInput, o ...func(*organizations.Options)) (*organizations.CreateAccountOutput, error) {
	c.count()
	out, err := c.AccountCreator.CreateAccount(ctx, in, o...)
	if err == nil {
		c.once.Do(c.crash)
		<-ctx.Done() // the process is gone: whatever the reconciler does next cannot reach the API server
	}
	return out, err
}

// TestAccountCrashAfterCreateCall stops the reconciler after CreateAccount returned and before
// anything (external-name, status) was written, restarts it, and expects exactly one account: once
// with moto, where creation has SUCCEEDED by then, and once with the stand-in keeping it
// IN_PROGRESS, where the account is not yet listed and only the in-progress request can be found.
func TestAccountCrashAfterCreateCall(t *testing.T) {
	cases := map[string]struct {
		inProgress bool
	}{
		"SucceededAtOnce": {},
		"StillInProgress": {inProgress: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			moto.Require(t, motoSrv, motoErr)
			var stub *moto.AccountCreationServer
			if tc.inProgress {
				stub = moto.NewAccountCreationServer(motoSrv, orgRegion)
				defer stub.Close()
				stub.InProgressPolls = 5
			}
			base := func(cfg sdkaws.Config) awsclient.AccountCreator {
				if stub == nil {
					return organizations.NewFromConfig(cfg)
				}
				return organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = sdkaws.String(stub.URL) })
			}
			calls, mu := 0, &sync.Mutex{}
			z := setupZone(t)
			o := newOrg(t)
			crashed := make(chan struct{})
			first := options()
			first.NewAccountCreator = func(cfg sdkaws.Config) awsclient.AccountCreator {
				return crashingCreator{AccountCreator: base(cfg), crash: func() { close(crashed) }, once: &sync.Once{}, calls: &calls, mu: mu}
			}
			stopFirst := z.start(first, logr.Logger{})
			acc := newAccount(z.ns, "crash-safe", "aws+crash@mpd.example.gov", false)
			z.create(acc)
			<-crashed
			stopFirst()

			if err := z.get(acc); err != nil {
				t.Fatal(err)
			}
			if meta.GetExternalName(acc) != "" || !meta.ExternalCreateIncomplete(acc) {
				t.Fatalf("after the crash: external-name %q, annotations %v; the test must crash before anything is saved", meta.GetExternalName(acc), acc.GetAnnotations())
			}

			second := options()
			second.NewAccountCreator = func(cfg sdkaws.Config) awsclient.AccountCreator {
				return crashingCreator{AccountCreator: base(cfg), crash: func() { t.Error("the restarted reconciler called CreateAccount again") }, once: &sync.Once{}, calls: &calls, mu: mu}
			}
			z.start(second, logr.Logger{})
			z.waitReady(acc)
			if found := o.withEmail(t, "aws+crash@mpd.example.gov"); len(found) != 1 {
				t.Errorf("%d accounts with the email after the restart, want exactly 1", len(found))
			}
			mu.Lock()
			defer mu.Unlock()
			if calls != 1 {
				t.Errorf("%d CreateAccount calls across both runs, want 1", calls)
			}
		})
	}
}

// lostReplyCreator stands for a CreateAccount whose reply never arrives: Organizations accepts
// the request, and the caller sees an error.
type lostReplyCreator struct {
	awsclient.AccountCreator
	calls *atomic.Int32
}

func (c lostReplyCreator) CreateAccount(ctx context.Context, in *organizations.CreateAccountInput, o ...func(*organizations.Options)) (*organizations.CreateAccountOutput, error) {
	if c.calls.Add(1) > 1 {
		return c.AccountCreator.CreateAccount(ctx, in, o...)
	}
	if _, err := c.AccountCreator.CreateAccount(ctx, in, o...); err != nil {
		return nil, err
	}
	return nil, errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer")
}

// TestAccountCreateCallThatErredAfterAWSAcceptedIt: the first CreateAccount is accepted by
// Organizations but its reply is an error, so the reconciler records the creation as failed. The
// account is not listed yet (its creation stays IN_PROGRESS for a few polls): the next pass must
// find the request, not create a second account, and the object becomes Ready in its OU.
func TestAccountCreateCallThatErredAfterAWSAcceptedIt(t *testing.T) {
	moto.Require(t, motoSrv, motoErr)
	stub := moto.NewAccountCreationServer(motoSrv, orgRegion)
	defer stub.Close()
	stub.InProgressPolls = 3
	calls := &atomic.Int32{}
	z := setupZone(t)
	o := newOrg(t)
	opts := options()
	opts.NewAccountCreator = func(cfg sdkaws.Config) awsclient.AccountCreator {
		return lostReplyCreator{AccountCreator: organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = sdkaws.String(stub.URL) }), calls: calls}
	}
	z.start(opts, logr.Logger{})
	acc := newAccount(z.ns, "lost-reply", "aws+lost@mpd.example.gov", false)
	z.create(acc)
	z.waitReady(acc)
	if n := calls.Load(); n != 1 {
		t.Errorf("%d CreateAccount calls, want 1: the accepted request was not found", n)
	}
	if found := o.withEmail(t, "aws+lost@mpd.example.gov"); len(found) != 1 {
		t.Errorf("%d accounts with the email, want exactly 1", len(found))
	}
	if id := meta.GetExternalName(acc); id == "" || strings.HasPrefix(id, "car-") {
		t.Errorf("external-name %q, want the account ID", id)
	}
}

// TestAccountAfterAFailedCreateDoesNotTakeAnotherAccountOfItsName: account names are not unique.
// An Account whose last create call failed looks for the request it may have made; a finished
// request of the same name whose account has another email is another object's, and is passed
// over: the Account creates its own and becomes Ready with it.
func TestAccountAfterAFailedCreateDoesNotTakeAnotherAccountOfItsName(t *testing.T) {
	moto.Require(t, motoSrv, motoErr)
	stub := moto.NewAccountCreationServer(motoSrv, orgRegion)
	defer stub.Close()
	z := setupZone(t)
	o := newOrg(t)
	start := time.Now().Add(-time.Minute)
	other := organizations.NewFromConfig(awsConfig(t, orgRegion), func(o *organizations.Options) { o.BaseEndpoint = sdkaws.String(stub.URL) })
	if _, err := other.CreateAccount(t.Context(), &organizations.CreateAccountInput{AccountName: sdkaws.String("workloads"), Email: sdkaws.String("aws+other@mpd.example.gov")}); err != nil {
		t.Fatal(err)
	}
	z.start(stubOptions(stub), logr.Logger{})
	acc := newAccount(z.ns, "workloads", "aws+mine@mpd.example.gov", false)
	// As crossplane leaves an object whose create call returned an error.
	meta.SetExternalCreatePending(acc, start)
	meta.SetExternalCreateFailed(acc, start.Add(time.Second))
	z.create(acc)
	z.waitReady(acc)
	if found := o.withEmail(t, "aws+mine@mpd.example.gov"); len(found) != 1 || sdkaws.ToString(found[0].Id) != meta.GetExternalName(acc) {
		t.Errorf("accounts with the spec's email %v, external-name %q; want one, the object's", found, meta.GetExternalName(acc))
	}
}
