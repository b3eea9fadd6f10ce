package aws_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
)

// defaultTargets returns the 0.0.0.0/0 targets of the route tables of vpc's subnets, and the
// internet gateways attached to it.
func defaultTargets(t *testing.T, ec *ec2.Client, vpcID string) (targets []string, igws []string) {
	t.Helper()
	filter := []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{vpcID}}}
	rts, err := ec.DescribeRouteTables(t.Context(), &ec2.DescribeRouteTablesInput{Filters: filter})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range rts.RouteTables {
		own := false
		for _, a := range rt.Associations {
			own = own || (a.SubnetId != nil && !sdkaws.ToBool(a.Main))
		}
		if !own {
			continue
		}
		target := ""
		for _, r := range rt.Routes {
			if sdkaws.ToString(r.DestinationCidrBlock) == "0.0.0.0/0" {
				target = sdkaws.ToString(r.GatewayId) + sdkaws.ToString(r.TransitGatewayId)
			}
		}
		targets = append(targets, target)
	}
	out, err := ec.DescribeInternetGateways(t.Context(), &ec2.DescribeInternetGatewaysInput{Filters: []ec2types.Filter{{Name: sdkaws.String("attachment.vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.InternetGateways {
		igws = append(igws, sdkaws.ToString(g.InternetGatewayId))
	}
	return targets, igws
}

// TestEgressModes creates a network with egress Direct, changes it to Inspected through a transit
// gateway and then to None, and checks the gateways and default routes in EC2 after each change.
func TestEgressModes(t *testing.T) {
	z := newZone(t)
	ec := ec2.NewFromConfig(awsConfig(t, region))
	tgw, err := ec.CreateTransitGateway(t.Context(), &ec2.CreateTransitGatewayInput{Description: sdkaws.String("inspection hub")})
	if err != nil {
		t.Fatal(err)
	}
	tgwID := sdkaws.ToString(tgw.TransitGateway.TransitGatewayId)
	vpc := newVPC(z.ns, "egress", "")
	vpc.Spec.ForProvider.AvailabilityZones = 2
	vpc.Spec.ForProvider.Egress = awsv1.EgressDirect
	vpc.Spec.ForProvider.FlowLogs = awsv1.FlowLogs{Enabled: sdkaws.Bool(false)}
	z.create(vpc)
	z.waitReady(vpc)
	id := vpc.Status.AtProvider.VPCID

	targets, igws := defaultTargets(t, ec, id)
	if len(igws) != 1 || len(targets) != 2 || targets[0] != igws[0] || targets[1] != igws[0] {
		t.Fatalf("egress Direct: default routes %v, internet gateways %v; want both subnets routed to the one gateway", targets, igws)
	}

	z.update(vpc, func() {
		vpc.Spec.ForProvider.Egress = awsv1.EgressInspected
		vpc.Spec.ForProvider.TransitGatewayID = tgwID
	})
	eventually(t, "egress Inspected in EC2", func() error {
		targets, igws := defaultTargets(t, ec, id)
		if len(igws) != 0 || len(targets) != 2 || targets[0] != tgwID || targets[1] != tgwID {
			return errors.Errorf("default routes %v, internet gateways %v; want both subnets routed to %s and no gateway", targets, igws, tgwID)
		}
		att, err := ec.DescribeTransitGatewayVpcAttachments(t.Context(), &ec2.DescribeTransitGatewayVpcAttachmentsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}})
		if err != nil || len(att.TransitGatewayVpcAttachments) != 1 || len(att.TransitGatewayVpcAttachments[0].SubnetIds) != 2 {
			return errors.Errorf("transit gateway attachments %+v, %v; want one in both subnets", att, err)
		}
		return nil
	})
	z.waitReady(vpc)

	z.update(vpc, func() {
		vpc.Spec.ForProvider.Egress = awsv1.EgressNone
		vpc.Spec.ForProvider.TransitGatewayID = ""
	})
	eventually(t, "egress None in EC2", func() error {
		targets, igws := defaultTargets(t, ec, id)
		if len(igws) != 0 || len(targets) != 2 || targets[0] != "" || targets[1] != "" {
			return errors.Errorf("default routes %v, internet gateways %v; want none", targets, igws)
		}
		return nil
	})
	z.waitReady(vpc)
}

// TestSecondaryCIDRBlocksGetSubnets grows a network with two secondary blocks: the /20 gets a
// subnet per zone on the same layout, each with its own route table routed to the internet gateway
// (egress Direct) and through the S3 gateway endpoint, and the endpoints' security group admits
// HTTPS from both blocks; the interface endpoints stay in one subnet per zone; the /26 is too
// small for the layout and gets none. The subnets wait for the association, which the reconciler
// says in an event.
func TestSecondaryCIDRBlocksGetSubnets(t *testing.T) {
	z := newZone(t)
	ec := ec2.NewFromConfig(awsConfig(t, region))
	vpc := newVPC(z.ns, "grown", "")
	vpc.Spec.ForProvider.CIDRBlock = "10.40.0.0/20"
	vpc.Spec.ForProvider.AvailabilityZones = 2
	vpc.Spec.ForProvider.Egress = awsv1.EgressDirect
	vpc.Spec.ForProvider.FlowLogs = awsv1.FlowLogs{Enabled: sdkaws.Bool(false)}
	z.create(vpc)
	z.waitReady(vpc)
	id := vpc.Status.AtProvider.VPCID

	z.update(vpc, func() { vpc.Spec.ForProvider.SecondaryCIDRBlocks = []string{"10.41.0.0/20", "10.42.0.0/26"} })
	z.waitReady(vpc)
	z.waitEvent("grown", "CannotUpdateExternalResource", "secondary CIDR block 10.41.0.0/20", "still being associated")
	eventually(t, "the grown network in the status", func() error {
		if err := z.get(vpc); err != nil {
			return err
		}
		if len(vpc.Status.AtProvider.Subnets) != 4 || len(vpc.Status.AtProvider.SecondaryCIDRBlocks) != 2 {
			return errors.Errorf("status subnets %+v, secondary blocks %v", vpc.Status.AtProvider.Subnets, vpc.Status.AtProvider.SecondaryCIDRBlocks)
		}
		return nil
	})

	filter := []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}
	subnets, err := ec.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{Filters: filter})
	if err != nil {
		t.Fatal(err)
	}
	byCIDR := map[string]string{}
	for _, s := range subnets.Subnets {
		byCIDR[sdkaws.ToString(s.CidrBlock)] = sdkaws.ToString(s.AvailabilityZone)
	}
	want := map[string]string{"10.40.0.0/23": "us-gov-west-1a", "10.40.2.0/23": "us-gov-west-1b", "10.41.0.0/23": "us-gov-west-1a", "10.41.2.0/23": "us-gov-west-1b"}
	if !maps.Equal(byCIDR, want) {
		t.Errorf("subnets by CIDR %v, want %v", byCIDR, want)
	}
	targets, igws := defaultTargets(t, ec, id)
	if len(igws) != 1 || len(targets) != 4 || slices.ContainsFunc(targets, func(s string) bool { return s != igws[0] }) {
		t.Errorf("default routes %v, internet gateways %v; want all four subnets routed to the one gateway", targets, igws)
	}

	primary := map[string]bool{}
	var routeTables []string
	for _, s := range vpc.Status.AtProvider.Subnets {
		primary[s.SubnetID] = strings.HasPrefix(s.CIDRBlock, "10.40.")
		routeTables = append(routeTables, s.RouteTableID)
	}
	eps, err := ec.DescribeVpcEndpoints(t.Context(), &ec2.DescribeVpcEndpointsInput{Filters: filter})
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range eps.VpcEndpoints {
		svc := sdkaws.ToString(ep.ServiceName)
		switch ep.VpcEndpointType {
		case ec2types.VpcEndpointTypeGateway:
			if got := slices.Sorted(slices.Values(ep.RouteTableIds)); !slices.Equal(got, slices.Sorted(slices.Values(routeTables))) {
				t.Errorf("%s in route tables %v, want every subnet's %v", svc, got, routeTables)
			}
		case ec2types.VpcEndpointTypeInterface:
			if len(ep.SubnetIds) != 2 || !primary[ep.SubnetIds[0]] || !primary[ep.SubnetIds[1]] {
				t.Errorf("%s in subnets %v, want the primary block's, one per zone", svc, ep.SubnetIds)
			}
		}
	}
	sgs, err := ec.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{Filters: append(filter, ec2types.Filter{Name: sdkaws.String("group-name"), Values: []string{"zonekeeper-endpoints"}})})
	if err != nil || len(sgs.SecurityGroups) != 1 {
		t.Fatalf("endpoint security group: %+v, %v", sgs, err)
	}
	var from []string
	for _, p := range sgs.SecurityGroups[0].IpPermissions {
		for _, r := range p.IpRanges {
			if sdkaws.ToInt32(p.FromPort) == 443 {
				from = append(from, sdkaws.ToString(r.CidrIp))
			}
		}
	}
	if got := slices.Sorted(slices.Values(from)); !slices.Equal(got, []string{"10.40.0.0/20", "10.41.0.0/20", "10.42.0.0/26"}) {
		t.Errorf("endpoint security group admits HTTPS from %v, want every block of the VPC", got)
	}
}

