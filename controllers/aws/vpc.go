package aws

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

// endpointSGName is the security group of a VPC's interface endpoints.
const endpointSGName = "zonekeeper-endpoints"

// ownedBy reports whether tags mark a resource as made for the object owner.
func ownedBy(tags []ec2types.Tag, owner string) bool {
	return slices.ContainsFunc(tags, func(t ec2types.Tag) bool {
		return sdkaws.ToString(t.Key) == TagManagedBy && sdkaws.ToString(t.Value) == owner
	})
}

// Tags that find what egress Direct made. EC2 describes elastic IPs by account and region, not by
// VPC, so an address is tagged with the VPC it serves; the public subnet is tagged with its role,
// so that only ZoneKeeper's is ever deleted.
const (
	tagVPCID      = "zonekeeper.dev/vpc-id"
	tagSubnetRole = "zonekeeper.dev/subnet-role"
	rolePublic    = "public"
)

type vpcConnector struct {
	resolver *awsclient.Resolver
	record   event.Recorder
}

func (c *vpcConnector) Connect(ctx context.Context, mg *awsv1.VPC) (managed.TypedExternalClient[*awsv1.VPC], error) {
	cfg, err := c.resolver.Config(ctx, mg, mg.Spec.ForProvider.Region)
	if err != nil {
		return nil, err
	}
	return &vpcClient{ec2: ec2.NewFromConfig(cfg), record: c.record, owner: managedBy(mg)}, nil
}

type vpcClient struct {
	ec2    *ec2.Client
	record event.Recorder

	wasReady     bool
	wasCreating  bool // Ready had never been True: the object's first build is not finished
	observed     vpcObserved
	defaultRules [2][]ec2types.IpPermission // ingress, egress of the default security group
	drift        []string
	want         vpcDesired // what Observe worked out, for Update: the same zones, one call fewer
	owner        string     // TagManagedBy's value for this object: what it made carries it
	waits        []string   // what the steps of apply wait for in AWS, said once apply is done
}

func (c *vpcClient) desired(ctx context.Context, mg *awsv1.VPC) (vpcDesired, error) {
	out, err := c.ec2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
	if err != nil {
		return vpcDesired{}, awsclient.Wrap(err, "cannot describe availability zones")
	}
	var zones []string
	for _, z := range out.AvailabilityZones {
		if z.State == ec2types.AvailabilityZoneStateAvailable && (z.ZoneType == nil || *z.ZoneType == "availability-zone") {
			zones = append(zones, sdkaws.ToString(z.ZoneName))
		}
	}
	return desiredVPC(mg.Spec.ForProvider, zones, desiredTags(mg, mg.Spec.ForProvider.Tags))
}

func (c *vpcClient) Observe(ctx context.Context, mg *awsv1.VPC) (managed.ExternalObservation, error) {
	ready := mg.GetCondition(xpv2.TypeReady)
	// A network Unavailable while apply waited for AWS (a NAT gateway replaced) was built before:
	// what the finishing pass puts back is a repair, announced as one.
	c.wasReady = isReady(mg) || ready.Reason == xpv2.ReasonUnavailable
	c.wasCreating = !c.wasReady && (ready.Reason == "" || ready.Reason == xpv2.ReasonCreating)
	id := meta.GetExternalName(mg)
	adopted := false
	if id == "" {
		// EC2 assigns VPC IDs. CreateVpc tags the VPC in the same call, so if its reply was lost
		// the tag still finds it, and it is adopted rather than created a second time.
		found, err := c.vpcByTag(ctx, c.owner)
		if err != nil || found == "" {
			return managed.ExternalObservation{}, err
		}
		meta.SetExternalName(mg, found)
		id, adopted = found, true
	}
	if err := c.read(ctx, id); err != nil {
		return managed.ExternalObservation{}, err
	}
	if !c.observed.Exists {
		return managed.ExternalObservation{}, nil
	}
	if meta.WasDeleted(mg) {
		// Delete needs only what was read; the spec's references may be gone already.
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
	}
	want, err := c.desired(ctx, mg)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	c.want = want
	c.drift = vpcDrift(want, c.observed)
	mg.Status.AtProvider = c.observation(mg, want)
	setReady(mg, xpv2.Available())
	driftObserved(c.record, mg, c.drift)
	return managed.ExternalObservation{
		ResourceExists:          true,
		ResourceUpToDate:        len(c.drift) == 0,
		ResourceLateInitialized: adopted,
		Diff:                    strings.Join(c.drift, "; "),
	}, nil
}

func (c *vpcClient) observation(mg *awsv1.VPC, want vpcDesired) awsv1.VPCObservation {
	o := c.observed
	out := awsv1.VPCObservation{
		VPCID:                  o.ID,
		ARN:                    awsclient.VPCARN(mg.Spec.ForProvider.Region, o.OwnerID, o.ID),
		OwnerID:                o.OwnerID,
		SecondaryCIDRBlocks:    o.SecondaryCIDRs,
		DefaultSecurityGroupID: o.DefaultSG,
		FlowLogID:              o.flowLogTo(want.FlowLogDestination),
		Endpoints:              map[string]string{},
	}
	for _, sd := range want.Subnets {
		if s, ok := o.subnetFor(sd); ok {
			out.Subnets = append(out.Subnets, awsv1.SubnetObservation{SubnetID: s.ID, AvailabilityZone: s.AZ, CIDRBlock: s.CIDR, RouteTableID: s.RouteTableID})
		}
	}
	if len(o.InternetGateways) > 0 {
		out.InternetGatewayID = o.InternetGateways[0].ID
	}
	if pub, ok := o.subnetFor(want.PublicSubnet); ok && want.Egress == awsv1.EgressDirect {
		out.PublicSubnet = &awsv1.SubnetObservation{SubnetID: pub.ID, AvailabilityZone: pub.AZ, CIDRBlock: pub.CIDR, RouteTableID: pub.RouteTableID}
		if nat, ok := o.nat(pub); ok {
			out.NATGatewayID, out.NATGatewayPublicIP = nat.ID, nat.PublicIP
		}
	}
	for svc, ep := range o.Endpoints {
		out.Endpoints[svc] = ep.ID
	}
	return out
}

