package aws

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

// reasonInvitationEnded is the event recorded once when an invitation ended without the account
// joining.
const reasonInvitationEnded event.Reason = "InvitationEnded"

// govCloudJoin is what Observe found of a GovCloud account's way into its GovCloud organization,
// for Update to act on.
type govCloudJoin struct {
	org awsclient.GovCloudOrganization
	// id is the GovCloud account's ID.
	id string
	// member is true when the GovCloud organization lists the account.
	member bool
	// invitation is the open invitation to reuse, or nil when one must be sent.
	invitation *orgtypes.Handshake
	// parent and want are the account's parent and the one its OU path names, once a member.
	parent, want string
}

// govCloudOrg returns the Organizations client of the GovCloud organization the account joins,
// acting as its management account.
func (c *accountClient) govCloudOrg(ctx context.Context, mg *awsv1.Account) (awsclient.GovCloudOrganization, error) {
	o := mg.Spec.ForProvider.GovCloudOrganization
	cfg, err := c.resolver.ConfigFor(ctx, &o.ProviderConfigRef, mg.GetNamespace(), awsv1.GovCloudOrganizationRegion)
	if err != nil {
		return nil, errors.Wrap(err, "cannot connect to the GovCloud organization's management account")
	}
	return c.newGovCloudOrg(cfg), nil
}

// insideGovCloudAccount returns an Organizations client acting inside the GovCloud account id,
// through the role CreateGovCloudAccount made there, assumed from the GovCloud management account:
// only the invited account can accept its invitation.
func (c *accountClient) insideGovCloudAccount(ctx context.Context, mg *awsv1.Account, id string) (awsclient.GovCloudOrganization, error) {
	p := mg.Spec.ForProvider
	o := p.GovCloudOrganization
	role := awsv1.AssumeRole{AccountID: id, RoleName: cmp.Or(o.RoleName, p.RoleName, awsv1.DefaultMemberRoleName), RoleSessionName: awsclient.DefaultRoleSessionName}
	cfg, err := c.resolver.ConfigFor(ctx, &o.ProviderConfigRef, mg.GetNamespace(), awsv1.GovCloudOrganizationRegion, role)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot act inside GovCloud account %s to accept its invitation", id)
	}
	return c.newGovCloudOrg(cfg), nil
}

