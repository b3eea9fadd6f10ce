package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	awsv1 "github.com/zonekeeper/zonekeeper/api/aws/v1alpha1"
	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	"github.com/zonekeeper/zonekeeper/internal/moto"
)

// The demo's AWS is moto, the AWS emulator, on a loopback port. moto has no
// CreateGovCloudAccount, so the four account-creation calls go to moto.AccountCreationServer,
// which speaks the real Organizations wire format and creates the account in moto; every other
// call is moto's own.
const (
	demoNamespace = "zonekeeper-system"
	orgRegion     = "us-east-1"
	// Credentials moto accepts; they are not secret, but they go through a Secret all the same, as
	// real ones must.
	demoAccessKey = "AKIAZONEKEEPERDEMO01"
	demoSecretKey = "demo-secret-key-not-a-real-credential"
	// demoIssuer stands in for the cluster's OIDC issuer that IAM trusts for IRSA.
	demoIssuer = "oidc.demo.zonekeeper.dev/id/DEMO"
)

type fakeAWS struct {
	moto     *moto.Server
	accounts *moto.AccountCreationServer
	// govCloud plays the GovCloud organization the zone's GovCloud account joins: moto has no
	// invitations, so it stands in for the whole organization (see internal/moto).
	govCloud *moto.GovCloudOrganizationServer
}

func startAWS(ctx context.Context) (*fakeAWS, error) {
	step("starting moto, the AWS emulator (account creation through a stand-in for the calls moto lacks)")
	srv, err := moto.Start()
	if err != nil {
		return nil, errors.Wrap(err, "cannot start moto")
	}
	f := &fakeAWS{moto: srv, accounts: moto.NewAccountCreationServer(srv, orgRegion), govCloud: moto.NewGovCloudOrganizationServer(srv)}
	f.accounts.GovCloud = f.govCloud
	f.govCloud.AddOrganizationalUnit("Workloads/Prod")
	org := organizations.NewFromConfig(f.config(ctx, orgRegion))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		f.stop()
		return nil, errors.Wrap(err, "cannot create the demo organization")
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) == 0 {
		f.stop()
		return nil, errors.Wrap(err, "cannot find the organization root")
	}
	parent := roots.Roots[0].Id
	for _, ou := range []string{"Workloads", "Prod"} {
		out, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: parent, Name: sdkaws.String(ou)})
		if err != nil {
			f.stop()
			return nil, errors.Wrapf(err, "cannot create OU %s", ou)
		}
		parent = out.OrganizationalUnit.Id
	}
	fmt.Printf("    moto at %s with an organization and the OU Workloads/Prod; a GovCloud organization with the same OU at %s\n", srv.URL, f.govCloud.URL)
	return f, nil
}

func (f *fakeAWS) stop() {
	step("stopping moto")
	f.accounts.Close()
	f.govCloud.Close()
	_ = f.moto.Stop()
}

func (f *fakeAWS) config(ctx context.Context, region string) sdkaws.Config {
	cfg, _ := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithBaseEndpoint(f.moto.URL), config.WithRetryMaxAttempts(1),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(demoAccessKey, demoSecretKey, "")))
	return cfg
}

// credentials creates the Secret and the ClusterProviderConfigs the sample zones name, pointing
// at moto.
func (f *fakeAWS) credentials(ctx context.Context, c client.Client) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: demoNamespace}}
	if err := c.Create(ctx, ns); client.IgnoreAlreadyExists(err) != nil {
		return errors.Wrap(err, "cannot create namespace")
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: demoNamespace, Name: "demo-aws-credentials"}, StringData: map[string]string{
		awsv1.SecretKeyAccessKeyID: demoAccessKey, awsv1.SecretKeySecretAccessKey: demoSecretKey,
	}}
	if err := c.Create(ctx, secret); err != nil {
		return errors.Wrap(err, "cannot create the credentials Secret")
	}
	for _, name := range []string{"dc-mpd-management", "dc-mpd-govcloud"} {
		pc := &awsv1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: awsv1.ProviderConfigSpec{
			Credentials: awsv1.Credentials{Source: awsv1.CredentialsSecret, SecretRef: &awsv1.SecretReference{Namespace: demoNamespace, Name: secret.Name}},
			Endpoint:    &awsv1.Endpoint{URL: f.moto.URL},
		}}
		if err := c.Create(ctx, pc); err != nil {
			return errors.Wrapf(err, "cannot create ClusterProviderConfig %s", name)
		}
		fmt.Printf("    ClusterProviderConfig/%s -> moto (keys from Secret %s/%s)\n", name, demoNamespace, secret.Name)
	}
	return nil
}

