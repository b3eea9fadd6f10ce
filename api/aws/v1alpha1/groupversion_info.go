// Package v1alpha1 holds ZoneKeeper's AWS managed resources: Account, VPC, Key, AuditTrail, Bucket and
// Role, and the ProviderConfig and ClusterProviderConfig they take credentials from, in the
// aws.zonekeeper.dev group.
//
// The managed resources follow crossplane-runtime v2 conventions (resource.ModernManaged): they are
// namespaced, carry spec.forProvider and status.atProvider, the Ready and Synced conditions, the
// crossplane.io/external-name annotation and spec.managementPolicies. ZoneKeeper adds
// spec.deletionPolicy, Orphan by default, because a landing zone's accounts, keys and audit logs must
// never disappear because a Kubernetes object did.
//
// +kubebuilder:object:generate=true
// +groupName=aws.zonekeeper.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/zonekeeper/zonekeeper/api/internal/register"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "aws.zonekeeper.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a runtime.Scheme.
	SchemeBuilder = &register.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// Kinds of this package, for crossplane's resource.ManagedKind and references.
var (
	AccountGroupVersionKind               = GroupVersion.WithKind("Account")
	VPCGroupVersionKind                   = GroupVersion.WithKind("VPC")
	KeyGroupVersionKind                   = GroupVersion.WithKind("Key")
	AuditTrailGroupVersionKind            = GroupVersion.WithKind("AuditTrail")
	BucketGroupVersionKind                = GroupVersion.WithKind("Bucket")
	RoleGroupVersionKind                  = GroupVersion.WithKind("Role")
	ProviderConfigGroupVersionKind        = GroupVersion.WithKind("ProviderConfig")
	ClusterProviderConfigGroupVersionKind = GroupVersion.WithKind("ClusterProviderConfig")
	ProviderConfigUsageGroupVersionKind   = GroupVersion.WithKind("ProviderConfigUsage")
)