// observeGovCloud reads whether the GovCloud account of mg is a member of its GovCloud
// organization, and in which OU, into c.join for Update. A member in the wrong OU is drift; one
// that has left is announced and invited again. An invitation that ended without the account
// joining is reported on Ready and not sent again until a person says so.
func (c *accountClient) observeGovCloud(ctx context.Context, mg *awsv1.Account) error {
	at := &mg.Status.AtProvider
	id := at.GovCloudAccountID
	if id == "" {
		return errors.Errorf("the GovCloud account ID of account %s is unknown: no request that created it is recorded or still listed by AWS (it lists them for 90 days), so it cannot join the GovCloud organization; set the %s annotation to the ID of that request", at.AccountID, awsv1.AnnotationCreateAccountRequestID)
	}
	org, err := c.govCloudOrg(ctx, mg)
	if err != nil {
		return err
	}
	if at.GovCloudOrganization == nil {
		at.GovCloudOrganization = &awsv1.GovCloudMembership{}
	}
	m := at.GovCloudOrganization
	// A member when last observed: if it is not one now, someone has removed it.
	left := m.Joined
	join := &govCloudJoin{org: org, id: id}
	_, err = org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	switch {
	case awsclient.IsCode(err, "AccountNotFoundException"):
	case awsclient.IsCode(err, "AWSOrganizationsNotInUseException"):
		return errors.Errorf("the account of %s %q is not in an organization, so GovCloud account %s has no organization to join: name the management account of a GovCloud organization in govCloudOrganization.providerConfigRef, or remove govCloudOrganization", mg.Spec.ForProvider.GovCloudOrganization.ProviderConfigRef.Kind, mg.Spec.ForProvider.GovCloudOrganization.ProviderConfigRef.Name, id)
	case err != nil:
		return awsclient.Wrapf(err, "cannot describe GovCloud account %s in the GovCloud organization", id)
	default:
		join.member = true
		path := mg.Spec.ForProvider.GovCloudOrganization.OrganizationalUnit
		if join.parent, join.want, err = placement(ctx, org, id, path); err != nil {
			return err
		}
		m.Joined, m.ParentID = true, join.parent
		if !left && m.HandshakeState != string(orgtypes.HandshakeStateAccepted) {
			// A member this object has not seen join: the pass that accepted did not save so (it
			// stopped, or its status write lost a race), or it joined outside ZoneKeeper. Once, the
			// invitation that let it in is read back; what was saved of an earlier one goes.
			h, err := latestInvitation(ctx, org, id)
			if err != nil {
				return err
			}
			m.HandshakeID, m.HandshakeState = "", ""
			if h != nil && h.State == orgtypes.HandshakeStateAccepted {
				m.HandshakeID, m.HandshakeState = sdkaws.ToString(h.Id), string(h.State)
			}
		}
		if join.parent != join.want {
			c.drift = append(c.drift, fmt.Sprintf("GovCloud account %s is in %s of the GovCloud organization, want %s (%s)", id, join.parent, cmp.Or(path, "the root"), join.want))
		}
		c.join = join
		return nil
	}

	invitation, err := latestInvitation(ctx, org, id)
	if err != nil {
		return err
	}
	if invitation == nil && !left && ended(orgtypes.HandshakeState(m.HandshakeState)) {
		// AWS lists an ended invitation for 30 days only; what was saved of it still stands.
		invitation = &orgtypes.Handshake{Id: sdkaws.String(m.HandshakeID), State: orgtypes.HandshakeState(m.HandshakeState)}
	}
	m.Joined, m.ParentID = false, ""
	if invitation != nil {
		m.HandshakeID, m.HandshakeState = sdkaws.ToString(invitation.Id), string(invitation.State)
	}
	switch {
	case invitation != nil && open(*invitation):
		join.invitation = invitation
	case invitation != nil && !left && ended(invitation.State) && mg.GetAnnotations()[awsv1.AnnotationReinviteAfter] != m.HandshakeID:
		c.invitationEnded = invitation
		return nil
	}
	// Otherwise there is no invitation, the annotation asks for another, the account joined
	// (ACCEPTED) and has since left, or it left after an invitation that ended: it is invited.
	c.join = join
	if left && !onlyObserves(mg) {
		// Said now, when it is seen: once this pass saves the account as not joined, the passes
		// that invite it again cannot tell that it left. To keep it out of the organization,
		// remove govCloudOrganization from the spec.
		c.record.Event(mg, event.Warning(reasonDriftDetected, errors.Errorf("GovCloud account %s is no longer a member of the GovCloud organization; inviting it again", id)))
	}
	return nil
}

// reportInvitationEnded sets Ready=False for an invitation that was declined, canceled or
// expired, and records an event the first time.
func (c *accountClient) reportInvitationEnded(mg *awsv1.Account) {
	h := c.invitationEnded
	msg := fmt.Sprintf("the invitation %s of GovCloud account %s to the GovCloud organization is %s. ZoneKeeper does not invite it again on its own: to do so, annotate this Account with %s=%s",
		sdkaws.ToString(h.Id), mg.Status.AtProvider.GovCloudAccountID, h.State, awsv1.AnnotationReinviteAfter, sdkaws.ToString(h.Id))
	if mg.GetCondition(xpv2.TypeReady).Reason != awsv1.ReasonInvitationEnded {
		c.record.Event(mg, event.Warning(reasonInvitationEnded, errors.New(msg)))
	}
	setReady(mg, xpv2.Condition{Type: xpv2.TypeReady, Status: corev1.ConditionFalse, Reason: awsv1.ReasonInvitationEnded, LastTransitionTime: metav1.Now(), Message: msg})
}

// joinGovCloud has the GovCloud account join its organization: the open invitation is accepted,
// or a new one sent and accepted, from inside the account. Then the account is put in its OU.
func (c *accountClient) joinGovCloud(ctx context.Context, mg *awsv1.Account) error {
	j := c.join
	at := &mg.Status.AtProvider
	if at.GovCloudOrganization == nil {
		at.GovCloudOrganization = &awsv1.GovCloudMembership{}
	}
	m := at.GovCloudOrganization
	if !j.member {
		if err := c.acceptInvitation(ctx, mg, m); err != nil {
			return err
		}
		parent, want, err := placement(ctx, j.org, j.id, mg.Spec.ForProvider.GovCloudOrganization.OrganizationalUnit)
		if err != nil {
			return err
		}
		j.parent, j.want = parent, want
	}
	if j.parent != j.want {
		if _, err := j.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &j.id, SourceParentId: &j.parent, DestinationParentId: &j.want}); err != nil {
			return awsclient.Wrapf(err, "cannot move GovCloud account %s in the GovCloud organization", j.id)
		}
	}
	// Saved as a member only once it is placed: a pass that stops before that finds it a member
	// in the wrong OU, never one that has left.
	m.Joined, m.ParentID = true, j.want
	return nil
}

