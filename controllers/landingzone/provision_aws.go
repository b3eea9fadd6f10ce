package landingzone

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
)

// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=accounts;vpcs;keys;audittrails,verbs=get;list;watch;create;update;patch;delete;deletecollection
// +kubebuilder:rbac:groups=aws.zonekeeper.dev,resources=clusterproviderconfigs,verbs=get;list;watch;create;update;patch;delete

// fieldOwner is the server-side apply field manager of everything the zone reconciler composes.
const fieldOwner = client.FieldOwner("zonekeeper-landingzone")

// labelZone marks every object composed for a zone, so they can be found without owner lookups.
const labelZone = "landingzone.zonekeeper.dev/zone"

// labelStorage marks a Workload's Bucket with the name of the spec.storage entry it holds.
const labelStorage = "landingzone.zonekeeper.dev/storage"

// AWSComposer composes a LandingZone's AWS managed resources: the Account in the organization,
// then, once the account exists, a ClusterProviderConfig reaching into it, the zone Key, the
// AuditTrail (log bucket + CloudTrail) encrypted with it, and the VPC whose flow logs go to the
// trail's bucket. It never calls AWS itself: the managed resource reconcilers do, and observation
// of their status decides the zone's.
type AWSComposer struct {
	// Namespace is where a zone's managed resources live; "{tenant}" is replaced by the zone's
	// tenant, so each tenant's resources can live in a namespace of their own.
	Namespace string
	// OrganizationRegion is the region of the Organizations endpoint accounts are created through
	// (a commercial region, also for GovCloud accounts).
	OrganizationRegion string
}

// namespaceFor is where zone's managed resources live.
func (c *AWSComposer) namespaceFor(zone *lzv1.LandingZone) string {
	return strings.ReplaceAll(c.Namespace, "{tenant}", zone.Spec.Tenant)
}

// awsParts are the composed objects of one zone, desired or observed.
type awsParts struct {
	config *awsv1.ClusterProviderConfig
	key    *awsv1.Key
	trail  *awsv1.AuditTrail
	vpc    *awsv1.VPC
}

// memberConfigName is the ClusterProviderConfig reaching into a zone's account.
func memberConfigName(zone string) string { return "zone-" + zone }

// auditBucketName is the zone's log bucket: S3 names are global, so it carries the account ID,
// and it is cut to S3's 63 characters with a hash keeping it unique.
func auditBucketName(accountID, zone string) string {
	name := fmt.Sprintf("zonekeeper-audit-%s-%s", accountID, zone)
	if len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return strings.TrimRight(name[:54], "-.") + "-" + hex.EncodeToString(sum[:])[:8]
}

// desiredAccount is the zone's Account; it needs nothing but the zone.
func (c *AWSComposer) desiredAccount(zone *lzv1.LandingZone) *awsv1.Account {
	a := &awsv1.Account{
		TypeMeta:   metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "Account"},
		ObjectMeta: c.objectMeta(zone, zone.Name),
	}
	a.Spec.ForProvider = awsv1.AccountParameters{
		Region:             c.OrganizationRegion,
		Name:               zone.Spec.Account.Name,
		Email:              zone.Spec.Account.Email,
		OrganizationalUnit: zone.Spec.Account.OrganizationalUnit,
		GovCloud:           zone.Spec.Account.GovCloud,
		Tags:               zoneTags(zone),
	}
	c.resourceSpec(zone, &a.Spec.ResourceSpec, managementConfig(zone))
	if zone.Spec.Account.GovCloud {
		// ZoneKeeper cannot close a GovCloud account (see docs/aws.md): whatever the zone's
		// deletionPolicy, the account is orphaned.
		a.Spec.DeletionPolicy = xpv2.DeletionOrphan
		if ref, join := zone.Spec.Account.GovCloudProviderConfigRef, zone.Spec.Account.GovCloudOrganization; ref != nil && join != nil {
			// The GovCloud account joins the organization whose management account reaches into it.
			a.Spec.ForProvider.GovCloudOrganization = &awsv1.GovCloudOrganization{
				ProviderConfigRef:  xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: ref.Name},
				OrganizationalUnit: join.OrganizationalUnit,
			}
		}
	}
	return a
}