// TestMemberAccountThroughRoleChain creates an Account, then a Key through a ProviderConfig whose
// assume-role chain ends in the new account's OrganizationAccountAccessRole, and finds the key in
// the member account and not in the management account.
func TestMemberAccountThroughRoleChain(t *testing.T) {
	z := newZone(t)
	newOrg(t)
	acc := newAccount(z.ns, "member", "aws+member@mpd.example.gov", false)
	z.create(acc)
	z.waitReady(acc)
	member := acc.Status.AtProvider.AccountID
	z.create(z.providerConfig("member", awsv1.AssumeRole{AccountID: member}))
	key := newKey(z.ns, "member-key", "member")
	key.Spec.ProviderConfigReference = pcRef("member")
	z.create(key)
	z.waitReady(key)
	if want := "arn:aws-us-gov:kms:us-gov-west-1:" + member + ":key/" + key.Status.AtProvider.KeyID; key.Status.AtProvider.ARN != want {
		t.Errorf("key ARN %s, want %s: the key is not in the member account", key.Status.AtProvider.ARN, want)
	}
	mgmt := awsConfig(t, region)
	if _, err := kms.NewFromConfig(mgmt).DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &key.Status.AtProvider.KeyID}); err == nil {
		t.Error("the key is in the management account")
	}
	role, err := sts.NewFromConfig(mgmt).AssumeRole(t.Context(), &sts.AssumeRoleInput{RoleArn: sdkaws.String("arn:aws-us-gov:iam::" + member + ":role/OrganizationAccountAccessRole"), RoleSessionName: sdkaws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	asMember := mgmt.Copy()
	asMember.Credentials = credentials.NewStaticCredentialsProvider(*role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken)
	md, err := kms.NewFromConfig(asMember).DescribeKey(t.Context(), &kms.DescribeKeyInput{KeyId: &key.Status.AtProvider.KeyID})
	if err != nil || sdkaws.ToString(md.KeyMetadata.AWSAccountId) != member {
		t.Errorf("the key as seen from the member account: %+v, %v", md, err)
	}
}