// waitAWSReady waits until every AWS zone and every workload in one is Ready, printing what each
// still waits for.
func waitAWSReady(ctx context.Context, c client.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		zones := &lzv1.LandingZoneList{}
		wls := &lzv1.WorkloadList{}
		if err := c.List(ctx, zones); err != nil {
			return errors.Wrap(err, "cannot list LandingZones")
		}
		if err := c.List(ctx, wls); err != nil {
			return errors.Wrap(err, "cannot list Workloads")
		}
		aws := map[string]bool{}
		var waiting []string
		notReady := func(kind, name string, conds []metav1.Condition, gen int64) {
			r := meta.FindStatusCondition(conds, lzv1.ConditionReady)
			if r != nil && r.Status == metav1.ConditionTrue && r.ObservedGeneration == gen {
				return
			}
			why := "not reconciled yet"
			if r != nil {
				why = r.Reason + ": " + r.Message
			}
			waiting = append(waiting, fmt.Sprintf("%s %s (%s)", kind, name, why))
		}
		for _, z := range zones.Items {
			if z.Spec.Cloud.Provider == lzv1.ProviderAWS {
				aws[z.Name] = true
				notReady("LandingZone", z.Name, z.Status.Conditions, z.Generation)
			}
		}
		for _, wl := range wls.Items {
			if aws[wl.Spec.LandingZoneRef.Name] {
				notReady("Workload", wl.Namespace+"/"+wl.Name, wl.Status.Conditions, wl.Generation)
			}
		}
		if len(waiting) == 0 {
			return nil
		}
		if msg := strings.Join(waiting, "; "); msg != last {
			fmt.Printf("    waiting for %s\n", msg)
			last = msg
		}
		if time.Now().After(deadline) {
			return errors.Errorf("not Ready within %s: %s", timeout, strings.Join(waiting, "; "))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// printAWS shows each AWS zone's resources as moto sees them, read through the SDK from inside
// the zone's account.
func (f *fakeAWS) printAWS(ctx context.Context, c client.Client) error {
	configs := &awsv1.ClusterProviderConfigList{}
	if err := c.List(ctx, configs); err != nil {
		return errors.Wrap(err, "cannot list ClusterProviderConfigs")
	}
	for _, pc := range configs.Items {
		// A config in use keeps crossplane's in-use finalizer: deleting it waits for its users.
		fmt.Printf("    ClusterProviderConfig %s: %d managed resources use it (finalizers %v)\n", pc.Name, pc.Status.Users, pc.Finalizers)
	}
	accounts, err := organizations.NewFromConfig(f.config(ctx, orgRegion)).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		return errors.Wrap(err, "cannot list accounts")
	}
	fmt.Printf("    organization accounts: ")
	for _, a := range accounts.Accounts {
		fmt.Printf("%s (%s) ", sdkaws.ToString(a.Name), sdkaws.ToString(a.Id))
	}
	fmt.Println()
	zones := &lzv1.LandingZoneList{}
	if err := c.List(ctx, zones); err != nil {
		return errors.Wrap(err, "cannot list LandingZones")
	}
	for _, z := range zones.Items {
		if z.Spec.Cloud.Provider != lzv1.ProviderAWS || z.Status.AccountID == "" {
			continue
		}
		cfg, err := f.member(ctx, z.Spec.Cloud.Region, z.Spec.Cloud.Partition, z.Status.AccountID)
		if err != nil {
			return err
		}
		fmt.Printf("    zone %s, account %s, region %s:\n", z.Name, z.Status.AccountID, z.Spec.Cloud.Region)
		if z.Spec.Account.GovCloud {
			if err := f.printGovCloudMembership(ctx, z.Status.AccountID); err != nil {
				return err
			}
		}
		vpcs, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{z.Status.NetworkID}})
		if err != nil || len(vpcs.Vpcs) == 0 {
			return errors.Wrapf(err, "cannot read VPC %s", z.Status.NetworkID)
		}
		inVPC := []ec2types.Filter{{Name: sdkaws.String("vpc-id"), Values: []string{z.Status.NetworkID}}}
		subnets, _ := ec2.NewFromConfig(cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: inVPC})
		igws, _ := ec2.NewFromConfig(cfg).DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
			Filters: []ec2types.Filter{{Name: sdkaws.String("attachment.vpc-id"), Values: []string{z.Status.NetworkID}}},
		})
		logs, _ := ec2.NewFromConfig(cfg).DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{
			Filter: []ec2types.Filter{{Name: sdkaws.String("resource-id"), Values: []string{z.Status.NetworkID}}},
		})
		fmt.Printf("      VPC %s %s: %d private subnets, %d internet gateways, %d flow logs\n",
			z.Status.NetworkID, sdkaws.ToString(vpcs.Vpcs[0].CidrBlock), len(subnets.Subnets), len(igws.InternetGateways), len(logs.FlowLogs))
		rot, err := kms.NewFromConfig(cfg).GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &z.Status.KeyID})
		if err != nil {
			return errors.Wrapf(err, "cannot read key %s", z.Status.KeyID)
		}
		fmt.Printf("      KMS key %s: rotation enabled %v\n", z.Status.KeyID, rot.KeyRotationEnabled)
		ts, err := cloudtrail.NewFromConfig(cfg).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: &z.Status.AuditTrailID})
		if err != nil {
			return errors.Wrapf(err, "cannot read trail %s", z.Status.AuditTrailID)
		}
		trails, _ := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{z.Status.AuditTrailID}})
		bucket := ""
		if trails != nil && len(trails.TrailList) > 0 {
			bucket = sdkaws.ToString(trails.TrailList[0].S3BucketName)
		}
		fmt.Printf("      CloudTrail %s: logging %v, into bucket %s\n", z.Status.AuditTrailID, sdkaws.ToBool(ts.IsLogging), bucket)
		if bucket != "" {
			lock, err := s3.NewFromConfig(cfg).GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &bucket})
			if err == nil && lock.ObjectLockConfiguration != nil && lock.ObjectLockConfiguration.Rule != nil && lock.ObjectLockConfiguration.Rule.DefaultRetention != nil {
				r := lock.ObjectLockConfiguration.Rule.DefaultRetention
				fmt.Printf("      bucket %s: Object Lock %s for %d days\n", bucket, r.Mode, sdkaws.ToInt32(r.Days))
			}
		}
		if err := printWorkloads(ctx, c, cfg, z.Name); err != nil {
			return err
		}
	}
	return nil
}