// vpcByTag returns the ID of the VPC tagged as managed by owner, "" when there is none.
func (c *vpcClient) vpcByTag(ctx context.Context, owner string) (string, error) {
	out, err := c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("tag:" + TagManagedBy), Values: []string{owner}}}})
	if err != nil {
		return "", awsclient.Wrap(err, "cannot look up VPC by tag")
	}
	switch len(out.Vpcs) {
	case 0:
		return "", nil
	case 1:
		return sdkaws.ToString(out.Vpcs[0].VpcId), nil
	default:
		return "", errors.Errorf("%d VPCs are tagged %s=%s; set the crossplane.io/external-name annotation to the one to manage", len(out.Vpcs), TagManagedBy, owner)
	}
}

func vpcFilter(id string) []ec2types.Filter {
	return []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}
}

// read fills c.observed with the VPC id and everything in it ZoneKeeper manages.
func (c *vpcClient) read(ctx context.Context, id string) error {
	c.observed = vpcObserved{RouteTables: map[string]routeTableObserved{}, Endpoints: map[string]endpointObserved{}, Tags: map[string]string{}, CIDRFailures: map[string]string{}}
	vpcs, err := c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	if awsclient.IsCode(err, "InvalidVpcID.NotFound") || err == nil && len(vpcs.Vpcs) == 0 {
		return nil
	}
	if err != nil {
		return awsclient.Wrap(err, "cannot describe VPC")
	}
	v := vpcs.Vpcs[0]
	o := &c.observed
	o.Exists, o.ID, o.OwnerID, o.CIDR = true, id, sdkaws.ToString(v.OwnerId), sdkaws.ToString(v.CidrBlock)
	for _, a := range v.CidrBlockAssociationSet {
		cidr := sdkaws.ToString(a.CidrBlock)
		if cidr == o.CIDR || a.CidrBlockState == nil {
			continue
		}
		switch a.CidrBlockState.State {
		case ec2types.VpcCidrBlockStateCodeAssociating:
			o.Associating = append(o.Associating, cidr)
			o.SecondaryCIDRs = append(o.SecondaryCIDRs, cidr)
		case ec2types.VpcCidrBlockStateCodeFailed:
			o.CIDRFailures[cidr] = sdkaws.ToString(a.CidrBlockState.StatusMessage)
		case ec2types.VpcCidrBlockStateCodeAssociated:
			o.SecondaryCIDRs = append(o.SecondaryCIDRs, cidr)
		}
	}
	for _, t := range v.Tags {
		o.Tags[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	for _, read := range []func(context.Context, string) error{c.readDNS, c.readSubnets, c.readRouteTables, c.readGateways, c.readEndpoints, c.readSecurityGroups, c.readFlowLogs} {
		if err := read(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (c *vpcClient) readDNS(ctx context.Context, id string) error {
	sup, err := c.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: &id, Attribute: ec2types.VpcAttributeNameEnableDnsSupport})
	if err != nil {
		return awsclient.Wrap(err, "cannot describe VPC DNS support")
	}
	host, err := c.ec2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: &id, Attribute: ec2types.VpcAttributeNameEnableDnsHostnames})
	if err != nil {
		return awsclient.Wrap(err, "cannot describe VPC DNS hostnames")
	}
	c.observed.DNSSupport = sup.EnableDnsSupport != nil && sdkaws.ToBool(sup.EnableDnsSupport.Value)
	c.observed.DNSHostnames = host.EnableDnsHostnames != nil && sdkaws.ToBool(host.EnableDnsHostnames.Value)
	return nil
}

func (c *vpcClient) readSubnets(ctx context.Context, id string) error {
	p := ec2.NewDescribeSubnetsPaginator(c.ec2, &ec2.DescribeSubnetsInput{Filters: vpcFilter(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return awsclient.Wrap(err, "cannot describe subnets")
		}
		for _, s := range page.Subnets {
			public := ownedBy(s.Tags, c.owner) && slices.ContainsFunc(s.Tags, func(t ec2types.Tag) bool {
				return sdkaws.ToString(t.Key) == tagSubnetRole && sdkaws.ToString(t.Value) == rolePublic
			})
			c.observed.Subnets = append(c.observed.Subnets, subnetObserved{ID: sdkaws.ToString(s.SubnetId), AZ: sdkaws.ToString(s.AvailabilityZone), CIDR: sdkaws.ToString(s.CidrBlock), Public: public})
		}
	}
	return nil
}

func (c *vpcClient) readRouteTables(ctx context.Context, id string) error {
	p := ec2.NewDescribeRouteTablesPaginator(c.ec2, &ec2.DescribeRouteTablesInput{Filters: vpcFilter(id)})
	bySubnet := map[string]string{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return awsclient.Wrap(err, "cannot describe route tables")
		}
		for _, rt := range page.RouteTables {
			obs := routeTableObserved{ID: sdkaws.ToString(rt.RouteTableId)}
			for _, r := range rt.Routes {
				// A route a virtual private gateway propagates cannot be deleted here; it is the
				// route table's propagation setting, not ZoneKeeper's route.
				if sdkaws.ToString(r.DestinationCidrBlock) == defaultRoute && r.Origin != ec2types.RouteOriginEnableVgwRoutePropagation {
					// Every kind of target, so that a route to something else (an instance, an
					// interface, a peering) is seen as the wrong one and replaced, not taken for none.
					obs.DefaultTarget = sdkaws.ToString(r.GatewayId) + sdkaws.ToString(r.TransitGatewayId) + sdkaws.ToString(r.NatGatewayId) +
						sdkaws.ToString(r.NetworkInterfaceId) + sdkaws.ToString(r.InstanceId) + sdkaws.ToString(r.VpcPeeringConnectionId) +
						sdkaws.ToString(r.LocalGatewayId) + sdkaws.ToString(r.CarrierGatewayId) + sdkaws.ToString(r.EgressOnlyInternetGatewayId) +
						sdkaws.ToString(r.CoreNetworkArn) + sdkaws.ToString(r.OdbNetworkArn)
				}
			}
			for _, a := range rt.Associations {
				obs.Main = obs.Main || sdkaws.ToBool(a.Main)
				if a.SubnetId != nil && !sdkaws.ToBool(a.Main) {
					bySubnet[*a.SubnetId] = obs.ID
					obs.Associations = append(obs.Associations, sdkaws.ToString(a.RouteTableAssociationId))
				}
			}
			c.observed.RouteTables[obs.ID] = obs
		}
	}
	for i := range c.observed.Subnets {
		c.observed.Subnets[i].RouteTableID = bySubnet[c.observed.Subnets[i].ID]
	}
	return nil
}

func (c *vpcClient) readGateways(ctx context.Context, id string) error {
	igws, err := c.ec2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []ec2types.Filter{{Name: sdkaws.String("attachment.vpc-id"), Values: []string{id}}}})
	if err != nil {
		return awsclient.Wrap(err, "cannot describe internet gateways")
	}
	for _, g := range igws.InternetGateways {
		c.observed.InternetGateways = append(c.observed.InternetGateways, internetGateway{ID: sdkaws.ToString(g.InternetGatewayId), Managed: ownedBy(g.Tags, c.owner)})
	}
	nats := ec2.NewDescribeNatGatewaysPaginator(c.ec2, &ec2.DescribeNatGatewaysInput{Filter: vpcFilter(id)})
	for nats.HasMorePages() {
		page, err := nats.NextPage(ctx)
		if err != nil {
			return awsclient.Wrap(err, "cannot describe NAT gateways")
		}
		for _, n := range page.NatGateways {
			managed := ownedBy(n.Tags, c.owner)
			if n.State == ec2types.NatGatewayStateFailed || n.State == ec2types.NatGatewayStateDeleted {
				if managed {
					for _, a := range n.NatGatewayAddresses {
						c.observed.SpentAllocations = append(c.observed.SpentAllocations, sdkaws.ToString(a.AllocationId))
					}
					if n.State == ec2types.NatGatewayStateFailed {
						c.observed.NATFailure = sdkaws.ToString(n.FailureMessage)
					}
				}
				continue
			}
			g := natGateway{ID: sdkaws.ToString(n.NatGatewayId), SubnetID: sdkaws.ToString(n.SubnetId), State: n.State, Managed: managed}
			if len(n.NatGatewayAddresses) > 0 {
				g.AllocationID, g.PublicIP = sdkaws.ToString(n.NatGatewayAddresses[0].AllocationId), sdkaws.ToString(n.NatGatewayAddresses[0].PublicIp)
			}
			c.observed.NATGateways = append(c.observed.NATGateways, g)
		}
	}
	eips, err := c.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: sdkaws.String("tag:" + tagVPCID), Values: []string{id}}}})
	if err != nil {
		return awsclient.Wrap(err, "cannot describe elastic IPs")
	}
	for _, a := range eips.Addresses {
		if !ownedBy(a.Tags, c.owner) {
			continue // tagged with this VPC by someone else: not ours to use or release
		}
		c.observed.ElasticIPs = append(c.observed.ElasticIPs, elasticIP{AllocationID: sdkaws.ToString(a.AllocationId), AssociationID: sdkaws.ToString(a.AssociationId), PublicIP: sdkaws.ToString(a.PublicIp)})
	}
	att, err := c.ec2.DescribeTransitGatewayVpcAttachments(ctx, &ec2.DescribeTransitGatewayVpcAttachmentsInput{Filters: vpcFilter(id)})
	if err != nil {
		return awsclient.Wrap(err, "cannot describe transit gateway attachments")
	}
	for _, a := range att.TransitGatewayVpcAttachments {
		switch a.State {
		case ec2types.TransitGatewayAttachmentStateAvailable, ec2types.TransitGatewayAttachmentStatePending, ec2types.TransitGatewayAttachmentStatePendingAcceptance:
			c.observed.Attachments = append(c.observed.Attachments, tgwAttachment{
				ID: sdkaws.ToString(a.TransitGatewayAttachmentId), TGW: sdkaws.ToString(a.TransitGatewayId), Managed: ownedBy(a.Tags, c.owner),
			})
		}
	}
	return nil
}

