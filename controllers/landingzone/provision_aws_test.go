package landingzone

import (
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/fixtures"
)

// TestDesiredAccountJoinsTheGovCloudOrganization: a GovCloud zone that asks for it has its
// Account join the GovCloud organization whose management config reaches into it, in the zone's
// GovCloud OU; one that does not ask stays standalone, as before. A GovCloud account is never
// closed. A commercial zone's Account has no GovCloud organization.
func TestDesiredAccountJoinsTheGovCloudOrganization(t *testing.T) {
	c := &AWSComposer{Namespace: "zonekeeper-system", OrganizationRegion: "us-east-1"}
	cases := map[string]struct {
		zone func(*lzv1.LandingZone)
		want *awsv1.GovCloudOrganization
	}{
		"GovCloudZoneJoinsInItsOU": {
			zone: func(z *lzv1.LandingZone) {
				z.Spec.Account.GovCloudProviderConfigRef = &lzv1.ProviderConfigReference{Name: "dc-mpd-govcloud"}
				z.Spec.Account.GovCloudOrganization = &lzv1.GovCloudMembershipSpec{OrganizationalUnit: "Workloads/Prod"}
				z.Spec.DeletionPolicy = lzv1.DeletionDelete
			},
			want: &awsv1.GovCloudOrganization{
				ProviderConfigRef:  xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "dc-mpd-govcloud"},
				OrganizationalUnit: "Workloads/Prod",
			},
		},
		"GovCloudZoneWithoutOUJoinsAtTheRoot": {
			zone: func(z *lzv1.LandingZone) {
				z.Spec.Account.GovCloudProviderConfigRef = &lzv1.ProviderConfigReference{Name: "dc-mpd-govcloud"}
				z.Spec.Account.GovCloudOrganization = &lzv1.GovCloudMembershipSpec{}
			},
			want: &awsv1.GovCloudOrganization{
				ProviderConfigRef: xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "dc-mpd-govcloud"},
			},
		},
		"GovCloudZoneNotAskingStaysStandalone": {
			zone: func(z *lzv1.LandingZone) {
				z.Spec.Account.GovCloudProviderConfigRef = &lzv1.ProviderConfigReference{Name: "dc-mpd-govcloud"}
			},
		},
		"CommercialZoneJoinsNothing": {
			zone: func(z *lzv1.LandingZone) {
				z.Spec.Cloud = lzv1.CloudSpec{Provider: lzv1.ProviderAWS, Partition: lzv1.PartitionAWS, Region: "us-east-1"}
				z.Spec.Account.GovCloud = false
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			z := fixtures.CompliantZone("evidence", "cji")
			z.Spec.ProviderConfigRef = &lzv1.ProviderConfigReference{Name: "dc-mpd-management"}
			tc.zone(z)
			a := c.desiredAccount(z)
			got := a.Spec.ForProvider.GovCloudOrganization
			switch {
			case tc.want == nil && got != nil:
				t.Errorf("govCloudOrganization %+v, want none", got)
			case tc.want != nil && (got == nil || *got != *tc.want):
				t.Errorf("govCloudOrganization %+v, want %+v", got, tc.want)
			}
			if z.Spec.Account.GovCloud && a.Spec.DeletionPolicy != xpv2.DeletionOrphan {
				t.Errorf("deletionPolicy %s: a GovCloud account is never closed", a.Spec.DeletionPolicy)
			}
		})
	}
}
