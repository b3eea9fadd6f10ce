package aws_test

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"

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
				target = sdkaws.ToString(r.GatewayId) + sdkaws.ToString(r.TransitGatewayId) + sdkaws.ToString(r.NatGatewayId)
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

// directVPC is a network with egress Direct in the first zones of the region, without flow logs.
func directVPC(ns, name string, zones int32) *awsv1.VPC {
	vpc := newVPC(ns, name, "")
	vpc.Spec.ForProvider.AvailabilityZones = zones
	vpc.Spec.ForProvider.Egress = awsv1.EgressDirect
	vpc.Spec.ForProvider.FlowLogs = awsv1.FlowLogs{Enabled: sdkaws.Bool(false)}
	return vpc
}

// natState describes what egress Direct makes, as EC2 reports it: the VPC's NAT gateways that are
// not deleted, and the elastic IPs tagged with the VPC.
func natState(t *testing.T, ec *ec2.Client, vpcID string) (nats []ec2types.NatGateway, eips []ec2types.Address) {
	t.Helper()
	out, err := ec.DescribeNatGateways(t.Context(), &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range out.NatGateways {
		if n.State != ec2types.NatGatewayStateDeleted {
			nats = append(nats, n)
		}
	}
	addrs, err := ec.DescribeAddresses(t.Context(), &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{{Name: sdkaws.String("tag:zonekeeper.dev/vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		t.Fatal(err)
	}
	return nats, addrs.Addresses
}

// TestEgressModes creates a network with egress Direct, changes it to Inspected through a transit
// gateway and then to None, and checks the gateways, NAT gateway, addresses and default routes in
// EC2 after each change.
func TestEgressModes(t *testing.T) {
	z := newZone(t)
	ec := ec2.NewFromConfig(awsConfig(t, region))
	tgw, err := ec.CreateTransitGateway(t.Context(), &ec2.CreateTransitGatewayInput{Description: sdkaws.String("inspection hub")})
	if err != nil {
		t.Fatal(err)
	}
	tgwID := sdkaws.ToString(tgw.TransitGateway.TransitGatewayId)
	vpc := directVPC(z.ns, "egress", 2)
	z.create(vpc)
	z.waitReady(vpc)
	id := vpc.Status.AtProvider.VPCID

	targets, igws := defaultTargets(t, ec, id)
	nats, eips := natState(t, ec, id)
	if len(igws) != 1 || len(nats) != 1 || len(eips) != 1 {
		t.Fatalf("egress Direct: internet gateways %v, NAT gateways %+v, elastic IPs %+v; want one of each", igws, nats, eips)
	}
	nat := sdkaws.ToString(nats[0].NatGatewayId)
	pub := vpc.Status.AtProvider.PublicSubnet
	if pub == nil || sdkaws.ToString(nats[0].SubnetId) != pub.SubnetID || pub.CIDRBlock != "10.40.224.0/19" || pub.AvailabilityZone != "us-gov-west-1a" ||
		vpc.Status.AtProvider.NATGatewayID != nat || vpc.Status.AtProvider.NATGatewayPublicIP != sdkaws.ToString(eips[0].PublicIp) {
		t.Errorf("status: public subnet %+v, NAT gateway %s (%s); want the layout's last block in the first zone holding NAT gateway %s at %s",
			pub, vpc.Status.AtProvider.NATGatewayID, vpc.Status.AtProvider.NATGatewayPublicIP, nat, sdkaws.ToString(eips[0].PublicIp))
	}
	slices.Sort(targets)
	if want := []string{igws[0], nat, nat}; !slices.Equal(targets, want) {
		t.Fatalf("egress Direct: default routes %v; want the public subnet to the internet gateway and both private subnets to the NAT gateway %v", targets, want)
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
		if nats, eips := natState(t, ec, id); len(nats) != 0 || len(eips) != 0 {
			return errors.Errorf("NAT gateways %+v, elastic IPs %+v; want them gone with egress Direct", nats, eips)
		}
		subnets, err := ec.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}})
		if err != nil || len(subnets.Subnets) != 2 {
			return errors.Errorf("subnets %+v, %v; want the two private ones, the public one gone with egress Direct", subnets, err)
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
		att, err := ec.DescribeTransitGatewayVpcAttachments(t.Context(), &ec2.DescribeTransitGatewayVpcAttachmentsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}})
		if err != nil {
			return err
		}
		for _, a := range att.TransitGatewayVpcAttachments {
			if a.State != ec2types.TransitGatewayAttachmentStateDeleted && a.State != ec2types.TransitGatewayAttachmentStateDeleting {
				return errors.Errorf("transit gateway attachment %s is %s; want it deleted with egress Inspected", sdkaws.ToString(a.TransitGatewayAttachmentId), a.State)
			}
		}
		return nil
	})
	z.waitReady(vpc)

	// Inspected again, then through another hub, then Direct: each time the attachment this
	// VPC made to the hub it leaves goes, once the routes have left it.
	tgw2, err := ec.CreateTransitGateway(t.Context(), &ec2.CreateTransitGatewayInput{Description: sdkaws.String("second hub")})
	if err != nil {
		t.Fatal(err)
	}
	tgw2ID := sdkaws.ToString(tgw2.TransitGateway.TransitGatewayId)
	attachedTo := func() []string {
		att, err := ec.DescribeTransitGatewayVpcAttachments(t.Context(), &ec2.DescribeTransitGatewayVpcAttachmentsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range att.TransitGatewayVpcAttachments {
			if a.State != ec2types.TransitGatewayAttachmentStateDeleted && a.State != ec2types.TransitGatewayAttachmentStateDeleting {
				out = append(out, sdkaws.ToString(a.TransitGatewayId))
			}
		}
		return out
	}
	for _, hub := range []string{tgwID, tgw2ID} {
		z.update(vpc, func() {
			vpc.Spec.ForProvider.Egress = awsv1.EgressInspected
			vpc.Spec.ForProvider.TransitGatewayID = hub
		})
		eventually(t, "egress Inspected through "+hub, func() error {
			targets, _ := defaultTargets(t, ec, id)
			if got := attachedTo(); len(got) != 1 || got[0] != hub || len(targets) != 2 || targets[0] != hub || targets[1] != hub {
				return errors.Errorf("attached to %v, default routes %v; want only %s", got, targets, hub)
			}
			return nil
		})
		z.waitReady(vpc)
	}
	z.update(vpc, func() {
		vpc.Spec.ForProvider.Egress = awsv1.EgressDirect
		vpc.Spec.ForProvider.TransitGatewayID = ""
	})
	z.waitReady(vpc)
	eventually(t, "egress Direct again, the hub left", func() error {
		if got := attachedTo(); len(got) != 0 {
			return errors.Errorf("still attached to %v", got)
		}
		if nats, _ := natState(t, ec, id); len(nats) != 1 {
			return errors.Errorf("NAT gateways %+v; want one", nats)
		}
		return nil
	})
}