func (c *vpcClient) readEndpoints(ctx context.Context, id string) error {
	p := ec2.NewDescribeVpcEndpointsPaginator(c.ec2, &ec2.DescribeVpcEndpointsInput{Filters: vpcFilter(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return awsclient.Wrap(err, "cannot describe VPC endpoints")
		}
		for _, e := range page.VpcEndpoints {
			switch strings.ToLower(string(e.State)) {
			case "deleting", "deleted", "failed", "rejected":
				continue
			}
			c.observed.Endpoints[sdkaws.ToString(e.ServiceName)] = endpointObserved{ID: sdkaws.ToString(e.VpcEndpointId), RouteTables: e.RouteTableIds, Subnets: e.SubnetIds}
		}
	}
	return nil
}

func (c *vpcClient) readSecurityGroups(ctx context.Context, id string) error {
	sgs, err := c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: vpcFilter(id)})
	if err != nil {
		return awsclient.Wrap(err, "cannot describe security groups")
	}
	for _, sg := range sgs.SecurityGroups {
		switch sdkaws.ToString(sg.GroupName) {
		case "default":
			c.observed.DefaultSG = sdkaws.ToString(sg.GroupId)
			c.observed.DefaultSGRules = len(sg.IpPermissions) + len(sg.IpPermissionsEgress)
			c.defaultRules = [2][]ec2types.IpPermission{sg.IpPermissions, sg.IpPermissionsEgress}
		case endpointSGName:
			c.observed.EndpointSG = sdkaws.ToString(sg.GroupId)
			c.observed.EndpointSGFrom = admitsHTTPSFrom(sg.IpPermissions)
		}
	}
	return nil
}

// admitsHTTPSFrom returns the IPv4 ranges perms admit HTTPS from.
func admitsHTTPSFrom(perms []ec2types.IpPermission) []string {
	var out []string
	for _, p := range perms {
		if sdkaws.ToString(p.IpProtocol) != "tcp" || sdkaws.ToInt32(p.FromPort) > 443 || sdkaws.ToInt32(p.ToPort) < 443 {
			continue
		}
		for _, r := range p.IpRanges {
			out = append(out, sdkaws.ToString(r.CidrIp))
		}
	}
	return out
}

func (c *vpcClient) readFlowLogs(ctx context.Context, id string) error {
	out, err := c.ec2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: sdkaws.String("resource-id"), Values: []string{id}}}})
	if err != nil {
		return awsclient.Wrap(err, "cannot describe flow logs")
	}
	for _, f := range out.FlowLogs {
		c.observed.FlowLogs = append(c.observed.FlowLogs, flowLogObserved{ID: sdkaws.ToString(f.FlowLogId), Destination: sdkaws.ToString(f.LogDestination), TrafficType: string(f.TrafficType)})
	}
	return nil
}