// desiredMember returns the parts that live in the zone's account; accountID is the account
// the Account reports (the GovCloud one for a GovCloud zone).
func (c *AWSComposer) desiredMember(zone *lzv1.LandingZone, mgmt *awsv1.ClusterProviderConfig, accountID string, dataEvents bool) awsParts {
	region := zone.Spec.Cloud.Region
	member := memberConfigName(zone.Name)

	cfg := &awsv1.ClusterProviderConfig{
		TypeMeta:   metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "ClusterProviderConfig"},
		ObjectMeta: metav1.ObjectMeta{Name: member, Labels: map[string]string{labelZone: zone.Name}, OwnerReferences: []metav1.OwnerReference{ownerRef(zone)}},
		Spec:       *mgmt.Spec.DeepCopy(),
	}
	cfg.Spec.AssumeRoleChain = append(cfg.Spec.AssumeRoleChain, awsv1.AssumeRole{
		AccountID: accountID, RoleName: awsv1.DefaultMemberRoleName, RoleSessionName: "zonekeeper-" + zone.Name,
	})
	ref := &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: member}

	key := &awsv1.Key{TypeMeta: metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "Key"}, ObjectMeta: c.objectMeta(zone, zone.Name)}
	key.Spec.ForProvider = awsv1.KeyParameters{
		Region:             region,
		Zone:               zone.Name,
		Description:        fmt.Sprintf("ZoneKeeper landing zone %s (tenant %s)", zone.Name, zone.Spec.Tenant),
		RotationPeriodDays: zone.Spec.Encryption.RotationDays,
		Tags:               zoneTags(zone),
	}
	c.resourceSpec(zone, &key.Spec.ResourceSpec, ref)

	trail := &awsv1.AuditTrail{TypeMeta: metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "AuditTrail"}, ObjectMeta: c.objectMeta(zone, zone.Name)}
	trail.Spec.ForProvider = awsv1.AuditTrailParameters{
		Region:        region,
		BucketName:    auditBucketName(accountID, zone.Name),
		KMSKeyRef:     &xpv2.Reference{Name: key.Name},
		RetentionDays: zone.Spec.Audit.RetentionDays,
		DataEvents:    dataEvents,
		Tags:          zoneTags(zone),
	}
	c.resourceSpec(zone, &trail.Spec.ResourceSpec, ref)

	vpc := &awsv1.VPC{TypeMeta: metav1.TypeMeta{APIVersion: awsv1.GroupVersion.String(), Kind: "VPC"}, ObjectMeta: c.objectMeta(zone, zone.Name)}
	vpc.Spec.ForProvider = awsv1.VPCParameters{
		Region:            region,
		CIDRBlock:         zone.Spec.Network.CIDR,
		AvailabilityZones: zone.Spec.Network.AvailabilityZones,
		Egress:            awsv1.Egress(zone.Spec.Network.Egress),
		TransitGatewayID:  zone.Spec.Network.TransitGatewayID,
		FlowLogs: awsv1.FlowLogs{
			Enabled:   ptr.To(ptr.Deref(zone.Spec.Network.FlowLogs, true)),
			BucketRef: &xpv2.Reference{Name: trail.Name},
		},
		Tags: zoneTags(zone),
	}
	c.resourceSpec(zone, &vpc.Spec.ResourceSpec, ref)
	return awsParts{config: cfg, key: key, trail: trail, vpc: vpc}
}

func managementConfig(zone *lzv1.LandingZone) *xpv2.ProviderConfigReference {
	return &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: zone.Spec.ProviderConfigRef.Name}
}

func (c *AWSComposer) objectMeta(zone *lzv1.LandingZone, name string) metav1.ObjectMeta {
	m := metav1.ObjectMeta{
		Name:            name,
		Namespace:       c.namespaceFor(zone),
		Labels:          map[string]string{labelZone: zone.Name},
		OwnerReferences: []metav1.OwnerReference{ownerRef(zone)},
	}
	if zone.Spec.Paused {
		m.Annotations = map[string]string{meta.AnnotationKeyReconciliationPaused: "true"}
	}
	return m
}

// resourceSpec carries the zone's deletion policy to each part: Orphan (the default) leaves
// the cloud object in place when the part is deleted with the zone.
func (c *AWSComposer) resourceSpec(zone *lzv1.LandingZone, rs *awsv1.ResourceSpec, ref *xpv2.ProviderConfigReference) {
	rs.ProviderConfigReference = ref
	rs.DeletionPolicy = xpv2.DeletionOrphan
	if zone.Spec.DeletionPolicy == lzv1.DeletionDelete {
		rs.DeletionPolicy = xpv2.DeletionDelete
	}
}

