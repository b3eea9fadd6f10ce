package moto

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// invitationLifetime is how long AWS keeps an invitation open.
const invitationLifetime = 15 * 24 * time.Hour

// GovCloudOrganizationServer plays an AWS GovCloud (US) organization for the calls of
// awsclient.GovCloudOrganization, in the real Organizations wire format (awsJson1_1, lists paged
// one item at a time so that callers' pagination is exercised), so the client under test is the
// real SDK client.
//
// moto cannot play it: it has no handshakes (InviteAccountToOrganization,
// ListHandshakesForOrganization, AcceptHandshake), and no way for an account that already exists
// to join an organization, which is how the GovCloud account of a CreateGovCloudAccount pair gets
// into one. So this server holds the whole GovCloud organization: its root and OUs, the standalone
// GovCloud accounts AccountCreationServer makes, and which of them have joined. When given a moto
// server, it asks moto's STS who signed each call, as AWS knows: the organization's management
// account (moto's default account) for every call but AcceptHandshake, which only the invited
// account can make, through the role SetAcceptRole names.
type GovCloudOrganizationServer struct {
	*httptest.Server

	// identity, when set, says which account and identity (ARN) an access key acts as.
	identity func(ctx context.Context, accessKeyID string) (account, arn string, err error)

	calls callCounts
	mu    sync.Mutex
	// acceptRole is the role AcceptHandshake must be signed with, in the invited account.
	acceptRole string
	// failAccepts is how many AcceptHandshake calls fail with a ServiceException, after their
	// checks, before one succeeds: a reply lost, or a crash.
	failAccepts int
	ous         []*govOU
	accounts    map[string]*govAccount
	handshakes  []*orgtypes.Handshake
	seq         int
	invited     int
}

// SetAcceptRole sets the role AcceptHandshake must be signed with, in the invited account
// (OrganizationAccountAccessRole to begin with). It is safe while the server is in use.
func (g *GovCloudOrganizationServer) SetAcceptRole(role string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.acceptRole = role
}

// FailAccepts makes the next n AcceptHandshake calls fail with a ServiceException, after their
// checks: a reply lost, or a crash. It is safe while the server is in use.
func (g *GovCloudOrganizationServer) FailAccepts(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failAccepts = n
}

// GovCloudRootID is the root of every GovCloudOrganizationServer's organization.
const GovCloudRootID = "r-gov0"

// govCloudOrganizationID is the organization the server plays.
const govCloudOrganizationID = "o-gov0000001"

type govOU struct{ id, name, parent string }

type govAccount struct {
	id, name, email string
	// parent is "" while the account is standalone.
	parent string
	joined time.Time
}

// NewGovCloudOrganizationServer starts an empty GovCloud organization. With s, every call is
// checked against the caller's identity in s's STS.
func NewGovCloudOrganizationServer(s *Server) *GovCloudOrganizationServer {
	g := &GovCloudOrganizationServer{acceptRole: "OrganizationAccountAccessRole", accounts: map[string]*govAccount{}}
	if s != nil {
		g.identity = func(ctx context.Context, key string) (string, string, error) {
			// moto knows a caller by its access key alone: the role it assumed, or its default
			// account.
			c := sts.New(sts.Options{Region: "us-gov-west-1", BaseEndpoint: aws.String(s.URL), Credentials: credentials.NewStaticCredentialsProvider(key, "unchecked", "")})
			out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				return "", "", err
			}
			return aws.ToString(out.Account), aws.ToString(out.Arn), nil
		}
	}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// AddOrganizationalUnit creates the OUs of path below the root that do not exist and returns the
// ID of the last.
func (g *GovCloudOrganizationServer) AddOrganizationalUnit(path string) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	parent := GovCloudRootID
	for name := range strings.SplitSeq(path, "/") {
		i := slices.IndexFunc(g.ous, func(o *govOU) bool { return o.parent == parent && o.name == name })
		if i < 0 {
			g.seq++
			g.ous = append(g.ous, &govOU{id: fmt.Sprintf("ou-gov0-%08d", g.seq), name: name, parent: parent})
			i = len(g.ous) - 1
		}
		parent = g.ous[i].id
	}
	return parent
}

// AddStandaloneAccount records a GovCloud account outside the organization, as
// CreateGovCloudAccount leaves it.
func (g *GovCloudOrganizationServer) AddStandaloneAccount(id, name, email string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.accounts[id] = &govAccount{id: id, name: name, email: email}
}