func (c *vpcClient) Create(ctx context.Context, mg *awsv1.VPC) (managed.ExternalCreation, error) {
	want, err := c.desired(ctx, mg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	out, err := c.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: &want.CIDR, TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, mg.GetName(), want.Tags)})
	if err != nil {
		return managed.ExternalCreation{}, awsclient.Wrap(err, "cannot create VPC")
	}
	// Recorded at once: the reconciler saves the external-name even if what follows fails, and
	// the next reconcile completes the network from there.
	id := sdkaws.ToString(out.Vpc.VpcId)
	meta.SetExternalName(mg, id)
	if err := c.read(ctx, id); err != nil {
		return managed.ExternalCreation{}, err
	}
	if !c.observed.Exists {
		// EC2 is eventually consistent: a VPC may not be described the moment it is created.
		// Build on what CreateVpc returned; a step that still cannot see it fails and is retried.
		c.observed.Exists, c.observed.ID, c.observed.CIDR, c.observed.OwnerID = true, id, want.CIDR, sdkaws.ToString(out.Vpc.OwnerId)
	}
	return managed.ExternalCreation{}, c.apply(ctx, mg, want)
}

func (c *vpcClient) Update(ctx context.Context, mg *awsv1.VPC) (managed.ExternalUpdate, error) {
	if err := c.apply(ctx, mg, c.want); err != nil {
		return managed.ExternalUpdate{}, err
	}
	repaired(c.record, mg, c.wasReady, c.drift)
	setReady(mg, xpv2.Available())
	return managed.ExternalUpdate{}, nil
}

// apply builds what is missing and removes what must not be there, in dependency order. It updates
// c.observed as it goes, so later steps see what earlier ones created.
func (c *vpcClient) apply(ctx context.Context, mg *awsv1.VPC, want vpcDesired) error {
	for _, step := range []func(context.Context, *awsv1.VPC, vpcDesired) error{
		c.applyDNS, c.applySecondaryCIDRs, c.applySubnets, c.applyEgress, c.applyEndpoints, c.applyDefaultSG, c.applyFlowLogs, c.applyTags,
	} {
		if err := step(ctx, mg, want); err != nil {
			return err
		}
	}
	if len(c.waits) > 0 {
		// Until AWS has finished, the network is not what the object asks for (private subnets
		// with no route out, subnets of a block not yet associated): not Ready, though Observe
		// found the VPC itself available.
		setReady(mg, c.waitingCondition())
	}
	// Said last, so that everything else is in place meanwhile.
	return c.waitErr()
}

// waitingCondition is Ready=False while apply waits for AWS: Creating for a network not yet Ready
// since it was made, Unavailable for one being changed.
func (c *vpcClient) waitingCondition() xpv2.Condition {
	cond := xpv2.Unavailable()
	if c.wasCreating {
		cond = xpv2.Creating()
	}
	return cond.WithMessage(strings.Join(c.waits, "; "))
}

// waitErr reports what the steps wait for in AWS, as an error, so that the reconciler comes back
// within seconds rather than at the next poll; nil when nothing waits.
func (c *vpcClient) waitErr() error {
	if len(c.waits) == 0 {
		return nil
	}
	return errors.New(strings.Join(c.waits, "; "))
}

// applySecondaryCIDRs associates the secondary CIDR blocks the VPC lacks. Blocks associated out of
// band are left alone: removing one could strand whatever uses its addresses.
func (c *vpcClient) applySecondaryCIDRs(ctx context.Context, _ *awsv1.VPC, want vpcDesired) error {
	for _, cidr := range missing(want.SecondaryCIDRs, c.observed.SecondaryCIDRs) {
		// A block whose association failed is tried again (what failed may have been fixed),
		// and AWS's reason for the failure is kept in the error if it fails again.
		if _, err := c.ec2.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: &c.observed.ID, CidrBlock: sdkaws.String(cidr)}); err != nil {
			if why, failed := c.observed.CIDRFailures[cidr]; failed {
				return awsclient.Wrapf(err, "cannot associate secondary CIDR block %s (its last association failed: %s)", cidr, why)
			}
			return awsclient.Wrap(err, "cannot associate secondary CIDR block "+cidr)
		}
		c.observed.SecondaryCIDRs = append(c.observed.SecondaryCIDRs, cidr)
		c.observed.Associating = append(c.observed.Associating, cidr)
	}
	return nil
}

func (c *vpcClient) applyDNS(ctx context.Context, _ *awsv1.VPC, _ vpcDesired) error {
	o := &c.observed
	if !o.DNSSupport {
		if _, err := c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: &o.ID, EnableDnsSupport: &ec2types.AttributeBooleanValue{Value: sdkaws.Bool(true)}}); err != nil {
			return awsclient.Wrap(err, "cannot enable VPC DNS support")
		}
	}
	if !o.DNSHostnames {
		if _, err := c.ec2.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: &o.ID, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: sdkaws.Bool(true)}}); err != nil {
			return awsclient.Wrap(err, "cannot enable VPC DNS hostnames")
		}
	}
	o.DNSSupport, o.DNSHostnames = true, true
	return nil
}

// applySubnets creates each missing private subnet and gives each its own route table. A subnet
// of a secondary block AWS is still associating waits: apply says so once the rest is done.
func (c *vpcClient) applySubnets(ctx context.Context, mg *awsv1.VPC, want vpcDesired) error {
	o := &c.observed
	var waiting []string
	for _, sd := range want.Subnets {
		if _, ok := o.subnetFor(sd); !ok && slices.Contains(o.Associating, sd.Block) {
			if !slices.Contains(waiting, sd.Block) {
				waiting = append(waiting, sd.Block)
			}
			continue
		}
		if _, err := c.ensureSubnet(ctx, mg, want, sd, nil); err != nil {
			return err
		}
	}
	if len(waiting) > 0 {
		c.waits = append(c.waits, fmt.Sprintf("secondary CIDR block %s is still being associated with the VPC: its subnets are created once AWS has associated it", strings.Join(waiting, ", ")))
	}
	return nil
}

