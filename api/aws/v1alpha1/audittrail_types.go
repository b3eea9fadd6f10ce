package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ObjectLockMode is the S3 Object Lock retention mode of the log bucket.
// +kubebuilder:validation:Enum=COMPLIANCE;GOVERNANCE
type ObjectLockMode string

// Object Lock modes.
const (
	// ObjectLockCompliance: no one, not even the root user, can shorten retention or delete a
	// locked object version before it expires.
	ObjectLockCompliance ObjectLockMode = "COMPLIANCE"
	// ObjectLockGovernance: principals with s3:BypassGovernanceRetention can.
	ObjectLockGovernance ObjectLockMode = "GOVERNANCE"
)

// AuditTrailParameters are the desired state of a CloudTrail trail and its log bucket.
//
// +kubebuilder:validation:XValidation:rule="self.region == oldSelf.region",message="is immutable: a trail's home region cannot change",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="self.bucketName == oldSelf.bucketName",message="is immutable: audit logs stay in the bucket they were written to",fieldPath=".bucketName"
// +kubebuilder:validation:XValidation:rule="has(self.kmsKeyARN) || has(self.kmsKeyRef)",message="set kmsKeyARN or kmsKeyRef: audit logs are encrypted under the zone key",fieldPath=".kmsKeyARN"
type AuditTrailParameters struct {
	// Region is the trail's home region and the log bucket's region.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +required
	Region string `json:"region"`

	// BucketName of the S3 log bucket, created with Object Lock if it does not exist. S3 bucket
	// names are global, so choose one that includes the account ID.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`
	// +required
	BucketName string `json:"bucketName"`

	// KMSKeyARN of the key the bucket and the trail encrypt with (SSE-KMS).
	// +kubebuilder:validation:Pattern=`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$`
	// +optional
	KMSKeyARN string `json:"kmsKeyARN,omitempty"`

	// KMSKeyRef sets kmsKeyARN from a Key in the same namespace once it is Ready.
	// +optional
	KMSKeyRef *xpv2.Reference `json:"kmsKeyRef,omitempty"`

	// RetentionDays is the Object Lock default retention of every log object.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=36500
	// +kubebuilder:default=365
	// +optional
	RetentionDays int32 `json:"retentionDays,omitempty"`

	// ObjectLockMode is COMPLIANCE (the default: nobody can delete a log before its retention
	// ends) or GOVERNANCE.
	// +kubebuilder:default=COMPLIANCE
	// +optional
	ObjectLockMode ObjectLockMode `json:"objectLockMode,omitempty"`

	// DataEvents also records S3 object-level (data) events for every bucket of the account: who
	// read, wrote or deleted which object. Management events are always recorded. A zone whose
	// classifications set audit.dataEvents composes its trail with it (CJIS 5.4.1.1, AU-12).
	// Turning it off stops nothing: data events recorded by other means are left alone.
	// +optional
	DataEvents bool `json:"dataEvents"` // always written, so that a plan says false rather than nothing

	// Tags of the trail and the bucket. ZoneKeeper adds zonekeeper.dev/managed-by.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// AuditTrailObservation is the observed state of a trail and its bucket.
type AuditTrailObservation struct {
	// TrailARN of the trail.
	TrailARN string `json:"trailARN,omitempty"`
	// BucketARN of the log bucket, for VPC flow logs and other log producers.
	BucketARN string `json:"bucketARN,omitempty"`
	// IsLogging says whether the trail is delivering events.
	IsLogging bool `json:"isLogging,omitempty"`
	// IsMultiRegion says whether the trail records every region.
	IsMultiRegion bool `json:"isMultiRegion,omitempty"`
	// LogFileValidation says whether CloudTrail writes digest files.
	LogFileValidation bool `json:"logFileValidation,omitempty"`
	// KMSKeyARN the trail encrypts with.
	KMSKeyARN string `json:"kmsKeyARN,omitempty"`
	// ObjectLockRetentionDays is the bucket's default retention.
	ObjectLockRetentionDays int32 `json:"objectLockRetentionDays,omitempty"`
}

// AuditTrailSpec is the desired state of an AuditTrail.
type AuditTrailSpec struct {
	ResourceSpec `json:",inline"`

	// ForProvider is the desired state of the trail and its bucket.
	// +required
	ForProvider AuditTrailParameters `json:"forProvider"`
}

// AuditTrailStatus is the observed state of an AuditTrail.
type AuditTrailStatus struct {
	ResourceStatus `json:",inline"`

	// AtProvider is the trail and bucket as AWS reports them.
	// +optional
	AtProvider AuditTrailObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="External-Name",type=string,JSONPath=`.metadata.annotations.crossplane\.io/external-name`
// +kubebuilder:printcolumn:name="Bucket",type=string,JSONPath=`.spec.forProvider.bucketName`,priority=1
// +kubebuilder:printcolumn:name="Logging",type=boolean,JSONPath=`.status.atProvider.isLogging`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// An AuditTrail is a multi-region CloudTrail trail with log file validation, encrypted under the
// zone key, writing to an S3 bucket with SSE-KMS, versioning, Object Lock, every Block Public
// Access setting and a bucket policy refusing requests without TLS.
type AuditTrail struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec AuditTrailSpec `json:"spec"`
	// +optional
	Status AuditTrailStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// AuditTrailList is a list of AuditTrails.
type AuditTrailList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AuditTrail `json:"items"`
}

func init() {
	SchemeBuilder.Register(&AuditTrail{}, &AuditTrailList{})
}