// Parent returns the root or OU account id is in, and false when it is not a member.
func (g *GovCloudOrganizationServer) Parent(id string) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a, ok := g.accounts[id]
	if !ok || a.parent == "" {
		return "", false
	}
	return a.parent, true
}

// ForgetEndedInvitations drops the invitations that were declined, canceled or expired from the
// organization's list, as AWS does 30 days after they end.
func (g *GovCloudOrganizationServer) ForgetEndedInvitations() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.handshakes = slices.DeleteFunc(g.handshakes, func(h *orgtypes.Handshake) bool {
		return !openInvitation(h) && h.State != orgtypes.HandshakeStateAccepted
	})
}

// RemoveAccount makes a member account standalone again, as RemoveAccountFromOrganization does.
func (g *GovCloudOrganizationServer) RemoveAccount(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if a, ok := g.accounts[id]; ok {
		a.parent = ""
	}
}

// EndInvitations moves every open invitation to state: DECLINED as its recipient would,
// CANCELED as the sender, or EXPIRED as time does.
func (g *GovCloudOrganizationServer) EndInvitations(state orgtypes.HandshakeState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, h := range g.handshakes {
		if openInvitation(h) {
			h.State = state
		}
	}
}

// Calls returns how many calls of the operation op the server received.
func (g *GovCloudOrganizationServer) Calls(op string) int { return g.calls.of(op) }

// Invitations returns how many invitations the organization has sent.
func (g *GovCloudOrganizationServer) Invitations() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.invited
}

func (g *GovCloudOrganizationServer) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := operation(w, r)
	if !ok {
		return
	}
	g.calls.add(op)
	var out any
	var err *apiError
	if op != "AcceptHandshake" {
		if err = g.fromManagementAccount(r); err != nil {
			reply(w, nil, err)
			return
		}
	}
	switch op {
	case "DescribeAccount":
		var in organizations.DescribeAccountInput
		if err = decode(r, &in); err == nil {
			out, err = g.describeAccount(aws.ToString(in.AccountId))
		}
	case "ListRoots":
		out = map[string]any{"Roots": []map[string]any{{"Id": GovCloudRootID, "Name": "Root", "Arn": g.arn("root", GovCloudRootID)}}}
	case "ListOrganizationalUnitsForParent":
		var in organizations.ListOrganizationalUnitsForParentInput
		if err = decode(r, &in); err == nil {
			out, err = g.listOUs(aws.ToString(in.ParentId), aws.ToString(in.NextToken))
		}
	case "ListParents":
		var in organizations.ListParentsInput
		if err = decode(r, &in); err == nil {
			out, err = g.listParents(aws.ToString(in.ChildId))
		}
	case "MoveAccount":
		var in organizations.MoveAccountInput
		if err = decode(r, &in); err == nil {
			out, err = g.move(aws.ToString(in.AccountId), aws.ToString(in.SourceParentId), aws.ToString(in.DestinationParentId))
		}
	case "InviteAccountToOrganization":
		var in organizations.InviteAccountToOrganizationInput
		if err = decode(r, &in); err == nil {
			out, err = g.invite(in.Target)
		}
	case "ListHandshakesForOrganization":
		var in organizations.ListHandshakesForOrganizationInput
		if err = decode(r, &in); err == nil {
			out, err = g.listHandshakes(in.Filter, aws.ToString(in.NextToken))
		}
	case "AcceptHandshake":
		var in organizations.AcceptHandshakeInput
		if err = decode(r, &in); err == nil {
			out, err = g.accept(r, aws.ToString(in.HandshakeId))
		}
	default:
		err = &apiError{http.StatusBadRequest, "UnknownOperationException", "this stand-in plays a GovCloud organization for the calls moto lacks; it does not serve " + op}
	}
	reply(w, out, err)
}

// caller returns the account and identity (ARN) that signed r, as moto's STS knows them.
func (g *GovCloudOrganizationServer) caller(r *http.Request) (account, arn string, _ *apiError) {
	account, arn, err := g.identity(r.Context(), signer(r))
	if err != nil {
		return "", "", &apiError{http.StatusForbidden, "AccessDeniedException", "cannot tell who signed the request: " + err.Error()}
	}
	return account, arn, nil
}

// fromManagementAccount refuses a call not signed by the organization's management account.
func (g *GovCloudOrganizationServer) fromManagementAccount(r *http.Request) *apiError {
	if g.identity == nil {
		return nil
	}
	account, _, err := g.caller(r)
	if err != nil {
		return err
	}
	if account != AccountID {
		// AWS answers a member account this way for calls only the management account may make.
		return &apiError{http.StatusBadRequest, "AccessDeniedException", fmt.Sprintf("account %s is not the management account of the organization", account)}
	}
	return nil
}