// TestSecondaryCIDRBlocksGetSubnets grows a network with two secondary blocks: the /20 gets a
// subnet per zone on the same layout, each with its own route table routed to the NAT gateway
// (egress Direct) and through the S3 gateway endpoint, and the endpoints' security group admits
// HTTPS from both blocks; the interface endpoints stay in one subnet per zone; the /26 is too
// small for the layout and gets none. The subnets wait for the association, which the reconciler
// says in an event.
func TestSecondaryCIDRBlocksGetSubnets(t *testing.T) {
	z := newZone(t)
	ec := ec2.NewFromConfig(awsConfig(t, region))
	vpc := directVPC(z.ns, "grown", 2)
	vpc.Spec.ForProvider.CIDRBlock = "10.40.0.0/20"
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
	want := map[string]string{
		"10.40.0.0/23": "us-gov-west-1a", "10.40.2.0/23": "us-gov-west-1b", "10.41.0.0/23": "us-gov-west-1a", "10.41.2.0/23": "us-gov-west-1b",
		"10.40.14.0/23": "us-gov-west-1a", // the public subnet of egress Direct
	}
	if !maps.Equal(byCIDR, want) {
		t.Errorf("subnets by CIDR %v, want %v", byCIDR, want)
	}
	targets, igws := defaultTargets(t, ec, id)
	nat := vpc.Status.AtProvider.NATGatewayID
	if len(igws) != 1 || len(targets) != 5 || slices.ContainsFunc(targets, func(s string) bool { return s != igws[0] && s != nat }) ||
		len(slices.DeleteFunc(slices.Clone(targets), func(s string) bool { return s != nat })) != 4 {
		t.Errorf("default routes %v, internet gateway %v, NAT gateway %s; want all four private subnets routed to the NAT gateway", targets, igws, nat)
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

// TestDirectNetworkDeletedWithItsNATGateway deletes a network with egress Direct (deletionPolicy
// Delete): the NAT gateway, its elastic IP and the public subnet go before the VPC can.
func TestDirectNetworkDeletedWithItsNATGateway(t *testing.T) {
	z := newZone(t)
	ec := ec2.NewFromConfig(awsConfig(t, region))
	vpc := directVPC(z.ns, "direct", 1)
	vpc.SetDeletionPolicy(deleteFromAWS)
	z.create(vpc)
	z.waitReady(vpc)
	id := vpc.Status.AtProvider.VPCID
	if nats, eips := natState(t, ec, id); len(nats) != 1 || len(eips) != 1 {
		t.Fatalf("NAT gateways %+v, elastic IPs %+v; want one of each", nats, eips)
	}
	z.deleteAndWait(vpc)
	if nats, eips := natState(t, ec, id); len(nats) != 0 || len(eips) != 0 {
		t.Errorf("after deletion: NAT gateways %+v, elastic IPs %+v; want none", nats, eips)
	}
	vpcs, err := ec.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{id}}}})
	if err != nil || len(vpcs.Vpcs) != 0 {
		t.Errorf("VPC after deletion: %+v, %v; want it gone", vpcs, err)
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

// natHoldingProxy forwards to moto and, while the returned flag is set, reports every NAT gateway
// as pending, as AWS does for the first minutes of a gateway's life (moto makes them available at
// once).
func natHoldingProxy(t *testing.T) (url string, hold *atomic.Bool) {
	t.Helper()
	target, err := neturl.Parse(motoSrv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hold = &atomic.Bool{}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) },
		ModifyResponse: func(rsp *http.Response) error {
			if !hold.Load() || rsp.Request.Header.Get("X-Test-Action") != "DescribeNatGateways" {
				return nil
			}
			body, err := io.ReadAll(rsp.Body)
			if err != nil {
				return err
			}
			_ = rsp.Body.Close()
			body = bytes.ReplaceAll(body, []byte("<state>available</state>"), []byte("<state>pending</state>"))
			rsp.Body, rsp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
			rsp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form, _ := neturl.ParseQuery(string(body))
		r.Header.Set("X-Test-Action", form.Get("Action"))
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hold
}

// TestNetworkWaitingForItsNATGatewayIsNotReady holds a new egress Direct network's NAT gateway
// pending: the VPC exists, but its private subnets have no route out, so it is Ready=False
// (Creating) with a message naming the gateway, not Ready. Once the gateway is available the
// private subnets are routed to it and the network is Ready.
func TestNetworkWaitingForItsNATGatewayIsNotReady(t *testing.T) {
	z := newZone(t)
	url, hold := natHoldingProxy(t)
	hold.Store(true)
	pc := z.providerConfig("held")
	pc.Spec.Endpoint.URL = url
	vpc := directVPC(z.ns, "held", 2)
	vpc.Spec.ProviderConfigReference = pcRef("held")
	z.create(pc, vpc)

	eventually(t, "Ready=False, Creating, waiting for the NAT gateway", func() error {
		if err := z.get(vpc); err != nil {
			return err
		}
		r := vpc.GetCondition(xpv2.TypeReady)
		if r.Status != corev1.ConditionFalse || r.Reason != xpv2.ReasonCreating || r.ObservedGeneration != vpc.Generation ||
			!strings.Contains(r.Message, "is pending: the private subnets are routed to it once it is available") {
			return errors.Errorf("Ready %s (%s, generation %d): %s", r.Status, r.Reason, r.ObservedGeneration, r.Message)
		}
		return nil
	})
	// Several passes later it still says so: the VPC's own availability does not make it Ready.
	time.Sleep(3 * time.Second)
	if err := z.get(vpc); err != nil {
		t.Fatal(err)
	}
	if r := vpc.GetCondition(xpv2.TypeReady); r.Status != corev1.ConditionFalse || r.Reason != xpv2.ReasonCreating {
		t.Fatalf("Ready %s (%s) while the NAT gateway is pending: %s", r.Status, r.Reason, r.Message)
	}

	hold.Store(false)
	z.waitReady(vpc)
	ec := ec2.NewFromConfig(awsConfig(t, region))
	targets, igws := defaultTargets(t, ec, vpc.Status.AtProvider.VPCID)
	nat := vpc.Status.AtProvider.NATGatewayID
	routed := map[string]int{}
	for _, target := range targets {
		routed[target]++
	}
	if len(igws) != 1 || nat == "" || !maps.Equal(routed, map[string]int{nat: 2, igws[0]: 1}) {
		t.Errorf("default routes %v; want the two private subnets through NAT gateway %q and the public one through %v", targets, nat, igws)
	}
}