// ensureSubnet creates subnet sd if it is missing, with extra tags, and a route table of its own if
// it has none; it returns the subnet as it now is.
func (c *vpcClient) ensureSubnet(ctx context.Context, mg *awsv1.VPC, want vpcDesired, sd subnetDesired, extra map[string]string) (subnetObserved, error) {
	o := &c.observed
	tags := want.Tags
	if len(extra) > 0 {
		tags = maps.Clone(want.Tags)
		maps.Copy(tags, extra)
	}
	s, ok := o.subnetFor(sd)
	if !ok {
		out, err := c.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &o.ID, CidrBlock: sdkaws.String(sd.CIDR), AvailabilityZone: sdkaws.String(sd.AZ),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSubnet, mg.GetName()+"-"+sd.Name, tags)})
		if err != nil {
			return s, awsclient.Wrapf(err, "cannot create subnet %s", sd.CIDR)
		}
		s = subnetObserved{ID: sdkaws.ToString(out.Subnet.SubnetId), AZ: sd.AZ, CIDR: sd.CIDR, Public: extra[tagSubnetRole] == rolePublic}
		o.Subnets = append(o.Subnets, s)
	}
	if s.RouteTableID != "" {
		return s, nil
	}
	rt, err := c.ec2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &o.ID, TagSpecifications: tagSpec(ec2types.ResourceTypeRouteTable, mg.GetName()+"-"+sd.Name, want.Tags)})
	if err != nil {
		return s, awsclient.Wrapf(err, "cannot create route table for subnet %s", s.ID)
	}
	rtID := sdkaws.ToString(rt.RouteTable.RouteTableId)
	assoc, err := c.ec2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: &rtID, SubnetId: &s.ID})
	if err != nil {
		return s, awsclient.Wrapf(err, "cannot associate route table %s with subnet %s", rtID, s.ID)
	}
	o.RouteTables[rtID] = routeTableObserved{ID: rtID, Associations: []string{sdkaws.ToString(assoc.AssociationId)}}
	s.RouteTableID = rtID
	for i := range o.Subnets {
		if o.Subnets[i].ID == s.ID {
			o.Subnets[i].RouteTableID = rtID
		}
	}
	return s, nil
}

// applyEgress makes the default routes and gateways what the egress mode says.
func (c *vpcClient) applyEgress(ctx context.Context, mg *awsv1.VPC, want vpcDesired) error {
	if want.Egress == awsv1.EgressDirect {
		return c.applyDirect(ctx, mg, want)
	}
	o := &c.observed
	target := ""
	if want.Egress == awsv1.EgressInspected {
		if _, ok := o.attachmentTo(want.TransitGatewayID); !ok {
			out, err := c.ec2.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{TransitGatewayId: &want.TransitGatewayID, VpcId: &o.ID,
				SubnetIds: o.zoneSubnetIDs(want), TagSpecifications: tagSpec(ec2types.ResourceTypeTransitGatewayAttachment, mg.GetName(), want.Tags)})
			if err != nil {
				return awsclient.Wrapf(err, "cannot attach VPC to transit gateway %s", want.TransitGatewayID)
			}
			id := sdkaws.ToString(out.TransitGatewayVpcAttachment.TransitGatewayAttachmentId)
			o.Attachments = append(o.Attachments, tgwAttachment{ID: id, TGW: want.TransitGatewayID, Managed: true})
			// The tags again, by themselves: they are how the attachment is known to be this
			// object's when egress changes, and moto drops an attachment's TagSpecifications.
			if _, err := c.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ec2Tags(mg.GetName(), want.Tags)}); err != nil {
				return awsclient.Wrapf(err, "cannot tag transit gateway attachment %s", id)
			}
		}
		target = want.TransitGatewayID
	}
	for _, rt := range o.ourRouteTables(want) {
		if err := c.setDefaultRoute(ctx, rt, target); err != nil {
			return err
		}
	}
	// Once the routes have moved: the attachments this object made to other transit gateways
	// than the one egress now names (all of them, unless Inspected).
	keep := ""
	if want.Egress == awsv1.EgressInspected {
		keep = want.TransitGatewayID
	}
	if err := c.removeAttachments(ctx, keep); err != nil {
		return err
	}
	// What egress Direct made goes in the order AWS allows: the NAT gateway first (it takes a
	// while), then its address, its subnet, and the internet gateway, which cannot be detached
	// while an address of the VPC is mapped.
	if wait, err := c.removeNAT(ctx); err != nil || wait != "" {
		if wait != "" {
			c.waits = append(c.waits, wait)
		}
		return err
	}
	for _, igw := range o.InternetGateways {
		if _, err := c.ec2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: &igw.ID, VpcId: &o.ID}); err != nil && !awsclient.IsCode(err, "Gateway.NotAttached") {
			return awsclient.Wrapf(err, "cannot detach internet gateway %s", igw.ID)
		}
		// Only a gateway ZoneKeeper made is deleted; someone else's is detached and left.
		if igw.Managed {
			if _, err := c.ec2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: &igw.ID}); err != nil && !awsclient.IsCode(err, "InvalidInternetGatewayID.NotFound") {
				return awsclient.Wrapf(err, "cannot delete internet gateway %s", igw.ID)
			}
		}
	}
	o.InternetGateways = nil
	return nil
}

// applyDirect gives the VPC an internet gateway, a public subnet routed to it holding one NAT
// gateway, and routes the private subnets to the NAT gateway: their hosts reach the internet
// without public addresses of their own, and nothing from outside can reach them.
func (c *vpcClient) applyDirect(ctx context.Context, mg *awsv1.VPC, want vpcDesired) error {
	o := &c.observed
	if len(o.InternetGateways) == 0 {
		out, err := c.ec2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tagSpec(ec2types.ResourceTypeInternetGateway, mg.GetName(), want.Tags)})
		if err != nil {
			return awsclient.Wrap(err, "cannot create internet gateway")
		}
		id := sdkaws.ToString(out.InternetGateway.InternetGatewayId)
		if _, err := c.ec2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &id, VpcId: &o.ID}); err != nil {
			return awsclient.Wrapf(err, "cannot attach internet gateway %s", id)
		}
		o.InternetGateways = []internetGateway{{ID: id, Managed: true}}
	}
	igw := o.InternetGateways[0].ID
	pub, err := c.ensureSubnet(ctx, mg, want, want.PublicSubnet, map[string]string{tagSubnetRole: rolePublic})
	if err != nil {
		return err
	}
	if err := c.setDefaultRoute(ctx, o.RouteTables[pub.RouteTableID], igw); err != nil {
		return err
	}
	nat, wait, err := c.ensureNAT(ctx, mg, want, pub)
	if err != nil {
		return err
	}
	if wait == "" && nat.State != ec2types.NatGatewayStateAvailable {
		wait = fmt.Sprintf("NAT gateway %s is %s: the private subnets are routed to it once it is available", nat.ID, nat.State)
		if o.NATFailure != "" {
			wait += "; the one before it failed: " + o.NATFailure
		}
	}
	if wait != "" {
		// The other steps of apply go on meanwhile: flow logs and the default security group
		// must not wait for a NAT gateway.
		c.waits = append(c.waits, wait)
		return nil
	}
	for _, rt := range o.ourRouteTables(want) {
		if err := c.setDefaultRoute(ctx, rt, nat.ID); err != nil {
			return err
		}
	}
	// The routes have left any transit gateway: so may the attachments this object made.
	return c.removeAttachments(ctx, "")
}

