package aws_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

// govCloudSetup starts the two Organizations stand-ins a GovCloud account's way into its GovCloud
// organization needs: moto has neither CreateGovCloudAccount nor handshakes, nor a way for an
// existing account to join an organization (see internal/moto). The account-creation stand-in
// hands every GovCloud account it makes to the GovCloud organization stand-in, standalone.
func govCloudSetup(t *testing.T) (awsctrl.Options, *moto.GovCloudOrganizationServer) {
	t.Helper()
	moto.Require(t, motoSrv, motoErr)
	stub := moto.NewAccountCreationServer(motoSrv, orgRegion)
	t.Cleanup(stub.Close)
	gov := moto.NewGovCloudOrganizationServer(motoSrv)
	t.Cleanup(gov.Close)
	stub.GovCloud = gov
	o := stubOptions(stub)
	o.NewGovCloudOrganization = func(cfg sdkaws.Config) awsclient.GovCloudOrganization {
		return organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = sdkaws.String(gov.URL) })
	}
	return o, gov
}

// newGovCloudAccount is a GovCloud Account joining the GovCloud organization whose management
// account the namespace's ProviderConfig govcloud reaches.
func newGovCloudAccount(ns, name, email, ou string) *awsv1.Account {
	acc := newAccount(ns, name, email, true)
	acc.Spec.ForProvider.GovCloudOrganization = &awsv1.GovCloudOrganization{
		ProviderConfigRef: xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "govcloud"}, OrganizationalUnit: ou,
	}
	return acc
}

// waitGovCloudID waits until the Account reports its GovCloud account's ID.
func (z *zone) waitGovCloudID(acc *awsv1.Account) string {
	z.t.Helper()
	eventually(z.t, "the GovCloud account ID in status", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		if acc.Status.AtProvider.GovCloudAccountID == "" {
			return errors.Errorf("no GovCloud account ID yet: status %+v, Synced %s", acc.Status.AtProvider, acc.GetCondition(xpv2.TypeSynced).Message)
		}
		return nil
	})
	return acc.Status.AtProvider.GovCloudAccountID
}

// invite sends an invitation to account id as the GovCloud organization's management account,
// outside ZoneKeeper, and returns its ID.
func invite(t *testing.T, gov *moto.GovCloudOrganizationServer, id string) string {
	t.Helper()
	c := organizations.NewFromConfig(awsConfig(t, "us-gov-west-1"), func(o *organizations.Options) { o.BaseEndpoint = sdkaws.String(gov.URL) })
	out, err := c.InviteAccountToOrganization(t.Context(), &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeAccount, Id: &id},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sdkaws.ToString(out.Handshake.Id)
}

// waitJoined waits until the GovCloud organization has the account in OU ou and the Account
// reports so, Ready, through an accepted invitation that is none of stale (what status said
// before, which may otherwise still read as joined while a rejoin is under way).
func (z *zone) waitJoined(acc *awsv1.Account, gov *moto.GovCloudOrganizationServer, ou string, stale ...string) {
	z.t.Helper()
	eventually(z.t, "the GovCloud account a member in its OU", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		m := acc.Status.AtProvider.GovCloudOrganization
		if m == nil || !m.Joined || m.ParentID != ou || m.HandshakeState != "ACCEPTED" || slices.Contains(stale, m.HandshakeID) {
			return errors.Errorf("membership %+v, Synced %s", m, acc.GetCondition(xpv2.TypeSynced).Message)
		}
		if parent, ok := gov.Parent(acc.Status.AtProvider.GovCloudAccountID); !ok || parent != ou {
			return errors.Errorf("the GovCloud organization has the account in %q (member %t), want %s", parent, ok, ou)
		}
		return readyErr(acc)
	})
}

