package aws

import (
	"context"
	"fmt"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

// createRequestPrefix starts every AWS Organizations create account request ID.
const createRequestPrefix = "car-"

// clockSkew is how much earlier than our create-pending timestamp AWS may have stamped a request
// and it still be taken for ours.
const clockSkew = 5 * time.Minute

type accountConnector struct {
	resolver       *awsclient.Resolver
	record         event.Recorder
	newCreator     func(sdkaws.Config) awsclient.AccountCreator
	newGovCloudOrg func(sdkaws.Config) awsclient.GovCloudOrganization
}

func (c *accountConnector) Connect(ctx context.Context, mg *awsv1.Account) (managed.TypedExternalClient[*awsv1.Account], error) {
	cfg, err := c.resolver.Config(ctx, mg, mg.Spec.ForProvider.Region)
	if err != nil {
		return nil, err
	}
	ac := &accountClient{
		org: organizations.NewFromConfig(cfg), create: c.newCreator(cfg), record: c.record,
		resolver: c.resolver, newGovCloudOrg: c.newGovCloudOrg,
	}
	ac.inside = ac.insideGovCloudAccount
	return ac, nil
}

// accountState is what ZoneKeeper compares of an account.
type accountState struct {
	ParentID string
	Tags     map[string]string
}

// accountDrift describes how an observed account differs from the desired one. ou names the
// desired parent for the message.
func accountDrift(desired, observed accountState, ou string) []string {
	var out []string
	if observed.ParentID != desired.ParentID {
		if ou == "" {
			ou = "the root"
		}
		out = append(out, fmt.Sprintf("account is in %s, want %s (%s)", observed.ParentID, ou, desired.ParentID))
	}
	return append(out, tagDrift(desired.Tags, observed.Tags)...)
}

type accountClient struct {
	org    awsclient.Organizations
	create awsclient.AccountCreator
	record event.Recorder
	// The GovCloud organization is reached through another config, and only once there is a
	// GovCloud account to join it.
	resolver       *awsclient.Resolver
	newGovCloudOrg func(sdkaws.Config) awsclient.GovCloudOrganization
	// inside returns a client acting inside the GovCloud account; insideGovCloudAccount, except
	// in unit tests.
	inside func(ctx context.Context, mg *awsv1.Account, id string) (awsclient.GovCloudOrganization, error)

	wasReady bool
	// renamed is true when this Observe learned the external-name.
	renamed  bool
	id       string
	desired  accountState
	observed accountState
	drift    []string
	// join is the GovCloud account's way into its GovCloud organization, nil when there is
	// nothing to do; invitationEnded, an invitation that ended without it joining.
	join            *govCloudJoin
	invitationEnded *orgtypes.Handshake
	// govErr is what stopped the GovCloud organization from being read; Update returns it.
	govErr error
}

func (c *accountClient) Observe(ctx context.Context, mg *awsv1.Account) (managed.ExternalObservation, error) {
	c.wasReady = isReady(mg)
	name := meta.GetExternalName(mg)
	renamed := false
	if name == "" {
		found, err := c.find(ctx, mg)
		if err != nil || found == "" {
			return managed.ExternalObservation{}, err
		}
		meta.SetExternalName(mg, found)
		name, renamed = found, true
	}
	if strings.HasPrefix(name, createRequestPrefix) {
		obs, done, err := c.followCreation(ctx, mg, name)
		if err != nil || !done {
			obs.ResourceLateInitialized = obs.ResourceLateInitialized || renamed
			return obs, err
		}
		name, renamed = meta.GetExternalName(mg), true
	}
	c.renamed = renamed
	obs, err := c.observeAccount(ctx, mg, name)
	// A changed external-name is saved through the reconciler's late-initialization update.
	obs.ResourceLateInitialized = renamed
	return obs, err
}

// find looks for the account an Account without an external-name stands for: one with its email,
// which is unique across AWS, or, when a create call may have been made whose reply was never
// recorded or was an error, a creation in progress or succeeded for its name that was requested
// since then.
func (c *accountClient) find(ctx context.Context, mg *awsv1.Account) (string, error) {
	p := mg.Spec.ForProvider
	accounts := organizations.NewListAccountsPaginator(c.org, &organizations.ListAccountsInput{})
	for accounts.HasMorePages() {
		page, err := accounts.NextPage(ctx)
		if err != nil {
			return "", awsclient.Wrap(err, "cannot list accounts")
		}
		for _, a := range page.Accounts {
			if strings.EqualFold(sdkaws.ToString(a.Email), p.Email) {
				return sdkaws.ToString(a.Id), nil
			}
		}
	}
	// Also after a create call that failed: an error (a timeout, a reset connection) may come after
	// Organizations accepted the request, and the reconciler would then create a second time,
	// which fails on the email and leaves the first account out of its OU for good. A request that
	// succeeded is looked for too: ListAccounts may not list its account yet.
	pending := meta.GetExternalCreatePending(mg)
	if pending.IsZero() {
		return "", nil
	}
	since := pending.Add(-clockSkew)
	requests := organizations.NewListCreateAccountStatusPaginator(c.create, &organizations.ListCreateAccountStatusInput{
		States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateInProgress, orgtypes.CreateAccountStateSucceeded},
	})
	for requests.HasMorePages() {
		page, err := requests.NextPage(ctx)
		if err != nil {
			return "", awsclient.Wrap(err, "cannot list account creation requests")
		}
		for _, r := range page.CreateAccountStatuses {
			if sdkaws.ToString(r.AccountName) != p.Name || r.RequestedTimestamp == nil || r.RequestedTimestamp.Before(since) {
				continue
			}
			// Account names are not unique: a finished request whose account has another email is
			// another object's (two zones of one name, one of whose create calls was throttled).
			// One still in progress cannot be told apart; followCreation refuses it at the end if
			// its email is not the spec's.
			if r.State == orgtypes.CreateAccountStateSucceeded && r.AccountId != nil {
				acc, err := c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: r.AccountId})
				if err == nil && acc.Account != nil && !strings.EqualFold(sdkaws.ToString(acc.Account.Email), p.Email) {
					continue
				}
			}
			return sdkaws.ToString(r.Id), nil
		}
	}
	return "", nil
}

