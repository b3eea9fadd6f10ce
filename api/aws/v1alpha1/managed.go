package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// The methods below make each kind a crossplane resource.ModernManaged. Crossplane providers
// generate them with angryjet; ZoneKeeper has six kinds, so they are written out once here and
// checked by the compile-time assertions at the end.

// GetCondition of this Account.
func (mg *Account) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return mg.Status.GetCondition(ct)
}

// SetConditions of this Account.
func (mg *Account) SetConditions(c ...xpv2.Condition) {
	mg.Status.SetConditions(c...)
}

// GetManagementPolicies of this Account.
func (mg *Account) GetManagementPolicies() xpv2.ManagementPolicies {
	return mg.Spec.ManagementPolicies
}

// SetManagementPolicies of this Account.
func (mg *Account) SetManagementPolicies(r xpv2.ManagementPolicies) {
	mg.Spec.ManagementPolicies = r
}

// GetProviderConfigReference of this Account.
func (mg *Account) GetProviderConfigReference() *xpv2.ProviderConfigReference {
	return mg.Spec.ProviderConfigReference
}

// SetProviderConfigReference of this Account.
func (mg *Account) SetProviderConfigReference(r *xpv2.ProviderConfigReference) {
	mg.Spec.ProviderConfigReference = r
}

// GetWriteConnectionSecretToReference of this Account.
func (mg *Account) GetWriteConnectionSecretToReference() *xpv2.LocalSecretReference {
	return mg.Spec.WriteConnectionSecretToReference
}

// SetWriteConnectionSecretToReference of this Account.
func (mg *Account) SetWriteConnectionSecretToReference(r *xpv2.LocalSecretReference) {
	mg.Spec.WriteConnectionSecretToReference = r
}

// GetDeletionPolicy of this Account: Orphan unless spec.deletionPolicy says Delete.
func (mg *Account) GetDeletionPolicy() xpv2.DeletionPolicy {
	return DeletionPolicyOf(mg.Spec.DeletionPolicy)
}

// SetDeletionPolicy of this Account.
func (mg *Account) SetDeletionPolicy(p xpv2.DeletionPolicy) {
	mg.Spec.DeletionPolicy = p
}

// GetItems of this AccountList.
func (l *AccountList) GetItems() []resource.Managed {
	items := make([]resource.Managed, len(l.Items))
	for i := range l.Items {
		items[i] = &l.Items[i]
	}
	return items
}

// GetCondition of this VPC.
func (mg *VPC) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return mg.Status.GetCondition(ct)
}

// SetConditions of this VPC.
func (mg *VPC) SetConditions(c ...xpv2.Condition) {
	mg.Status.SetConditions(c...)
}

// GetManagementPolicies of this VPC.
func (mg *VPC) GetManagementPolicies() xpv2.ManagementPolicies {
	return mg.Spec.ManagementPolicies
}

// SetManagementPolicies of this VPC.
func (mg *VPC) SetManagementPolicies(r xpv2.ManagementPolicies) {
	mg.Spec.ManagementPolicies = r
}

// GetProviderConfigReference of this VPC.
func (mg *VPC) GetProviderConfigReference() *xpv2.ProviderConfigReference {
	return mg.Spec.ProviderConfigReference
}

// SetProviderConfigReference of this VPC.
func (mg *VPC) SetProviderConfigReference(r *xpv2.ProviderConfigReference) {
	mg.Spec.ProviderConfigReference = r
}

// GetWriteConnectionSecretToReference of this VPC.
func (mg *VPC) GetWriteConnectionSecretToReference() *xpv2.LocalSecretReference {
	return mg.Spec.WriteConnectionSecretToReference
}

// SetWriteConnectionSecretToReference of this VPC.
func (mg *VPC) SetWriteConnectionSecretToReference(r *xpv2.LocalSecretReference) {
	mg.Spec.WriteConnectionSecretToReference = r
}

// GetDeletionPolicy of this VPC: Orphan unless spec.deletionPolicy says Delete.
func (mg *VPC) GetDeletionPolicy() xpv2.DeletionPolicy {
	return DeletionPolicyOf(mg.Spec.DeletionPolicy)
}

// SetDeletionPolicy of this VPC.
func (mg *VPC) SetDeletionPolicy(p xpv2.DeletionPolicy) {
	mg.Spec.DeletionPolicy = p
}

// GetItems of this VPCList.
func (l *VPCList) GetItems() []resource.Managed {
	items := make([]resource.Managed, len(l.Items))
	for i := range l.Items {
		items[i] = &l.Items[i]
	}
	return items
}

// GetCondition of this Key.
func (mg *Key) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return mg.Status.GetCondition(ct)
}