// printGovCloudMembership shows where the GovCloud organization has the GovCloud account id.
func (f *fakeAWS) printGovCloudMembership(ctx context.Context, id string) error {
	cfg := f.config(ctx, awsv1.GovCloudOrganizationRegion)
	org := organizations.NewFromConfig(cfg, func(o *organizations.Options) { o.BaseEndpoint = sdkaws.String(f.govCloud.URL) })
	acc, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &id})
	if err != nil {
		return errors.Wrapf(err, "cannot find GovCloud account %s in the GovCloud organization", id)
	}
	parents, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: &id})
	if err != nil || len(parents.Parents) == 0 {
		return errors.Wrapf(err, "cannot read the parent of GovCloud account %s", id)
	}
	fmt.Printf("      GovCloud organization: member since %s (%s), in %s %s\n", sdkaws.ToTime(acc.Account.JoinedTimestamp).Format(time.TimeOnly),
		acc.Account.JoinedMethod, parents.Parents[0].Type, sdkaws.ToString(parents.Parents[0].Id))
	return nil
}

// printWorkloads shows each workload of a zone as moto sees it: its key, buckets and role.
func printWorkloads(ctx context.Context, c client.Client, cfg sdkaws.Config, zone string) error {
	wls := &lzv1.WorkloadList{}
	if err := c.List(ctx, wls); err != nil {
		return errors.Wrap(err, "cannot list Workloads")
	}
	for _, wl := range wls.Items {
		if wl.Spec.LandingZoneRef.Name != zone {
			continue
		}
		fmt.Printf("      workload %s/%s:\n        key %s\n", wl.Namespace, wl.Name, wl.Status.KeyID)
		names := make([]string, 0, len(wl.Status.Storage))
		for name := range wl.Status.Storage {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			arn := wl.Status.Storage[name]
			bucket := arn[strings.LastIndex(arn, ":")+1:]
			enc, err := s3.NewFromConfig(cfg).GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: &bucket})
			kms := "none"
			if err == nil && len(enc.ServerSideEncryptionConfiguration.Rules) > 0 {
				kms = sdkaws.ToString(enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID)
			}
			lock, err := s3.NewFromConfig(cfg).GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &bucket})
			days := int32(0)
			if err == nil && lock.ObjectLockConfiguration != nil && lock.ObjectLockConfiguration.Rule != nil && lock.ObjectLockConfiguration.Rule.DefaultRetention != nil {
				days = sdkaws.ToInt32(lock.ObjectLockConfiguration.Rule.DefaultRetention.Days)
			}
			fmt.Printf("        storage %s: bucket %s, SSE-KMS with %s, Object Lock %d days\n", name, bucket, kms, days)
		}
		fmt.Printf("        IAM role %s, assumable only by ServiceAccount %s/%s through IRSA\n", wl.Status.RoleID, wl.Namespace, wl.Spec.ServiceAccountName)
	}
	return nil
}

// member reads moto from inside a zone's account, through OrganizationAccountAccessRole.
func (f *fakeAWS) member(ctx context.Context, region string, partition lzv1.AWSPartition, account string) (sdkaws.Config, error) {
	cfg := f.config(ctx, region)
	role, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         sdkaws.String(fmt.Sprintf("arn:%s:iam::%s:role/OrganizationAccountAccessRole", partition, account)),
		RoleSessionName: sdkaws.String("zonekeeper-demo"),
	})
	if err != nil {
		return cfg, errors.Wrapf(err, "cannot assume a role in account %s", account)
	}
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken)
	return cfg, nil
}
