package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ResourceSpec is what every ZoneKeeper AWS managed resource's spec carries besides forProvider:
// crossplane's namespaced managed resource spec (providerConfigRef, managementPolicies,
// writeConnectionSecretToRef) and ZoneKeeper's deletionPolicy.
//
// +kubebuilder:validation:XValidation:rule="!has(self.writeConnectionSecretToRef)",message="ZoneKeeper's AWS resources have no connection details to publish; remove writeConnectionSecretToRef",fieldPath=".writeConnectionSecretToRef"
type ResourceSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// DeletionPolicy says what happens in AWS when this object is deleted. Orphan (the default)
	// leaves the cloud object exactly as it is. Delete removes it (closes the account, schedules the
	// key for deletion, deletes the trail or the network), and only when spec.managementPolicies
	// also allow Delete, as the default "*" does. Crossplane v2 dropped deletionPolicy from
	// namespaced managed resources in favour of managementPolicies alone; ZoneKeeper keeps it so that
	// the default can never delete a landing zone's accounts, keys or audit logs.
	// +kubebuilder:validation:Enum=Orphan;Delete
	// +kubebuilder:default=Orphan
	// +optional
	DeletionPolicy xpv2.DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// ResourceStatus is what every ZoneKeeper AWS managed resource's status carries besides
// atProvider: the Ready and Synced conditions and the observed generation.
type ResourceStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
}

// Condition reasons ZoneKeeper sets on the Ready condition in addition to crossplane's Available,
// Unavailable, Creating and Deleting. Each is documented in docs/aws.md.
const (
	// ReasonCreateFailed: AWS reported that creating the object failed (for an Account, the
	// DescribeCreateAccountStatus FailureReason). ZoneKeeper does not retry on its own: fix the
	// cause, then delete the object or remove its crossplane.io/external-name annotation.
	ReasonCreateFailed xpv2.ConditionReason = "CreateFailed"

	// ReasonInvitationEnded: the GovCloud account's invitation to its GovCloud organization was
	// declined, canceled or expired. ZoneKeeper does not invite again on its own: set the
	// aws.zonekeeper.dev/govcloud-reinvite-after annotation to the handshake ID to do so.
	ReasonInvitationEnded xpv2.ConditionReason = "InvitationEnded"
)

// ManagementPolicy shorthands used by ZoneKeeper and its tests.
var (
	// ObserveOnly adopts an existing cloud object: ZoneKeeper reports it and its drift, and never
	// changes or deletes it.
	ObserveOnly = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
)

// DeletionPolicyOf returns the effective deletion policy of a managed resource: Orphan unless the
// object says Delete, so an object written before the field existed is never deleted.
func DeletionPolicyOf(p xpv2.DeletionPolicy) xpv2.DeletionPolicy {
	if p == xpv2.DeletionDelete {
		return xpv2.DeletionDelete
	}
	return xpv2.DeletionOrphan
}
