# Package checks holds the checks baselines are built from. A check yields
# findings ({field, message}); a baseline picks the checks its framework
# requires, passes its parameters, and stamps its control ID, severity and the
# reason it quotes on each finding. Checks look at the declared spec first and
# at the composed plan when there is one, and treat a missing setting as
# failing, never as passing.
#
# Two shapes, for speed as much as for sharing (an admission webhook pays for
# every expression):
#   - a check without parameters adds [check name, finding] pairs to a partial
#     set of its group (zone_checks, ceiling_checks, plan_checks,
#     government_checks, or `findings` itself for the checks of one kind of
#     object), evaluated once per evaluation however many baselines read it;
#     each baseline maps check names to its controls;
#   - a check with a threshold is a function returning one finding, undefined
#     when the check passes.
# Neither builds a set on the path of a compliant object, and a compliant
# object does not even run the checks: each group has a screen (see "groups"),
# each baseline a `clean` rule. Checks of one kind of object start with an
# equality on input.object.kind, so OPA's rule index skips them for other
# kinds.
package zonekeeper.lib.checks

import data.zonekeeper.lib.core
import data.zonekeeper.lib.regions

# ================================================================== facts
# Rules over the zone and the classifications in force, computed once.

# zone settings: undefined without a zone, null when unset
zone_audit_days := object.get(core.zone_spec, ["audit", "retentionDays"], null)

zone_rotation_days := object.get(core.zone_spec, ["encryption", "rotationDays"], null)

zone_network := object.get(core.zone_spec, "network", null)

zone_egress := object.get(core.zone_spec, ["network", "egress"], null)

zone_availability_zones := object.get(core.zone_spec, ["network", "availabilityZones"], null)

zone_region := object.get(core.zone_spec, ["cloud", "region"], null)

# the strictest requirements of the classifications in force; 0 and a large
# sentinel stand for "none", so thresholds combine with a plain max or min
class_audit_days := max({d |
	some c in core.classifications
	d := c.spec.audit.retentionDays
	is_number(d)
} | {0})

class_rotation_days := min({d |
	some c in core.classifications
	d := c.spec.encryption.rotationDays
	is_number(d)
} | {1000000})

# whether a classification in force asks for something; the names for
# messages are looked up only when a check fails
forbidding if {
	some c in core.classifications
	forbids_exposure(c)
}

# forbids_exposure: a classification keeps its data off the internet unless it
# says publicExposure: Allowed. The API defaults publicExposure to Forbidden
# only when spec.network is present, so an unset one forbids exposure too.
forbids_exposure(c) if object.get(c, ["spec", "network", "publicExposure"], "Forbidden") != "Allowed"

fips_requiring if {
	some c in core.classifications
	c.spec.encryption.fipsEndpoints == true
}

immutable_requiring if {
	some c in core.classifications
	c.spec.audit.immutable == true
}

data_events_requiring if {
	some c in core.classifications
	c.spec.audit.dataEvents == true
}

forbidding_names := concat(", ", sort([sprintf("%q", [core.name_of(c)]) |
	some c in core.classifications
	forbids_exposure(c)
]))

# because names who sets a bar when a classification is stricter than the
# baseline (names: the classifications that set it), and is empty when the
# baseline sets it.
because(required, baseline_value, _) := "" if required == baseline_value

because(required, baseline_value, names) := sprintf(
	", as DataClassification %s requires",
	[names],
) if required != baseline_value

# the classifications that ask for the longest audit retention and the most
# frequent key rotation, for messages: facts, kept across evaluations over the
# same classifications, where every baseline reporting the bar would otherwise
# look them up again
audit_days_names := core.class_names_where(["audit", "retentionDays"], class_audit_days)

rotation_days_names := core.class_names_where(["encryption", "rotationDays"], class_rotation_days)

quoted(values) := concat(", ", [sprintf("%q", [v]) | some v in values])

# class_spec reads spec.<path> of the DataClassification under evaluation.
class_spec(path) := core.spec_value(input.object, path)

# ================================================================== groups
# findings is the union of the groups of checks that can report on the object.
# A group's checks run only when its screen does not hold. A screen is the
# conjunction of what every check of its group needs to pass, so that a
# compliant object pays for one rule per group instead of one per check;
# wherever a screen is unsure (an unusual shape, a missing setting) it fails
# and the checks decide. A check added to a group must add what it needs to
# pass to the group's screen, or it would not run on objects the screen passes.

# the zone's settings, for a LandingZone and a Workload whose zone exists
findings contains x if {
	input.object.kind == "LandingZone"
	not zone_clean
	some x in zone_checks
}

findings contains x if {
	input.object.kind == "Workload"
	core.zone_spec
	not zone_clean
	some x in zone_checks
}

# the classifications a LandingZone hosts against its maxClassification
findings contains x if {
	input.object.kind == "LandingZone"
	not ceiling_clean
	some x in ceiling_checks
}