func zoneTags(zone *lzv1.LandingZone) map[string]string {
	return map[string]string{"zonekeeper.dev/zone": zone.Name, "zonekeeper.dev/tenant": zone.Spec.Tenant}
}

func ownerRef(zone *lzv1.LandingZone) metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion: lzv1.GroupVersion.String(), Kind: "LandingZone", Name: zone.Name, UID: zone.UID,
		Controller: ptr.To(true),
	}
}

// apply server-side applies obj as the zone reconciler's field manager and reads the object the
// API server returns, status included, back into obj: the cache may not have seen it yet.
func apply(ctx context.Context, c client.Client, obj client.Object) error {
	gvk := obj.GetObjectKind().GroupVersionKind()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return errors.Wrapf(err, "cannot convert %s %s", gvk.Kind, obj.GetName())
	}
	delete(m, "status")
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	u := &unstructured.Unstructured{Object: m}
	ac := client.ApplyConfigurationFromUnstructured(u)
	if err := c.Apply(ctx, ac, fieldOwner, client.ForceOwnership); err != nil {
		return errors.Wrapf(err, "cannot apply %s %s", gvk.Kind, obj.GetName())
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj); err != nil {
		return errors.Wrapf(err, "cannot read applied %s %s", gvk.Kind, obj.GetName())
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return nil
}

// provisionResult is what composing a zone found.
type provisionResult struct {
	// waiting lists the parts not yet Ready, with why, for the Ready condition.
	waiting []string
	// failing lists the parts whose last reconcile failed (Synced=False), with why.
	failing []string
	// observed feeds policy evaluation.
	observed []map[string]any
}

// awsPlan is what a zone will compose: the Account always, the parts inside the account once the
// Account reports its ID. It is built before anything is applied, so policies judge the plan
// before the cloud is touched.
type awsPlan struct {
	mgmt      *awsv1.ClusterProviderConfig
	accountID string
	account   *awsv1.Account
	member    awsParts
	// dataEvents: a classification in force in the zone asks for data events, so its trail
	// records them.
	dataEvents bool
	// refusal says why the plan cannot be applied as the zone asks (a network that shrinks or
	// moves); "" when it can.
	refusal string
}

// managed returns the planned managed resources in the order they are applied.
func (p awsPlan) managed() []resource.Managed {
	out := []resource.Managed{p.account}
	if p.accountID != "" {
		out = append(out, p.member.key, p.member.trail, p.member.vpc)
	}
	return out
}

// entries renders the plan as policies read it.
func (p awsPlan) entries() []map[string]any {
	var out []map[string]any
	for _, mr := range p.managed() {
		out = append(out, planEntry(mr))
	}
	return out
}

// plan works out the zone's parts from its spec and the account ID the existing Account reports.
func (c *AWSComposer) plan(ctx context.Context, kube client.Client, zone *lzv1.LandingZone) (awsPlan, error) {
	p := awsPlan{mgmt: &awsv1.ClusterProviderConfig{}, account: c.desiredAccount(zone)}
	base, field := zone.Spec.ProviderConfigRef.Name, "spec.providerConfigRef"
	if zone.Spec.Account.GovCloud {
		base, field = zone.Spec.Account.GovCloudProviderConfigRef.Name, "spec.account.govCloudProviderConfigRef"
	}
	if err := kube.Get(ctx, client.ObjectKey{Name: base}, p.mgmt); err != nil {
		return p, errors.Wrapf(err, "cannot get ClusterProviderConfig %q named by %s", base, field)
	}
	existing := &awsv1.Account{}
	switch err := kube.Get(ctx, client.ObjectKeyFromObject(p.account), existing); {
	case apierrors.IsNotFound(err):
	case err != nil:
		return p, errors.Wrap(err, "cannot get the zone's Account")
	default:
		p.accountID = accountIDOf(zone, existing)
	}
	dataEvents, err := dataEventsRequired(ctx, kube, zone)
	if err != nil {
		return p, err
	}
	p.dataEvents = dataEvents
	if p.accountID != "" {
		p.member = c.desiredMember(zone, p.mgmt, p.accountID, p.dataEvents)
		if err := growNetwork(ctx, kube, p.member.vpc); err != nil {
			p.refusal = err.Error()
		}
	}
	return p, nil
}

