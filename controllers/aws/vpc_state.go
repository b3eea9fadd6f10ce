package aws

import (
	"fmt"
	"slices"
	"strings"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

// defaultRoute is the destination of the route egress adds (or, with egress None, must be absent).
const defaultRoute = "0.0.0.0/0"

// vpcDesired is the network the spec asks for, computed without calling AWS except for the list
// of availability zones.
type vpcDesired struct {
	CIDR           string
	SecondaryCIDRs []string
	Subnets        []subnetDesired
	// PublicSubnet holds the NAT gateway of egress Direct (zero otherwise): the layout's last
	// block, in the first zone.
	PublicSubnet       subnetDesired
	Egress             awsv1.Egress
	TransitGatewayID   string
	GatewayEndpoint    string   // service name of the S3 gateway endpoint
	InterfaceEndpoints []string // service names of the interface endpoints
	FlowLogDestination string   // bare bucket ARN; "" when flow logs are off
	Tags               map[string]string
}

type subnetDesired struct {
	AZ   string
	CIDR string
	// Block is the secondary CIDR block the subnet is in, "" for the primary CIDR. Only the
	// primary CIDR's subnets (one per availability zone) hold the interface endpoints and the
	// transit gateway attachment, which take one subnet per zone; every subnet has its own route
	// table, routed as the egress mode says and through the S3 gateway endpoint.
	Block string
	// Name is the Name tag's suffix: private-<zone>, private-<zone>-<n> for the n-th CIDR block.
	Name string
}

// vpcObserved is the network as AWS reports it.
type vpcObserved struct {
	Exists           bool
	ID               string
	OwnerID          string
	CIDR             string
	SecondaryCIDRs   []string          // associated or associating
	Associating      []string          // of SecondaryCIDRs, those AWS is still associating
	CIDRFailures     map[string]string // why AWS failed to associate a block, by block
	DNSSupport       bool
	DNSHostnames     bool
	Subnets          []subnetObserved
	RouteTables      map[string]routeTableObserved // by route table ID
	InternetGateways []internetGateway             // attached to the VPC
	NATGateways      []natGateway                  // in the VPC, not deleted
	SpentAllocations []string                      // elastic IPs of ZoneKeeper's NAT gateways that failed or were deleted
	NATFailure       string                        // why the last of them failed, if one did
	ElasticIPs       []elasticIP                   // allocated for it
	Attachments      []tgwAttachment               // live transit gateway attachments of the VPC
	Endpoints        map[string]endpointObserved   // by service name
	EndpointSG       string                        // the security group of the interface endpoints
	EndpointSGFrom   []string                      // the CIDRs it admits HTTPS from
	DefaultSG        string
	DefaultSGRules   int
	FlowLogs         []flowLogObserved
	Tags             map[string]string
}

type subnetObserved struct {
	ID           string
	AZ           string
	CIDR         string
	RouteTableID string // "" when the subnet uses the main route table
	Public       bool   // tagged as the public subnet ZoneKeeper made for egress Direct
}

type natGateway struct {
	ID           string
	SubnetID     string
	State        ec2types.NatGatewayState // pending, available or deleting; deleted and failed ones are not kept
	AllocationID string
	PublicIP     string
	Managed      bool // tagged as this object's
}

// elasticIP is an address ZoneKeeper allocated for the VPC's NAT gateway (tagged with its ID).
type elasticIP struct {
	AllocationID  string
	AssociationID string
	PublicIP      string
}

type routeTableObserved struct {
	ID   string
	Main bool
	// Associations are the IDs of its subnet associations.
	Associations []string
	// DefaultTarget is the gateway or transit gateway ID of the 0.0.0.0/0 route, "" when none.
	DefaultTarget string
}

type tgwAttachment struct {
	ID      string
	TGW     string // the transit gateway it attaches to
	Managed bool   // tagged as this object's
}

// attachmentTo returns the VPC's live attachment to transit gateway tgw, if any.
func (o vpcObserved) attachmentTo(tgw string) (tgwAttachment, bool) {
	for _, a := range o.Attachments {
		if a.TGW == tgw {
			return a, true
		}
	}
	return tgwAttachment{}, false
}

type internetGateway struct {
	ID      string
	Managed bool // tagged as ZoneKeeper's
}

type endpointObserved struct {
	ID          string
	RouteTables []string
	Subnets     []string
}

type flowLogObserved struct {
	ID          string
	Destination string
	TrafficType string
}

// desiredVPC computes the desired network of a spec in a region whose availability zones are zones.
func desiredVPC(p awsv1.VPCParameters, zones []string, tags map[string]string) (vpcDesired, error) {
	n := int(p.AvailabilityZones)
	if n == 0 {
		n = 3
	}
	picked, err := pickZones(zones, n)
	if err != nil {
		return vpcDesired{}, err
	}
	cidrs, err := awsclient.PrivateSubnets(p.CIDRBlock, n)
	if err != nil {
		return vpcDesired{}, err
	}
	d := vpcDesired{
		CIDR:             p.CIDRBlock,
		SecondaryCIDRs:   p.SecondaryCIDRBlocks,
		Egress:           p.Egress,
		TransitGatewayID: p.TransitGatewayID,
		GatewayEndpoint:  awsclient.EndpointServiceName(p.Region, "s3"),
		Tags:             tags,
	}
	if d.Egress == "" {
		d.Egress = awsv1.EgressNone
	}
	for i, c := range cidrs {
		d.Subnets = append(d.Subnets, subnetDesired{AZ: picked[i], CIDR: c.String(), Name: "private-" + picked[i]})
	}
	for k, block := range p.SecondaryCIDRBlocks {
		cidrs, err := awsclient.SecondarySubnets(block, n)
		if err != nil {
			return vpcDesired{}, err
		}
		for i, c := range cidrs {
			d.Subnets = append(d.Subnets, subnetDesired{AZ: picked[i], CIDR: c.String(), Block: block, Name: fmt.Sprintf("private-%s-%d", picked[i], k+2)})
		}
	}
	if d.Egress == awsv1.EgressDirect {
		pub, err := awsclient.PublicSubnet(p.CIDRBlock)
		if err != nil {
			return vpcDesired{}, err
		}
		d.PublicSubnet = subnetDesired{AZ: picked[0], CIDR: pub.String(), Name: "public-" + picked[0]}
	}
	for _, s := range p.InterfaceEndpoints {
		d.InterfaceEndpoints = append(d.InterfaceEndpoints, awsclient.EndpointServiceName(p.Region, s))
	}
	if p.FlowLogs.Enabled == nil || *p.FlowLogs.Enabled {
		if p.FlowLogs.BucketARN == "" {
			return vpcDesired{}, errors.New("flow logs are enabled but spec.forProvider.flowLogs has no bucketARN yet")
		}
		d.FlowLogDestination = p.FlowLogs.BucketARN
	}
	return d, nil
}

// pickZones returns the first n zone names in name order, so the same region always yields the
// same zones.
func pickZones(zones []string, n int) ([]string, error) {
	sorted := slices.Clone(zones)
	slices.Sort(sorted)
	if len(sorted) < n {
		return nil, errors.Errorf("%d availability zones requested, the region has %d", n, len(sorted))
	}
	return sorted[:n], nil
}

// subnetFor returns the observed subnet with the CIDR of d, if any.
func (o vpcObserved) subnetFor(d subnetDesired) (subnetObserved, bool) {
	for _, s := range o.Subnets {
		if s.CIDR == d.CIDR {
			return s, true
		}
	}
	return subnetObserved{}, false
}

// ourRouteTables are the route tables of the desired subnets that exist.
func (o vpcObserved) ourRouteTables(d vpcDesired) []routeTableObserved {
	var out []routeTableObserved
	for _, sd := range d.Subnets {
		if s, ok := o.subnetFor(sd); ok && s.RouteTableID != "" {
			out = append(out, o.RouteTables[s.RouteTableID])
		}
	}
	return out
}

// zoneSubnetIDs are the IDs of the desired subnets of the primary CIDR that exist: one per
// availability zone, where interface endpoints and the transit gateway attachment go.
func (o vpcObserved) zoneSubnetIDs(d vpcDesired) []string {
	var out []string
	for _, sd := range d.Subnets {
		if s, ok := o.subnetFor(sd); ok && sd.Block == "" {
			out = append(out, s.ID)
		}
	}
	return out
}

// endpointSources are the CIDRs the interface endpoints admit HTTPS from: every block of the VPC,
// so that hosts in the secondary blocks' subnets reach them too.
func (d vpcDesired) endpointSources() []string {
	return append([]string{d.CIDR}, d.SecondaryCIDRs...)
}

// vpcDrift describes how an observed network differs from the desired one.
func vpcDrift(d vpcDesired, o vpcObserved) []string {
	if !o.Exists {
		return []string{"VPC does not exist"}
	}
	var out []string
	if !o.DNSSupport || !o.DNSHostnames {
		out = append(out, "DNS support or DNS hostnames are off (interface endpoints need both)")
	}
	for _, c := range missing(d.SecondaryCIDRs, o.SecondaryCIDRs) {
		msg := fmt.Sprintf("secondary CIDR block %s is not associated", c)
		if why, failed := o.CIDRFailures[c]; failed {
			msg += " (AWS failed to associate it: " + why + ")"
		}
		out = append(out, msg)
	}
	for _, sd := range d.Subnets {
		s, ok := o.subnetFor(sd)
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("subnet %s in %s is missing", sd.CIDR, sd.AZ))
		case s.RouteTableID == "":
			out = append(out, fmt.Sprintf("subnet %s has no route table of its own", s.ID))
		}
	}
	out = append(out, egressDrift(d, o)...)
	rts := o.ourRouteTables(d)
	subnets := o.zoneSubnetIDs(d)
	if ep, ok := o.Endpoints[d.GatewayEndpoint]; !ok {
		out = append(out, "S3 gateway endpoint is missing")
	} else {
		for _, rt := range rts {
			if !slices.Contains(ep.RouteTables, rt.ID) {
				out = append(out, fmt.Sprintf("S3 gateway endpoint is not in route table %s", rt.ID))
			}
		}
	}
	if len(d.InterfaceEndpoints) > 0 {
		if o.EndpointSG == "" {
			out = append(out, "the endpoints' security group is missing")
		}
		for _, c := range missing(d.endpointSources(), o.EndpointSGFrom) {
			out = append(out, "the endpoints' security group does not admit HTTPS from "+c)
		}
	}
	for _, svc := range d.InterfaceEndpoints {
		ep, ok := o.Endpoints[svc]
		if !ok {
			out = append(out, fmt.Sprintf("interface endpoint %s is missing", svc))
			continue
		}
		for _, s := range subnets {
			if !slices.Contains(ep.Subnets, s) {
				out = append(out, fmt.Sprintf("interface endpoint %s is not in subnet %s", svc, s))
			}
		}
	}
	if o.DefaultSGRules > 0 {
		out = append(out, fmt.Sprintf("default security group %s has %d rules", o.DefaultSG, o.DefaultSGRules))
	}
	if d.FlowLogDestination != "" && o.flowLogTo(d.FlowLogDestination) == "" {
		out = append(out, "flow log of all traffic to "+d.FlowLogDestination+" is missing")
	}
	return append(out, tagDrift(d.Tags, o.Tags)...)
}

