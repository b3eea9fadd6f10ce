package moto

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// organizationsTarget prefixes the X-Amz-Target header of every AWS Organizations call.
const organizationsTarget = "AWSOrganizationsV20161128."

// AccountCreationServer stands in for the part of AWS Organizations moto cannot play:
// CreateGovCloudAccount, which moto does not implement, and an account creation that stays
// IN_PROGRESS for a while, where moto reports SUCCEEDED at once. It serves exactly the four calls
// of awsclient.AccountCreator (CreateAccount, CreateGovCloudAccount, DescribeCreateAccountStatus,
// ListCreateAccountStatus) in the real Organizations wire format (awsJson1_1: POST /, an
// X-Amz-Target header, JSON bodies, epoch-second timestamps, {"__type", "Message"} errors), so the
// client under test is the real SDK client. When a creation succeeds, the account is created in moto,
// so every other Organizations call (ListAccounts, MoveAccount, tags, CloseAccount) finds it there.
type AccountCreationServer struct {
	*httptest.Server

	// InProgressPolls is how many DescribeCreateAccountStatus calls report a creation IN_PROGRESS
	// before it completes. While in progress the account does not exist in moto, as in AWS, where
	// ListAccounts does not show an account before its creation succeeds.
	InProgressPolls int

	// FailWith, when set, ends every creation FAILED with this reason instead of creating it.
	FailWith orgtypes.CreateAccountFailureReason

	// GovCloud, when set, receives the GovCloud account of every GovCloud creation that succeeds,
	// standalone, as AWS leaves it.
	GovCloud *GovCloudOrganizationServer

	moto *organizations.Client

	calls    callCounts
	mu       sync.Mutex
	requests []*createRequest
	seq      int
}

type createRequest struct {
	status   orgtypes.CreateAccountStatus
	email    string
	roleName string
	tags     []orgtypes.Tag
	govCloud bool
	polls    int
}

// NewAccountCreationServer starts a server that creates accounts in the moto server s.
func NewAccountCreationServer(s *Server, region string) *AccountCreationServer {
	a := &AccountCreationServer{
		moto: organizations.New(organizations.Options{
			Region:       region,
			BaseEndpoint: aws.String(s.URL),
			// moto routes a request by the service in its signature, so it must be signed.
			Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTOSTANDIN", "moto", ""),
		}),
	}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

// CreateCalls returns how many CreateAccount and CreateGovCloudAccount calls the server received.
func (a *AccountCreationServer) CreateCalls() int {
	return a.calls.of("CreateAccount") + a.calls.of("CreateGovCloudAccount")
}

// DescribeCalls returns how many DescribeCreateAccountStatus calls the server received.
func (a *AccountCreationServer) DescribeCalls() int {
	return a.calls.of("DescribeCreateAccountStatus")
}

func (a *AccountCreationServer) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := operation(w, r)
	if !ok {
		return
	}
	a.calls.add(op)
	var out any
	var err *apiError
	switch op {
	case "CreateAccount":
		var in organizations.CreateAccountInput
		if err = decode(r, &in); err == nil {
			out = a.create(aws.ToString(in.AccountName), aws.ToString(in.Email), aws.ToString(in.RoleName), in.Tags, false)
		}
	case "CreateGovCloudAccount":
		var in organizations.CreateGovCloudAccountInput
		if err = decode(r, &in); err == nil {
			out = a.create(aws.ToString(in.AccountName), aws.ToString(in.Email), aws.ToString(in.RoleName), in.Tags, true)
		}
	case "DescribeCreateAccountStatus":
		var in organizations.DescribeCreateAccountStatusInput
		if err = decode(r, &in); err == nil {
			out, err = a.describe(r.Context(), aws.ToString(in.CreateAccountRequestId))
		}
	case "ListCreateAccountStatus":
		var in organizations.ListCreateAccountStatusInput
		if err = decode(r, &in); err == nil {
			out = a.list(in.States)
		}
	default:
		err = &apiError{http.StatusBadRequest, "UnknownOperationException", "this stand-in serves only account creation calls; " + op + " belongs to moto"}
	}
	reply(w, out, err)
}

func (a *AccountCreationServer) create(name, email, role string, tags []orgtypes.Tag, govCloud bool) map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seq++
	req := &createRequest{
		status: orgtypes.CreateAccountStatus{
			Id:                 aws.String(fmt.Sprintf("car-%032d", a.seq)),
			AccountName:        aws.String(name),
			State:              orgtypes.CreateAccountStateInProgress,
			RequestedTimestamp: aws.Time(time.Now()),
		},
		email: email, roleName: role, tags: tags, govCloud: govCloud,
	}
	a.requests = append(a.requests, req)
	return map[string]any{"CreateAccountStatus": wireStatus(req.status)}
}

