package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	awsclient "github.com/zonekeeper/zonekeeper/internal/aws"
)

type auditTrailConnector struct {
	resolver *awsclient.Resolver
	record   event.Recorder
}

func (c *auditTrailConnector) Connect(ctx context.Context, mg *awsv1.AuditTrail) (managed.TypedExternalClient[*awsv1.AuditTrail], error) {
	cfg, err := c.resolver.Config(ctx, mg, mg.Spec.ForProvider.Region)
	if err != nil {
		return nil, err
	}
	return &auditTrailClient{
		cfg:        cfg,
		cloudtrail: cloudtrail.NewFromConfig(cfg),
		s3:         newS3(cfg),
		record:     c.record,
	}, nil
}

// trailState is what ZoneKeeper compares of a trail.
type trailState struct {
	Exists            bool
	Bucket            string
	KMSKeyID          string
	MultiRegion       bool
	LogFileValidation bool
	GlobalEvents      bool
	DataEvents        bool // S3 object-level events for every bucket
	ManagementEvents  bool // every management event: reads and writes, of every event source
	Logging           bool
	// Selectors are the trail's event selectors as read, kept so that turning data events on
	// adds to what the trail records rather than replacing it.
	Selectors *cloudtrail.GetEventSelectorsOutput
	Tags      map[string]string
}

// trailDrift describes how an observed trail differs from the desired one.
func trailDrift(desired, observed trailState) []string {
	if !observed.Exists {
		return []string{"trail does not exist"}
	}
	var out []string
	if observed.Bucket != desired.Bucket {
		out = append(out, fmt.Sprintf("trail writes to bucket %q, want %q", observed.Bucket, desired.Bucket))
	}
	if observed.KMSKeyID != desired.KMSKeyID {
		out = append(out, fmt.Sprintf("trail encrypts with key %q, want the zone key", observed.KMSKeyID))
	}
	if !observed.MultiRegion {
		out = append(out, "trail is not multi-region")
	}
	if !observed.LogFileValidation {
		out = append(out, "log file validation is off")
	}
	if !observed.GlobalEvents {
		out = append(out, "global service events are not recorded")
	}
	if !observed.ManagementEvents {
		// A trail's owner narrowed or dropped what it records; the baselines ask for all of it.
		out = append(out, "management events are not all recorded (reads and writes of every event source)")
	}
	if desired.DataEvents && !observed.DataEvents {
		out = append(out, "S3 data events are not recorded")
	}
	if !observed.Logging {
		out = append(out, "logging is stopped")
	}
	return append(out, tagDrift(desired.Tags, observed.Tags)...)
}

type auditTrailClient struct {
	cfg        sdkaws.Config
	cloudtrail *cloudtrail.Client
	s3         *s3.Client
	record     event.Recorder

	wasReady bool
	account  string
	bucket   bucketState
	trail    trailState
	drift    []string
}

func (c *auditTrailClient) desired(mg *awsv1.AuditTrail) (bucketState, trailState, error) {
	p := mg.Spec.ForProvider
	policy, err := awsclient.LogBucketPolicy(awsclient.LogBucketPolicyInput{Region: p.Region, Account: c.account, Bucket: p.BucketName, Trail: meta.GetExternalName(mg)}).JSON()
	if err != nil {
		return bucketState{}, trailState{}, err
	}
	tags := desiredTags(mg, p.Tags)
	b := desiredBucket(p.KMSKeyARN, policy, tags)
	b.ObjectLock, b.LockMode, b.LockDays = true, string(p.ObjectLockMode), p.RetentionDays
	t := trailState{Exists: true, Bucket: p.BucketName, KMSKeyID: p.KMSKeyARN, MultiRegion: true, LogFileValidation: true, GlobalEvents: true, DataEvents: p.DataEvents, ManagementEvents: true, Logging: true, Tags: tags}
	return b, t, nil
}

