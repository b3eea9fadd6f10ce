package moto_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

// TestGovCloudOrganizationServer drives the GovCloud organization stand-in with the real SDK
// client through a GovCloud account's whole way in: standalone and unknown to the organization,
// invited once (a second open invitation is refused), the invitation accepted only by the invited
// account itself through its role (moto's STS says who signed), a member in the root, then moved
// to an OU; the management account's calls refused to a member; lists paged.
func TestGovCloudOrganizationServer(t *testing.T) {
	moto.Require(t, server, startErr)
	ctx := t.Context()
	gov := moto.NewGovCloudOrganizationServer(server)
	defer gov.Close()
	ou := gov.AddOrganizationalUnit("Workloads/Prod")
	if again := gov.AddOrganizationalUnit("Workloads/Prod"); again != ou {
		t.Fatalf("adding an existing path made another OU: %s, then %s", ou, again)
	}
	const id = "900000000042"
	gov.AddStandaloneAccount(id, "evidence", "evidence@mpd.example.gov")
	var mgmt awsclient.GovCloudOrganization = orgClient(gov.URL)

	if _, err := mgmt.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)}); awsclient.ErrorCode(err) != "AccountNotFoundException" {
		t.Fatalf("a standalone account: %v, want AccountNotFoundException", err)
	}
	if _, err := mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeAccount, Id: aws.String("900000000099")}}); awsclient.ErrorCode(err) != "AccountNotFoundException" {
		t.Errorf("inviting an account that does not exist: %v, want AccountNotFoundException", err)
	}
	invite := &organizations.InviteAccountToOrganizationInput{Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeAccount, Id: aws.String(id)}}
	out, err := mgmt.InviteAccountToOrganization(ctx, invite)
	if err != nil {
		t.Fatal(err)
	}
	h := out.Handshake
	if h.State != orgtypes.HandshakeStateOpen || h.RequestedTimestamp == nil || len(h.Parties) != 2 {
		t.Fatalf("invitation %+v: want OPEN with a timestamp and two parties", h)
	}
	if _, err := mgmt.InviteAccountToOrganization(ctx, invite); awsclient.ErrorCode(err) != "DuplicateHandshakeException" {
		t.Errorf("a second open invitation: %v, want DuplicateHandshakeException", err)
	}
	listed, err := mgmt.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{Filter: &orgtypes.HandshakeFilter{ActionType: orgtypes.ActionTypeInviteAccountToOrganization}})
	if err != nil || len(listed.Handshakes) != 1 || aws.ToString(listed.Handshakes[0].Id) != aws.ToString(h.Id) {
		t.Fatalf("ListHandshakesForOrganization = %+v, %v; want the one invitation", listed, err)
	}

	if _, err := mgmt.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id}); awsclient.ErrorCode(err) != "AccessDeniedException" {
		t.Errorf("the management account accepting: %v, want AccessDeniedException", err)
	}
	role, err := sts.New(sts.Options{Region: "us-gov-west-1", BaseEndpoint: aws.String(server.URL), Credentials: creds}).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws-us-gov:iam::" + id + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := role.Credentials
	inside := organizations.New(organizations.Options{Region: region, BaseEndpoint: aws.String(gov.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))})
	if _, err := inside.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id}); err != nil {
		t.Fatalf("the invited account accepting: %v", err)
	}
	if _, err := inside.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id}); awsclient.ErrorCode(err) != "HandshakeAlreadyInStateException" {
		t.Errorf("accepting twice: %v, want HandshakeAlreadyInStateException", err)
	}
	acc, err := mgmt.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
	if err != nil || aws.ToString(acc.Account.Email) != "evidence@mpd.example.gov" || acc.Account.JoinedMethod != orgtypes.AccountJoinedMethodInvited {
		t.Fatalf("the member: %+v, %v", acc, err)
	}
	if _, err := mgmt.InviteAccountToOrganization(ctx, invite); awsclient.ErrorCode(err) != "DuplicateAccountException" {
		t.Errorf("inviting a member: %v, want DuplicateAccountException", err)
	}
	if _, err := mgmt.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(ou), DestinationParentId: aws.String(moto.GovCloudRootID)}); awsclient.ErrorCode(err) != "SourceParentNotFoundException" {
		t.Errorf("moving from the wrong parent: %v, want SourceParentNotFoundException", err)
	}
	if _, err := mgmt.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(id), SourceParentId: aws.String(moto.GovCloudRootID), DestinationParentId: aws.String(ou)}); err != nil {
		t.Fatal(err)
	}
	parents, err := mgmt.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)})
	if err != nil || len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != ou {
		t.Errorf("ListParents = %+v, %v; want %s", parents, err, ou)
	}

	gov.RemoveAccount(id)
	again, err := mgmt.InviteAccountToOrganization(ctx, invite)
	if err != nil {
		t.Fatal(err)
	}
	gov.EndInvitations(orgtypes.HandshakeStateDeclined)
	if _, err := inside.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: again.Handshake.Id}); awsclient.ErrorCode(err) != "InvalidHandshakeTransitionException" {
		t.Errorf("accepting a declined invitation: %v, want InvalidHandshakeTransitionException", err)
	}
	if _, ok := gov.Parent(id); ok {
		t.Error("the account joined through a declined invitation")
	}
	if _, err := inside.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)}); awsclient.ErrorCode(err) != "AccessDeniedException" {
		t.Errorf("a member account calling as the management account: %v, want AccessDeniedException", err)
	}

	var seen []string
	pages := organizations.NewListHandshakesForOrganizationPaginator(mgmt, &organizations.ListHandshakesForOrganizationInput{})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Handshakes) > 1 {
			t.Errorf("a page of %d handshakes: the stand-in pages one at a time so that callers' pagination is exercised", len(p.Handshakes))
		}
		for _, h := range p.Handshakes {
			seen = append(seen, aws.ToString(h.Id)+" "+string(h.State))
		}
	}
	if len(seen) != 2 || gov.Invitations() != 2 {
		t.Errorf("handshakes over all pages %v, %d invitations; want the accepted and the declined one", seen, gov.Invitations())
	}
	gov.ForgetEndedInvitations()
	if out, err := mgmt.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{}); err != nil || len(out.Handshakes) != 1 || out.Handshakes[0].State != orgtypes.HandshakeStateAccepted {
		t.Errorf("after forgetting ended invitations: %+v, %v; want the accepted one alone", out, err)
	}
}