# the composed plan
findings contains x if {
	input.plan != []
	some x in plan_checks
}

# government_findings are the checks of a government partition, which only
# dod-il5 reports: they run only when it is evaluated.
government_findings contains x if {
	input.object.kind == "LandingZone"
	not government_clean
	some x in government_checks
}

government_findings contains x if {
	input.object.kind == "Workload"
	core.zone_spec
	not government_clean
	some x in government_checks
}

# the workload's own classifications, against its zone's ceiling
findings contains x if {
	input.object.kind == "Workload"
	not workload_ceiling_clean
	some x in workload_ceiling_checks
}

# the workload's storage, against its classifications' retention
findings contains x if {
	input.object.kind == "Workload"
	not workload_storage_clean
	some x in workload_storage_checks
}

# a DataClassification's own settings
findings contains x if {
	input.object.kind == "DataClassification"
	not class_clean
	some x in class_checks
}

# zone_clean: the zone declares encryption and a network with flow logs whose
# egress is None or Inspected, its region lies inside every classification's
# residency, and it is in a government partition when a classification
# requires FIPS endpoints.
zone_clean if {
	spec := core.zone_spec
	is_object(spec.encryption)
	network := spec.network
	is_object(network)
	network.flowLogs == true
	network.egress in {"None", "Inspected"}
	is_string(spec.cloud.region)
	not residency_doubtful
	fips_clean
}

# residency_doubtful: a classification in force restricts residency to a list
# the zone's region may not be in.
residency_doubtful if {
	some c in core.classifications
	js := c.spec.residency.jurisdictions
	js != []
	not in_any(zone_region, js)
}

residency_doubtful if {
	some c in core.classifications
	rs := c.spec.residency.allowedRegions
	rs != []
	not zone_region in rs
}

fips_clean if government_partition

fips_clean if not fips_requiring

# government_partition: regions.government_cloud of the zone's spec.
government_partition if {
	core.zone_spec.cloud.provider == "AWS"
	core.zone_spec.cloud.partition == "aws-us-gov"
}

government_partition if {
	core.zone_spec.cloud.provider == "Azure"
	core.zone_spec.cloud.environment == "AzureUSGovernment"
}

# ceiling_clean: the zone's maxClassification resolves to a level, and every
# classification it hosts has a level at or below it.
ceiling_clean if {
	name := core.zone_spec.maxClassification
	is_string(name)
	classes := core.classifications
	some c in classes
	c.metadata.name == name
	ceiling := c.spec.level
	is_number(ceiling)
	count([level |
		some x in classes
		level := x.spec.level
		is_number(level)
		level <= ceiling
	]) == count(classes)
}

# workload_ceiling_clean: the workload's zone exists and its maxClassification
# resolves to a level; every classification the workload names resolves, with
# a numeric level at or below it.
workload_ceiling_clean if {
	core.zone
	ceiling := max_level
	every name in core.declared_classifications {
		level := core.resolved(name).spec.level
		is_number(level)
		level <= ceiling
	}
}

# workload_storage_clean: every storage entry names a classification and keeps
# records at least as long as its spec.retention.minDays (when it sets one),
# and no Bucket is planned (the legal-hold check reads them).
workload_storage_clean if {
	every s in object.get(input.object, ["spec", "storage"], []) {
		storage_clean(s)
	}
	core.plan_buckets == []
}

storage_clean(s) if {
	is_string(s.classification)
	need := object.get(core.resolved(s.classification), ["spec", "retention", "minDays"], null)
	is_number(need)
	core.at_least(object.get(s, "retentionDays", need), need)
}

storage_clean(s) if {
	is_string(s.classification)
	not is_number(object.get(core.resolved(s.classification), ["spec", "retention", "minDays"], null))
}

# class_clean: the DataClassification asks for HSM-backed customer-managed keys,
# FIPS endpoints, no public exposure, private endpoints only and data-event
# logging, and names only jurisdictions regions are mapped to.
class_clean if {
	spec := input.object.spec
	spec.encryption.hsmBacked == true
	spec.encryption.customerManagedKey == true
	spec.encryption.fipsEndpoints == true
	spec.network.publicExposure == "Forbidden"
	spec.network.privateEndpointsOnly == true
	spec.audit.dataEvents == true
	every j in class_jurisdictions {
		j in regions.known_jurisdictions
	}
}

# government_clean: the zone is in a government partition and region, on a
# GovCloud account when on AWS.
government_clean if {
	government_partition
	region := zone_region
	is_string(region)
	regions.government(region)
	govcloud_account_clean
}

govcloud_account_clean if core.zone_spec.cloud.provider != "AWS"

govcloud_account_clean if core.zone_spec.account.govCloud == true

# What the zone meets, for the baselines' screens of their threshold checks:
# the audit retention and key rotation that satisfy the classifications, and
# the number of availability zones. A value no threshold is met by otherwise
# (null is below every number, "none" above), so that a baseline compares it
# with its parameter in one expression, negated or not.
audit_days_met := have if {
	have := core.zone_spec.audit.retentionDays
	is_number(have)
	have >= class_audit_days
} else := null