// acceptInvitation accepts the open invitation Observe found, or sends one and accepts it.
func (c *accountClient) acceptInvitation(ctx context.Context, mg *awsv1.Account, m *awsv1.GovCloudMembership) error {
	j := c.join
	h := j.invitation
	if h == nil {
		// Observe listed the organization's invitations and found none open for the account, and
		// AWS refuses a second open invitation, so a pass that stopped after this call cannot make
		// a second: the next finds this one.
		out, err := j.org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeAccount, Id: &j.id},
			Notes:  sdkaws.String(fmt.Sprintf("ZoneKeeper Account %s/%s: GovCloud pair of %s", mg.GetNamespace(), mg.GetName(), mg.Status.AtProvider.AccountID)),
		})
		switch {
		case awsclient.IsCode(err, "DuplicateAccountException"):
			return nil // a member already: Observe read the organization before it listed the account
		case awsclient.IsCode(err, "DuplicateHandshakeException"):
			// An open invitation the list did not show yet.
			if h, err = latestInvitation(ctx, j.org, j.id); err != nil {
				return err
			}
			if h == nil || !open(*h) {
				return errors.Errorf("AWS reports an open invitation of GovCloud account %s that the GovCloud organization does not list yet; retrying", j.id)
			}
		case err != nil:
			return awsclient.Wrapf(err, "cannot invite GovCloud account %s to the GovCloud organization", j.id)
		default:
			h = out.Handshake
		}
	}
	m.HandshakeID, m.HandshakeState = sdkaws.ToString(h.Id), string(h.State)
	inside, err := c.inside(ctx, mg, j.id)
	if err != nil {
		return err
	}
	_, err = inside.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	if err != nil && !awsclient.IsCode(err, "HandshakeAlreadyInStateException") {
		return awsclient.Wrapf(err, "cannot accept invitation %s inside GovCloud account %s", m.HandshakeID, j.id)
	}
	m.HandshakeState = string(orgtypes.HandshakeStateAccepted)
	return nil
}

// placement returns the parent account id is in and the one path names in org.
func placement(ctx context.Context, org orgTree, id, path string) (parent, want string, err error) {
	if want, err = ouID(ctx, org, path); err != nil {
		return "", "", err
	}
	parents, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: &id})
	if err != nil {
		return "", "", awsclient.Wrapf(err, "cannot list parents of account %s", id)
	}
	if len(parents.Parents) > 0 {
		parent = sdkaws.ToString(parents.Parents[0].Id)
	}
	return parent, want, nil
}

// latestInvitation returns the invitation of account id to org that is still open, or else the
// one requested last, or nil when there is none. AWS keeps ended handshakes for 30 days.
func latestInvitation(ctx context.Context, org awsclient.GovCloudOrganization, id string) (*orgtypes.Handshake, error) {
	var found []orgtypes.Handshake
	pages := organizations.NewListHandshakesForOrganizationPaginator(org, &organizations.ListHandshakesForOrganizationInput{
		Filter: &orgtypes.HandshakeFilter{ActionType: orgtypes.ActionTypeInviteAccountToOrganization},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, awsclient.Wrap(err, "cannot list the GovCloud organization's invitations")
		}
		for _, h := range page.Handshakes {
			if slices.ContainsFunc(h.Parties, func(p orgtypes.HandshakeParty) bool {
				return p.Type == orgtypes.HandshakePartyTypeAccount && sdkaws.ToString(p.Id) == id
			}) {
				found = append(found, h)
			}
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	if i := slices.IndexFunc(found, open); i >= 0 {
		return &found[i], nil
	}
	latest := slices.MaxFunc(found, func(a, b orgtypes.Handshake) int {
		return sdkaws.ToTime(a.RequestedTimestamp).Compare(sdkaws.ToTime(b.RequestedTimestamp))
	})
	return &latest, nil
}

// ended reports whether an invitation ended without the account joining.
func ended(s orgtypes.HandshakeState) bool {
	return s == orgtypes.HandshakeStateDeclined || s == orgtypes.HandshakeStateCanceled || s == orgtypes.HandshakeStateExpired
}

// open reports whether an invitation can still be accepted.
func open(h orgtypes.Handshake) bool {
	return h.State == orgtypes.HandshakeStateRequested || h.State == orgtypes.HandshakeStateOpen
}
