package awsclient

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// Organizations is what the Account client reads and changes in AWS Organizations once an
// account exists. *organizations.Client satisfies it.
type Organizations interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, o ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
	DescribeAccount(ctx context.Context, in *organizations.DescribeAccountInput, o ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	ListRoots(ctx context.Context, in *organizations.ListRootsInput, o ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, o ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListParents(ctx context.Context, in *organizations.ListParentsInput, o ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	MoveAccount(ctx context.Context, in *organizations.MoveAccountInput, o ...func(*organizations.Options)) (*organizations.MoveAccountOutput, error)
	ListTagsForResource(ctx context.Context, in *organizations.ListTagsForResourceInput, o ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *organizations.TagResourceInput, o ...func(*organizations.Options)) (*organizations.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *organizations.UntagResourceInput, o ...func(*organizations.Options)) (*organizations.UntagResourceOutput, error)
	CloseAccount(ctx context.Context, in *organizations.CloseAccountInput, o ...func(*organizations.Options)) (*organizations.CloseAccountOutput, error)
}

// AccountCreator is the narrow part of AWS Organizations that starts account creation and reports
// its progress. *organizations.Client satisfies it, and in production it is the same client as
// Organizations.
//
// It is separate because the AWS emulator the tests use (moto) has no CreateGovCloudAccount and
// reports every creation SUCCEEDED at once. The tests point this interface alone at an httptest
// server speaking the real Organizations JSON protocol for these four calls (see
// internal/moto.AccountCreationServer), while every other call runs against moto.
type AccountCreator interface {
	CreateAccount(ctx context.Context, in *organizations.CreateAccountInput, o ...func(*organizations.Options)) (*organizations.CreateAccountOutput, error)
	CreateGovCloudAccount(ctx context.Context, in *organizations.CreateGovCloudAccountInput, o ...func(*organizations.Options)) (*organizations.CreateGovCloudAccountOutput, error)
	DescribeCreateAccountStatus(ctx context.Context, in *organizations.DescribeCreateAccountStatusInput, o ...func(*organizations.Options)) (*organizations.DescribeCreateAccountStatusOutput, error)
	ListCreateAccountStatus(ctx context.Context, in *organizations.ListCreateAccountStatusInput, o ...func(*organizations.Options)) (*organizations.ListCreateAccountStatusOutput, error)
}

// GovCloudOrganization is what the Account client calls in an AWS GovCloud (US) organization to
// have a standalone GovCloud account join it and place it in its OU. Its management account sends
// the invitation; AcceptHandshake alone is called from inside the invited account.
// *organizations.Client satisfies it.
//
// It is separate because moto has no handshakes (InviteAccountToOrganization, AcceptHandshake,
// ListHandshakesForOrganization) and no way for an existing account to join an organization. The
// tests point it at an httptest server speaking the real Organizations JSON protocol that plays the
// whole GovCloud organization for these calls (see internal/moto.GovCloudOrganizationServer).
type GovCloudOrganization interface {
	DescribeAccount(ctx context.Context, in *organizations.DescribeAccountInput, o ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	ListRoots(ctx context.Context, in *organizations.ListRootsInput, o ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, o ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListParents(ctx context.Context, in *organizations.ListParentsInput, o ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	MoveAccount(ctx context.Context, in *organizations.MoveAccountInput, o ...func(*organizations.Options)) (*organizations.MoveAccountOutput, error)
	ListHandshakesForOrganization(ctx context.Context, in *organizations.ListHandshakesForOrganizationInput, o ...func(*organizations.Options)) (*organizations.ListHandshakesForOrganizationOutput, error)
	InviteAccountToOrganization(ctx context.Context, in *organizations.InviteAccountToOrganizationInput, o ...func(*organizations.Options)) (*organizations.InviteAccountToOrganizationOutput, error)
	AcceptHandshake(ctx context.Context, in *organizations.AcceptHandshakeInput, o ...func(*organizations.Options)) (*organizations.AcceptHandshakeOutput, error)
}

var (
	_ Organizations        = &organizations.Client{}
	_ AccountCreator       = &organizations.Client{}
	_ GovCloudOrganization = &organizations.Client{}
)