// removeAttachments deletes the transit gateway attachments this object made, but the one to
// transit gateway keep.
func (c *vpcClient) removeAttachments(ctx context.Context, keep string) error {
	o := &c.observed
	var kept []tgwAttachment
	for _, a := range o.Attachments {
		if !a.Managed || (keep != "" && a.TGW == keep) {
			kept = append(kept, a)
			continue
		}
		if _, err := c.ec2.DeleteTransitGatewayVpcAttachment(ctx, &ec2.DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentId: &a.ID}); err != nil &&
			!awsclient.IsCode(err, "InvalidTransitGatewayAttachmentID.NotFound") {
			return awsclient.Wrapf(err, "cannot delete transit gateway attachment %s", a.ID)
		}
	}
	o.Attachments = kept
	return nil
}

// ensureNAT carries out planNAT: it returns the public subnet's NAT gateway, creating it (and
// its elastic IP) when planNAT says so, or why it cannot yet. An elastic IP is tagged with the VPC,
// so one whose allocation reply was lost is found and used. A NAT gateway is created with a client
// token made of its subnet and its address, so a create whose reply was lost is not repeated;
// since that token hands back the same gateway, the address of one that failed or was deleted is
// released rather than used again.
func (c *vpcClient) ensureNAT(ctx context.Context, mg *awsv1.VPC, want vpcDesired, pub subnetObserved) (natGateway, string, error) {
	o := &c.observed
	step := o.planNAT(pub)
	for _, a := range step.Release {
		if err := c.releaseAddress(ctx, a); err != nil {
			return natGateway{}, "", err
		}
	}
	if !step.Create {
		return step.Use, step.Wait, nil
	}
	eip := step.Address
	if eip.AllocationID == "" {
		tags := maps.Clone(want.Tags)
		tags[tagVPCID] = o.ID
		out, err := c.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, TagSpecifications: tagSpec(ec2types.ResourceTypeElasticIp, mg.GetName()+"-nat", tags)})
		if err != nil {
			return natGateway{}, "", awsclient.Wrap(err, "cannot allocate an elastic IP for the NAT gateway")
		}
		eip = elasticIP{AllocationID: sdkaws.ToString(out.AllocationId), PublicIP: sdkaws.ToString(out.PublicIp)}
		o.ElasticIPs = append(o.ElasticIPs, eip)
	}
	out, err := c.ec2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &pub.ID, AllocationId: &eip.AllocationID, ConnectivityType: ec2types.ConnectivityTypePublic,
		ClientToken: sdkaws.String("zk-" + pub.ID + "-" + eip.AllocationID), TagSpecifications: tagSpec(ec2types.ResourceTypeNatgateway, mg.GetName(), want.Tags)})
	if err != nil {
		return natGateway{}, "", awsclient.Wrapf(err, "cannot create NAT gateway in subnet %s", pub.ID)
	}
	n := out.NatGateway
	if n.State == ec2types.NatGatewayStateFailed || n.State == ec2types.NatGatewayStateDeleted {
		// The token handed back a gateway that died since (its listing had expired before its
		// address could be marked spent): release the address, so that the next attempt makes a
		// new one.
		if err := c.releaseAddress(ctx, eip); err != nil {
			return natGateway{}, "", err
		}
		return natGateway{}, "", errors.Errorf("NAT gateway %s is %s (%s): its address is released, and a new gateway is created on the next attempt",
			sdkaws.ToString(n.NatGatewayId), n.State, sdkaws.ToString(n.FailureMessage))
	}
	nat := natGateway{ID: sdkaws.ToString(n.NatGatewayId), SubnetID: pub.ID, State: n.State, AllocationID: eip.AllocationID, PublicIP: eip.PublicIP, Managed: true}
	o.NATGateways = append(o.NATGateways, nat)
	return nat, "", nil
}

// releaseAddress releases elastic IP a and forgets it.
func (c *vpcClient) releaseAddress(ctx context.Context, a elasticIP) error {
	if _, err := c.ec2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: &a.AllocationID}); err != nil && !awsclient.IsCode(err, "InvalidAllocationID.NotFound") {
		return awsclient.Wrapf(err, "cannot release elastic IP %s", a.PublicIP)
	}
	c.observed.ElasticIPs = slices.DeleteFunc(c.observed.ElasticIPs, func(e elasticIP) bool { return e.AllocationID == a.AllocationID })
	return nil
}

// removeNAT deletes the NAT gateways this object made, then, once AWS has deleted them, their
// elastic IPs and the public subnet with its route table. While AWS is deleting one it returns
// what it waits for.
func (c *vpcClient) removeNAT(ctx context.Context) (string, error) {
	o := &c.observed
	var waiting []string
	for _, n := range o.NATGateways {
		if !n.Managed {
			continue
		}
		if n.State != ec2types.NatGatewayStateDeleting {
			if _, err := c.ec2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: &n.ID}); err != nil && !awsclient.IsCode(err, "NatGatewayNotFound") {
				return "", awsclient.Wrapf(err, "cannot delete NAT gateway %s", n.ID)
			}
		}
		waiting = append(waiting, n.ID)
	}
	if len(waiting) > 0 {
		return fmt.Sprintf("NAT gateway %s is being deleted: its elastic IP, its subnet and the internet gateway go once AWS has deleted it", strings.Join(waiting, ", ")), nil
	}
	for _, a := range slices.Clone(o.ElasticIPs) {
		if o.held(a) {
			// Held by a NAT gateway not visible yet: released once it is seen and gone.
			return fmt.Sprintf("elastic IP %s is still associated: it is released, and the public subnet and the internet gateway go, once it is free", a.PublicIP), nil
		}
		if err := c.releaseAddress(ctx, a); err != nil {
			return "", err
		}
	}
	var kept []subnetObserved
	for _, s := range o.Subnets {
		if !s.Public {
			kept = append(kept, s)
			continue
		}
		if rt, ok := o.RouteTables[s.RouteTableID]; ok {
			if err := c.deleteRouteTable(ctx, rt); err != nil {
				return "", err
			}
			delete(o.RouteTables, rt.ID)
		}
		if _, err := c.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: &s.ID}); err != nil && !awsclient.IsCode(err, "InvalidSubnetID.NotFound") {
			return "", awsclient.Wrapf(err, "cannot delete public subnet %s", s.ID)
		}
	}
	o.Subnets = kept
	return "", nil
}