// followCreation observes an account whose creation request is known but whose ID is not yet. It
// reports done once the request SUCCEEDED, with the account ID as external-name.
func (c *accountClient) followCreation(ctx context.Context, mg *awsv1.Account, request string) (managed.ExternalObservation, bool, error) {
	out, err := c.create.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: &request})
	if err != nil {
		return managed.ExternalObservation{}, false, awsclient.Wrapf(err, "cannot describe account creation request %s", request)
	}
	s := out.CreateAccountStatus
	at := &mg.Status.AtProvider
	at.CreateRequestID, at.CreateState = request, string(s.State)
	switch s.State {
	case orgtypes.CreateAccountStateSucceeded:
		at.AccountID, at.GovCloudAccountID, at.FailureReason = sdkaws.ToString(s.AccountId), sdkaws.ToString(s.GovCloudAccountId), ""
		meta.SetExternalName(mg, at.AccountID)
		// Saved with the external-name. A request found after a crash has not been recorded yet,
		// and only it ever reports the GovCloud account's ID.
		meta.AddAnnotations(mg, map[string]string{awsv1.AnnotationCreateAccountRequestID: request})
		return managed.ExternalObservation{}, true, nil
	case orgtypes.CreateAccountStateFailed:
		at.FailureReason = string(s.FailureReason)
		if meta.WasDeleted(mg) {
			return managed.ExternalObservation{}, false, nil // nothing was created, so nothing to close
		}
		if mg.GetCondition(xpv2.TypeReady).Reason != awsv1.ReasonCreateFailed {
			c.record.Event(mg, event.Warning(reasonCreateFailed, errors.Errorf("AWS Organizations could not create the account: %s", s.FailureReason)))
		}
		setReady(mg, xpv2.Condition{
			Type: xpv2.TypeReady, Status: corev1.ConditionFalse, Reason: awsv1.ReasonCreateFailed, LastTransitionTime: metav1.Now(),
			Message: fmt.Sprintf("AWS Organizations could not create the account (request %s): %s. Fix the cause, then delete this Account or remove its crossplane.io/external-name annotation to try again", request, s.FailureReason),
		})
		// Observed and settled: nothing to update, and not retried on its own.
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, false, nil
	default:
		setReady(mg, xpv2.Creating().WithMessage("AWS Organizations is creating the account (request "+request+")"))
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, false, nil
	}
}

