// Package awsclient connects ZoneKeeper to AWS: credentials from a ProviderConfig, partition-aware
// ARNs and endpoints, the narrow Organizations interfaces the Account client uses, and the pure
// functions the managed resources are built from (subnet layout, policy documents).
package awsclient

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Partitions ZoneKeeper knows by name.
const (
	PartitionAWS      = "aws"
	PartitionAWSUSGov = "aws-us-gov"
)

// PartitionOf returns the partition a region belongs to. GovCloud regions are us-gov-*; the ISO
// and China prefixes are listed so an ARN is never built in the wrong partition, although
// ZoneKeeper is only tested in aws and aws-us-gov.
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return PartitionAWSUSGov
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	default:
		return PartitionAWS
	}
}

// FIPSByDefault says whether FIPS endpoints are used in a region when a ProviderConfig does not
// say: on in GovCloud, where FIPS 140 validated endpoints are what CJIS and FedRAMP High expect.
func FIPSByDefault(region string) bool {
	return PartitionOf(region) == PartitionAWSUSGov
}

// RoleARN returns the ARN of an IAM role in an account of the region's partition.
func RoleARN(region, account, role string) string {
	return arn.ARN{Partition: PartitionOf(region), Service: "iam", AccountID: account, Resource: "role/" + role}.String()
}

// OIDCProviderARN returns the ARN of an account's IAM OIDC identity provider for issuer, the
// issuer URL without https://.
func OIDCProviderARN(region, account, issuer string) string {
	return arn.ARN{Partition: PartitionOf(region), Service: "iam", AccountID: account, Resource: "oidc-provider/" + issuer}.String()
}

// RootARN returns the ARN that stands for a whole account in policies.
func RootARN(region, account string) string {
	return arn.ARN{Partition: PartitionOf(region), Service: "iam", AccountID: account, Resource: "root"}.String()
}

// BucketARN returns the bare ARN of an S3 bucket: no key prefix, the form flow logs are delivered to.
func BucketARN(region, bucket string) string {
	return arn.ARN{Partition: PartitionOf(region), Service: "s3", Resource: bucket}.String()
}

// TrailARN returns the ARN of a CloudTrail trail.
func TrailARN(region, account, trail string) string {
	return arn.ARN{Partition: PartitionOf(region), Service: "cloudtrail", Region: region, AccountID: account, Resource: "trail/" + trail}.String()
}

// KeyARN returns the ARN of a KMS key.
func KeyARN(region, account, keyID string) string {
	return arn.ARN{Partition: PartitionOf(region), Service: "kms", Region: region, AccountID: account, Resource: "key/" + keyID}.String()
}

// VPCARN returns the ARN of a VPC.
func VPCARN(region, account, vpcID string) string {
	return arn.ARN{Partition: PartitionOf(region), Service: "ec2", Region: region, AccountID: account, Resource: "vpc/" + vpcID}.String()
}

// EndpointServiceName returns the VPC endpoint service name of an AWS service in a region, for
// example com.amazonaws.us-gov-west-1.kms. GovCloud uses the same com.amazonaws prefix.
func EndpointServiceName(region, service string) string {
	return "com.amazonaws." + region + "." + service
}