func (c *auditTrailClient) Observe(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalObservation, error) {
	c.wasReady = isReady(mg)
	name := meta.GetExternalName(mg)
	if err := c.readTrail(ctx, name); err != nil {
		return managed.ExternalObservation{}, err
	}
	if !c.trail.Exists {
		return managed.ExternalObservation{}, nil
	}
	var err error
	if c.bucket, err = readBucket(ctx, c.s3, mg.Spec.ForProvider.BucketName); err != nil {
		return managed.ExternalObservation{}, err
	}
	wantBucket, wantTrail, err := c.desired(mg)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	drift, err := bucketDrift(wantBucket, c.bucket)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	c.drift = append(trailDrift(wantTrail, c.trail), drift...)
	p := mg.Spec.ForProvider
	mg.Status.AtProvider = awsv1.AuditTrailObservation{
		TrailARN:                awsclient.TrailARN(p.Region, c.account, name),
		BucketARN:               awsclient.BucketARN(p.Region, p.BucketName),
		IsLogging:               c.trail.Logging,
		IsMultiRegion:           c.trail.MultiRegion,
		LogFileValidation:       c.trail.LogFileValidation,
		KMSKeyARN:               c.trail.KMSKeyID,
		ObjectLockRetentionDays: c.bucket.LockDays,
	}
	if c.bucket.Exists {
		setReady(mg, xpv2.Available())
	} else {
		setReady(mg, xpv2.Unavailable().WithMessage("log bucket "+p.BucketName+" does not exist"))
	}
	driftObserved(c.record, mg, c.drift)
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: len(c.drift) == 0, Diff: strings.Join(c.drift, "; ")}, nil
}

func (c *auditTrailClient) readTrail(ctx context.Context, name string) error {
	c.trail = trailState{}
	out, err := c.cloudtrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: &name})
	if awsclient.IsCode(err, "TrailNotFoundException") {
		return nil
	}
	if err != nil {
		return awsclient.Wrap(err, "cannot get trail")
	}
	t := out.Trail
	if a, err := arn.Parse(sdkaws.ToString(t.TrailARN)); err == nil {
		c.account = a.AccountID
	}
	c.trail = trailState{
		Exists:            true,
		Bucket:            sdkaws.ToString(t.S3BucketName),
		KMSKeyID:          sdkaws.ToString(t.KmsKeyId),
		MultiRegion:       sdkaws.ToBool(t.IsMultiRegionTrail),
		LogFileValidation: sdkaws.ToBool(t.LogFileValidationEnabled),
		GlobalEvents:      sdkaws.ToBool(t.IncludeGlobalServiceEvents),
		Tags:              map[string]string{},
	}
	st, err := c.cloudtrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &name})
	if err != nil {
		return awsclient.Wrap(err, "cannot get trail status")
	}
	c.trail.Logging = sdkaws.ToBool(st.IsLogging)
	sel, err := c.cloudtrail.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: &name})
	if err != nil {
		return awsclient.Wrap(err, "cannot get trail event selectors")
	}
	c.trail.DataEvents = recordsS3DataEvents(sel)
	c.trail.ManagementEvents = recordsManagementEvents(sel)
	c.trail.Selectors = sel
	tags, err := c.cloudtrail.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{sdkaws.ToString(t.TrailARN)}})
	if err != nil {
		return awsclient.Wrap(err, "cannot list trail tags")
	}
	for _, rt := range tags.ResourceTagList {
		for _, tag := range rt.TagsList {
			c.trail.Tags[sdkaws.ToString(tag.Key)] = sdkaws.ToString(tag.Value)
		}
	}
	return nil
}

func (c *auditTrailClient) Create(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalCreation, error) {
	account, err := awsclient.CallerAccount(ctx, c.cfg)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	c.account = account
	// The bucket may be left from an earlier trail (buckets are never deleted): read what it has.
	if c.bucket, err = readBucket(ctx, c.s3, mg.Spec.ForProvider.BucketName); err != nil {
		return managed.ExternalCreation{}, err
	}
	return managed.ExternalCreation{}, c.apply(ctx, mg)
}