func (g *GovCloudOrganizationServer) arn(kind, id string) string {
	return fmt.Sprintf("arn:aws-us-gov:organizations::%s:%s/%s/%s", AccountID, kind, govCloudOrganizationID, id)
}

// paged renders the page of items under key that token starts, one item long, with the token of
// the next page.
func paged(key string, items []map[string]any, token string) (map[string]any, *apiError) {
	from := 0
	if token != "" {
		i, err := strconv.Atoi(token)
		if err != nil || i < 0 || i > len(items) {
			return nil, &apiError{http.StatusBadRequest, "InvalidInputException", "invalid NextToken " + token}
		}
		from = i
	}
	to := min(from+1, len(items))
	out := map[string]any{key: items[from:to]}
	if to < len(items) {
		out["NextToken"] = strconv.Itoa(to)
	}
	return out, nil
}

func accountNotFound(id string) *apiError {
	return &apiError{http.StatusBadRequest, "AccountNotFoundException", "You specified an account that doesn't exist: " + id}
}

func (g *GovCloudOrganizationServer) describeAccount(id string) (map[string]any, *apiError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a, ok := g.accounts[id]
	if !ok || a.parent == "" {
		return nil, accountNotFound(id)
	}
	return map[string]any{"Account": map[string]any{
		"Id": a.id, "Arn": g.arn("account", a.id), "Email": a.email, "Name": a.name,
		"State": "ACTIVE", "Status": "ACTIVE", "JoinedMethod": "INVITED", "JoinedTimestamp": epoch(a.joined),
	}}, nil
}

func (g *GovCloudOrganizationServer) listOUs(parent, token string) (map[string]any, *apiError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := []map[string]any{}
	for _, o := range g.ous {
		if o.parent == parent {
			out = append(out, map[string]any{"Id": o.id, "Name": o.name, "Arn": g.arn("ou", o.id)})
		}
	}
	return paged("OrganizationalUnits", out, token)
}

func (g *GovCloudOrganizationServer) listParents(child string) (map[string]any, *apiError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a, ok := g.accounts[child]
	if !ok || a.parent == "" {
		return nil, &apiError{http.StatusBadRequest, "ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified: " + child}
	}
	typ := "ORGANIZATIONAL_UNIT"
	if a.parent == GovCloudRootID {
		typ = "ROOT"
	}
	return map[string]any{"Parents": []map[string]any{{"Id": a.parent, "Type": typ}}}, nil
}

func (g *GovCloudOrganizationServer) parentExists(id string) bool {
	return id == GovCloudRootID || slices.ContainsFunc(g.ous, func(o *govOU) bool { return o.id == id })
}

func (g *GovCloudOrganizationServer) move(id, from, to string) (map[string]any, *apiError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a, ok := g.accounts[id]
	switch {
	case !ok || a.parent == "":
		return nil, accountNotFound(id)
	case !g.parentExists(to):
		return nil, &apiError{http.StatusBadRequest, "DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the ParentId that you specified: " + to}
	case a.parent != from:
		return nil, &apiError{http.StatusBadRequest, "SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified: " + from}
	}
	a.parent = to
	return map[string]any{}, nil
}

func (g *GovCloudOrganizationServer) invite(target *orgtypes.HandshakeParty) (map[string]any, *apiError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if target == nil || target.Type != orgtypes.HandshakePartyTypeAccount {
		return nil, &apiError{http.StatusBadRequest, "InvalidInputException", "this stand-in invites accounts by ID only"}
	}
	id := aws.ToString(target.Id)
	a, ok := g.accounts[id]
	switch {
	case !ok:
		return nil, accountNotFound(id)
	case a.parent != "":
		return nil, &apiError{http.StatusBadRequest, "DuplicateAccountException", "That account is already present in the specified organization: " + id}
	}
	for _, h := range g.handshakes {
		if openInvitation(h) && party(*h) == id {
			return nil, &apiError{http.StatusBadRequest, "DuplicateHandshakeException", "A handshake with the same action and target already exists"}
		}
	}
	g.seq++
	g.invited++
	now := time.Now()
	h := &orgtypes.Handshake{
		Id:                  aws.String(fmt.Sprintf("h-gov%08d", g.seq)),
		Action:              orgtypes.ActionTypeInviteAccountToOrganization,
		State:               orgtypes.HandshakeStateOpen,
		RequestedTimestamp:  aws.Time(now),
		ExpirationTimestamp: aws.Time(now.Add(invitationLifetime)),
		Parties: []orgtypes.HandshakeParty{
			{Type: orgtypes.HandshakePartyTypeOrganization, Id: aws.String(strings.TrimPrefix(govCloudOrganizationID, "o-"))},
			{Type: orgtypes.HandshakePartyTypeAccount, Id: aws.String(id)},
		},
	}
	g.handshakes = append(g.handshakes, h)
	return map[string]any{"Handshake": g.wireHandshake(*h)}, nil
}

