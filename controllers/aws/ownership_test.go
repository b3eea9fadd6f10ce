package aws_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	awsctrl "github.com/zonekeeper/zonekeeper/controllers/aws"
)

// waitRefused waits until mg is Synced=False with a message containing each of words.
func (z *zone) waitRefused(mg resource.Managed, words ...string) {
	z.t.Helper()
	eventually(z.t, mg.GetName()+" refused", func() error {
		if err := z.get(mg); err != nil {
			return err
		}
		c := mg.GetCondition(xpv2.TypeSynced)
		if c.Status != corev1.ConditionFalse {
			return fmt.Errorf("Synced=%s (%s: %s), want False", c.Status, c.Reason, c.Message)
		}
		for _, w := range words {
			if !strings.Contains(c.Message, w) {
				return fmt.Errorf("Synced=False: %q, want it to mention %q", c.Message, w)
			}
		}
		return nil
	})
}

// TestRefusesAnotherObjectsResources creates a Key, a Bucket and a Role, then a second object of
// each kind naming the same cloud resource (the same zone alias, bucket name and role name), as two
// composed workloads whose names collide would. The second objects must refuse to adopt what the
// first made, saying whose it is, and leave it as the first made it: no tag, trust policy or key
// policy rewritten, no external-name recorded.
func TestRefusesAnotherObjectsResources(t *testing.T) {
	z := newZone(t)
	sc, ic := workloadClients(t)
	kc := kms.NewFromConfig(awsConfig(t, region))
	ctx := t.Context()
	key := newKey(z.ns, "first-key", "shared")
	bucket := newBucket(z.ns, "first-data", "zk-shared-data", "first-key", 0)
	role := newRole(z.ns, "first", "first-key", "first-data")
	role.Spec.ForProvider.RoleName = "zk-shared"
	z.create(key, bucket, role)
	z.waitReady(key)
	z.waitReady(bucket)
	z.waitReady(role)
	owner := z.ns + "/"

	key2 := newKey(z.ns, "second-key", "shared")
	key2.Spec.ForProvider.UserARNs = []string{"arn:aws-us-gov:iam::123456789012:role/other-tenant"}
	bucket2 := newBucket(z.ns, "second-data", "zk-shared-data", "first-key", 0)
	role2 := newRole(z.ns, "second", "first-key", "first-data")
	role2.Spec.ForProvider.RoleName = "zk-shared"
	z.create(key2, bucket2, role2)
	z.waitRefused(key2, "KMS key "+key.Status.AtProvider.KeyID+" (alias alias/zonekeeper/shared) is managed by "+owner+"first-key: refusing to adopt it")
	z.waitRefused(bucket2, "bucket zk-shared-data is managed by "+owner+"first-data: refusing to adopt it")
	z.waitRefused(role2, "IAM role zk-shared is managed by "+owner+"first: refusing to adopt it")
	time.Sleep(2 * time.Second) // more than one poll of each

	for _, mg := range []resource.Managed{key2, bucket2, role2} {
		if err := z.get(mg); err != nil {
			t.Fatal(err)
		}
		if n := meta.GetExternalName(mg); n != "" {
			t.Errorf("%s recorded external-name %q of a resource it refused", mg.GetName(), n)
		}
	}
	for _, mg := range []resource.Managed{key, bucket, role} {
		if err := z.get(mg); err != nil {
			t.Fatal(err)
		}
		if err := readyErr(mg); err != nil {
			t.Errorf("%s, whose resource was refused to another object: %v", mg.GetName(), err)
		}
	}
	keyTags, err := kc.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &key.Status.AtProvider.KeyID})
	if err != nil {
		t.Fatal(err)
	}
	if !hasKMSTag(keyTags.Tags, awsctrl.TagManagedBy, owner+"first-key") {
		t.Errorf("key tags %+v, want it still managed by first-key", keyTags.Tags)
	}
	pol, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &key.Status.AtProvider.KeyID, PolicyName: sdkaws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sdkaws.ToString(pol.Policy), "other-tenant") {
		t.Errorf("the second Key rewrote the first's key policy: %s", sdkaws.ToString(pol.Policy))
	}
	bt, err := sc.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: sdkaws.String("zk-shared-data")})
	if err != nil {
		t.Fatal(err)
	}
	if got := s3Tags(bt.TagSet)[awsctrl.TagManagedBy]; got != owner+"first-data" {
		t.Errorf("bucket managed-by tag %q, want %s", got, owner+"first-data")
	}
	r, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("zk-shared")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range r.Role.Tags {
		if sdkaws.ToString(tag.Key) == awsctrl.TagManagedBy && sdkaws.ToString(tag.Value) != owner+"first" {
			t.Errorf("role managed-by tag %q, want %s", sdkaws.ToString(tag.Value), owner+"first")
		}
	}
	if trust := decodeString(sdkaws.ToString(r.Role.AssumeRolePolicyDocument)); !strings.Contains(trust, "system:serviceaccount:evidence:first") || strings.Contains(trust, "evidence:second") {
		t.Errorf("trust policy of zk-shared is not the first Role's: %s", trust)
	}
}