func (a *AccountCreationServer) describe(ctx context.Context, id string) (map[string]any, *apiError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, req := range a.requests {
		if aws.ToString(req.status.Id) != id {
			continue
		}
		if req.status.State == orgtypes.CreateAccountStateInProgress {
			req.polls++
			if req.polls > a.InProgressPolls {
				if err := a.complete(ctx, req); err != nil {
					return nil, err
				}
			}
		}
		return map[string]any{"CreateAccountStatus": wireStatus(req.status)}, nil
	}
	return nil, &apiError{http.StatusBadRequest, "CreateAccountStatusNotFoundException", "no create account request " + id}
}

// complete ends a creation the way AWS does: FAILED with EMAIL_ALREADY_EXISTS when an account
// already has the email (or with FailWith when set), else SUCCEEDED with the account created in
// moto.
func (a *AccountCreationServer) complete(ctx context.Context, req *createRequest) *apiError {
	if a.FailWith != "" {
		req.status.State = orgtypes.CreateAccountStateFailed
		req.status.FailureReason = a.FailWith
		req.status.CompletedTimestamp = aws.Time(time.Now())
		return nil
	}
	accounts, err := a.moto.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		return &apiError{http.StatusInternalServerError, "ServiceException", "cannot list accounts in moto: " + err.Error()}
	}
	for _, acc := range accounts.Accounts {
		if strings.EqualFold(aws.ToString(acc.Email), req.email) {
			req.status.State = orgtypes.CreateAccountStateFailed
			req.status.FailureReason = orgtypes.CreateAccountFailureReasonEmailAlreadyExists
			req.status.CompletedTimestamp = aws.Time(time.Now())
			return nil
		}
	}
	in := &organizations.CreateAccountInput{AccountName: req.status.AccountName, Email: aws.String(req.email), Tags: req.tags}
	if req.roleName != "" {
		in.RoleName = aws.String(req.roleName)
	}
	out, err := a.moto.CreateAccount(ctx, in)
	if err != nil {
		return &apiError{http.StatusInternalServerError, "ServiceException", "cannot create account in moto: " + err.Error()}
	}
	req.status.State = orgtypes.CreateAccountStateSucceeded
	req.status.AccountId = out.CreateAccountStatus.AccountId
	req.status.CompletedTimestamp = aws.Time(time.Now())
	if req.govCloud {
		req.status.GovCloudAccountId = aws.String(fmt.Sprintf("9%011d", a.seq))
		if a.GovCloud != nil {
			a.GovCloud.AddStandaloneAccount(*req.status.GovCloudAccountId, aws.ToString(req.status.AccountName), req.email)
		}
	}
	return nil
}

func (a *AccountCreationServer) list(states []orgtypes.CreateAccountState) map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := []map[string]any{}
	for _, req := range a.requests {
		if len(states) == 0 || slices.Contains(states, req.status.State) {
			out = append(out, wireStatus(req.status))
		}
	}
	return map[string]any{"CreateAccountStatuses": out}
}

// wireStatus renders a CreateAccountStatus as awsJson1_1 does: timestamps in epoch seconds, empty
// members left out.
func wireStatus(s orgtypes.CreateAccountStatus) map[string]any {
	m := map[string]any{"Id": aws.ToString(s.Id), "AccountName": aws.ToString(s.AccountName), "State": string(s.State)}
	if s.RequestedTimestamp != nil {
		m["RequestedTimestamp"] = epoch(*s.RequestedTimestamp)
	}
	if s.CompletedTimestamp != nil {
		m["CompletedTimestamp"] = epoch(*s.CompletedTimestamp)
	}
	if s.AccountId != nil {
		m["AccountId"] = *s.AccountId
	}
	if s.GovCloudAccountId != nil {
		m["GovCloudAccountId"] = *s.GovCloudAccountId
	}
	if s.FailureReason != "" {
		m["FailureReason"] = string(s.FailureReason)
	}
	return m
}

// callCounts counts the calls a stand-in received, by operation.
type callCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounts) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
}

func (c *callCounts) of(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// operation returns the Organizations operation r calls, or answers that r is not such a call.
func operation(w http.ResponseWriter, r *http.Request) (string, bool) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), organizationsTarget)
	if r.Method != http.MethodPost || !ok {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "expected an AWS Organizations JSON request")
		return "", false
	}
	return op, true
}

// reply answers with out, or with err as Organizations reports errors.
func reply(w http.ResponseWriter, out any, err *apiError) {
	if err != nil {
		writeError(w, err.status, err.code, err.message)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

type apiError struct {
	status        int
	code, message string
}

func decode(r *http.Request, into any) *apiError {
	if err := json.NewDecoder(r.Body).Decode(into); err != nil {
		return &apiError{http.StatusBadRequest, "InvalidInputException", "cannot parse request: " + err.Error()}
	}
	return nil
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "Message": message})
}
