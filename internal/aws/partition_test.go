package awsclient

import "testing"

func TestPartitionOf(t *testing.T) {
	cases := map[string]struct {
		region string
		want   string
	}{
		"GovCloudWest":  {"us-gov-west-1", PartitionAWSUSGov},
		"GovCloudEast":  {"us-gov-east-1", PartitionAWSUSGov},
		"Commercial":    {"us-east-1", PartitionAWS},
		"CommercialEU":  {"eu-west-2", PartitionAWS},
		"China":         {"cn-north-1", "aws-cn"},
		"ISO":           {"us-iso-east-1", "aws-iso"},
		"ISOB":          {"us-isob-east-1", "aws-iso-b"},
		"UnknownPrefix": {"xx-east-1", PartitionAWS},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := PartitionOf(tc.region); got != tc.want {
				t.Errorf("PartitionOf(%q) = %q, want %q", tc.region, got, tc.want)
			}
		})
	}
}

func TestARNs(t *testing.T) {
	cases := map[string]struct {
		got  string
		want string
	}{
		"RoleGovCloud":      {RoleARN("us-gov-west-1", "111122223333", "OrganizationAccountAccessRole"), "arn:aws-us-gov:iam::111122223333:role/OrganizationAccountAccessRole"},
		"RoleCommercial":    {RoleARN("us-east-1", "111122223333", "Deploy"), "arn:aws:iam::111122223333:role/Deploy"},
		"RootGovCloud":      {RootARN("us-gov-east-1", "111122223333"), "arn:aws-us-gov:iam::111122223333:root"},
		"BucketIsBare":      {BucketARN("us-gov-west-1", "zk-logs"), "arn:aws-us-gov:s3:::zk-logs"},
		"TrailGovCloud":     {TrailARN("us-gov-west-1", "111122223333", "audit"), "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/audit"},
		"KeyGovCloud":       {KeyARN("us-gov-west-1", "111122223333", "abcd"), "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/abcd"},
		"VPCCommercial":     {VPCARN("eu-west-2", "111122223333", "vpc-1"), "arn:aws:ec2:eu-west-2:111122223333:vpc/vpc-1"},
		"EndpointGovCloud":  {EndpointServiceName("us-gov-west-1", "kms"), "com.amazonaws.us-gov-west-1.kms"},
		"EndpointFIPSShort": {EndpointServiceName("us-gov-west-1", "kms-fips"), "com.amazonaws.us-gov-west-1.kms-fips"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestFIPSByDefault(t *testing.T) {
	if !FIPSByDefault("us-gov-west-1") {
		t.Error("FIPSByDefault(us-gov-west-1) = false, want true: GovCloud defaults to FIPS endpoints")
	}
	if FIPSByDefault("us-east-1") {
		t.Error("FIPSByDefault(us-east-1) = true, want false")
	}
}