func (c *accountClient) observeAccount(ctx context.Context, mg *awsv1.Account, id string) (managed.ExternalObservation, error) {
	c.id = id
	p := mg.Spec.ForProvider
	out, err := c.org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if awsclient.IsCode(err, "AccountNotFoundException") {
		if meta.WasDeleted(mg) {
			return managed.ExternalObservation{}, nil
		}
		// Creating a replacement would make a second account for this object; a person decides.
		return managed.ExternalObservation{}, errors.Errorf("account %s is not in this organization; ZoneKeeper does not create a replacement: remove the crossplane.io/external-name annotation to adopt or create another", id)
	}
	if err != nil {
		return managed.ExternalObservation{}, awsclient.Wrapf(err, "cannot describe account %s", id)
	}
	a := out.Account
	if !strings.EqualFold(sdkaws.ToString(a.Email), p.Email) {
		return managed.ExternalObservation{}, errors.Errorf("account %s has the email %s, not %s: it is not this Account's account", id, sdkaws.ToString(a.Email), p.Email)
	}
	state := string(a.State)
	if state == "" {
		state = string(a.Status) //nolint:staticcheck // Older APIs and moto report only Status.
	}
	if meta.WasDeleted(mg) && state != string(orgtypes.AccountStateActive) {
		return managed.ExternalObservation{}, nil // closing or closed
	}
	if err := c.read(ctx, mg, id); err != nil {
		return managed.ExternalObservation{}, err
	}
	c.drift = accountDrift(c.desired, c.observed, p.OrganizationalUnit)
	at := &mg.Status.AtProvider
	at.AccountID, at.ARN, at.Status, at.ParentID = id, sdkaws.ToString(a.Arn), state, c.observed.ParentID
	if request := mg.GetAnnotations()[awsv1.AnnotationCreateAccountRequestID]; request != "" {
		// The account exists, so the request that created it succeeded.
		at.CreateRequestID, at.CreateState, at.FailureReason = request, string(orgtypes.CreateAccountStateSucceeded), ""
	}
	if p.GovCloud && at.GovCloudAccountID == "" {
		if err := c.fillGovCloudID(ctx, mg); err != nil {
			return managed.ExternalObservation{}, err
		}
	}
	active := state == string(orgtypes.AccountStateActive)
	if p.GovCloudOrganization == nil {
		at.GovCloudOrganization = nil
	}
	// An external-name just learned is saved by updating the object, which replaces the status in
	// memory with the stored one: what the GovCloud organization says would be lost. It is read on
	// the next pass, which that update starts. Without late initialization nothing is saved, so
	// there is nothing to wait for.
	waitForSave := c.renamed && policiesOf(mg).ShouldLateInitialize()
	if p.GovCloud && p.GovCloudOrganization != nil && active && !meta.WasDeleted(mg) && !waitForSave {
		// The GovCloud organization is reached through another config: its errors must not keep
		// the commercial account from being observed and repaired, so Update reports them.
		c.govErr = c.observeGovCloud(ctx, mg)
	}
	switch {
	case c.invitationEnded != nil:
		c.reportInvitationEnded(mg)
	case active:
		setReady(mg, xpv2.Available())
	default:
		setReady(mg, xpv2.Unavailable().WithMessage("account state is "+state))
	}
	diff := c.drift
	if c.join != nil && !c.join.member && len(c.drift) == 0 {
		// Joining for the first time is not drift, but it is work for Update.
		diff = []string{fmt.Sprintf("GovCloud account %s is to join the GovCloud organization", c.join.id)}
	}
	driftObserved(c.record, mg, diff)
	if c.govErr != nil {
		if !policiesOf(mg).ShouldUpdate() {
			return managed.ExternalObservation{}, c.govErr // no Update to report it
		}
		diff = append(diff, "the GovCloud organization could not be read")
	}
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: len(diff) == 0, Diff: strings.Join(diff, "; ")}, nil
}