rotation_days_met := have if {
	have := core.zone_spec.encryption.rotationDays
	is_number(have)
	have > 0
	have <= class_rotation_days
} else := "none"

availability_zones_met := have if {
	have := core.zone_spec.network.availabilityZones
	is_number(have)
} else := null

# ================================================================== AU-11

# audit_retention: the zone keeps audit logs at least min_days, or longer when
# a classification in force asks for more.
audit_retention(min_days) := core.zone_finding("spec.audit.retentionDays", sprintf(
	"spec.audit.retentionDays is %s: set it to at least %d%s",
	[core.describe(have), required, because(required, min_days, audit_days_names)],
)) if {
	have := zone_audit_days
	required := max({min_days, class_audit_days})
	not core.at_least(have, required)
}

# plan_audit_retention: a planned trail keeps its logs as long as the zone must.
# Only a LandingZone composes an AuditTrail.
plan_audit_retention(trail, min_days) := core.plan_finding("spec.audit.retentionDays", sprintf(
	"planned AuditTrail %q has forProvider.retentionDays %s: set spec.audit.retentionDays to at least %d",
	[core.name_of(trail), core.describe(have), required],
)) if {
	input.object.kind == "LandingZone"
	have := trail.spec.forProvider.retentionDays
	required := max({min_days, class_audit_days})
	not core.at_least(have, required)
}

# class_audit_retention: a classification under the baseline asks for at
# least min_days of audit logs.
class_audit_retention(min_days) := core.finding("spec.audit.retentionDays", sprintf(
	"spec.audit.retentionDays is %s: set it to at least %d",
	[core.describe(have), min_days],
)) if {
	input.object.kind == "DataClassification"
	have := class_spec(["audit", "retentionDays"])
	not core.at_least(have, min_days)
}

# ================================================================== SC-12

# key_rotation: the zone's customer-managed key rotates at least every
# max_days, or as often as a classification in force asks.
key_rotation(max_days) := core.zone_finding("spec.encryption.rotationDays", sprintf(
	"spec.encryption.rotationDays is %s: set it to at most %d so the zone's customer-managed key rotates%s",
	[core.describe(have), limit, because(limit, max_days, rotation_days_names)],
)) if {
	have := zone_rotation_days
	limit := min({max_days, class_rotation_days})
	not core.at_most(have, limit)
}

# plan_key_rotation_period: a zone's planned Key (whose rotation is always on:
# the Key has no setting to turn it off) rotates at least every max_days, or as
# often as a classification in force asks. A Workload's Key rotates as often
# as its zone or its classifications ask, whichever is more often, so a
# Workload's key can only rotate too rarely when its zone's
# spec.encryption.rotationDays does, which the zone check reports on the
# Workload already: its plan is not checked again.
plan_key_rotation_period(key, max_days) := core.plan_finding("spec.encryption.rotationDays", sprintf(
	"planned Key %q has forProvider.rotationPeriodDays %s: set spec.encryption.rotationDays to at most %d",
	[core.name_of(key), core.describe(period), limit],
)) if {
	input.object.kind == "LandingZone"
	period := key.spec.forProvider.rotationPeriodDays
	limit := min({max_days, class_rotation_days})
	not core.at_most(period, limit)
}

# class_key_rotation: a classification under the baseline rotates keys at
# least every max_days.
class_key_rotation(max_days) := core.finding("spec.encryption.rotationDays", sprintf(
	"spec.encryption.rotationDays is %s: set it to at most %d",
	[core.describe(have), max_days],
)) if {
	input.object.kind == "DataClassification"
	have := class_spec(["encryption", "rotationDays"])
	not core.at_most(have, max_days)
}

# class_hsm: a classification under the baseline demands HSM-backed keys.
class_checks contains ["class_hsm", core.finding("spec.encryption.hsmBacked", sprintf(
	"spec.encryption.hsmBacked is %s: set it to true",
	[core.describe(have)],
))] if {
	input.object.kind == "DataClassification"
	have := class_spec(["encryption", "hsmBacked"])
	have != true
}

# ================================================================== SC-28

# zone_encryption_unset: the zone declares its own key.
zone_checks contains ["zone_encryption_unset", core.zone_finding(
	"spec.encryption",
	"spec.encryption is not set: set spec.encryption.rotationDays so the zone encrypts data at rest with its own customer-managed key",
)] if {
	spec := core.zone_spec # without a zone there is nothing to check: bind it before negating
	not is_object(object.get(spec, "encryption", null))
}

# bucket_finding is a finding on a planned Bucket: on a Workload at the storage
# entry the composer made it for (spec.storage[i]), or at spec.storage when it
# was made for none; on a LandingZone at the zone field named.
bucket_finding(bucket, _, message) := core.finding(storage_field(bucket), message) if input.object.kind == "Workload"

