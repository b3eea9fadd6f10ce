package awsclient

import (
	"net/netip"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Subnet layout. A VPC's CIDR is split into SubnetBlocks equal blocks, each SubnetBlockBits longer
// than the VPC prefix; private subnet i (for the i-th availability zone in name order) is block i.
// The last blocks are reserved for subnets that later egress modes or hubs need, so the layout never
// moves an existing subnet: adding an availability zone adds the next block, and nothing is
// renumbered. A /16 gives /19 subnets (8192 addresses each); a /24 gives /27 (32, of which AWS
// keeps 5), still above AWS's /28 minimum.
const (
	SubnetBlockBits  = 3
	SubnetBlocks     = 1 << SubnetBlockBits
	MaxPrivateSubnet = 6
	MinVPCPrefix     = 16
	MaxVPCPrefix     = 24
)

// PrivateSubnets returns the CIDRs of the private subnets of a VPC with the given CIDR spread over
// n availability zones: the first n blocks of the layout above. It is a pure function of its
// arguments, so the same spec always yields the same subnets.
func PrivateSubnets(cidr string, n int) ([]netip.Prefix, error) {
	p, err := vpcPrefix(cidr)
	if err != nil {
		return nil, err
	}
	return layout(p, n)
}

// vpcPrefix parses a VPC's primary CIDR and checks it can hold the layout.
func vpcPrefix(cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return netip.Prefix{}, errors.Wrapf(err, "cannot parse CIDR %q", cidr)
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, errors.Errorf("CIDR %s is not IPv4", cidr)
	}
	if p.Masked() != p {
		return netip.Prefix{}, errors.Errorf("CIDR %s is not a network address (did you mean %s?)", cidr, p.Masked())
	}
	if p.Bits() < MinVPCPrefix || p.Bits() > MaxVPCPrefix {
		return netip.Prefix{}, errors.Errorf("CIDR %s: prefix must be from /%d to /%d", cidr, MinVPCPrefix, MaxVPCPrefix)
	}
	return p, nil
}

// SecondarySubnets returns the CIDRs of the private subnets of a secondary CIDR block associated
// with a VPC spread over n availability zones: the same layout as PrivateSubnets, on the block.
// A block smaller than /24 cannot hold the layout's subnets at AWS's /28 minimum: it gets none
// (nil, no error), and stays associated for whatever else the VPC's owner puts there.
func SecondarySubnets(cidr string, n int) ([]netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot parse secondary CIDR block %q", cidr)
	}
	if !p.Addr().Is4() || p.Masked() != p {
		return nil, errors.Errorf("secondary CIDR block %s is not an IPv4 network address", cidr)
	}
	if p.Bits() > MaxVPCPrefix {
		return nil, nil
	}
	if p.Bits() < MinVPCPrefix {
		return nil, errors.Errorf("secondary CIDR block %s: prefix must be from /%d", cidr, MinVPCPrefix)
	}
	return layout(p, n)
}

// PublicSubnet returns the CIDR of the public subnet of a VPC with egress Direct: the layout's
// last block, which PrivateSubnets never hands out, so it never overlaps a private subnet.
func PublicSubnet(cidr string) (netip.Prefix, error) {
	p, err := vpcPrefix(cidr)
	if err != nil {
		return netip.Prefix{}, err
	}
	return block(p, SubnetBlocks-1), nil
}

// layout returns the first n blocks of p's layout.
func layout(p netip.Prefix, n int) ([]netip.Prefix, error) {
	if n < 1 || n > MaxPrivateSubnet {
		return nil, errors.Errorf("%d availability zones: must be from 1 to %d", n, MaxPrivateSubnet)
	}
	out := make([]netip.Prefix, n)
	for i := range n {
		out[i] = block(p, i)
	}
	return out, nil
}

// block returns block i of p's layout: SubnetBlockBits longer than p, the i-th from p's start.
func block(p netip.Prefix, i int) netip.Prefix {
	bits := p.Bits() + SubnetBlockBits
	base := p.Addr().As4()
	a := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	a += uint32(i) << (32 - bits)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), bits)
}
