package awsclient

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// layoutCase is a case of a function laying subnets out on a CIDR block.
type layoutCase struct {
	reason  string
	cidr    string
	n       int
	want    []string
	wantErr bool
}

func runLayoutCases(t *testing.T, name string, layout func(string, int) ([]netip.Prefix, error), cases map[string]layoutCase) {
	t.Helper()
	for caseName, tc := range cases {
		t.Run(caseName, func(t *testing.T) {
			got, err := layout(tc.cidr, tc.n)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s\n%s(%q, %d): error %v, want error %t", tc.reason, name, tc.cidr, tc.n, err, tc.wantErr)
			}
			var strs []string
			for _, p := range got {
				strs = append(strs, p.String())
			}
			if diff := cmp.Diff(tc.want, strs); diff != "" {
				t.Errorf("%s\n%s(%q, %d): -want +got:\n%s", tc.reason, name, tc.cidr, tc.n, diff)
			}
		})
	}
}

func TestPrivateSubnets(t *testing.T) {
	cases := map[string]layoutCase{
		"Slash16ThreeZones": {
			reason: "A /16 is split into /19 blocks; three zones take the first three.",
			cidr:   "10.40.0.0/16", n: 3,
			want: []string{"10.40.0.0/19", "10.40.32.0/19", "10.40.64.0/19"},
		},
		"Slash24SixZones": {
			reason: "A /24 gives /27 blocks, still above AWS's /28 minimum, for up to six zones.",
			cidr:   "192.168.7.0/24", n: 6,
			want: []string{"192.168.7.0/27", "192.168.7.32/27", "192.168.7.64/27", "192.168.7.96/27", "192.168.7.128/27", "192.168.7.160/27"},
		},
		"Slash20OneZone": {
			reason: "One zone takes block 0.",
			cidr:   "172.16.16.0/20", n: 1,
			want: []string{"172.16.16.0/23"},
		},
		"NotANetworkAddress": {reason: "Host bits set are refused rather than silently masked.", cidr: "10.40.1.0/16", n: 3, wantErr: true},
		"PrefixTooShort":     {reason: "/15 is larger than the layout supports.", cidr: "10.0.0.0/15", n: 3, wantErr: true},
		"PrefixTooLong":      {reason: "/25 would give subnets below AWS's /28 minimum.", cidr: "10.0.0.0/25", n: 3, wantErr: true},
		"IPv6":               {reason: "The layout is IPv4 only.", cidr: "fd00::/48", n: 3, wantErr: true},
		"Garbage":            {reason: "Not a CIDR.", cidr: "ten.forty", n: 3, wantErr: true},
		"NoZones":            {reason: "At least one zone.", cidr: "10.40.0.0/16", n: 0, wantErr: true},
		"SevenZones":         {reason: "Blocks 6 and 7 are reserved.", cidr: "10.40.0.0/16", n: 7, wantErr: true},
	}
	runLayoutCases(t, "PrivateSubnets", PrivateSubnets, cases)
}

func TestSecondarySubnets(t *testing.T) {
	cases := map[string]layoutCase{
		"Slash16GrowsASlash17": {
			reason: "A zone grown from /17 to /16 associates the other /17: it takes the same layout.",
			cidr:   "10.40.128.0/17", n: 3,
			want: []string{"10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"},
		},
		"Slash24":  {reason: "The smallest block that holds the layout.", cidr: "100.64.7.0/24", n: 2, want: []string{"100.64.7.0/27", "100.64.7.32/27"}},
		"Slash26":  {reason: "Too small for the layout: associated, no subnets, no error.", cidr: "100.64.7.0/26", n: 2},
		"Slash28":  {reason: "AWS's smallest block: no subnets.", cidr: "100.64.7.16/28", n: 6},
		"Slash15":  {reason: "Larger than AWS associates.", cidr: "10.0.0.0/15", n: 3, wantErr: true},
		"HostBits": {reason: "Not a network address.", cidr: "10.41.0.1/16", n: 3, wantErr: true},
		"IPv6":     {reason: "IPv4 only.", cidr: "fd00::/56", n: 3, wantErr: true},
		"Garbage":  {reason: "Not a CIDR.", cidr: "wide", n: 3, wantErr: true},
		"NoZones":  {reason: "At least one zone.", cidr: "10.41.0.0/16", n: 0, wantErr: true},
	}
	runLayoutCases(t, "SecondarySubnets", SecondarySubnets, cases)
}

func TestPublicSubnetIsTheLastBlock(t *testing.T) {
	for cidr, want := range map[string]string{
		"10.40.0.0/16":   "10.40.224.0/19",
		"10.40.0.0/20":   "10.40.14.0/23",
		"192.168.7.0/24": "192.168.7.224/27",
	} {
		got, err := PublicSubnet(cidr)
		if err != nil || got.String() != want {
			t.Errorf("PublicSubnet(%q) = %v, %v; want %s", cidr, got, err, want)
		}
		private, _ := PrivateSubnets(cidr, MaxPrivateSubnet)
		for _, p := range private {
			if p.Overlaps(got) {
				t.Errorf("public subnet %s of %s overlaps private subnet %s", got, cidr, p)
			}
		}
	}
	if _, err := PublicSubnet("10.40.0.0/25"); err == nil {
		t.Error("a /25 VPC is accepted")
	}
}

// TestPrivateSubnetsLayoutHolds checks every prefix length and zone count the API admits: subnets
// lie inside the VPC, never overlap, and adding a zone never moves an existing subnet.
func TestPrivateSubnetsLayoutHolds(t *testing.T) {
	for bits := MinVPCPrefix; bits <= MaxVPCPrefix; bits++ {
		vpc := netip.PrefixFrom(netip.MustParseAddr("10.128.0.0"), bits).Masked()
		all, err := PrivateSubnets(vpc.String(), MaxPrivateSubnet)
		if err != nil {
			t.Fatalf("PrivateSubnets(%s, %d): %v", vpc, MaxPrivateSubnet, err)
		}
		for n := 1; n <= MaxPrivateSubnet; n++ {
			got, err := PrivateSubnets(vpc.String(), n)
			if err != nil {
				t.Fatalf("PrivateSubnets(%s, %d): %v", vpc, n, err)
			}
			if diff := cmp.Diff(all[:n], got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("PrivateSubnets(%s, %d) is not a prefix of the %d-zone layout: -want +got:\n%s", vpc, n, MaxPrivateSubnet, diff)
			}
		}
		for i, a := range all {
			if a.Bits() > 28 {
				t.Errorf("%s: subnet %s is smaller than AWS's /28 minimum", vpc, a)
			}
			if !vpc.Contains(a.Addr()) || !vpc.Contains(lastAddr(a)) {
				t.Errorf("%s: subnet %s is not inside the VPC", vpc, a)
			}
			for _, b := range all[i+1:] {
				if a.Overlaps(b) {
					t.Errorf("%s: subnets %s and %s overlap", vpc, a, b)
				}
			}
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= (uint32(1) << (32 - p.Bits())) - 1
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