// read fills the desired and observed parent and tags of account id.
func (c *accountClient) read(ctx context.Context, mg *awsv1.Account, id string) error {
	want, err := ouID(ctx, c.org, mg.Spec.ForProvider.OrganizationalUnit)
	if err != nil {
		return err
	}
	c.desired = accountState{ParentID: want, Tags: desiredTags(mg, mg.Spec.ForProvider.Tags)}
	parents, err := c.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: &id})
	if err != nil {
		return awsclient.Wrapf(err, "cannot list parents of account %s", id)
	}
	c.observed = accountState{Tags: map[string]string{}}
	if len(parents.Parents) > 0 {
		c.observed.ParentID = sdkaws.ToString(parents.Parents[0].Id)
	}
	tags := organizations.NewListTagsForResourcePaginator(c.org, &organizations.ListTagsForResourceInput{ResourceId: &id})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if err != nil {
			return awsclient.Wrapf(err, "cannot list tags of account %s", id)
		}
		for _, t := range page.Tags {
			c.observed.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
		}
	}
	return nil
}

// orgTree is the part of AWS Organizations that says where an account is.
type orgTree interface {
	ListRoots(ctx context.Context, in *organizations.ListRootsInput, o ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	ListOrganizationalUnitsForParent(ctx context.Context, in *organizations.ListOrganizationalUnitsForParentInput, o ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error)
	ListParents(ctx context.Context, in *organizations.ListParentsInput, o ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
}

// ouID returns the ID of the organizational unit at path below the root of org, or the root's ID
// when path is empty. ZoneKeeper does not create OUs: they carry the organization's policies,
// which are not the business of one account.
func ouID(ctx context.Context, org orgTree, path string) (string, error) {
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return "", awsclient.Wrap(err, "cannot list organization roots")
	}
	if len(roots.Roots) == 0 {
		return "", errors.New("the organization has no root")
	}
	parent := sdkaws.ToString(roots.Roots[0].Id)
	if path == "" {
		return parent, nil
	}
	for seg := range strings.SplitSeq(path, "/") {
		next := ""
		ous := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &parent})
		for next == "" && ous.HasMorePages() {
			page, err := ous.NextPage(ctx)
			if err != nil {
				return "", awsclient.Wrapf(err, "cannot list organizational units under %s", parent)
			}
			for _, ou := range page.OrganizationalUnits {
				if sdkaws.ToString(ou.Name) == seg {
					next = sdkaws.ToString(ou.Id)
				}
			}
		}
		if next == "" {
			return "", errors.Errorf("organizational unit %q of %q does not exist under %s: create it first", seg, path, parent)
		}
		parent = next
	}
	return parent, nil
}

// fillGovCloudID reads the GovCloud account ID from the create request: Organizations in the
// commercial partition reports it nowhere else. An account joining a GovCloud organization needs
// it, so without a recorded request (an adopted account) it looks for the request among those AWS
// still lists (90 days).
func (c *accountClient) fillGovCloudID(ctx context.Context, mg *awsv1.Account) error {
	at := &mg.Status.AtProvider
	if request := mg.GetAnnotations()[awsv1.AnnotationCreateAccountRequestID]; request != "" {
		out, err := c.create.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: &request})
		if err != nil {
			return awsclient.Wrapf(err, "cannot describe account creation request %s", request)
		}
		s := out.CreateAccountStatus
		// A person may have set the annotation: a request for another account would hand this
		// Account someone else's GovCloud account.
		if s.State != orgtypes.CreateAccountStateSucceeded || sdkaws.ToString(s.AccountId) != at.AccountID {
			return errors.Errorf("account creation request %s (annotation %s) is %s for account %q, not this Account's account %s: correct or remove the annotation",
				request, awsv1.AnnotationCreateAccountRequestID, s.State, sdkaws.ToString(s.AccountId), at.AccountID)
		}
		at.GovCloudAccountID = sdkaws.ToString(s.GovCloudAccountId)
		return nil
	}
	if mg.Spec.ForProvider.GovCloudOrganization == nil {
		return nil
	}
	requests := organizations.NewListCreateAccountStatusPaginator(c.create, &organizations.ListCreateAccountStatusInput{States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateSucceeded}})
	for requests.HasMorePages() {
		page, err := requests.NextPage(ctx)
		if err != nil {
			return awsclient.Wrap(err, "cannot list account creation requests")
		}
		for _, r := range page.CreateAccountStatuses {
			if sdkaws.ToString(r.AccountId) == at.AccountID && r.GovCloudAccountId != nil {
				at.GovCloudAccountID = *r.GovCloudAccountId
				return nil
			}
		}
	}
	return nil
}

