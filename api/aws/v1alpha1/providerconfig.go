package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// The methods below make ProviderConfig and ClusterProviderConfig crossplane
// resource.ProviderConfigs and ProviderConfigUsage a resource.TypedProviderConfigUsage, so that
// crossplane's usage tracker writes usages as every crossplane provider does.

// GetCondition of this ProviderConfig.
func (pc *ProviderConfig) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return pc.Status.GetCondition(ct)
}

// SetConditions of this ProviderConfig.
func (pc *ProviderConfig) SetConditions(c ...xpv2.Condition) {
	pc.Status.SetConditions(c...)
}

// GetUsers of this ProviderConfig.
func (pc *ProviderConfig) GetUsers() int64 {
	return pc.Status.Users
}

// SetUsers of this ProviderConfig.
func (pc *ProviderConfig) SetUsers(i int64) {
	pc.Status.Users = i
}

// GetCondition of this ClusterProviderConfig.
func (pc *ClusterProviderConfig) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return pc.Status.GetCondition(ct)
}

// SetConditions of this ClusterProviderConfig.
func (pc *ClusterProviderConfig) SetConditions(c ...xpv2.Condition) {
	pc.Status.SetConditions(c...)
}

// GetUsers of this ClusterProviderConfig.
func (pc *ClusterProviderConfig) GetUsers() int64 {
	return pc.Status.Users
}

// SetUsers of this ClusterProviderConfig.
func (pc *ClusterProviderConfig) SetUsers(i int64) {
	pc.Status.Users = i
}

// GetProviderConfigReference of this ProviderConfigUsage.
func (pcu *ProviderConfigUsage) GetProviderConfigReference() xpv2.ProviderConfigReference {
	return pcu.ProviderConfigReference
}

// SetProviderConfigReference of this ProviderConfigUsage.
func (pcu *ProviderConfigUsage) SetProviderConfigReference(r xpv2.ProviderConfigReference) {
	pcu.ProviderConfigReference = r
}

// GetResourceReference of this ProviderConfigUsage.
func (pcu *ProviderConfigUsage) GetResourceReference() xpv2.TypedReference {
	return pcu.ResourceReference
}

// SetResourceReference of this ProviderConfigUsage.
func (pcu *ProviderConfigUsage) SetResourceReference(r xpv2.TypedReference) {
	pcu.ResourceReference = r
}

// GetItems of this ProviderConfigUsageList.
func (l *ProviderConfigUsageList) GetItems() []resource.ProviderConfigUsage {
	items := make([]resource.ProviderConfigUsage, len(l.Items))
	for i := range l.Items {
		items[i] = &l.Items[i]
	}
	return items
}

var (
	_ resource.ProviderConfig           = &ProviderConfig{}
	_ resource.ProviderConfig           = &ClusterProviderConfig{}
	_ resource.TypedProviderConfigUsage = &ProviderConfigUsage{}
	_ resource.ProviderConfigUsageList  = &ProviderConfigUsageList{}
)