bucket_finding(_, field, message) := core.finding(field, message) if input.object.kind == "LandingZone"

storage_field(bucket) := sprintf("spec.storage[%d]", [min(entries)]) if {
	entries := {i |
		some i, s in object.get(input.object, ["spec", "storage"], [])
		holds(bucket, s)
	}
	count(entries) > 0
} else := "spec.storage"

# holds: the Workload composer labels a storage entry's Bucket with the entry's
# name (controllers/landingzone labelStorage).
holds(bucket, s) if object.get(bucket, ["metadata", "labels", "landingzone.zonekeeper.dev/storage"], null) == s.name

# plan_bucket_sse: planned buckets encrypt with a customer-managed key. A
# Bucket always encrypts by default with SSE-KMS under the key it names
# (forProvider.kmsKeyRef, or kmsKeyARN), so the check is that it names one.
plan_checks contains ["plan_bucket_sse", bucket_finding(bucket, "spec.encryption", sprintf(
	"planned Bucket %q names no KMS key (forProvider.kmsKeyRef or forProvider.kmsKeyARN): encrypt it with SSE-KMS under a customer-managed key",
	[core.name_of(bucket)],
))] if {
	some bucket in core.plan_buckets
	not bucket_key_named(bucket.spec.forProvider)
}

bucket_key_named(p) if {
	is_string(p.kmsKeyARN)
	p.kmsKeyARN != ""
}

bucket_key_named(p) if {
	is_string(p.kmsKeyRef.name)
	p.kmsKeyRef.name != ""
}

# class_cmk: a classification under the baseline demands customer-managed keys.
class_checks contains ["class_cmk", core.finding("spec.encryption.customerManagedKey", sprintf(
	"spec.encryption.customerManagedKey is %s: set it to true",
	[core.describe(have)],
))] if {
	input.object.kind == "DataClassification"
	have := class_spec(["encryption", "customerManagedKey"])
	have != true
}

# ================================================================== SC-13

# Every service endpoint in a government partition is FIPS 140 validated, so a
# zone that must use FIPS endpoints must be in one.

# fips_for_classifications: a zone holding data whose classification sets
# encryption.fipsEndpoints is in a government partition.
zone_checks contains ["fips_for_classifications", core.zone_finding(fix.field, sprintf(
	"%s is %s but DataClassification %s requires FIPS endpoints: %s",
	[fix.field, core.describe(fix.have), core.class_names_where(["encryption", "fipsEndpoints"], true), fix.todo],
))] if {
	fips_requiring
	spec := core.zone_spec
	not regions.government_cloud(spec)
	fix := government_fix(spec)
}

# fips_for_baseline: a zone under a baseline demanding FIPS endpoints is in a
# government partition whatever data it holds.
government_checks contains ["fips_for_baseline", core.zone_finding(fix.field, sprintf(
	"%s is %s but this baseline requires FIPS endpoints: %s",
	[fix.field, core.describe(fix.have), fix.todo],
))] if {
	spec := core.zone_spec
	not regions.government_cloud(spec)
	fix := government_fix(spec)
}

# class_fips: a classification under the baseline demands FIPS endpoints.
class_checks contains ["class_fips", core.finding("spec.encryption.fipsEndpoints", sprintf(
	"spec.encryption.fipsEndpoints is %s: set it to true",
	[core.describe(have)],
))] if {
	input.object.kind == "DataClassification"
	have := class_spec(["encryption", "fipsEndpoints"])
	have != true
}

# government_fix says which field moves a zone into a government partition.
government_fix(spec) := {
	"field": "spec.cloud.environment",
	"have": object.get(spec, ["cloud", "environment"], null),
	"todo": "set it to AzureUSGovernment",
} if object.get(spec, ["cloud", "provider"], null) == "Azure"

government_fix(spec) := {
	"field": "spec.cloud.partition",
	"have": object.get(spec, ["cloud", "partition"], null),
	"todo": "set it to aws-us-gov",
} if object.get(spec, ["cloud", "provider"], null) != "Azure"

# ================================================================== SA-9(5)

# in_any: the region lies in one of the jurisdictions. False rather than
# undefined otherwise, so that the answer is kept for the evaluation either way.
default in_any(_, _) := false

in_any(region, jurisdictions) if {
	some j in jurisdictions
	regions.in_jurisdiction(region, j)
}

# residency: the zone has a region, inside every classification in force's
# residency.
zone_checks contains ["residency", core.zone_finding(
	"spec.cloud.region",
	"spec.cloud.region is not set: set it to a region the data may reside in",
)] if {
	zone_region == null
}

zone_checks contains ["residency", core.zone_finding("spec.cloud.region", sprintf(
	"spec.cloud.region is %q but DataClassification %q must reside in %s: choose a region there",
	[zone_region, core.name_of(c), quoted(js)],
))] if {
	is_string(zone_region)
	some c in core.classifications
	js := object.get(c, ["spec", "residency", "jurisdictions"], [])
	count(js) > 0
	not in_any(zone_region, js)
}

