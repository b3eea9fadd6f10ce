package v1alpha1

// Condition types. Every kind carries Ready and Synced; LandingZone and Workload also carry
// Compliant. They follow Crossplane's meaning so Crossplane users read them without teaching:
// Synced says whether the last reconcile could do its work, Ready whether the thing is usable.
const (
	// ConditionReady is the summary: the object is provisioned and usable.
	ConditionReady = "Ready"
	// ConditionSynced says whether the last reconcile resolved everything it needed and succeeded.
	ConditionSynced = "Synced"
	// ConditionCompliant says whether the object passes the compliance baselines that apply to it.
	ConditionCompliant = "Compliant"
)

// Condition reasons. Each is documented in docs/api.md; messages say what to do about them.
const (
	// ReasonReconcileSuccess: the last reconcile resolved every reference.
	ReasonReconcileSuccess = "ReconcileSuccess"
	// ReasonReconcileError: the last reconcile failed for a reason outside the user's spec (an API
	// error); it is retried with backoff.
	ReasonReconcileError = "ReconcileError"
	// ReasonAccepted: a DataClassification is a declaration with nothing to provision; it is Ready
	// once the controller has accepted it and reported its users.
	ReasonAccepted = "Accepted"
	// ReasonPending: references resolved, but the cloud side has not been provisioned. Provisioning is
	// done by the provider reconcilers; until they report the parts Ready, nothing claims Ready=True.
	ReasonPending = "Pending"
	// ReasonClassificationNotFound: a DataClassification named by the object does not exist.
	ReasonClassificationNotFound = "ClassificationNotFound"
	// ReasonClassificationExceedsZone: a workload's data level is above its zone's maxClassification.
	ReasonClassificationExceedsZone = "ClassificationExceedsZone"
	// ReasonNamespaceNotAllowed: the zone's allowedNamespaces does not admit the workload's namespace.
	ReasonNamespaceNotAllowed = "NamespaceNotAllowed"
	// ReasonLandingZoneNotFound: the LandingZone named by spec.landingZoneRef does not exist.
	ReasonLandingZoneNotFound = "LandingZoneNotFound"
	// ReasonNotEvaluated: compliance has not been evaluated for this generation.
	ReasonNotEvaluated = "NotEvaluated"
)

// TenantLabel is the namespace label a zone admits by default when spec.allowedNamespaces is unset:
// a namespace may use a zone only when it carries this label with the zone's spec.tenant as value.
const TenantLabel = "landingzone.zonekeeper.dev/tenant"