// TestGovCloudAccountJoinsItsGovCloudOrganization follows a GovCloud account into its GovCloud
// organization. The organization's ProviderConfig is missing at first, which is reported and does
// not hold up the commercial account's creation and placement. An invitation sent meanwhile
// stands for one whose reply was lost in a crash: ZoneKeeper accepts it (from inside the GovCloud account: the stand-in asks
// moto's STS who signed) instead of sending a second, then moves the account into its OU. Removed
// from the organization later, the account is invited and joins again, and an event says so.
// Once govCloudOrganization is removed, its status goes and the account is left where it is.
func TestGovCloudAccountJoinsItsGovCloudOrganization(t *testing.T) {
	o, gov := govCloudSetup(t)
	ou := gov.AddOrganizationalUnit("Workloads/Evidence")
	z := newZone(t, o)
	org := newOrg(t)
	acc := newGovCloudAccount(z.ns, "evidence-gov", "aws+govjoin@mpd.example.gov", "Workloads/Evidence")
	z.create(acc)
	id := z.waitGovCloudID(acc)
	eventually(t, "Synced=False naming the missing ProviderConfig, the commercial account Ready and in its OU", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		if c := acc.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, "govcloud") {
			return errors.Errorf("Synced %s: %s", c.Status, c.Message)
		}
		if c := acc.GetCondition(xpv2.TypeReady); c.Status != corev1.ConditionTrue {
			return errors.Errorf("Ready %s %s: %s", c.Status, c.Reason, c.Message)
		}
		parents, err := org.ListParents(t.Context(), &organizations.ListParentsInput{ChildId: &acc.Status.AtProvider.AccountID})
		if err != nil || len(parents.Parents) != 1 || sdkaws.ToString(parents.Parents[0].Id) != org.prod {
			return errors.Errorf("the commercial account's parents %+v (%v), want Workloads/Prod (%s)", parents, err, org.prod)
		}
		return nil
	})

	pending := invite(t, gov, id)
	z.create(z.providerConfig("govcloud"))
	z.waitJoined(acc, gov, ou)
	if got := acc.Status.AtProvider.GovCloudOrganization.HandshakeID; got != pending {
		t.Errorf("handshake %s in status, want the open invitation %s", got, pending)
	}
	if n := gov.Invitations(); n != 1 {
		t.Errorf("%d invitations, want 1: an open invitation is accepted, not sent again", n)
	}
	if n := gov.Calls("AcceptHandshake"); n != 1 {
		t.Errorf("%d AcceptHandshake calls, want 1", n)
	}

	gov.RemoveAccount(id)
	z.waitEvent(acc.Name, "DriftDetected", "no longer a member of the GovCloud organization")
	z.waitJoined(acc, gov, ou, pending)
	if n := gov.Invitations(); n != 2 {
		t.Errorf("%d invitations after the account left, want 2", n)
	}

	// No longer asked for: the membership is no longer reported, and the account stays where it is.
	z.update(acc, func() { acc.Spec.ForProvider.GovCloudOrganization = nil })
	eventually(t, "no GovCloud membership in status", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		if m := acc.Status.AtProvider.GovCloudOrganization; m != nil {
			return errors.Errorf("membership %+v", m)
		}
		return nil
	})
	if parent, ok := gov.Parent(id); !ok || parent != ou {
		t.Errorf("the account is in %q (member %t) after govCloudOrganization was removed, want left in %s", parent, ok, ou)
	}
}

// TestGovCloudInvitationEndedIsReportedNotResent finds the only invitation of a GovCloud account
// declined. ZoneKeeper reports it on Ready with the handshake, records one event, and sends no
// new invitation over several polls, even once AWS no longer lists it; the reinvite annotation
// naming that handshake makes it invite and join, accepting through forProvider.roleName.
func TestGovCloudInvitationEndedIsReportedNotResent(t *testing.T) {
	o, gov := govCloudSetup(t)
	z := newZone(t, o)
	newOrg(t)
	acc := newGovCloudAccount(z.ns, "declined-gov", "aws+govdecline@mpd.example.gov", "")
	// The role that accepts is the one CreateGovCloudAccount made, named by forProvider.roleName.
	acc.Spec.ForProvider.RoleName = "ZoneKeeperJoin"
	gov.SetAcceptRole("ZoneKeeperJoin")
	z.create(acc)
	id := z.waitGovCloudID(acc)
	declined := invite(t, gov, id)
	gov.EndInvitations(orgtypes.HandshakeStateDeclined)
	z.create(z.providerConfig("govcloud"))

	eventually(t, "Ready=False InvitationEnded", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		c := acc.GetCondition(xpv2.TypeReady)
		if c.Status != corev1.ConditionFalse || c.Reason != awsv1.ReasonInvitationEnded || !strings.Contains(c.Message, declined) || !strings.Contains(c.Message, "DECLINED") {
			return errors.Errorf("Ready %s %s: %s", c.Status, c.Reason, c.Message)
		}
		if c.ObservedGeneration != acc.Generation {
			return errors.Errorf("Ready observedGeneration %d, generation %d", c.ObservedGeneration, acc.Generation)
		}
		return nil
	})
	z.waitEvent(acc.Name, "InvitationEnded", declined, awsv1.AnnotationReinviteAfter)
	z.waitPolls(gov, 3)
	// AWS stops listing an ended invitation after 30 days; the decline still stands.
	gov.ForgetEndedInvitations()
	z.waitPolls(gov, 3)
	if n := gov.Invitations(); n != 1 {
		t.Fatalf("%d invitations, want 1: a declined invitation is not sent again on its own, even once AWS no longer lists it", n)
	}
	if n := z.countEvents(acc.Name, "InvitationEnded"); n != 1 {
		t.Errorf("%d InvitationEnded events over several polls, want 1", n)
	}
	if err := z.get(acc); err != nil {
		t.Fatal(err)
	}
	if c := acc.GetCondition(xpv2.TypeReady); c.Reason != awsv1.ReasonInvitationEnded || !strings.Contains(c.Message, declined) {
		t.Errorf("Ready %s %s: %s; want InvitationEnded naming %s still", c.Status, c.Reason, c.Message, declined)
	}
	if c := acc.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionTrue {
		t.Errorf("Synced %+v: an ended invitation is reported, not a reconcile error", c)
	}

	// ZoneKeeper's own invitation, whose acceptance fails once (a lost reply, or a crash): the next
	// pass accepts the same invitation rather than sending another.
	gov.FailAccepts(1)
	z.update(acc, func() { meta.AddAnnotations(acc, map[string]string{awsv1.AnnotationReinviteAfter: declined}) })
	z.waitJoined(acc, gov, moto.GovCloudRootID, declined)
	if n := gov.Invitations(); n != 2 {
		t.Errorf("%d invitations after the reinvite annotation, want 2", n)
	}
	if n := gov.Calls("AcceptHandshake"); n != 2 {
		t.Errorf("%d AcceptHandshake calls, want 2 (one failed)", n)
	}
	if got := acc.Status.AtProvider.GovCloudOrganization.HandshakeID; got == declined {
		t.Errorf("status still names the declined invitation %s", got)
	}
}

