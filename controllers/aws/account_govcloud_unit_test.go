package aws

import (
	"context"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

// TestAcceptInvitationAfterAStaleObservation drives acceptInvitation when what Observe saw is
// already out of date, as AWS's eventual consistency or another pass can make it: an invitation
// the list did not show yet is found and accepted rather than a second sent; an account that has
// joined meanwhile is left to placement; an open invitation Observe found is accepted as it is.
// The GovCloud organization is the httptest stand-in (without moto, so it does not check callers).
func TestAcceptInvitationAfterAStaleObservation(t *testing.T) {
	const id = "900000000007"
	cases := map[string]struct {
		// setup prepares the organization and returns the invitation Observe found, if any.
		setup       func(t *testing.T, org awsclient.GovCloudOrganization) *orgtypes.Handshake
		invitations int
		joined      bool
	}{
		"OpenInvitationNotListedYetIsAccepted": {
			setup: func(t *testing.T, org awsclient.GovCloudOrganization) *orgtypes.Handshake {
				sendInvitation(t, org, id)
				return nil
			},
			invitations: 1, joined: true,
		},
		"AccountThatJoinedMeanwhileIsNotInvited": {
			setup: func(t *testing.T, org awsclient.GovCloudOrganization) *orgtypes.Handshake {
				h := sendInvitation(t, org, id)
				if _, err := org.AcceptHandshake(t.Context(), &organizations.AcceptHandshakeInput{HandshakeId: h.Id}); err != nil {
					t.Fatal(err)
				}
				return nil
			},
			invitations: 1, joined: true,
		},
		"OpenInvitationObservedIsAccepted": {
			setup: func(t *testing.T, org awsclient.GovCloudOrganization) *orgtypes.Handshake {
				return sendInvitation(t, org, id)
			},
			invitations: 1, joined: true,
		},
		"NoInvitationIsSentOne": {
			setup: func(*testing.T, awsclient.GovCloudOrganization) *orgtypes.Handshake {
				return nil
			},
			invitations: 1, joined: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			gov := moto.NewGovCloudOrganizationServer(nil)
			defer gov.Close()
			gov.AddStandaloneAccount(id, "evidence", "evidence@mpd.example.gov")
			org := organizations.New(organizations.Options{Region: awsv1.GovCloudOrganizationRegion, BaseEndpoint: sdkaws.String(gov.URL), RetryMaxAttempts: 1,
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
			c := &accountClient{
				record: event.NewNopRecorder(),
				inside: func(context.Context, *awsv1.Account, string) (awsclient.GovCloudOrganization, error) { return org, nil },
				join:   &govCloudJoin{org: org, id: id, invitation: tc.setup(t, org)},
			}
			mg := &awsv1.Account{}
			m := &awsv1.GovCloudMembership{}
			if err := c.acceptInvitation(t.Context(), mg, m); err != nil {
				t.Fatalf("acceptInvitation: %v", err)
			}
			if n := gov.Invitations(); n != tc.invitations {
				t.Errorf("%d invitations, want %d", n, tc.invitations)
			}
			if _, ok := gov.Parent(id); ok != tc.joined {
				t.Errorf("member %t, want %t", ok, tc.joined)
			}
		})
	}
}

func sendInvitation(t *testing.T, org awsclient.GovCloudOrganization, id string) *orgtypes.Handshake {
	t.Helper()
	out, err := org.InviteAccountToOrganization(t.Context(), &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeAccount, Id: sdkaws.String(id)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Handshake
}