// deleteRouteTable disassociates route table rt from its subnets and deletes it.
func (c *vpcClient) deleteRouteTable(ctx context.Context, rt routeTableObserved) error {
	for _, a := range rt.Associations {
		if _, err := c.ec2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: &a}); err != nil && !awsclient.IsCode(err, "InvalidAssociationID.NotFound") {
			return awsclient.Wrapf(err, "cannot disassociate route table %s", rt.ID)
		}
	}
	if _, err := c.ec2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: &rt.ID}); err != nil && !awsclient.IsCode(err, "InvalidRouteTableID.NotFound") {
		return awsclient.Wrapf(err, "cannot delete route table %s", rt.ID)
	}
	return nil
}

// setDefaultRoute makes route table rt route 0.0.0.0/0 to target, or not at all when target is "".
func (c *vpcClient) setDefaultRoute(ctx context.Context, rt routeTableObserved, target string) error {
	if rt.DefaultTarget == target {
		return nil
	}
	if target == "" {
		_, err := c.ec2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: &rt.ID, DestinationCidrBlock: sdkaws.String(defaultRoute)})
		if err != nil && !awsclient.IsCode(err, "InvalidRoute.NotFound") {
			return awsclient.Wrapf(err, "cannot delete default route of route table %s", rt.ID)
		}
		return nil
	}
	// The target's kind is in its ID's prefix, as EC2 makes them.
	gateway, tgw, nat := &target, (*string)(nil), (*string)(nil)
	switch {
	case strings.HasPrefix(target, "tgw-"):
		gateway, tgw = nil, &target
	case strings.HasPrefix(target, "nat-"):
		gateway, nat = nil, &target
	}
	if rt.DefaultTarget != "" {
		_, err := c.ec2.ReplaceRoute(ctx, &ec2.ReplaceRouteInput{RouteTableId: &rt.ID, DestinationCidrBlock: sdkaws.String(defaultRoute),
			GatewayId: gateway, TransitGatewayId: tgw, NatGatewayId: nat})
		return awsclient.Wrapf(err, "cannot replace default route of route table %s", rt.ID)
	}
	_, err := c.ec2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &rt.ID, DestinationCidrBlock: sdkaws.String(defaultRoute),
		GatewayId: gateway, TransitGatewayId: tgw, NatGatewayId: nat})
	return awsclient.Wrapf(err, "cannot create default route in route table %s", rt.ID)
}

// applyEndpoints makes AWS services reachable without egress: an S3 gateway endpoint in every route
// table, and an interface endpoint per service in every subnet.
func (c *vpcClient) applyEndpoints(ctx context.Context, mg *awsv1.VPC, want vpcDesired) error {
	o := &c.observed
	var rts []string
	for _, rt := range o.ourRouteTables(want) {
		rts = append(rts, rt.ID)
	}
	subnets := o.zoneSubnetIDs(want)
	if ep, ok := o.Endpoints[want.GatewayEndpoint]; !ok {
		if _, err := c.ec2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: &o.ID, ServiceName: &want.GatewayEndpoint, VpcEndpointType: ec2types.VpcEndpointTypeGateway,
			RouteTableIds: rts, TagSpecifications: tagSpec(ec2types.ResourceTypeVpcEndpoint, mg.GetName()+"-s3", want.Tags)}); err != nil {
			return awsclient.Wrap(err, "cannot create S3 gateway endpoint")
		}
	} else if add := missing(rts, ep.RouteTables); len(add) > 0 {
		if _, err := c.ec2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: &ep.ID, AddRouteTableIds: add}); err != nil {
			return awsclient.Wrap(err, "cannot add route tables to S3 gateway endpoint")
		}
	}
	if len(want.InterfaceEndpoints) == 0 {
		return nil
	}
	sg, err := c.endpointSecurityGroup(ctx, mg, want)
	if err != nil {
		return err
	}
	for _, svc := range want.InterfaceEndpoints {
		ep, ok := o.Endpoints[svc]
		if !ok {
			if _, err := c.ec2.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: &o.ID, ServiceName: sdkaws.String(svc), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
				SubnetIds: subnets, SecurityGroupIds: []string{sg}, PrivateDnsEnabled: sdkaws.Bool(true),
				TagSpecifications: tagSpec(ec2types.ResourceTypeVpcEndpoint, mg.GetName()+"-"+svc[strings.LastIndex(svc, ".")+1:], want.Tags)}); err != nil {
				return awsclient.Wrapf(err, "cannot create interface endpoint %s", svc)
			}
			continue
		}
		if add := missing(subnets, ep.Subnets); len(add) > 0 {
			if _, err := c.ec2.ModifyVpcEndpoint(ctx, &ec2.ModifyVpcEndpointInput{VpcEndpointId: &ep.ID, AddSubnetIds: add}); err != nil {
				return awsclient.Wrapf(err, "cannot add subnets to interface endpoint %s", svc)
			}
		}
	}
	return nil
}

// endpointSecurityGroup returns the interface endpoints' security group, created and opened to
// HTTPS from the VPC's own CIDR when needed.
func (c *vpcClient) endpointSecurityGroup(ctx context.Context, mg *awsv1.VPC, want vpcDesired) (string, error) {
	o := &c.observed
	if o.EndpointSG == "" {
		out, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: &o.ID, GroupName: sdkaws.String(endpointSGName),
			Description:       sdkaws.String("HTTPS from the VPC to its AWS service endpoints"),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSecurityGroup, mg.GetName()+"-endpoints", want.Tags)})
		if err != nil {
			return "", awsclient.Wrap(err, "cannot create endpoint security group")
		}
		o.EndpointSG = sdkaws.ToString(out.GroupId)
	}
	for _, cidr := range missing(want.endpointSources(), o.EndpointSGFrom) {
		_, err := c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &o.EndpointSG, IpPermissions: []ec2types.IpPermission{{
			IpProtocol: sdkaws.String("tcp"), FromPort: sdkaws.Int32(443), ToPort: sdkaws.Int32(443),
			IpRanges: []ec2types.IpRange{{CidrIp: sdkaws.String(cidr), Description: sdkaws.String("HTTPS from the VPC")}},
		}}})
		if err != nil && !awsclient.IsCode(err, "InvalidPermission.Duplicate") {
			return "", awsclient.Wrapf(err, "cannot open endpoint security group to HTTPS from %s", cidr)
		}
		o.EndpointSGFrom = append(o.EndpointSGFrom, cidr)
	}
	return o.EndpointSG, nil
}