func (c *auditTrailClient) Update(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalUpdate, error) {
	if err := c.apply(ctx, mg); err != nil {
		return managed.ExternalUpdate{}, err
	}
	repaired(c.record, mg, c.wasReady, c.drift)
	setReady(mg, xpv2.Available())
	return managed.ExternalUpdate{}, nil
}

// apply makes the bucket and then the trail what the spec says, changing only what differs from
// what was read. The bucket comes first: CloudTrail refuses a bucket it cannot write to.
func (c *auditTrailClient) apply(ctx context.Context, mg *awsv1.AuditTrail) error {
	wantBucket, wantTrail, err := c.desired(mg)
	if err != nil {
		return err
	}
	if err := applyBucket(ctx, c.s3, mg.Spec.ForProvider.Region, mg.Spec.ForProvider.BucketName, c.bucket, wantBucket); err != nil {
		return err
	}
	return c.applyTrail(ctx, meta.GetExternalName(mg), wantTrail)
}

func (c *auditTrailClient) applyTrail(ctx context.Context, name string, want trailState) error {
	o := c.trail
	switch {
	case !o.Exists:
		if _, err := c.cloudtrail.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
			Name:                       &name,
			S3BucketName:               &want.Bucket,
			KmsKeyId:                   &want.KMSKeyID,
			IsMultiRegionTrail:         sdkaws.Bool(true),
			EnableLogFileValidation:    sdkaws.Bool(true),
			IncludeGlobalServiceEvents: sdkaws.Bool(true),
			TagsList:                   trailTags(want.Tags),
		}); err != nil && !awsclient.IsCode(err, "TrailAlreadyExistsException") {
			return awsclient.Wrap(err, "cannot create trail")
		}
	case o.Bucket != want.Bucket || o.KMSKeyID != want.KMSKeyID || !o.MultiRegion || !o.LogFileValidation || !o.GlobalEvents:
		if _, err := c.cloudtrail.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{
			Name:                       &name,
			S3BucketName:               &want.Bucket,
			KmsKeyId:                   &want.KMSKeyID,
			IsMultiRegionTrail:         sdkaws.Bool(true),
			EnableLogFileValidation:    sdkaws.Bool(true),
			IncludeGlobalServiceEvents: sdkaws.Bool(true),
		}); err != nil {
			return awsclient.Wrap(err, "cannot update trail")
		}
	}
	if o.Exists && len(tagDrift(want.Tags, o.Tags)) > 0 {
		if _, err := c.cloudtrail.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: sdkaws.String(awsclient.TrailARN(c.cfg.Region, c.account, name)), TagsList: trailTags(want.Tags)}); err != nil {
			return awsclient.Wrap(err, "cannot tag trail")
		}
	}
	putSelectors := !o.ManagementEvents || (want.DataEvents && !o.DataEvents)
	if !o.Exists {
		// A new trail records every management event: CloudTrail's default selector.
		putSelectors = want.DataEvents
	}
	if putSelectors {
		if _, err := c.cloudtrail.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: &name, AdvancedEventSelectors: selectorsToPut(o.Selectors, want.DataEvents)}); err != nil {
			return awsclient.Wrap(err, "cannot put trail event selectors")
		}
	}
	if !o.Logging {
		if _, err := c.cloudtrail.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: &name}); err != nil {
			return awsclient.Wrap(err, "cannot start trail logging")
		}
	}
	return nil
}

// managementEvents selects management events, which a trail records by default.
func managementEvents() cttypes.AdvancedEventSelector {
	return cttypes.AdvancedEventSelector{Name: sdkaws.String("Management events"), FieldSelectors: []cttypes.AdvancedFieldSelector{
		{Field: sdkaws.String("eventCategory"), Equals: []string{"Management"}},
	}}
}

