package moto_test

import (
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

var (
	server   *moto.Server
	startErr error
)

func TestMain(m *testing.M) {
	server, startErr = moto.Start()
	code := m.Run()
	if server != nil {
		_ = server.Stop()
	}
	os.Exit(code)
}

const region = "us-east-1"

var creds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

func orgClient(url string) *organizations.Client {
	return organizations.New(organizations.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds, RetryMaxAttempts: 1})
}

// TestResetDropsState creates a bucket, resets the server and finds the bucket gone: tests that
// reset between them do not see each other's resources.
func TestResetDropsState(t *testing.T) {
	moto.Require(t, server, startErr)
	c := s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(server.URL), Credentials: creds, UsePathStyle: true, RetryMaxAttempts: 1})
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("reset-me")}); err != nil {
		t.Fatal(err)
	}
	if err := server.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListBuckets(t.Context(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 0 {
		t.Errorf("after reset, moto still has %d buckets", len(out.Buckets))
	}
}

// TestServersStartedTogetherAreDistinct starts two servers at once, as parallel test binaries do,
// and finds that a bucket made in one is not in the other: each test binary has an emulator of
// its own, whichever ports they land on.
func TestServersStartedTogetherAreDistinct(t *testing.T) {
	if _, err := moto.Find(); err != nil {
		moto.Require(t, nil, err)
	}
	servers := make([]*moto.Server, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Go(func() { servers[i], errs[i] = moto.Start() })
	}
	wg.Wait()
	for i, s := range servers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		t.Cleanup(func() { _ = s.Stop() })
	}
	if servers[0].URL == servers[1].URL {
		t.Fatalf("both servers answer at %s", servers[0].URL)
	}
	s3At := func(url string) *s3.Client {
		return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(url), Credentials: creds, UsePathStyle: true, RetryMaxAttempts: 1})
	}
	if _, err := s3At(servers[0].URL).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("only-in-first")}); err != nil {
		t.Fatal(err)
	}
	out, err := s3At(servers[1].URL).ListBuckets(t.Context(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 0 {
		t.Errorf("the second server holds the first's bucket: %v", aws.ToString(out.Buckets[0].Name))
	}
}

func TestStopIsIdempotent(t *testing.T) {
	if _, err := moto.Find(); err != nil {
		moto.Require(t, nil, err)
	}
	s, err := moto.Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if err := s.Reset(t.Context()); err == nil {
		t.Error("a stopped server still answers")
	}
}

// TestAccountCreationServer drives the stand-in with the real SDK client: a creation is
// IN_PROGRESS for the configured number of polls and absent from moto meanwhile, then SUCCEEDED and
// present in moto; a GovCloud creation reports both account IDs; a second creation with the same
// email FAILS as in AWS; calls that belong to moto are refused.
func TestAccountCreationServer(t *testing.T) {
	moto.Require(t, server, startErr)
	ctx := t.Context()
	org := orgClient(server.URL)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	stub := moto.NewAccountCreationServer(server, region)
	defer stub.Close()
	stub.InProgressPolls = 2
	var creator awsclient.AccountCreator = orgClient(stub.URL)

	out, err := creator.CreateGovCloudAccount(ctx, &organizations.CreateGovCloudAccountInput{AccountName: aws.String("evidence"), Email: aws.String("evidence@mpd.example.gov")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.CreateAccountStatus.Id
	if out.CreateAccountStatus.State != orgtypes.CreateAccountStateInProgress {
		t.Fatalf("a new creation is %s, want IN_PROGRESS", out.CreateAccountStatus.State)
	}
	for i := range 2 {
		st, err := creator.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
		if err != nil {
			t.Fatal(err)
		}
		if st.CreateAccountStatus.State != orgtypes.CreateAccountStateInProgress {
			t.Fatalf("poll %d: %s, want IN_PROGRESS", i, st.CreateAccountStatus.State)
		}
		accounts, _ := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
		for _, a := range accounts.Accounts {
			if aws.ToString(a.Email) == "evidence@mpd.example.gov" {
				t.Fatal("the account is listed while its creation is in progress")
			}
		}
	}
	inProgress, err := creator.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateInProgress}})
	if err != nil || len(inProgress.CreateAccountStatuses) != 1 || aws.ToString(inProgress.CreateAccountStatuses[0].AccountName) != "evidence" {
		t.Fatalf("ListCreateAccountStatus(IN_PROGRESS) = %+v, %v; want the one creation", inProgress, err)
	}
	st, err := creator.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
	if err != nil {
		t.Fatal(err)
	}
	s := st.CreateAccountStatus
	if s.State != orgtypes.CreateAccountStateSucceeded || aws.ToString(s.AccountId) == "" || aws.ToString(s.GovCloudAccountId) == "" || s.RequestedTimestamp == nil {
		t.Fatalf("after the polls: %+v, want SUCCEEDED with both account IDs", s)
	}
	acc, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: s.AccountId})
	if err != nil || aws.ToString(acc.Account.Email) != "evidence@mpd.example.gov" {
		t.Fatalf("the account is not in moto: %+v, %v", acc, err)
	}

	stub.InProgressPolls = 0
	again, err := creator.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("dup"), Email: aws.String("evidence@mpd.example.gov")})
	if err != nil {
		t.Fatal(err)
	}
	st, err = creator.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: again.CreateAccountStatus.Id})
	if err != nil {
		t.Fatal(err)
	}
	if st.CreateAccountStatus.State != orgtypes.CreateAccountStateFailed || st.CreateAccountStatus.FailureReason != orgtypes.CreateAccountFailureReasonEmailAlreadyExists {
		t.Errorf("a second account with the same email: %s %s, want FAILED EMAIL_ALREADY_EXISTS", st.CreateAccountStatus.State, st.CreateAccountStatus.FailureReason)
	}
	if got := stub.CreateCalls(); got != 2 {
		t.Errorf("CreateCalls() = %d, want 2", got)
	}
	if _, err := orgClient(stub.URL).ListAccounts(ctx, &organizations.ListAccountsInput{}); awsclient.ErrorCode(err) != "UnknownOperationException" {
		t.Errorf("ListAccounts on the stand-in: %v, want UnknownOperationException", err)
	}
	if _, err := creator.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-nope")}); awsclient.ErrorCode(err) != "CreateAccountStatusNotFoundException" {
		t.Errorf("an unknown request: %v, want CreateAccountStatusNotFoundException", err)
	}
}