// nat returns the NAT gateway of the public subnet, if there is one that is not being deleted.
func (o vpcObserved) nat(public subnetObserved) (natGateway, bool) {
	for _, n := range o.NATGateways {
		if n.SubnetID == public.ID && n.State != ec2types.NatGatewayStateDeleting {
			return n, true
		}
	}
	return natGateway{}, false
}

// natStep is what the public subnet's NAT gateway needs next, decided from what was observed.
type natStep struct {
	Use     natGateway  // the NAT gateway there is, when nothing is to be created
	Wait    string      // why nothing can be created yet
	Release []elasticIP // addresses of the VPC to release: a dead gateway's, or spare ones
	Create  bool        // create a NAT gateway, with Address (or a new address when it is zero)
	Address elasticIP
}

// planNAT decides how the public subnet pub gets its NAT gateway. It never lets two NAT
// gateways or two addresses live for one VPC: while one of its NAT gateways is being deleted, or
// one of its addresses is associated with a NAT gateway that is not visible yet (a create whose
// reply was lost, described too early), it waits instead of creating another; addresses a dead
// gateway held, and spares, are released.
func (o vpcObserved) planNAT(pub subnetObserved) natStep {
	var step natStep
	live, ok := o.nat(pub)
	// In allocation ID order, so that every pass picks the same spare address (and so the same
	// client token) while a gateway created with it is not visible yet.
	addrs := slices.SortedFunc(slices.Values(o.ElasticIPs), func(a, b elasticIP) int { return strings.Compare(a.AllocationID, b.AllocationID) })
	var held *elasticIP
	for _, a := range addrs {
		switch {
		case ok && a.AllocationID == live.AllocationID:
		case o.held(a):
			// held by a NAT gateway being deleted, or by one not visible yet: released later
			if held == nil {
				held = &a
			}
		case slices.Contains(o.SpentAllocations, a.AllocationID), ok:
			step.Release = append(step.Release, a)
		case step.Address.AllocationID == "":
			step.Address = a
		}
	}
	if ok {
		step.Use = live
		return step
	}
	var deleting []string
	for _, n := range o.NATGateways {
		if n.Managed && n.State == ec2types.NatGatewayStateDeleting {
			deleting = append(deleting, n.ID)
		}
	}
	if len(deleting) > 0 {
		step.Wait = fmt.Sprintf("NAT gateway %s is being deleted: the public subnet gets a new one once AWS has deleted it", strings.Join(deleting, ", "))
		return step
	}
	if held != nil {
		step.Wait = fmt.Sprintf("elastic IP %s is associated, but no NAT gateway holding it is visible yet", held.PublicIP)
		return step
	}
	step.Create = true
	return step
}