// TestKeyMovesNoOtherObjectsAlias gives a second Key of a zone a key of its own (recorded as its
// external-name, so nothing is adopted) while the first Key's key holds the zone alias. The second
// must refuse to move the alias instead of taking it, which the first would take back on its next
// poll, and so on.
func TestKeyMovesNoOtherObjectsAlias(t *testing.T) {
	z := newZone(t)
	kc := kms.NewFromConfig(awsConfig(t, region))
	ctx := t.Context()
	key := newKey(z.ns, "first-key", "shared")
	z.create(key)
	z.waitReady(key)
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: sdkaws.String(awsctrl.TagManagedBy), TagValue: sdkaws.String(z.ns + "/second-key")}}})
	if err != nil {
		t.Fatal(err)
	}
	key2 := newKey(z.ns, "second-key", "shared")
	meta.SetExternalName(key2, sdkaws.ToString(k.KeyMetadata.KeyId))
	z.create(key2)
	z.waitRefused(key2, "alias alias/zonekeeper/shared points at KMS key "+key.Status.AtProvider.KeyID+", which is managed by "+z.ns+"/first-key: refusing to move it")
	time.Sleep(2 * time.Second) // more than one poll of each
	md, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sdkaws.String("alias/zonekeeper/shared")})
	if err != nil {
		t.Fatal(err)
	}
	if got := sdkaws.ToString(md.KeyMetadata.KeyId); got != key.Status.AtProvider.KeyID {
		t.Errorf("the zone alias points at %s, want the first Key's %s", got, key.Status.AtProvider.KeyID)
	}
}

// TestKeyCreatedBeforeItsAlias reproduces a crash after CreateKey and before the alias was made:
// a key tagged for the object exists, without the alias, and the object has no external-name but
// says a create was pending. The reconciler must adopt that key, not create a second one.
func TestKeyCreatedBeforeItsAlias(t *testing.T) {
	z := newZone(t)
	kc := kms.NewFromConfig(awsConfig(t, region))
	ctx := t.Context()
	owner := z.ns + "/crashed"
	// A key of another object and a key of this object scheduled for deletion: neither is adopted.
	for _, tag := range []string{z.ns + "/someone-else", owner} {
		k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: sdkaws.String(awsctrl.TagManagedBy), TagValue: sdkaws.String(tag)}}})
		if err != nil {
			t.Fatal(err)
		}
		if tag == owner {
			if _, err := kc.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: k.KeyMetadata.KeyId, PendingWindowInDays: sdkaws.Int32(7)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	lost, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: sdkaws.String("zone key of crashed"), Tags: []kmstypes.Tag{{TagKey: sdkaws.String(awsctrl.TagManagedBy), TagValue: sdkaws.String(owner)}}})
	if err != nil {
		t.Fatal(err)
	}
	lostID := sdkaws.ToString(lost.KeyMetadata.KeyId)

	key := newKey(z.ns, "crashed", "crashed")
	meta.SetExternalCreatePending(key, time.Now())
	z.create(key)
	z.waitReady(key)
	if got := meta.GetExternalName(key); got != lostID {
		t.Errorf("external-name %q, want the key CreateKey made before the crash, %s", got, lostID)
	}
	var mine []string
	keys := kms.NewListKeysPaginator(kc, &kms.ListKeysInput{})
	for keys.HasMorePages() {
		page, err := keys.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			md, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
			if err != nil {
				t.Fatal(err)
			}
			tags, err := kc.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
			if err != nil {
				t.Fatal(err)
			}
			if md.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion && hasKMSTag(tags.Tags, awsctrl.TagManagedBy, owner) {
				mine = append(mine, sdkaws.ToString(k.KeyId))
			}
		}
	}
	if len(mine) != 1 || mine[0] != lostID {
		t.Errorf("keys tagged for %s: %v, want only %s", owner, mine, lostID)
	}
	md, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: sdkaws.String("alias/zonekeeper/crashed")})
	if err != nil || sdkaws.ToString(md.KeyMetadata.KeyId) != lostID {
		t.Errorf("the zone alias: %+v, %v; want it pointing at %s", md, err, lostID)
	}
}

// TestBucketTagRepairKeepsForeignTags changes a tag ZoneKeeper set and adds one of its own out of
// band: the repair puts ZoneKeeper's back and keeps the other, as tagDrift's promise says.
func TestBucketTagRepairKeepsForeignTags(t *testing.T) {
	z := newZone(t)
	sc, _ := workloadClients(t)
	ctx := t.Context()
	key := newKey(z.ns, "data-key", "tags")
	bucket := newBucket(z.ns, "data", "zk-tags-data", "data-key", 0)
	z.create(key, bucket)
	z.waitReady(key)
	z.waitReady(bucket)
	b := sdkaws.String("zk-tags-data")
	out, err := sc.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	if err != nil {
		t.Fatal(err)
	}
	tags := s3Tags(out.TagSet)
	tags["classification"] = "public"
	tags["cost-center"] = "4711"
	var set []s3types.Tag
	for k, v := range tags {
		set = append(set, s3types.Tag{Key: sdkaws.String(k), Value: sdkaws.String(v)})
	}
	if _, err := sc.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: set}}); err != nil {
		t.Fatal(err)
	}
	z.waitEvent("data", "RepairedDrift", `tag classification is "public", want "cjis"`)
	eventually(t, "bucket tags repaired", func() error {
		out, err := sc.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
		if err != nil {
			return err
		}
		got := s3Tags(out.TagSet)
		if got["classification"] != "cjis" || got[awsctrl.TagManagedBy] != z.ns+"/data" {
			return fmt.Errorf("tags %v, want ZoneKeeper's put back", got)
		}
		if got["cost-center"] != "4711" {
			return fmt.Errorf("tags %v: the repair removed cost-center, which ZoneKeeper did not set", got)
		}
		return nil
	})
}

func s3Tags(set []s3types.Tag) map[string]string {
	out := map[string]string{}
	for _, t := range set {
		out[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return out
}