// dataEventsRequired reports whether a classification in force in the zone (its
// maxClassification, or one a workload it admits uses) sets audit.dataEvents. A classification
// that does not exist yet asks for nothing: the zone is reconciled again when it appears.
func dataEventsRequired(ctx context.Context, kube client.Client, zone *lzv1.LandingZone) (bool, error) {
	names := []string{zone.Spec.MaxClassification}
	wls, err := admittedWorkloads(ctx, kube, zone)
	if err != nil {
		return false, err
	}
	for i := range wls {
		names = append(names, workloadClassifications(&wls[i])...)
	}
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		if n == "" {
			continue
		}
		dc := &lzv1.DataClassification{}
		switch err := kube.Get(ctx, client.ObjectKey{Name: n}, dc); {
		case apierrors.IsNotFound(err):
			continue
		case err != nil:
			return false, errors.Wrapf(err, "cannot get DataClassification %q", n)
		}
		if dc.Spec.Audit.DataEvents {
			return true, nil
		}
	}
	return false, nil
}

// growNetwork keeps an existing VPC's primary CIDR, which AWS cannot change, and grows it to the
// zone's CIDR through secondary blocks. An error says the zone's CIDR does not contain the
// existing range.
func growNetwork(ctx context.Context, kube client.Client, want *awsv1.VPC) error {
	have := &awsv1.VPC{}
	switch err := kube.Get(ctx, client.ObjectKeyFromObject(want), have); {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return errors.Wrap(err, "cannot get the zone's VPC")
	}
	primary, grown := have.Spec.ForProvider.CIDRBlock, want.Spec.ForProvider.CIDRBlock
	if primary == grown {
		want.Spec.ForProvider.SecondaryCIDRBlocks = have.Spec.ForProvider.SecondaryCIDRBlocks
		return nil
	}
	blocks, err := growthBlocks(primary, grown)
	if err != nil {
		return err
	}
	want.Spec.ForProvider.CIDRBlock = primary
	secondary := slices.Clone(have.Spec.ForProvider.SecondaryCIDRBlocks)
	for _, b := range blocks {
		if !slices.Contains(secondary, b) {
			secondary = append(secondary, b)
		}
	}
	want.Spec.ForProvider.SecondaryCIDRBlocks = secondary
	return nil
}

func accountIDOf(zone *lzv1.LandingZone, a *awsv1.Account) string {
	if zone.Spec.Account.GovCloud {
		return a.Status.AtProvider.GovCloudAccountID
	}
	return a.Status.AtProvider.AccountID
}

// observeExisting reads what exists of the plan without changing anything, for evaluation and
// for a zone that is not provisioned (paused, or refused by policy).
func (c *AWSComposer) observeExisting(ctx context.Context, kube client.Client, p awsPlan) (provisionResult, error) {
	var res provisionResult
	for _, want := range p.managed() {
		mr := want.DeepCopyObject().(resource.Managed)
		gvk := want.GetObjectKind().GroupVersionKind()
		switch err := kube.Get(ctx, client.ObjectKeyFromObject(want), mr); {
		case apierrors.IsNotFound(err):
			res.waiting = append(res.waiting, fmt.Sprintf("%s %s/%s does not exist yet", gvk.Kind, want.GetNamespace(), want.GetName()))
			continue
		case err != nil:
			return res, errors.Wrapf(err, "cannot get %s %s", gvk.Kind, want.GetName())
		}
		mr.GetObjectKind().SetGroupVersionKind(gvk)
		res.observe(mr)
	}
	return res, nil
}

// provision applies the plan in dependency order and reports the parts' state. Everything inside
// the account waits until the Account reports its ID.
func (c *AWSComposer) provision(ctx context.Context, kube client.Client, zone *lzv1.LandingZone, p awsPlan) (provisionResult, error) {
	var res provisionResult
	if err := apply(ctx, kube, p.account); err != nil {
		return res, err
	}
	if p.accountID == "" {
		p.accountID = accountIDOf(zone, p.account)
		if p.accountID != "" {
			p.member = c.desiredMember(zone, p.mgmt, p.accountID, p.dataEvents)
		}
	}
	if p.accountID != "" {
		if err := apply(ctx, kube, p.member.config); err != nil {
			return res, err
		}
		for _, mr := range []resource.Managed{p.member.key, p.member.trail, p.member.vpc} {
			if err := apply(ctx, kube, mr); err != nil {
				return res, err
			}
		}
	}
	for _, mr := range p.managed() {
		res.observe(mr)
	}
	if p.accountID == "" {
		res.waiting = append(res.waiting, "the VPC, Key and AuditTrail wait for the account to exist")
	}
	zone.Status.AccountID = p.accountID
	if p.accountID != "" {
		zone.Status.KeyID = p.member.key.Status.AtProvider.ARN
		zone.Status.AuditTrailID = p.member.trail.Status.AtProvider.TrailARN
		zone.Status.NetworkID = p.member.vpc.Status.AtProvider.VPCID
	}
	return res, nil
}