// openInvitation reports whether h can still be accepted.
func openInvitation(h *orgtypes.Handshake) bool {
	return h.State == orgtypes.HandshakeStateOpen || h.State == orgtypes.HandshakeStateRequested
}

// party returns the account an invitation is for.
func party(h orgtypes.Handshake) string {
	for _, p := range h.Parties {
		if p.Type == orgtypes.HandshakePartyTypeAccount {
			return aws.ToString(p.Id)
		}
	}
	return ""
}

func (g *GovCloudOrganizationServer) listHandshakes(filter *orgtypes.HandshakeFilter, token string) (map[string]any, *apiError) {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := []map[string]any{}
	for _, h := range g.handshakes {
		if filter == nil || filter.ActionType == "" || filter.ActionType == h.Action {
			out = append(out, g.wireHandshake(*h))
		}
	}
	return paged("Handshakes", out, token)
}

func (g *GovCloudOrganizationServer) accept(r *http.Request, id string) (map[string]any, *apiError) {
	g.mu.Lock()
	i := slices.IndexFunc(g.handshakes, func(h *orgtypes.Handshake) bool { return aws.ToString(h.Id) == id })
	target, role := "", g.acceptRole
	if i >= 0 {
		target = party(*g.handshakes[i])
	}
	g.mu.Unlock()
	if i < 0 {
		return nil, &apiError{http.StatusBadRequest, "HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified: " + id}
	}
	if g.identity != nil {
		// Asked without the lock: it calls moto.
		account, arn, err := g.caller(r)
		if err != nil {
			return nil, err
		}
		if account != target || !strings.Contains(arn, ":assumed-role/"+role+"/") {
			return nil, &apiError{http.StatusForbidden, "AccessDeniedException", fmt.Sprintf("only the invited account %s, through its role %s, can accept handshake %s; the caller is %s", target, role, id, arn)}
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failAccepts > 0 {
		g.failAccepts--
		return nil, &apiError{http.StatusInternalServerError, "ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later."}
	}
	h := g.handshakes[i]
	switch {
	case h.State == orgtypes.HandshakeStateAccepted:
		return nil, &apiError{http.StatusBadRequest, "HandshakeAlreadyInStateException", "The specified handshake is already in the requested state: ACCEPTED"}
	case !openInvitation(h):
		return nil, &apiError{http.StatusBadRequest, "InvalidHandshakeTransitionException", fmt.Sprintf("You can't perform the operation on the handshake in its current state: %s", h.State)}
	}
	h.State = orgtypes.HandshakeStateAccepted
	if a, ok := g.accounts[target]; ok {
		a.parent, a.joined = GovCloudRootID, time.Now()
	}
	return map[string]any{"Handshake": g.wireHandshake(*h)}, nil
}

// credentialPattern finds the access key in a Signature Version 4 Authorization header.
var credentialPattern = regexp.MustCompile(`Credential=([^/,\s]+)/`)

// signer returns the access key that signed r.
func signer(r *http.Request) string {
	if m := credentialPattern.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return ""
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// wireHandshake renders a Handshake as awsJson1_1 does.
func (g *GovCloudOrganizationServer) wireHandshake(h orgtypes.Handshake) map[string]any {
	parties := []map[string]any{}
	for _, p := range h.Parties {
		parties = append(parties, map[string]any{"Id": aws.ToString(p.Id), "Type": string(p.Type)})
	}
	return map[string]any{
		"Id": aws.ToString(h.Id), "Arn": g.arn("handshake", "invite/"+aws.ToString(h.Id)),
		"Action": string(h.Action), "State": string(h.State), "Parties": parties,
		"RequestedTimestamp": epoch(aws.ToTime(h.RequestedTimestamp)), "ExpirationTimestamp": epoch(aws.ToTime(h.ExpirationTimestamp)),
	}
}