zone_checks contains ["residency", core.zone_finding("spec.cloud.region", sprintf(
	"spec.cloud.region is %q but DataClassification %q allows only %s: set it to one of them",
	[zone_region, core.name_of(c), quoted(rs)],
))] if {
	is_string(zone_region)
	some c in core.classifications
	rs := object.get(c, ["spec", "residency", "allowedRegions"], [])
	count(rs) > 0
	not zone_region in rs
}

# region_in_jurisdictions: the zone's region lies in one of the baseline's
# jurisdictions.
region_in_jurisdictions(jurisdictions) := core.zone_finding("spec.cloud.region", sprintf(
	"spec.cloud.region is %q, outside jurisdiction %s: choose a region there",
	[zone_region, quoted(jurisdictions)],
)) if {
	is_string(zone_region)
	not in_any(zone_region, jurisdictions)
}

# region_allowed: the zone's region is one the baseline allows.
region_allowed(allowed_regions) := core.zone_finding("spec.cloud.region", sprintf(
	"spec.cloud.region is %q: set it to one of %s",
	[zone_region, quoted(allowed_regions)],
)) if {
	is_string(zone_region)
	not zone_region in allowed_regions
}

class_jurisdictions := object.get(input.object, ["spec", "residency", "jurisdictions"], [])

class_regions := object.get(input.object, ["spec", "residency", "allowedRegions"], [])

# class_residency: a classification under a baseline restricting residency
# declares a residency within it: jurisdictions among the baseline's, allowed
# regions among the baseline's allowed regions (when it has a list). Call it
# for a DataClassification only: it reads input.object as one.
class_residency(jurisdictions, allowed_regions) := (({f |
	count(class_jurisdictions) == 0
	count(class_regions) == 0
	f := core.finding("spec.residency.jurisdictions", sprintf(
		"spec.residency is not set: set spec.residency.jurisdictions to [%s]",
		[quoted(jurisdictions)],
	))
} | {f |
	some j in class_jurisdictions
	not j in jurisdictions
	f := core.finding("spec.residency.jurisdictions", sprintf(
		"spec.residency.jurisdictions includes %q: allow only %s",
		[j, quoted(jurisdictions)],
	))
}) | {f |
	some r in class_regions
	not in_any(r, jurisdictions)
	f := core.finding("spec.residency.allowedRegions", sprintf(
		"spec.residency.allowedRegions includes %q, outside jurisdiction %s: remove it",
		[r, quoted(jurisdictions)],
	))
}) | {f |
	count(allowed_regions) > 0
	not class_regions_within(allowed_regions)
	f := core.finding("spec.residency.allowedRegions", sprintf(
		"spec.residency.allowedRegions is [%s]: set it to a non-empty subset of %s",
		[quoted(class_regions), quoted(allowed_regions)],
	))
}

class_regions_within(allowed_regions) if {
	count(class_regions) > 0
	every r in class_regions {
		r in allowed_regions
	}
}

# class_unknown_jurisdiction: a classification names only jurisdictions
# ZoneKeeper maps regions to.
class_checks contains ["class_unknown_jurisdiction", core.finding("spec.residency.jurisdictions", sprintf(
	"spec.residency.jurisdictions includes %q, which no region is mapped to: use %s",
	[j, quoted(regions.known_jurisdictions)],
))] if {
	input.object.kind == "DataClassification"
	some j in class_jurisdictions
	not j in regions.known_jurisdictions
}

# government_cloud: the zone runs in a government partition (AWS GovCloud or
# Azure Government), in a government region, and an AWS account is a GovCloud
# account.
government_checks contains ["government_cloud", core.zone_finding(fix.field, sprintf(
	"%s is %s: %s",
	[fix.field, core.describe(fix.have), fix.todo],
))] if {
	spec := core.zone_spec
	not regions.government_cloud(spec)
	fix := government_fix(spec)
}

government_checks contains ["government_cloud", core.zone_finding("spec.cloud.region", sprintf(
	"spec.cloud.region is %s: choose a government region (us-gov-west-1, us-gov-east-1; usgovvirginia, usgovtexas, usgovarizona, usdodeast, usdodcentral)",
	[core.describe(region)],
))] if {
	region := zone_region
	not government_region(region)
}

government_checks contains ["government_cloud", core.zone_finding("spec.account.govCloud", sprintf(
	"spec.account.govCloud is %s: set it to true so the account is created in GovCloud",
	[core.describe(have)],
))] if {
	object.get(core.zone_spec, ["cloud", "provider"], null) == "AWS"
	have := object.get(core.zone_spec, ["account", "govCloud"], null)
	have != true
}

government_region(region) if {
	is_string(region)
	regions.government(region)
}

# ================================================================== SC-7, SC-7(4)