// Create asks AWS Organizations for the account and records the request at once. Observe has
// already looked for an account with the same email and found none.
func (c *accountClient) Create(ctx context.Context, mg *awsv1.Account) (managed.ExternalCreation, error) {
	p := mg.Spec.ForProvider
	tags := orgTags(desiredTags(mg, p.Tags))
	role := p.RoleName
	if role == "" {
		role = awsv1.DefaultMemberRoleName
	}
	var status *orgtypes.CreateAccountStatus
	if p.GovCloud {
		out, err := c.create.CreateGovCloudAccount(ctx, &organizations.CreateGovCloudAccountInput{AccountName: &p.Name, Email: &p.Email, RoleName: &role, Tags: tags})
		if err != nil {
			return managed.ExternalCreation{}, awsclient.Wrap(err, "cannot create GovCloud account")
		}
		status = out.CreateAccountStatus
	} else {
		out, err := c.create.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &p.Name, Email: &p.Email, RoleName: &role, Tags: tags})
		if err != nil {
			return managed.ExternalCreation{}, awsclient.Wrap(err, "cannot create account")
		}
		status = out.CreateAccountStatus
	}
	// The request ID becomes the external-name the moment the call returns; the managed reconciler
	// saves it (with crossplane's create-succeeded annotation) before anything else, so a restart
	// follows this request instead of creating a second account.
	request := sdkaws.ToString(status.Id)
	meta.SetExternalName(mg, request)
	meta.AddAnnotations(mg, map[string]string{awsv1.AnnotationCreateAccountRequestID: request})
	return managed.ExternalCreation{}, nil
}

func (c *accountClient) Update(ctx context.Context, mg *awsv1.Account) (managed.ExternalUpdate, error) {
	if c.observed.ParentID != c.desired.ParentID {
		if _, err := c.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &c.id, SourceParentId: &c.observed.ParentID, DestinationParentId: &c.desired.ParentID}); err != nil {
			return managed.ExternalUpdate{}, awsclient.Wrapf(err, "cannot move account %s", c.id)
		}
	}
	if len(tagDrift(c.desired.Tags, c.observed.Tags)) > 0 {
		if _, err := c.org.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &c.id, Tags: orgTags(c.desired.Tags)}); err != nil {
			return managed.ExternalUpdate{}, awsclient.Wrapf(err, "cannot tag account %s", c.id)
		}
	}
	if c.govErr != nil {
		repaired(c.record, mg, c.wasReady, c.drift) // the commercial account's, which is done
		return managed.ExternalUpdate{}, c.govErr
	}
	if c.join != nil {
		if err := c.joinGovCloud(ctx, mg); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	repaired(c.record, mg, c.wasReady, c.drift)
	return managed.ExternalUpdate{}, nil
}

// Delete closes the account. It is reached only with deletionPolicy Delete, which the API refuses
// for GovCloud accounts (see docs/aws.md); the check here covers objects written before that rule.
func (c *accountClient) Delete(ctx context.Context, mg *awsv1.Account) (managed.ExternalDelete, error) {
	if mg.Spec.ForProvider.GovCloud {
		return managed.ExternalDelete{}, errors.New("cannot close a GovCloud account through AWS Organizations; set deletionPolicy to Orphan and close it through AWS")
	}
	if c.id == "" {
		return managed.ExternalDelete{}, errors.New("cannot close an account whose creation is still in progress; deletion is retried")
	}
	if _, err := c.org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &c.id}); err != nil && !awsclient.IsCode(err, "AccountAlreadyClosedException") {
		return managed.ExternalDelete{}, awsclient.Wrapf(err, "cannot close account %s", c.id)
	}
	return managed.ExternalDelete{}, nil
}

func (c *accountClient) Disconnect(context.Context) error { return nil }

func orgTags(tags map[string]string) []orgtypes.Tag {
	return sdkTags(tags, func(k, v *string) orgtypes.Tag { return orgtypes.Tag{Key: k, Value: v} })
}
