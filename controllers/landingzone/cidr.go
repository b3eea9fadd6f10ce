package landingzone

import (
	"fmt"
	"net/netip"
)

// growthBlocks returns the blocks that, added to primary, make up grown: the sibling of primary
// at each prefix length from primary's up to grown's. A VPC cannot change its primary CIDR, so a
// zone's network grows by associating these as secondary blocks. grown must contain primary.
func growthBlocks(primary, grown string) ([]string, error) {
	p, err := netip.ParsePrefix(primary)
	if err != nil {
		return nil, fmt.Errorf("cannot parse CIDR %q: %w", primary, err)
	}
	g, err := netip.ParsePrefix(grown)
	if err != nil {
		return nil, fmt.Errorf("cannot parse CIDR %q: %w", grown, err)
	}
	if !p.Addr().Is4() || !g.Addr().Is4() || g.Bits() > p.Bits() || !g.Contains(p.Addr()) {
		return nil, fmt.Errorf("spec.network.cidr %s does not contain the network's existing range %s: a zone's network can grow to a range containing it, not shrink or move", grown, primary)
	}
	var out []string
	for bits := p.Bits(); bits > g.Bits(); bits-- {
		block := netip.PrefixFrom(p.Addr(), bits).Masked()
		a := block.Addr().As4()
		n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		n ^= 1 << (32 - bits) // flip the last bit of the prefix: the sibling block
		sib := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), bits)
		out = append(out, sib.String())
	}
	return out, nil
}