# network_unset: the zone declares its network boundary.
zone_checks contains ["network_unset", core.zone_finding(
	"spec.network",
	"spec.network is not set: declare it with egress None or Inspected and flowLogs true",
)] if {
	spec := core.zone_spec # without a zone there is nothing to check: bind it before negating
	not is_object(object.get(spec, "network", null))
}

# public_exposure: data a classification keeps off the internet (one that does
# not allow public exposure) does not sit in a zone with direct internet
# egress, declared or planned.
zone_checks contains ["public_exposure", core.zone_finding("spec.network.egress", sprintf(
	"spec.network.egress is %s but DataClassification %s forbids public exposure: set it to Inspected or None",
	[core.describe(zone_egress), forbidding_names],
))] if {
	is_object(zone_network)
	forbidding
	not zone_egress in {"None", "Inspected"}
}

plan_checks contains ["public_exposure", core.plan_finding("spec.network.egress", sprintf(
	"planned VPC %q has forProvider.egress \"Direct\" but DataClassification %s forbids public exposure: set spec.network.egress to Inspected or None",
	[name, forbidding_names],
))] if {
	some name in direct_egress_vpcs
	forbidding
}

# direct_egress_vpcs names the zone's planned VPCs with egress Direct: an
# internet gateway, a public subnet and a NAT gateway. The VPC has no other
# setting that reaches the internet (None has no gateway and no public IP;
# Inspected routes through the transit gateway), so this is what the plan
# tells of exposure. Only a LandingZone composes a VPC.
direct_egress_vpcs contains core.name_of(vpc) if {
	input.object.kind == "LandingZone"
	some vpc in core.plan_vpcs
	vpc.spec.forProvider.egress == "Direct"
}

# egress_allowed: traffic leaves only through one of the allowed egress modes.
egress_allowed(allowed) := core.zone_finding("spec.network.egress", sprintf(
	"spec.network.egress is %s: set it to one of %s",
	[core.describe(zone_egress), quoted(allowed)],
)) if {
	is_object(zone_network)
	not zone_egress in allowed
}

# public_interfaces: no planned VPC has an internet gateway or public subnet,
# whatever the data.
plan_checks contains ["public_interfaces", core.plan_finding("spec.network.egress", sprintf(
	"planned VPC %q has forProvider.egress \"Direct\", an internet gateway and a public subnet: set spec.network.egress to Inspected or None and route traffic through the inspection hub",
	[name],
))] if {
	some name in direct_egress_vpcs
}

# class_not_public: a classification under the baseline forbids public exposure.
class_checks contains ["class_not_public", core.finding("spec.network.publicExposure", sprintf(
	"spec.network.publicExposure is %s: set it to Forbidden",
	[core.describe(have)],
))] if {
	input.object.kind == "DataClassification"
	have := class_spec(["network", "publicExposure"])
	have != "Forbidden"
}

# class_private_endpoints: a classification under the baseline is reached
# through private endpoints only.
class_checks contains ["class_private_endpoints", core.finding("spec.network.privateEndpointsOnly", sprintf(
	"spec.network.privateEndpointsOnly is %s: set it to true",
	[core.describe(have)],
))] if {
	input.object.kind == "DataClassification"
	have := class_spec(["network", "privateEndpointsOnly"])
	have != true
}

# ================================================================== AU-12

# audit_generation: the zone logs network flows, and its planned VPC does; its
# planned AuditTrail records data events when a classification in force asks
# for them. (A planned AuditTrail is always multi-region, with global service
# events: it has no setting for those.)
zone_checks contains ["audit_generation", core.zone_finding("spec.network.flowLogs", sprintf(
	"spec.network.flowLogs is %s: set it to true",
	[core.describe(have)],
))] if {
	have := object.get(core.zone_spec, ["network", "flowLogs"], null)
	have != true
}

plan_checks contains ["audit_generation", core.plan_finding("spec.network.flowLogs", sprintf(
	"planned VPC %q has forProvider.flowLogs.enabled false: set spec.network.flowLogs to true",
	[core.name_of(vpc)],
))] if {
	input.object.kind == "LandingZone"
	some vpc in core.plan_vpcs
	vpc.spec.forProvider.flowLogs.enabled == false
}

plan_checks contains ["audit_generation", core.plan_finding("spec.audit", sprintf(
	"planned AuditTrail %q has forProvider.dataEvents false but DataClassification %s requires data events: compose it with forProvider.dataEvents true",
	[core.name_of(trail), core.class_names_where(["audit", "dataEvents"], true)],
))] if {
	input.object.kind == "LandingZone"
	data_events_requiring
	some trail in core.plan_trails
	trail.spec.forProvider.dataEvents == false
}

# class_data_events: a classification under the baseline records data events.
class_checks contains ["class_data_events", core.finding("spec.audit.dataEvents", sprintf(
	"spec.audit.dataEvents is %s: set it to true",
	[core.describe(have)],
))] if {
	input.object.kind == "DataClassification"
	have := class_spec(["audit", "dataEvents"])
	have != true
}