// TestGovCloudAccountAdoptedJoinsAgain adopts, by its email, a GovCloud pair whose GovCloud
// account had joined and was then removed from the GovCloud organization. The new Account knows no
// create request: it finds the GovCloud account's ID among the requests AWS lists. The accepted
// invitation of the earlier membership is no refusal, so the account is invited and joins again;
// it was never a member as this object knows it, so that is not reported as drift.
func TestGovCloudAccountAdoptedJoinsAgain(t *testing.T) {
	o, gov := govCloudSetup(t)
	z := newZone(t, o)
	newOrg(t)
	z.create(z.providerConfig("govcloud"))
	first := newGovCloudAccount(z.ns, "first", "aws+govadopt@mpd.example.gov", "")
	z.create(first)
	z.waitJoined(first, gov, moto.GovCloudRootID)
	id := first.Status.AtProvider.GovCloudAccountID
	z.deleteAndWait(first) // deletionPolicy Orphan: the accounts stay
	gov.RemoveAccount(id)

	adopted := newGovCloudAccount(z.ns, "adopted", "aws+govadopt@mpd.example.gov", "")
	z.create(adopted)
	z.waitJoined(adopted, gov, moto.GovCloudRootID)
	if got := adopted.Status.AtProvider.GovCloudAccountID; got != id {
		t.Errorf("the adopted Account reports GovCloud account %q, want %s", got, id)
	}
	if n := gov.Invitations(); n != 2 {
		t.Errorf("%d invitations, want 2", n)
	}
	for _, e := range z.events(adopted.Name) {
		if strings.Contains(e.Note, "no longer a member") {
			t.Errorf("event %s %q: joining an adopted account is not drift", e.Reason, e.Note)
		}
	}
}

// waitPolls waits until the GovCloud organization has been asked about the account n more times:
// n passes of the Account's reconciler.
func (z *zone) waitPolls(gov *moto.GovCloudOrganizationServer, n int) {
	z.t.Helper()
	from := gov.Calls("DescribeAccount")
	eventually(z.t, fmt.Sprintf("%d more passes", n), func() error {
		if got := gov.Calls("DescribeAccount") - from; got < n {
			return errors.Errorf("%d passes", got)
		}
		return nil
	})
}

// TestGovCloudErrorReportedWithoutUpdate reads the GovCloud organization through a config that
// does not exist, for an Account whose management policies leave out Update: there is no Update
// to report the error, so Observe does.
func TestGovCloudErrorReportedWithoutUpdate(t *testing.T) {
	o, _ := govCloudSetup(t)
	z := newZone(t, o)
	newOrg(t)
	acc := newGovCloudAccount(z.ns, "no-update", "aws+govnoupdate@mpd.example.gov", "")
	acc.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve, xpv2.ManagementActionCreate, xpv2.ManagementActionDelete}
	z.create(acc)
	z.waitGovCloudID(acc)
	eventually(t, "Synced=False naming the missing ProviderConfig", func() error {
		if err := z.get(acc); err != nil {
			return err
		}
		if c := acc.GetCondition(xpv2.TypeSynced); c.Status != corev1.ConditionFalse || !strings.Contains(c.Message, `"govcloud" not found`) {
			return errors.Errorf("Synced %s: %s", c.Status, c.Message)
		}
		return nil
	})
}

// TestGovCloudOrganizationOnlyWithGovCloud refuses a commercial Account that asks to join a
// GovCloud organization: only the GovCloud account of a pair can.
func TestGovCloudOrganizationOnlyWithGovCloud(t *testing.T) {
	z := setupZone(t)
	acc := newGovCloudAccount(z.ns, "commercial", "aws+commercial@mpd.example.gov", "")
	acc.Spec.ForProvider.GovCloud = false
	err := k8s.Create(t.Context(), acc)
	if err == nil || !strings.Contains(err.Error(), "spec.forProvider.govCloudOrganization") || !strings.Contains(err.Error(), "set govCloud true") {
		t.Errorf("create: %v, want a refusal naming spec.forProvider.govCloudOrganization", err)
	}
}

// countEvents counts the events about name with reason, each repetition of a series too.
func (z *zone) countEvents(name, reason string) int {
	n := 0
	for _, e := range z.events(name) {
		if e.Reason != reason {
			continue
		}
		n++
		if e.Series != nil {
			n += int(e.Series.Count) - 1
		}
	}
	return n
}