// held reports whether address a is held by a gateway that may still live. The address of a
// gateway that failed or was deleted is free, whatever its association says (moto keeps it).
func (o vpcObserved) held(a elasticIP) bool {
	return a.AssociationID != "" && !slices.Contains(o.SpentAllocations, a.AllocationID)
}

func egressDrift(d vpcDesired, o vpcObserved) []string {
	var out []string
	rts := o.ourRouteTables(d)
	for _, a := range o.Attachments {
		switch {
		case !a.Managed, d.Egress == awsv1.EgressInspected && a.TGW == d.TransitGatewayID:
		case d.Egress == awsv1.EgressInspected:
			out = append(out, fmt.Sprintf("transit gateway attachment %s is to %s, not to transit gateway %s", a.ID, a.TGW, d.TransitGatewayID))
		default:
			out = append(out, fmt.Sprintf("transit gateway attachment %s exists although egress is %s", a.ID, d.Egress))
		}
	}
	if d.Egress != awsv1.EgressDirect {
		// What egress Direct made, still there after a change of mode.
		for _, n := range o.NATGateways {
			if n.Managed && n.State != ec2types.NatGatewayStateDeleting {
				out = append(out, fmt.Sprintf("NAT gateway %s exists although egress is %s", n.ID, d.Egress))
			}
		}
		for _, a := range o.ElasticIPs {
			out = append(out, fmt.Sprintf("elastic IP %s is allocated although egress is %s", a.PublicIP, d.Egress))
		}
		for _, s := range o.Subnets {
			if s.Public {
				out = append(out, fmt.Sprintf("public subnet %s exists although egress is %s", s.ID, d.Egress))
			}
		}
	}
	switch d.Egress {
	case awsv1.EgressNone:
		for _, igw := range o.InternetGateways {
			out = append(out, fmt.Sprintf("internet gateway %s is attached although egress is None", igw.ID))
		}
		for _, rt := range rts {
			if rt.DefaultTarget != "" {
				out = append(out, fmt.Sprintf("route table %s routes %s to %s although egress is None", rt.ID, defaultRoute, rt.DefaultTarget))
			}
		}
	case awsv1.EgressDirect:
		if len(o.InternetGateways) == 0 {
			out = append(out, "no internet gateway is attached")
			break
		}
		igw := o.InternetGateways[0].ID
		pub, ok := o.subnetFor(d.PublicSubnet)
		if !ok {
			out = append(out, fmt.Sprintf("public subnet %s in %s is missing", d.PublicSubnet.CIDR, d.PublicSubnet.AZ))
			break
		}
		if rt := o.RouteTables[pub.RouteTableID]; pub.RouteTableID == "" || rt.DefaultTarget != igw {
			out = append(out, fmt.Sprintf("public subnet %s does not route %s to internet gateway %s", pub.ID, defaultRoute, igw))
		}
		nat, ok := o.nat(pub)
		if !ok || nat.State != ec2types.NatGatewayStateAvailable {
			out = append(out, "no NAT gateway is available in public subnet "+pub.ID)
			break
		}
		for _, a := range o.planNAT(pub).Release {
			out = append(out, fmt.Sprintf("elastic IP %s is allocated but not used by NAT gateway %s", a.PublicIP, nat.ID))
		}
		for _, rt := range rts {
			if rt.DefaultTarget != nat.ID {
				out = append(out, fmt.Sprintf("route table %s does not route %s to NAT gateway %s", rt.ID, defaultRoute, nat.ID))
			}
		}
	case awsv1.EgressInspected:
		for _, igw := range o.InternetGateways {
			out = append(out, fmt.Sprintf("internet gateway %s is attached although egress is Inspected", igw.ID))
		}
		if _, ok := o.attachmentTo(d.TransitGatewayID); !ok {
			out = append(out, "VPC is not attached to transit gateway "+d.TransitGatewayID)
		}
		for _, rt := range rts {
			if rt.DefaultTarget != d.TransitGatewayID {
				out = append(out, fmt.Sprintf("route table %s does not route %s to transit gateway %s", rt.ID, defaultRoute, d.TransitGatewayID))
			}
		}
	}
	return out
}

// flowLogTo returns the ID of a flow log of all traffic to destination, or "".
func (o vpcObserved) flowLogTo(destination string) string {
	for _, f := range o.FlowLogs {
		if f.Destination == destination && f.TrafficType == "ALL" {
			return f.ID
		}
	}
	return ""
}
