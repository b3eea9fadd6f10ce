package v1alpha1

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BucketObjectLock is the Object Lock configuration of a bucket.
//
// +kubebuilder:validation:XValidation:rule="!has(self.retentionDays) || self.enabled",message="retentionDays needs Object Lock enabled",fieldPath=".retentionDays"
type BucketObjectLock struct {
	// Enabled creates the bucket with Object Lock. S3 can only turn Object Lock on, never off, so
	// this is settable at creation only.
	// +kubebuilder:default=false
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Mode of the default retention: COMPLIANCE (the default: nobody can delete a locked object
	// version before its retention ends) or GOVERNANCE.
	// +kubebuilder:default=COMPLIANCE
	// +optional
	Mode ObjectLockMode `json:"mode,omitempty"`

	// RetentionDays is the default retention of every new object version. Unset: no default
	// retention (objects are locked only when a writer asks, or by a legal hold).
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=36500
	// +optional
	RetentionDays int32 `json:"retentionDays,omitempty"`
}

// BucketParameters are the desired state of an S3 bucket.
//
// +kubebuilder:validation:XValidation:rule="self.region == oldSelf.region",message="is immutable: a bucket lives in one region",fieldPath=".region"
// +kubebuilder:validation:XValidation:rule="self.bucketName == oldSelf.bucketName",message="is immutable: the name is the bucket",fieldPath=".bucketName"
// +kubebuilder:validation:XValidation:rule="has(self.kmsKeyARN) || has(self.kmsKeyRef)",message="set kmsKeyARN or kmsKeyRef: data is encrypted under a zone key",fieldPath=".kmsKeyARN"
// +kubebuilder:validation:XValidation:rule="!(has(self.legalHold) && self.legalHold) || (has(self.objectLock) && self.objectLock.enabled)",message="legalHold needs objectLock.enabled: legal holds are an Object Lock feature",fieldPath=".legalHold"
// +kubebuilder:validation:XValidation:rule="(has(self.objectLock) && self.objectLock.enabled) == (has(oldSelf.objectLock) && oldSelf.objectLock.enabled)",message="is immutable: Object Lock is chosen when the bucket is created",fieldPath=".objectLock"
type BucketParameters struct {
	// Region of the bucket.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +required
	Region string `json:"region"`

	// BucketName of the S3 bucket. S3 bucket names are global, so choose one that includes the
	// account ID. An existing bucket of the account with this name is adopted and configured.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`
	// +required
	BucketName string `json:"bucketName"`

	// KMSKeyARN of the key the bucket encrypts with by default (SSE-KMS, S3 Bucket Key on).
	// +kubebuilder:validation:Pattern=`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$`
	// +optional
	KMSKeyARN string `json:"kmsKeyARN,omitempty"`

	// KMSKeyRef sets kmsKeyARN from a Key in the same namespace once it is Ready.
	// +optional
	KMSKeyRef *xpv2.Reference `json:"kmsKeyRef,omitempty"`

	// ObjectLock of the bucket: whether it is created with Object Lock, and its default
	// retention.
	// +optional
	ObjectLock *BucketObjectLock `json:"objectLock,omitempty"`

	// LegalHold says the bucket's data may be placed under legal hold: the bucket is created with
	// Object Lock so that holds (s3:PutObjectLegalHold) can be placed on object versions. It places
	// no hold itself. Requires objectLock.enabled.
	// +optional
	LegalHold bool `json:"legalHold,omitempty"`

	// Tags of the bucket. ZoneKeeper adds zonekeeper.dev/managed-by.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// BucketObservation is the observed state of a bucket.
type BucketObservation struct {
	// ARN of the bucket (bare, no key prefix).
	ARN string `json:"arn,omitempty"`
	// BucketName of the bucket.
	BucketName string `json:"bucketName,omitempty"`
	// Versioning as S3 reports it: Enabled, Suspended, or empty when never enabled.
	Versioning string `json:"versioning,omitempty"`
	// SSEAlgorithm of the default encryption: aws:kms, AES256, or empty.
	SSEAlgorithm string `json:"sseAlgorithm,omitempty"`
	// KMSKeyARN of the default encryption.
	KMSKeyARN string `json:"kmsKeyARN,omitempty"`
	// BucketKeyEnabled says whether S3 Bucket Keys are on.
	BucketKeyEnabled bool `json:"bucketKeyEnabled,omitempty"`
	// ObjectLockEnabled says whether the bucket has Object Lock.
	ObjectLockEnabled bool `json:"objectLockEnabled,omitempty"`
	// ObjectLockMode of the default retention.
	ObjectLockMode string `json:"objectLockMode,omitempty"`
	// ObjectLockRetentionDays of the default retention.
	ObjectLockRetentionDays int32 `json:"objectLockRetentionDays,omitempty"`
	// PublicAccessBlocked says whether all four Block Public Access settings are on.
	PublicAccessBlocked bool `json:"publicAccessBlocked,omitempty"`
}

// BucketSpec is the desired state of a Bucket.
type BucketSpec struct {
	ResourceSpec `json:",inline"`

	// ForProvider is the desired state of the bucket.
	// +required
	ForProvider BucketParameters `json:"forProvider"`
}

// BucketStatus is the observed state of a Bucket.
type BucketStatus struct {
	ResourceStatus `json:",inline"`

	// AtProvider is the bucket as AWS reports it.
	// +optional
	AtProvider BucketObservation `json:"atProvider,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,zonekeeper-aws}
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="External-Name",type=string,JSONPath=`.metadata.annotations.crossplane\.io/external-name`
// +kubebuilder:printcolumn:name="Object-Lock",type=boolean,JSONPath=`.status.atProvider.objectLockEnabled`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`

// A Bucket is an S3 bucket for a workload's data: SSE-KMS default encryption under a zone key with
// S3 Bucket Key, versioning, optional Object Lock with default retention, every Block Public Access
// setting, ACLs off, and a bucket policy refusing requests without TLS.
type Bucket struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec BucketSpec `json:"spec"`
	// +optional
	Status BucketStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// BucketList is a list of Buckets.
type BucketList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Bucket `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Bucket{}, &BucketList{})
}