// s3DataEvents selects the data events of every S3 object.
func s3DataEvents() cttypes.AdvancedEventSelector {
	return cttypes.AdvancedEventSelector{Name: sdkaws.String("S3 data events"), FieldSelectors: []cttypes.AdvancedFieldSelector{
		{Field: sdkaws.String("eventCategory"), Equals: []string{"Data"}},
		{Field: sdkaws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
	}}
}

// selectorsToPut returns the trail's selectors, as advanced selectors, recording every management
// event and, when s3Data is set, the data events of every S3 object. Advanced selectors replace a
// trail's selectors as a whole, and the data events it records already (other types, narrower S3
// selectors) must stay; management selectors that narrow what is recorded (reads or writes only,
// event sources left out) give way to one that records all. Basic selectors, which cannot be
// mixed with advanced ones, are rewritten as the advanced selectors that record the same.
func selectorsToPut(sel *cloudtrail.GetEventSelectorsOutput, s3Data bool) []cttypes.AdvancedEventSelector {
	var read []cttypes.AdvancedEventSelector
	if sel != nil {
		read = append(read, sel.AdvancedEventSelectors...)
		for _, e := range sel.EventSelectors {
			read = append(read, advancedOf(e)...)
		}
	}
	out := []cttypes.AdvancedEventSelector{managementEvents()}
	for _, a := range read {
		if !selectsManagement(a) {
			out = append(out, a)
		}
	}
	if s3Data && !recordsS3DataEvents(&cloudtrail.GetEventSelectorsOutput{AdvancedEventSelectors: out}) {
		out = append(out, s3DataEvents())
	}
	return out
}

// selectsManagement reports whether an advanced selector selects management events.
func selectsManagement(a cttypes.AdvancedEventSelector) bool {
	return slices.ContainsFunc(a.FieldSelectors, func(f cttypes.AdvancedFieldSelector) bool {
		return sdkaws.ToString(f.Field) == "eventCategory" && slices.Contains(f.Equals, "Management")
	})
}

// recordsManagementEvents reports whether a trail's selectors record every management event: an
// advanced selector of management events narrowed by nothing else, or a basic selector including
// management events, reads and writes, with no event source left out. A trail that selects
// nothing records them, as CloudTrail does by default.
func recordsManagementEvents(sel *cloudtrail.GetEventSelectorsOutput) bool {
	if sel == nil || (len(sel.AdvancedEventSelectors) == 0 && len(sel.EventSelectors) == 0) {
		return true
	}
	for _, a := range sel.AdvancedEventSelectors {
		if len(a.FieldSelectors) == 1 && selectsManagement(a) && slices.Equal(a.FieldSelectors[0].Equals, []string{"Management"}) &&
			len(a.FieldSelectors[0].NotEquals)+len(a.FieldSelectors[0].StartsWith)+len(a.FieldSelectors[0].EndsWith)+
				len(a.FieldSelectors[0].NotStartsWith)+len(a.FieldSelectors[0].NotEndsWith) == 0 {
			return true
		}
	}
	for _, e := range sel.EventSelectors {
		if (e.IncludeManagementEvents == nil || *e.IncludeManagementEvents) &&
			(e.ReadWriteType == cttypes.ReadWriteTypeAll || e.ReadWriteType == "") && len(e.ExcludeManagementEventSources) == 0 {
			return true
		}
	}
	return false
}

// advancedOf is a basic selector as advanced selectors.
func advancedOf(e cttypes.EventSelector) []cttypes.AdvancedEventSelector {
	field := func(name string, equals ...string) cttypes.AdvancedFieldSelector {
		return cttypes.AdvancedFieldSelector{Field: sdkaws.String(name), Equals: equals}
	}
	var readOnly []cttypes.AdvancedFieldSelector
	switch e.ReadWriteType {
	case cttypes.ReadWriteTypeReadOnly:
		readOnly = append(readOnly, field("readOnly", "true"))
	case cttypes.ReadWriteTypeWriteOnly:
		readOnly = append(readOnly, field("readOnly", "false"))
	}
	var out []cttypes.AdvancedEventSelector
	if e.IncludeManagementEvents == nil || sdkaws.ToBool(e.IncludeManagementEvents) {
		m := append([]cttypes.AdvancedFieldSelector{field("eventCategory", "Management")}, readOnly...)
		if len(e.ExcludeManagementEventSources) > 0 {
			m = append(m, cttypes.AdvancedFieldSelector{Field: sdkaws.String("eventSource"), NotEquals: e.ExcludeManagementEventSources})
		}
		out = append(out, cttypes.AdvancedEventSelector{Name: sdkaws.String("Management events"), FieldSelectors: m})
	}
	for _, d := range e.DataResources {
		f := append([]cttypes.AdvancedFieldSelector{field("eventCategory", "Data"), field("resources.type", sdkaws.ToString(d.Type))}, readOnly...)
		// "arn:aws:s3" selects every resource of the type; anything longer, those it prefixes.
		if prefixes := slices.DeleteFunc(slices.Clone(d.Values), func(v string) bool { return strings.Count(v, ":") <= 2 }); len(prefixes) > 0 {
			f = append(f, cttypes.AdvancedFieldSelector{Field: sdkaws.String("resources.ARN"), StartsWith: prefixes})
		}
		out = append(out, cttypes.AdvancedEventSelector{Name: sdkaws.String("Data events: " + sdkaws.ToString(d.Type)), FieldSelectors: f})
	}
	return out
}

// recordsS3DataEvents reports whether a trail's selectors record the data events of every S3
// object: an advanced selector for S3 object data events narrowed by nothing else, or a basic
// selector whose S3 data resource is every bucket.
func recordsS3DataEvents(sel *cloudtrail.GetEventSelectorsOutput) bool {
	for _, a := range sel.AdvancedEventSelectors {
		data, objects, narrowed := false, false, false
		for _, f := range a.FieldSelectors {
			switch field := sdkaws.ToString(f.Field); {
			case field == "eventCategory" && slices.Equal(f.Equals, []string{"Data"}):
				data = true
			case field == "resources.type" && slices.Equal(f.Equals, []string{"AWS::S3::Object"}):
				objects = true
			default:
				narrowed = true
			}
		}
		if data && objects && !narrowed {
			return true
		}
	}
	for _, e := range sel.EventSelectors {
		if e.ReadWriteType != cttypes.ReadWriteTypeAll && e.ReadWriteType != "" {
			continue
		}
		for _, d := range e.DataResources {
			if sdkaws.ToString(d.Type) == "AWS::S3::Object" && slices.ContainsFunc(d.Values, func(v string) bool { return v == "arn:aws:s3" || v == "arn:aws-us-gov:s3" }) {
				return true
			}
		}
	}
	return false
}

func trailTags(tags map[string]string) []cttypes.Tag {
	return sdkTags(tags, func(k, v *string) cttypes.Tag { return cttypes.Tag{Key: k, Value: v} })
}

// Delete deletes the trail. It is reached only with deletionPolicy Delete. The log bucket is never
// deleted: audit logs must outlive the trail that wrote them, and Object Lock refuses anyway.
func (c *auditTrailClient) Delete(ctx context.Context, mg *awsv1.AuditTrail) (managed.ExternalDelete, error) {
	name := meta.GetExternalName(mg)
	if _, err := c.cloudtrail.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: &name}); err != nil && !awsclient.IsCode(err, "TrailNotFoundException") {
		return managed.ExternalDelete{}, awsclient.Wrap(err, "cannot delete trail")
	}
	return managed.ExternalDelete{}, nil
}

func (c *auditTrailClient) Disconnect(context.Context) error { return nil }