// applyDefaultSG removes every rule of the default security group, so nothing placed in it by
// default can talk to anything.
func (c *vpcClient) applyDefaultSG(ctx context.Context, _ *awsv1.VPC, _ vpcDesired) error {
	o := &c.observed
	if o.DefaultSG == "" || o.DefaultSGRules == 0 {
		return nil
	}
	if in := c.defaultRules[0]; len(in) > 0 {
		if _, err := c.ec2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: &o.DefaultSG, IpPermissions: in}); err != nil {
			return awsclient.Wrap(err, "cannot remove ingress rules of default security group")
		}
	}
	if eg := c.defaultRules[1]; len(eg) > 0 {
		if _, err := c.ec2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: &o.DefaultSG, IpPermissions: eg}); err != nil {
			return awsclient.Wrap(err, "cannot remove egress rules of default security group")
		}
	}
	o.DefaultSGRules = 0
	return nil
}

func (c *vpcClient) applyFlowLogs(ctx context.Context, mg *awsv1.VPC, want vpcDesired) error {
	o := &c.observed
	if want.FlowLogDestination == "" || o.flowLogTo(want.FlowLogDestination) != "" {
		return nil
	}
	// The bare bucket ARN: AWS writes under AWSLogs/<account>/vpcflowlogs/ in it.
	out, err := c.ec2.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
		ResourceIds: []string{o.ID}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeAll,
		LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: &want.FlowLogDestination,
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpcFlowLog, mg.GetName(), want.Tags),
	})
	if err != nil {
		return awsclient.Wrap(err, "cannot create flow log")
	}
	if len(out.Unsuccessful) > 0 && out.Unsuccessful[0].Error != nil {
		e := out.Unsuccessful[0].Error
		return errors.Errorf("cannot create flow log: %s: %s", sdkaws.ToString(e.Code), sdkaws.ToString(e.Message))
	}
	for _, id := range out.FlowLogIds {
		o.FlowLogs = append(o.FlowLogs, flowLogObserved{ID: id, Destination: want.FlowLogDestination, TrafficType: "ALL"})
	}
	return nil
}

func (c *vpcClient) applyTags(ctx context.Context, _ *awsv1.VPC, want vpcDesired) error {
	if len(tagDrift(want.Tags, c.observed.Tags)) == 0 {
		return nil
	}
	_, err := c.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{c.observed.ID}, Tags: ec2Tags("", want.Tags)})
	return awsclient.Wrap(err, "cannot tag VPC")
}

// Delete takes the network apart in dependency order. It is reached only with deletionPolicy
// Delete. AWS deletes endpoints asynchronously, so subnets may refuse deletion
// (DependencyViolation) for a while; the error is reported and the next reconcile goes on.
func (c *vpcClient) Delete(ctx context.Context, mg *awsv1.VPC) (managed.ExternalDelete, error) {
	// Not a copy: removing the egress below takes what it deletes (the public subnet) out of
	// c.observed, and the steps after it must not delete that again.
	o := &c.observed
	var flowLogs, endpoints []string
	for _, f := range o.FlowLogs {
		flowLogs = append(flowLogs, f.ID)
	}
	if len(flowLogs) > 0 {
		if _, err := c.ec2.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: flowLogs}); err != nil {
			return managed.ExternalDelete{}, awsclient.Wrap(err, "cannot delete flow logs")
		}
	}
	for _, ep := range o.Endpoints {
		endpoints = append(endpoints, ep.ID)
	}
	if len(endpoints) > 0 {
		if _, err := c.ec2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: endpoints}); err != nil {
			return managed.ExternalDelete{}, awsclient.Wrap(err, "cannot delete VPC endpoints")
		}
	}
	if err := c.applyEgress(ctx, mg, vpcDesired{Egress: awsv1.EgressNone}); err != nil {
		return managed.ExternalDelete{}, err
	}
	if err := c.waitErr(); err != nil {
		return managed.ExternalDelete{}, err
	}
	// Every route table but the main one must go before the VPC can; the main one goes with it.
	for _, rt := range o.RouteTables {
		if rt.Main {
			continue
		}
		if err := c.deleteRouteTable(ctx, rt); err != nil {
			return managed.ExternalDelete{}, err
		}
	}
	for _, s := range o.Subnets {
		if _, err := c.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: &s.ID}); err != nil && !awsclient.IsCode(err, "InvalidSubnetID.NotFound") {
			return managed.ExternalDelete{}, awsclient.Wrapf(err, "cannot delete subnet %s", s.ID)
		}
	}
	if o.EndpointSG != "" {
		if _, err := c.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: &o.EndpointSG}); err != nil && !awsclient.IsCode(err, "InvalidGroup.NotFound") {
			return managed.ExternalDelete{}, awsclient.Wrap(err, "cannot delete endpoint security group")
		}
	}
	if _, err := c.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &o.ID}); err != nil && !awsclient.IsCode(err, "InvalidVpcID.NotFound") {
		return managed.ExternalDelete{}, awsclient.Wrap(err, "cannot delete VPC")
	}
	return managed.ExternalDelete{}, nil
}

func (c *vpcClient) Disconnect(context.Context) error { return nil }

// missing returns the elements of want not in have.
func missing(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

func ec2Tags(name string, tags map[string]string) []ec2types.Tag {
	out := make([]ec2types.Tag, 0, len(tags)+1)
	if name != "" {
		out = append(out, ec2types.Tag{Key: sdkaws.String("Name"), Value: sdkaws.String(name)})
	}
	for _, k := range sortedKeys(tags) {
		if k == "Name" && name != "" {
			continue
		}
		out = append(out, ec2types.Tag{Key: sdkaws.String(k), Value: sdkaws.String(tags[k])})
	}
	return out
}

func tagSpec(t ec2types.ResourceType, name string, tags map[string]string) []ec2types.TagSpecification {
	return []ec2types.TagSpecification{{ResourceType: t, Tags: ec2Tags(name, tags)}}
}
