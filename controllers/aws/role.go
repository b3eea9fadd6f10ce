package aws

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

type roleConnector struct {
	resolver *awsclient.Resolver
	record   event.Recorder
}

func (c *roleConnector) Connect(ctx context.Context, mg *awsv1.Role) (managed.TypedExternalClient[*awsv1.Role], error) {
	cfg, err := c.resolver.Config(ctx, mg, mg.Spec.ForProvider.Region)
	if err != nil {
		return nil, err
	}
	return &roleClient{iam: iam.NewFromConfig(cfg), cfg: cfg, record: c.record}, nil
}

// roleState is what ZoneKeeper compares of a role: the desired state built from the spec, or the
// observed state read from IAM.
type roleState struct {
	Exists bool
	ID     string
	Trust  string
	// Inline is ZoneKeeper's inline policy; "" when there is none (or none is wanted).
	Inline string
	// OtherInline and Attached are inline policies of other names and attached managed policies:
	// never wanted, since they would widen the role beyond least privilege.
	OtherInline []string
	Attached    []string
	Boundary    string
	Tags        map[string]string
}

// roleDrift describes how observed differs from desired, in words an event can carry.
func roleDrift(desired, observed roleState) ([]string, error) {
	var out []string
	if same, err := awsclient.EquivalentPolicies(desired.Trust, observed.Trust); err != nil {
		return nil, errors.Wrap(err, "cannot compare trust policies")
	} else if !same {
		out = append(out, "trust policy differs from the ServiceAccount's web identity")
	}
	switch {
	case desired.Inline == "" && observed.Inline != "":
		out = append(out, "inline policy "+awsv1.RoleInlinePolicyName+" grants what nothing asks for")
	case desired.Inline != "" && observed.Inline == "":
		out = append(out, "inline policy "+awsv1.RoleInlinePolicyName+" is missing")
	case desired.Inline != "":
		if same, err := awsclient.EquivalentPolicies(desired.Inline, observed.Inline); err != nil {
			return nil, errors.Wrap(err, "cannot compare inline policies")
		} else if !same {
			out = append(out, "inline policy "+awsv1.RoleInlinePolicyName+" differs from the least-privilege policy")
		}
	}
	for _, n := range observed.OtherInline {
		out = append(out, "inline policy "+n+" is not ZoneKeeper's")
	}
	for _, a := range observed.Attached {
		out = append(out, "managed policy "+a+" is attached")
	}
	if observed.Boundary != desired.Boundary {
		out = append(out, fmt.Sprintf("permissions boundary is %s, want %s", orNone(observed.Boundary), orNone(desired.Boundary)))
	}
	return append(out, tagDrift(desired.Tags, observed.Tags)...), nil
}

// roleClient manages one Role for one reconcile. Observe keeps what it found for Update.
type roleClient struct {
	iam    *iam.Client
	cfg    sdkaws.Config
	record event.Recorder

	wasReady bool
	account  string
	observed roleState
	drift    []string
}

func (c *roleClient) desired(mg *awsv1.Role) (roleState, error) {
	p := mg.Spec.ForProvider
	trust, err := awsclient.IRSATrustPolicy(awsclient.IRSATrustInput{
		Region: p.Region, Account: c.account, Issuer: p.ServiceAccountIssuer, Namespace: p.ServiceAccount.Namespace, ServiceAccount: p.ServiceAccount.Name,
	}).JSON()
	if err != nil {
		return roleState{}, err
	}
	want := roleState{Exists: true, Trust: trust, Boundary: p.PermissionsBoundaryARN, Tags: desiredTags(mg, p.Tags)}
	if pol := awsclient.WorkloadPolicy(awsclient.WorkloadPolicyInput{KeyARNs: p.KMSKeyARNs, BucketARNs: p.BucketARNs}); len(pol.Statement) > 0 {
		if want.Inline, err = pol.JSON(); err != nil {
			return roleState{}, err
		}
	}
	return want, nil
}

func (c *roleClient) Observe(ctx context.Context, mg *awsv1.Role) (managed.ExternalObservation, error) {
	c.wasReady = isReady(mg)
	p := mg.Spec.ForProvider
	if err := c.read(ctx, p.RoleName); err != nil || !c.observed.Exists {
		return managed.ExternalObservation{}, err
	}
	// The role's name is its identity: a role of the account with that name is this one, unless
	// another object made it.
	adopted := meta.GetExternalName(mg) != p.RoleName
	if adopted {
		if err := refuseForeign("IAM role "+p.RoleName, c.observed.Tags, mg); err != nil {
			return managed.ExternalObservation{}, err
		}
		meta.SetExternalName(mg, p.RoleName)
	}
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	if c.drift, err = roleDrift(want, c.observed); err != nil {
		return managed.ExternalObservation{}, err
	}
	mg.Status.AtProvider = awsv1.RoleObservation{ARN: awsclient.RoleARN(p.Region, c.account, p.RoleName), RoleID: c.observed.ID}
	setReady(mg, xpv2.Available())
	driftObserved(c.record, mg, c.drift)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        len(c.drift) == 0,
		ResourceLateInitialized: adopted,
		Diff:                    strings.Join(c.drift, "; "),
	}, nil
}