# ================================================================== AU-9

# audit_protection: audit records cannot be altered: classifications under
# the baseline demand immutable audit, and a zone holding data whose
# classification demands it does not plan its trail's Object Lock in GOVERNANCE
# mode, which lets privileged users delete logs before their retention ends.
# (A planned AuditTrail always validates log files and creates its log bucket
# with Object Lock: it has no setting to turn either off.)
findings contains ["audit_protection", core.finding("spec.audit.immutable", sprintf(
	"spec.audit.immutable is %s: set it to true",
	[core.describe(have)],
))] if {
	input.object.kind == "DataClassification"
	have := class_spec(["audit", "immutable"])
	have != true
}

plan_checks contains ["audit_protection", core.plan_finding("spec.audit", sprintf(
	"planned AuditTrail %q has forProvider.objectLockMode \"GOVERNANCE\" but DataClassification %s requires immutable audit: compose it in COMPLIANCE mode (the default)",
	[core.name_of(trail), core.class_names_where(["audit", "immutable"], true)],
))] if {
	input.object.kind == "LandingZone"
	some trail in core.plan_trails
	trail.spec.forProvider.objectLockMode == "GOVERNANCE"
	immutable_requiring
}

# ================================================================== CP-10

# availability_zones: the zone spreads over at least min_zones availability
# zones so it survives the loss of one.
availability_zones(min_zones) := core.zone_finding("spec.network.availabilityZones", sprintf(
	"spec.network.availabilityZones is %s: set it to at least %d",
	[core.describe(have), min_zones],
)) if {
	have := zone_availability_zones
	not core.at_least(have, min_zones)
}

# ================================================================== AC-4

# classification_ceiling: data flows only into zones cleared for it: every
# classification in force is at or below the zone's maxClassification, and
# every name involved resolves, so an unknown one is reported rather than
# passed.

max_name := object.get(core.zone_spec, "maxClassification", null)

# max_level is undefined when the zone's maxClassification does not resolve to
# a DataClassification with a numeric level; the checks below report that.
max_level := level if {
	level := object.get(core.resolved(max_name), ["spec", "level"], null)
	is_number(level)
}

level_of(c) := object.get(c, ["spec", "level"], 0)

ceiling_checks contains ["classification_ceiling", core.finding(
	"spec.maxClassification",
	"spec.maxClassification is not set: set it to the most sensitive DataClassification the zone may host",
)] if {
	input.object.kind == "LandingZone"
	max_name == null
}

ceiling_checks contains ["classification_ceiling", core.finding("spec.maxClassification", sprintf(
	"spec.maxClassification is %q but no such DataClassification exists: create it or name an existing one",
	[max_name],
))] if {
	input.object.kind == "LandingZone"
	is_string(max_name)
	not core.resolved(max_name)
}

ceiling_checks contains ["classification_ceiling", core.finding("spec.maxClassification", sprintf(
	"the zone hosts DataClassification %q (level %v) above spec.maxClassification %q (level %v): raise spec.maxClassification or move the workloads holding it",
	[core.name_of(c), level_of(c), max_name, max_level],
))] if {
	input.object.kind == "LandingZone"
	some c in core.classifications
	level_of(c) > max_level
}

ceiling_checks contains ["classification_ceiling", core.finding("spec.maxClassification", sprintf(
	"DataClassification %q has no spec.level: set it so the zone's ceiling can be checked",
	[core.name_of(c)],
))] if {
	input.object.kind == "LandingZone"
	some c in core.classifications
	not is_number(object.get(c, ["spec", "level"], null))
}

# workload_classification_fields lists where a Workload names a
# classification: spec.classifications[i] and spec.storage[i].classification.
workload_classification_fields contains [sprintf("spec.classifications[%d]", [i]), name] if {
	input.object.kind == "Workload"
	some i, name in object.get(input.object, ["spec", "classifications"], [])
}

workload_classification_fields contains [sprintf("spec.storage[%d].classification", [i]), s.classification] if {
	input.object.kind == "Workload"
	some i, s in object.get(input.object, ["spec", "storage"], [])
}

workload_ceiling_checks contains ["classification_ceiling", core.finding("spec.landingZoneRef.name", sprintf(
	"landing zone %s was not found: set spec.landingZoneRef.name to an existing LandingZone",
	[core.describe(object.get(input.object, ["spec", "landingZoneRef", "name"], null))],
))] if {
	input.object.kind == "Workload"
	not core.zone
}

workload_ceiling_checks contains ["classification_ceiling", core.finding("spec.landingZoneRef.name", sprintf(
	"landing zone %q has spec.maxClassification %s, which does not resolve to a DataClassification with a spec.level: fix the zone or choose another spec.landingZoneRef",
	[core.zone_name, core.describe(max_name)],
))] if {
	input.object.kind == "Workload"
	core.zone
	not max_level
}

