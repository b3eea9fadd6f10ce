package landingzone

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpmeta "github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=buckets;roles,verbs=get;list;watch;create;update;patch;delete

// WorkloadComposer composes a workload's AWS resources inside its zone's account: its own KMS
// key, one S3 bucket per spec.storage entry carrying its classification's controls, and an IAM
// role the workload's ServiceAccount assumes through IRSA.
type WorkloadComposer struct {
	// ServiceAccountIssuer is the cluster's OIDC issuer (host and path, no scheme), which IAM
	// trusts for IRSA. Without it no role is composed and the workload says so.
	ServiceAccountIssuer string
}

// shortName joins parts with dashes and, past max characters, cuts it and appends a hash of the
// whole, so distinct inputs stay distinct within AWS's length limits.
func shortName(max int, parts ...string) string {
	name := strings.ToLower(strings.Join(parts, "-"))
	if len(name) <= max {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:max-9], "-.") + "-" + hex.EncodeToString(sum[:])[:8]
}

type workloadParts struct {
	key     *awsv1.Key
	buckets []*awsv1.Bucket
	role    *awsv1.Role
}

func (p workloadParts) managed() []resource.Managed {
	out := []resource.Managed{p.key}
	for _, b := range p.buckets {
		out = append(out, b)
	}
	if p.role != nil {
		out = append(out, p.role)
	}
	return out
}

// desired works out the workload's parts. classes are the workload's resolved classifications.
func (c *WorkloadComposer) desired(wl *lzv1.Workload, zone *lzv1.LandingZone, classes []lzv1.DataClassification) workloadParts {
	ref := &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: memberConfigName(zone.Name)}
	meta := func(name string) metav1.ObjectMeta {
		m := metav1.ObjectMeta{
			Name: name, Namespace: wl.Namespace,
			Labels: map[string]string{workloadLabel: wl.Name, labelZone: zone.Name},
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: lzv1.GroupVersion.String(), Kind: "Workload", Name: wl.Name, UID: wl.UID, Controller: ptr.To(true),
			}},
		}
		// spec.paused stops every cloud call for the zone, and a workload's parts live in the
		// zone's account: they are paused with the zone's own, as objectMeta pauses those. The
		// annotation is applied, so unpausing the zone takes it off again.
		if zone.Spec.Paused {
			m.Annotations = map[string]string{xpmeta.AnnotationKeyReconciliationPaused: "true"}
		}
		return m
	}
	spec := func(rs *awsv1.ResourceSpec) {
		rs.ProviderConfigReference = ref
		rs.DeletionPolicy = xpv2.DeletionOrphan // a workload's data is never deleted with its object
	}
	tags := map[string]string{"zonekeeper.dev/zone": zone.Name, "zonekeeper.dev/workload": wl.Namespace + "/" + wl.Name}
	byName := map[string]lzv1.DataClassification{}
	rotation := zone.Spec.Encryption.RotationDays
	for _, dc := range classes {
		byName[dc.Name] = dc
		if r := dc.Spec.Encryption.RotationDays; r > 0 && (rotation == 0 || r < rotation) {
			rotation = r
		}
	}

	var p workloadParts
	p.key = &awsv1.Key{TypeMeta: metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "Key"}, ObjectMeta: meta(wl.Name)}
	p.key.Spec.ForProvider = awsv1.KeyParameters{
		Region:             zone.Spec.Cloud.Region,
		Zone:               shortName(63, zone.Name, wl.Namespace, wl.Name),
		Description:        fmt.Sprintf("ZoneKeeper workload %s/%s in zone %s", wl.Namespace, wl.Name, zone.Name),
		RotationPeriodDays: rotation,
		Tags:               tags,
	}
	spec(&p.key.Spec.ResourceSpec)

	for _, s := range wl.Spec.Storage {
		dc := byName[s.Classification]
		b := &awsv1.Bucket{TypeMeta: metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "Bucket"}, ObjectMeta: meta(shortName(63, wl.Name, s.Name))}
		// The policies find a storage entry's Bucket by this label, not by re-deriving its name.
		b.Labels[labelStorage] = s.Name
		b.Spec.ForProvider = awsv1.BucketParameters{
			Region:     zone.Spec.Cloud.Region,
			BucketName: shortName(63, "zk", zone.Status.AccountID, zone.Name, wl.Namespace, wl.Name, s.Name),
			KMSKeyRef:  &xpv2.Reference{Name: p.key.Name},
			LegalHold:  dc.Spec.Retention.LegalHold,
			Tags:       tags,
		}
		days := s.RetentionDays
		if days == 0 {
			days = dc.Spec.Retention.MinDays
		}
		if days > 0 || dc.Spec.Retention.LegalHold {
			b.Spec.ForProvider.ObjectLock = &awsv1.BucketObjectLock{Enabled: true, Mode: awsv1.ObjectLockCompliance, RetentionDays: days}
		}
		spec(&b.Spec.ResourceSpec)
		p.buckets = append(p.buckets, b)
	}

	if c.ServiceAccountIssuer != "" {
		r := &awsv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "Role"}, ObjectMeta: meta(wl.Name)}
		r.Spec.ForProvider = awsv1.RoleParameters{
			Region:               zone.Spec.Cloud.Region,
			RoleName:             shortName(64, "zk", zone.Name, wl.Namespace, wl.Name),
			ServiceAccountIssuer: c.ServiceAccountIssuer,
			ServiceAccount:       awsv1.ServiceAccountReference{Namespace: wl.Namespace, Name: wl.Spec.ServiceAccountName},
			KMSKeyRefs:           []xpv2.Reference{{Name: p.key.Name}},
			Tags:                 tags,
		}
		for _, b := range p.buckets {
			r.Spec.ForProvider.BucketRefs = append(r.Spec.ForProvider.BucketRefs, xpv2.Reference{Name: b.Name})
		}
		spec(&r.Spec.ResourceSpec)
		p.role = r
	}
	return p
}