// read fills c.observed and c.account from role name; Exists is false when there is no such role.
func (c *roleClient) read(ctx context.Context, name string) error {
	c.observed = roleState{}
	out, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	if awsclient.IsCode(err, "NoSuchEntity") {
		return nil
	}
	if err != nil {
		return awsclient.Wrapf(err, "cannot get IAM role %s", name)
	}
	r := out.Role
	if a, err := arn.Parse(sdkaws.ToString(r.Arn)); err == nil {
		c.account = a.AccountID
	}
	trust, err := decodePolicy(sdkaws.ToString(r.AssumeRolePolicyDocument))
	if err != nil {
		return err
	}
	c.observed = roleState{Exists: true, ID: sdkaws.ToString(r.RoleId), Trust: trust, Tags: map[string]string{}}
	if b := r.PermissionsBoundary; b != nil {
		c.observed.Boundary = sdkaws.ToString(b.PermissionsBoundaryArn)
	}
	for _, t := range r.Tags {
		c.observed.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	inline := iam.NewListRolePoliciesPaginator(c.iam, &iam.ListRolePoliciesInput{RoleName: &name})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return awsclient.Wrapf(err, "cannot list inline policies of IAM role %s", name)
		}
		for _, n := range page.PolicyNames {
			if n != awsv1.RoleInlinePolicyName {
				c.observed.OtherInline = append(c.observed.OtherInline, n)
				continue
			}
			pol, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &name, PolicyName: &n})
			if err != nil {
				return awsclient.Wrapf(err, "cannot get inline policy of IAM role %s", name)
			}
			if c.observed.Inline, err = decodePolicy(sdkaws.ToString(pol.PolicyDocument)); err != nil {
				return err
			}
		}
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(c.iam, &iam.ListAttachedRolePoliciesInput{RoleName: &name})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return awsclient.Wrapf(err, "cannot list managed policies attached to IAM role %s", name)
		}
		for _, a := range page.AttachedPolicies {
			c.observed.Attached = append(c.observed.Attached, sdkaws.ToString(a.PolicyArn))
		}
	}
	slices.Sort(c.observed.OtherInline)
	slices.Sort(c.observed.Attached)
	return nil
}

// decodePolicy undoes the URL encoding IAM returns policy documents in.
func decodePolicy(doc string) (string, error) {
	if doc == "" || strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return doc, nil
	}
	out, err := url.PathUnescape(doc)
	return out, errors.Wrap(err, "cannot decode IAM policy document")
}