// SetConditions of this Key.
func (mg *Key) SetConditions(c ...xpv2.Condition) {
	mg.Status.SetConditions(c...)
}

// GetManagementPolicies of this Key.
func (mg *Key) GetManagementPolicies() xpv2.ManagementPolicies {
	return mg.Spec.ManagementPolicies
}

// SetManagementPolicies of this Key.
func (mg *Key) SetManagementPolicies(r xpv2.ManagementPolicies) {
	mg.Spec.ManagementPolicies = r
}

// GetProviderConfigReference of this Key.
func (mg *Key) GetProviderConfigReference() *xpv2.ProviderConfigReference {
	return mg.Spec.ProviderConfigReference
}

// SetProviderConfigReference of this Key.
func (mg *Key) SetProviderConfigReference(r *xpv2.ProviderConfigReference) {
	mg.Spec.ProviderConfigReference = r
}

// GetWriteConnectionSecretToReference of this Key.
func (mg *Key) GetWriteConnectionSecretToReference() *xpv2.LocalSecretReference {
	return mg.Spec.WriteConnectionSecretToReference
}

// SetWriteConnectionSecretToReference of this Key.
func (mg *Key) SetWriteConnectionSecretToReference(r *xpv2.LocalSecretReference) {
	mg.Spec.WriteConnectionSecretToReference = r
}

// GetDeletionPolicy of this Key: Orphan unless spec.deletionPolicy says Delete.
func (mg *Key) GetDeletionPolicy() xpv2.DeletionPolicy {
	return DeletionPolicyOf(mg.Spec.DeletionPolicy)
}

// SetDeletionPolicy of this Key.
func (mg *Key) SetDeletionPolicy(p xpv2.DeletionPolicy) {
	mg.Spec.DeletionPolicy = p
}

// GetItems of this KeyList.
func (l *KeyList) GetItems() []resource.Managed {
	items := make([]resource.Managed, len(l.Items))
	for i := range l.Items {
		items[i] = &l.Items[i]
	}
	return items
}

// GetCondition of this AuditTrail.
func (mg *AuditTrail) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return mg.Status.GetCondition(ct)
}

// SetConditions of this AuditTrail.
func (mg *AuditTrail) SetConditions(c ...xpv2.Condition) {
	mg.Status.SetConditions(c...)
}

// GetManagementPolicies of this AuditTrail.
func (mg *AuditTrail) GetManagementPolicies() xpv2.ManagementPolicies {
	return mg.Spec.ManagementPolicies
}

// SetManagementPolicies of this AuditTrail.
func (mg *AuditTrail) SetManagementPolicies(r xpv2.ManagementPolicies) {
	mg.Spec.ManagementPolicies = r
}

// GetProviderConfigReference of this AuditTrail.
func (mg *AuditTrail) GetProviderConfigReference() *xpv2.ProviderConfigReference {
	return mg.Spec.ProviderConfigReference
}

// SetProviderConfigReference of this AuditTrail.
func (mg *AuditTrail) SetProviderConfigReference(r *xpv2.ProviderConfigReference) {
	mg.Spec.ProviderConfigReference = r
}

// GetWriteConnectionSecretToReference of this AuditTrail.
func (mg *AuditTrail) GetWriteConnectionSecretToReference() *xpv2.LocalSecretReference {
	return mg.Spec.WriteConnectionSecretToReference
}

// SetWriteConnectionSecretToReference of this AuditTrail.
func (mg *AuditTrail) SetWriteConnectionSecretToReference(r *xpv2.LocalSecretReference) {
	mg.Spec.WriteConnectionSecretToReference = r
}

// GetDeletionPolicy of this AuditTrail: Orphan unless spec.deletionPolicy says Delete.
func (mg *AuditTrail) GetDeletionPolicy() xpv2.DeletionPolicy {
	return DeletionPolicyOf(mg.Spec.DeletionPolicy)
}

// SetDeletionPolicy of this AuditTrail.
func (mg *AuditTrail) SetDeletionPolicy(p xpv2.DeletionPolicy) {
	mg.Spec.DeletionPolicy = p
}

// GetItems of this AuditTrailList.
func (l *AuditTrailList) GetItems() []resource.Managed {
	items := make([]resource.Managed, len(l.Items))
	for i := range l.Items {
		items[i] = &l.Items[i]
	}
	return items
}

// GetCondition of this Bucket.
func (mg *Bucket) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return mg.Status.GetCondition(ct)
}

// SetConditions of this Bucket.
func (mg *Bucket) SetConditions(c ...xpv2.Condition) {
	mg.Status.SetConditions(c...)
}