// awsWorkloadPlan is what a workload composes, or why it cannot yet.
type awsWorkloadPlan struct {
	parts   workloadParts
	waiting string
}

// planAWS works out an AWS workload's parts once its zone's account and the credentials into it
// exist; until then it says what it waits for.
func (r *WorkloadReconciler) planAWS(ctx context.Context, wl *lzv1.Workload, p *placement) (awsWorkloadPlan, error) {
	zone := p.zone
	if zone.Status.AccountID == "" {
		return awsWorkloadPlan{waiting: fmt.Sprintf("LandingZone %q has no account yet", zone.Name)}, nil
	}
	cfg := &awsv1.ClusterProviderConfig{}
	if err := r.Get(ctx, client.ObjectKey{Name: memberConfigName(zone.Name)}, cfg); err != nil {
		if apierrors.IsNotFound(err) {
			return awsWorkloadPlan{waiting: fmt.Sprintf("LandingZone %q has not composed the credentials for its account yet", zone.Name)}, nil
		}
		return awsWorkloadPlan{}, errors.Wrap(err, "cannot get the zone's ClusterProviderConfig")
	}
	return awsWorkloadPlan{parts: r.AWS.desired(wl, zone, p.classifications)}, nil
}

func (p awsWorkloadPlan) entries() []map[string]any {
	if p.parts.key == nil {
		return nil
	}
	var out []map[string]any
	for _, mr := range p.parts.managed() {
		out = append(out, planEntry(mr))
	}
	return out
}

// applyAWS applies the planned parts and reports what is not Ready yet.
func (r *WorkloadReconciler) applyAWS(ctx context.Context, wl *lzv1.Workload, p awsWorkloadPlan) ([]string, error) {
	if p.parts.key == nil {
		return []string{p.waiting}, nil
	}
	for _, mr := range p.parts.managed() {
		if err := apply(ctx, r.Client, mr); err != nil {
			return nil, err
		}
	}
	var res provisionResult
	for _, mr := range p.parts.managed() {
		res.observe(mr)
	}
	wl.Status.KeyID = p.parts.key.Status.AtProvider.ARN
	wl.Status.Storage = map[string]string{}
	for i, s := range wl.Spec.Storage {
		if arn := p.parts.buckets[i].Status.AtProvider.ARN; arn != "" {
			wl.Status.Storage[s.Name] = arn
		}
	}
	wl.Status.RoleID = ""
	if p.parts.role != nil {
		wl.Status.RoleID = p.parts.role.Status.AtProvider.ARN
	} else {
		res.waiting = append(res.waiting, "no IAM role: the manager has no --service-account-issuer for IRSA")
	}
	return append(res.failing, res.waiting...), nil
}