// observe records a part's conditions and observation.
func (r *provisionResult) observe(mr resource.Managed) {
	kind := mr.GetObjectKind().GroupVersionKind().Kind
	name := fmt.Sprintf("%s %s/%s", kind, mr.GetNamespace(), mr.GetName())
	if c := mr.GetCondition(xpv2.TypeSynced); c.Status == corev1.ConditionFalse {
		r.failing = append(r.failing, fmt.Sprintf("%s: %s", name, c.Message))
	}
	if c := mr.GetCondition(xpv2.TypeReady); c.Status != corev1.ConditionTrue {
		why := string(c.Reason)
		if why == "" {
			why = "not observed yet"
		}
		if c.Message != "" {
			why += ": " + c.Message
		}
		r.waiting = append(r.waiting, fmt.Sprintf("%s is not Ready (%s)", name, why))
	}
	at := map[string]any{}
	if m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(mr); err == nil {
		if s, ok := m["status"].(map[string]any); ok {
			if a, ok := s["atProvider"].(map[string]any); ok {
				at = a
			}
		}
	}
	r.observed = append(r.observed, map[string]any{"kind": kind, "name": mr.GetName(), "atProvider": at})
}

// planEntry is a part as policies read it: apiVersion, kind, metadata.name and spec.forProvider.
func planEntry(obj client.Object) map[string]any {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return map[string]any{}
	}
	spec, _ := m["spec"].(map[string]any)
	return map[string]any{
		"apiVersion": obj.GetObjectKind().GroupVersionKind().GroupVersion().String(),
		"kind":       obj.GetObjectKind().GroupVersionKind().Kind,
		"metadata":   planMetadata(obj),
		"spec":       map[string]any{"forProvider": spec["forProvider"]},
	}
}

// planMetadata is what a plan entry carries of an object's metadata: its name, namespace and
// labels (which tie a Bucket to its storage entry).
func planMetadata(obj client.Object) map[string]any {
	md := map[string]any{"name": obj.GetName(), "namespace": obj.GetNamespace()}
	if l := obj.GetLabels(); len(l) > 0 {
		labels := make(map[string]any, len(l))
		for k, v := range l {
			labels[k] = v
		}
		md["labels"] = labels
	}
	return md
}

// composedKinds are the kinds a zone composes, for listing them at deletion.
var composedKinds = []schema.GroupVersionKind{
	awsv1.GroupVersion.WithKind("VPC"),
	awsv1.GroupVersion.WithKind("AuditTrail"),
	awsv1.GroupVersion.WithKind("Key"),
	accountKind,
}

var accountKind = awsv1.GroupVersion.WithKind("Account")

// composedObjects lists the zone's managed resources that still exist.
func (c *AWSComposer) composedObjects(ctx context.Context, kube client.Client, zone *lzv1.LandingZone) ([]unstructured.Unstructured, error) {
	var out []unstructured.Unstructured
	for _, gvk := range composedKinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := kube.List(ctx, l, client.InNamespace(c.namespaceFor(zone)), client.MatchingLabels{labelZone: zone.Name}); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return nil, errors.Wrapf(err, "cannot list %s of zone", gvk.Kind)
		}
		for _, u := range l.Items {
			u.SetGroupVersionKind(gvk)
			out = append(out, u)
		}
	}
	return out, nil
}

// describeParts renders parts as "Kind namespace/name (external name)", sorted.
func describeParts(parts []unstructured.Unstructured) []string {
	out := make([]string, 0, len(parts))
	for i := range parts {
		u := &parts[i]
		out = append(out, fmt.Sprintf("%s %s/%s (%s)", u.GetKind(), u.GetNamespace(), u.GetName(), meta.GetExternalName(u)))
	}
	sort.Strings(out)
	return out
}