// GetManagementPolicies of this Bucket.
func (mg *Bucket) GetManagementPolicies() xpv2.ManagementPolicies {
	return mg.Spec.ManagementPolicies
}

// SetManagementPolicies of this Bucket.
func (mg *Bucket) SetManagementPolicies(r xpv2.ManagementPolicies) {
	mg.Spec.ManagementPolicies = r
}

// GetProviderConfigReference of this Bucket.
func (mg *Bucket) GetProviderConfigReference() *xpv2.ProviderConfigReference {
	return mg.Spec.ProviderConfigReference
}

// SetProviderConfigReference of this Bucket.
func (mg *Bucket) SetProviderConfigReference(r *xpv2.ProviderConfigReference) {
	mg.Spec.ProviderConfigReference = r
}

// GetWriteConnectionSecretToReference of this Bucket.
func (mg *Bucket) GetWriteConnectionSecretToReference() *xpv2.LocalSecretReference {
	return mg.Spec.WriteConnectionSecretToReference
}

// SetWriteConnectionSecretToReference of this Bucket.
func (mg *Bucket) SetWriteConnectionSecretToReference(r *xpv2.LocalSecretReference) {
	mg.Spec.WriteConnectionSecretToReference = r
}

// GetDeletionPolicy of this Bucket: Orphan unless spec.deletionPolicy says Delete.
func (mg *Bucket) GetDeletionPolicy() xpv2.DeletionPolicy {
	return DeletionPolicyOf(mg.Spec.DeletionPolicy)
}

// SetDeletionPolicy of this Bucket.
func (mg *Bucket) SetDeletionPolicy(p xpv2.DeletionPolicy) {
	mg.Spec.DeletionPolicy = p
}

// GetItems of this BucketList.
func (l *BucketList) GetItems() []resource.Managed {
	items := make([]resource.Managed, len(l.Items))
	for i := range l.Items {
		items[i] = &l.Items[i]
	}
	return items
}

// GetCondition of this Role.
func (mg *Role) GetCondition(ct xpv2.ConditionType) xpv2.Condition {
	return mg.Status.GetCondition(ct)
}

// SetConditions of this Role.
func (mg *Role) SetConditions(c ...xpv2.Condition) {
	mg.Status.SetConditions(c...)
}

// GetManagementPolicies of this Role.
func (mg *Role) GetManagementPolicies() xpv2.ManagementPolicies {
	return mg.Spec.ManagementPolicies
}

// SetManagementPolicies of this Role.
func (mg *Role) SetManagementPolicies(r xpv2.ManagementPolicies) {
	mg.Spec.ManagementPolicies = r
}

// GetProviderConfigReference of this Role.
func (mg *Role) GetProviderConfigReference() *xpv2.ProviderConfigReference {
	return mg.Spec.ProviderConfigReference
}

// SetProviderConfigReference of this Role.
func (mg *Role) SetProviderConfigReference(r *xpv2.ProviderConfigReference) {
	mg.Spec.ProviderConfigReference = r
}

// GetWriteConnectionSecretToReference of this Role.
func (mg *Role) GetWriteConnectionSecretToReference() *xpv2.LocalSecretReference {
	return mg.Spec.WriteConnectionSecretToReference
}

// SetWriteConnectionSecretToReference of this Role.
func (mg *Role) SetWriteConnectionSecretToReference(r *xpv2.LocalSecretReference) {
	mg.Spec.WriteConnectionSecretToReference = r
}

// GetDeletionPolicy of this Role: Orphan unless spec.deletionPolicy says Delete.
func (mg *Role) GetDeletionPolicy() xpv2.DeletionPolicy {
	return DeletionPolicyOf(mg.Spec.DeletionPolicy)
}

// SetDeletionPolicy of this Role.
func (mg *Role) SetDeletionPolicy(p xpv2.DeletionPolicy) {
	mg.Spec.DeletionPolicy = p
}

// GetItems of this RoleList.
func (l *RoleList) GetItems() []resource.Managed {
	items := make([]resource.Managed, len(l.Items))
	for i := range l.Items {
		items[i] = &l.Items[i]
	}
	return items
}

var (
	_ resource.ModernManaged = &Account{}
	_ resource.ModernManaged = &VPC{}
	_ resource.ModernManaged = &Key{}
	_ resource.ModernManaged = &AuditTrail{}
	_ resource.ModernManaged = &Bucket{}
	_ resource.ModernManaged = &Role{}
	_ resource.ManagedList   = &AccountList{}
	_ resource.ManagedList   = &VPCList{}
	_ resource.ManagedList   = &KeyList{}
	_ resource.ManagedList   = &AuditTrailList{}
	_ resource.ManagedList   = &BucketList{}
	_ resource.ManagedList   = &RoleList{}
)