workload_ceiling_checks contains ["classification_ceiling", core.finding(field, sprintf(
	"DataClassification %q was not found: create it or remove it from %s",
	[name, field],
))] if {
	input.object.kind == "Workload"
	some [field, name] in workload_classification_fields
	not core.resolved(name)
}

workload_ceiling_checks contains ["classification_ceiling", core.finding(field, sprintf(
	"DataClassification %q (level %v) is above landing zone %q's maxClassification %q (level %v): choose a zone cleared for level %v",
	[name, level, core.zone_name, max_name, max_level, level],
))] if {
	input.object.kind == "Workload"
	some [field, name] in workload_classification_fields
	level := level_of(core.resolved(name))
	level > max_level
}

workload_ceiling_checks contains ["classification_ceiling", core.finding(field, sprintf(
	"DataClassification %q has no spec.level: set it so the zone's ceiling can be checked",
	[name],
))] if {
	input.object.kind == "Workload"
	some [field, name] in workload_classification_fields
	not is_number(core.spec_value(core.resolved(name), ["level"]))
}

# ================================================================== SI-12

# storage_retention: each storage entry of a Workload keeps records at least
# as long as its classification (or, without one, the workload's
# classifications) requires, and its planned Bucket locks objects that long
# and, for data under legal hold, can hold them.
workload_storage_checks contains ["storage_retention", core.finding(sprintf("spec.storage[%d].retentionDays", [i]), sprintf(
	"spec.storage[%d].retentionDays is %s: set it to at least %d (DataClassification %s keeps records that long)",
	[i, core.describe(have), need, name],
))] if {
	input.object.kind == "Workload"
	some i, s in object.get(input.object, ["spec", "storage"], [])
	[name, need] := storage_requirement(s)

	# an unset retentionDays defaults to the classification's minDays (API contract)
	have := object.get(s, "retentionDays", need)
	not core.at_least(have, need)
}

# storage_buckets are [i, storage entry, its planned Bucket] for a Workload
# with a plan (see holds).
storage_buckets contains [i, s, bucket] if {
	input.object.kind == "Workload"
	core.plan_buckets != [] # admission has no plan: look nothing up
	some i, s in object.get(input.object, ["spec", "storage"], [])
	some bucket in core.plan_buckets
	holds(bucket, s)
}

# a storage entry whose classification sets retention.legalHold has a Bucket
# that can hold objects: legalHold true and Object Lock enabled.
workload_storage_checks contains ["storage_retention", core.finding(sprintf("spec.storage[%d]", [i]), sprintf(
	"planned Bucket %q has forProvider.legalHold %s and forProvider.objectLock.enabled %s but DataClassification %q requires legal hold: compose it with both true",
	[core.name_of(bucket), core.describe(hold), core.describe(lock), s.classification],
))] if {
	some [i, s, bucket] in storage_buckets
	core.spec_value(core.resolved(s.classification), ["retention", "legalHold"]) == true
	hold := object.get(bucket, ["spec", "forProvider", "legalHold"], null)
	lock := object.get(bucket, ["spec", "forProvider", "objectLock", "enabled"], null)
	not all_true(hold, lock)
}

# a storage entry kept for a number of days (its retentionDays, or its
# classification's retention.minDays) has a Bucket that locks objects at least
# that long.
workload_storage_checks contains ["storage_retention", core.finding(sprintf("spec.storage[%d]", [i]), sprintf(
	"planned Bucket %q has forProvider.objectLock.enabled %s and forProvider.objectLock.retentionDays %s but spec.storage[%d] keeps records %d days: compose it with Object Lock retaining them that long",
	[core.name_of(bucket), core.describe(lock), core.describe(days), i, keep],
))] if {
	some [i, s, bucket] in storage_buckets
	keep := storage_days(s)
	lock := object.get(bucket, ["spec", "forProvider", "objectLock", "enabled"], null)
	days := object.get(bucket, ["spec", "forProvider", "objectLock", "retentionDays"], null)
	not locked_for(lock, days, keep)
}

all_true(a, b) if {
	a == true
	b == true
}

locked_for(lock, days, keep) if {
	lock == true
	core.at_least(days, keep)
}

# storage_days is how long a storage entry keeps records: its retentionDays,
# or its classification's retention.minDays (the API's default); undefined
# when neither is a positive number.
storage_days(s) := days if {
	days := s.retentionDays
	is_number(days)
	days > 0
} else := days if {
	days := core.spec_value(core.resolved(s.classification), ["retention", "minDays"])
	is_number(days)
	days > 0
}

# storage_requirement is [who, minimum days] for a storage entry.
storage_requirement(s) := [sprintf("%q", [s.classification]), need] if {
	need := core.spec_value(core.resolved(s.classification), ["retention", "minDays"])
	is_number(need)
}

storage_requirement(s) := [core.class_names_where(["retention", "minDays"], need), need] if {
	not s.classification
	need := max(core.class_numbers(["retention", "minDays"]))
}