func (c *roleClient) Create(ctx context.Context, mg *awsv1.Role) (managed.ExternalCreation, error) {
	account, err := awsclient.CallerAccount(ctx, c.cfg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	c.account = account
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	name := mg.Spec.ForProvider.RoleName
	in := &iam.CreateRoleInput{
		RoleName:                 &name,
		AssumeRolePolicyDocument: &want.Trust,
		Description:              sdkaws.String("ServiceAccount " + mg.Spec.ForProvider.ServiceAccount.Namespace + "/" + mg.Spec.ForProvider.ServiceAccount.Name + ", managed by ZoneKeeper"),
		Tags:                     iamTags(want.Tags),
	}
	if want.Boundary != "" {
		in.PermissionsBoundary = &want.Boundary
	}
	_, err = c.iam.CreateRole(ctx, in)
	switch {
	case err == nil:
		c.observed = roleState{Exists: true, Trust: want.Trust, Boundary: want.Boundary, Tags: want.Tags}
	case awsclient.IsCode(err, "EntityAlreadyExists"):
		// Created since Observe looked: read it, then put right what differs, unless another
		// object (one whose role name collides) created it.
		if err := c.read(ctx, name); err != nil {
			return managed.ExternalCreation{}, err
		}
		if err := refuseForeign("IAM role "+name, c.observed.Tags, mg); err != nil {
			return managed.ExternalCreation{}, err
		}
	default:
		return managed.ExternalCreation{}, awsclient.Wrapf(err, "cannot create IAM role %s", name)
	}
	meta.SetExternalName(mg, name)
	return managed.ExternalCreation{}, c.apply(ctx, name, want)
}

func (c *roleClient) Update(ctx context.Context, mg *awsv1.Role) (managed.ExternalUpdate, error) {
	want, err := c.desired(mg)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if err := c.apply(ctx, mg.Spec.ForProvider.RoleName, want); err != nil {
		return managed.ExternalUpdate{}, err
	}
	repaired(c.record, mg, c.wasReady, c.drift)
	setReady(mg, xpv2.Available())
	return managed.ExternalUpdate{}, nil
}

// apply changes what differs between c.observed and want.
func (c *roleClient) apply(ctx context.Context, name string, want roleState) error {
	o := c.observed
	if same, err := awsclient.EquivalentPolicies(want.Trust, orEmptyPolicy(o.Trust)); err != nil || !same {
		if _, err := c.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: &name, PolicyDocument: &want.Trust}); err != nil {
			return awsclient.Wrapf(err, "cannot update trust policy of IAM role %s", name)
		}
	}
	switch same, err := awsclient.EquivalentPolicies(orEmptyPolicy(want.Inline), orEmptyPolicy(o.Inline)); {
	case err == nil && same:
	case want.Inline == "":
		if _, err := c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &name, PolicyName: sdkaws.String(awsv1.RoleInlinePolicyName)}); err != nil && !awsclient.IsCode(err, "NoSuchEntity") {
			return awsclient.Wrapf(err, "cannot delete inline policy of IAM role %s", name)
		}
	default:
		if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &name, PolicyName: sdkaws.String(awsv1.RoleInlinePolicyName), PolicyDocument: &want.Inline}); err != nil {
			return awsclient.Wrapf(err, "cannot put inline policy of IAM role %s", name)
		}
	}
	if err := c.removeOthers(ctx, name, o); err != nil {
		return err
	}
	switch {
	case o.Boundary == want.Boundary:
	case want.Boundary == "":
		if _, err := c.iam.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: &name}); err != nil {
			return awsclient.Wrapf(err, "cannot remove permissions boundary of IAM role %s", name)
		}
	default:
		if _, err := c.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: &name, PermissionsBoundary: &want.Boundary}); err != nil {
			return awsclient.Wrapf(err, "cannot set permissions boundary of IAM role %s", name)
		}
	}
	if len(tagDrift(want.Tags, o.Tags)) > 0 {
		if _, err := c.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: &name, Tags: iamTags(want.Tags)}); err != nil {
			return awsclient.Wrapf(err, "cannot tag IAM role %s", name)
		}
	}
	return nil
}

// removeOthers deletes the inline policies that are not ZoneKeeper's and detaches the managed
// policies observed on role name.
func (c *roleClient) removeOthers(ctx context.Context, name string, o roleState) error {
	for _, n := range o.OtherInline {
		if _, err := c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &name, PolicyName: &n}); err != nil && !awsclient.IsCode(err, "NoSuchEntity") {
			return awsclient.Wrapf(err, "cannot delete inline policy %s of IAM role %s", n, name)
		}
	}
	for _, a := range o.Attached {
		if _, err := c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: &name, PolicyArn: &a}); err != nil && !awsclient.IsCode(err, "NoSuchEntity") {
			return awsclient.Wrapf(err, "cannot detach managed policy %s from IAM role %s", a, name)
		}
	}
	return nil
}

// Delete deletes the role's inline policies (and detaches managed policies, which IAM requires
// first), then the role. It is reached only with deletionPolicy Delete.
func (c *roleClient) Delete(ctx context.Context, mg *awsv1.Role) (managed.ExternalDelete, error) {
	name := mg.Spec.ForProvider.RoleName
	if c.observed.Inline != "" {
		if _, err := c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &name, PolicyName: sdkaws.String(awsv1.RoleInlinePolicyName)}); err != nil && !awsclient.IsCode(err, "NoSuchEntity") {
			return managed.ExternalDelete{}, awsclient.Wrapf(err, "cannot delete inline policy of IAM role %s", name)
		}
	}
	if err := c.removeOthers(ctx, name, c.observed); err != nil {
		return managed.ExternalDelete{}, err
	}
	if _, err := c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &name}); err != nil && !awsclient.IsCode(err, "NoSuchEntity") {
		return managed.ExternalDelete{}, awsclient.Wrapf(err, "cannot delete IAM role %s", name)
	}
	return managed.ExternalDelete{}, nil
}

func (c *roleClient) Disconnect(context.Context) error { return nil }

func iamTags(tags map[string]string) []iamtypes.Tag {
	return sdkTags(tags, func(k, v *string) iamtypes.Tag { return iamtypes.Tag{Key: k, Value: v} })
}
