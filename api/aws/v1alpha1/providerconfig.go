package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// The methods below make ProviderConfig and ClusterProviderConfig crossplane
// resource.ProviderConfigs: conditions and the count of users the usage controller keeps.

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

var (
	_ resource.ProviderConfig = &ProviderConfig{}
	_ resource.ProviderConfig = &ClusterProviderConfig{}
)
