# Package regions maps cloud regions to the jurisdictions whose law governs the
# data in them, and tells government partitions apart. Residency controls of
# every baseline go through it so a new region is taught in one place.
package zonekeeper.lib.regions

# jurisdictions ZoneKeeper can place data in; a classification naming another
# one cannot be satisfied and says so.
known_jurisdictions := {"us", "uk"}

# Azure public-cloud regions in the United States. AWS needs no list: every AWS
# region in the US, GovCloud included, is named us-*.
azure_us_public := {
	"centralus", "eastus", "eastus2", "northcentralus", "southcentralus",
	"westcentralus", "westus", "westus2", "westus3",
}

# UK regions: Azure UK South and UK West, and AWS London.
uk := {"uksouth", "ukwest", "eu-west-2"}

# AWS us-* (GovCloud us-gov-* included) and Azure Government usgov*, usdod*
in_jurisdiction(region, "us") if {
	is_string(region)
	strings.any_prefix_match(region, ["us-", "usgov", "usdod"])
}

in_jurisdiction(region, "us") if region in azure_us_public

in_jurisdiction(region, "uk") if region in uk

# government is true for AWS GovCloud (us-gov-*) and Azure Government (usgov*,
# usdod*) regions: US-only facilities operated by screened US persons.
government(region) if {
	is_string(region)
	strings.any_prefix_match(region, ["us-gov-", "usgov", "usdod"])
}

# government_cloud is true when a LandingZone spec places the zone in a
# government partition of its provider.
government_cloud(spec) if {
	spec.cloud.provider == "AWS"
	spec.cloud.partition == "aws-us-gov"
}

government_cloud(spec) if {
	spec.cloud.provider == "Azure"
	spec.cloud.environment == "AzureUSGovernment"
}
