package zonekeeper.baselines.dod_il5_test

import data.zonekeeper.baselines.dod_il5 as il5
import data.zonekeeper.lib.fixtures as fx

il5_input := fx.zone_input(fx.il5_zone, [fx.cui])

il5_workload := fx.spec_patch(fx.workload, {
	"landingZoneRef": {"name": "army-logistics"},
	"classifications": ["cui"],
	"storage": [{"name": "manifests", "classification": "cui", "retentionDays": 1095}],
})

# ---------------------------------------------------------------- compliant objects

test_compliant_azure_government_zone_has_no_violations if {
	il5.violation == set() with input as il5_input
}

test_compliant_govcloud_zone_with_plan_has_no_violations if {
	vs := il5.violation with input as govcloud_input(fx.gov_plan)
	vs == set()
}

test_compliant_workload_has_no_violations if {
	il5.violation == set() with input as fx.workload_input(il5_workload, fx.il5_zone, [fx.cui])
}

# a zone in a government partition on GovCloud, for planned resources
govcloud_zone := fx.spec_patch(fx.gov_zone, {"maxClassification": "cui"})

govcloud_input(plan) := fx.planned_zone_input(govcloud_zone, [fx.cui], plan)

test_compliant_classification_has_no_violations if {
	il5.violation == set() with input as fx.class_input(fx.cui)
}

test_every_violation_names_a_declared_control if {
	vs := il5.violation with input as fx.zone_input(object.remove(fx.il5_zone, ["spec"]), [fx.cui])
	count(vs) > 0
	every v in vs {
		v.control in il5.controls
		v.references[0] == "DoD SRG IL5"
	}
}

# ---------------------------------------------------------------- AC-4

test_ac_4_allowed_workload_at_the_zone_ceiling if {
	vs := il5.violation with input as fx.workload_input(il5_workload, fx.il5_zone, [fx.cui])
	not "AC-4" in fx.controls(vs)
}

test_ac_4_denied_zone_max_classification_unknown if {
	vs := il5.violation with input as fx.zone_input(fx.il5_zone, [fx.cji])
	some v in vs
	v.control == "AC-4"
	contains(v.message, "no such DataClassification exists")
}

test_ac_4_denied_workload_above_the_zone_ceiling if {
	z := fx.spec_patch(fx.il5_zone, {"maxClassification": "public"})
	vs := il5.violation with input as fx.workload_input(il5_workload, z, [fx.cui, fx.public])
	fx.reported(vs, "AC-4", "spec.classifications[0]")
}

# ---------------------------------------------------------------- AU-11

test_au_11_allowed_twelve_months if {
	vs := il5.violation with input as il5_input
	not "AU-11" in fx.controls(vs)
}

test_au_11_denied_below_twelve_months if {
	z := fx.spec_patch(fx.il5_zone, {"audit": {"retentionDays": 200}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	some v in vs
	v.control == "AU-11"
	v.field == "spec.audit.retentionDays"
	v.references == ["DoD SRG IL5", "OMB M-21-31"]
}

test_au_11_denied_planned_trail_keeping_logs_too_briefly if {
	vs := il5.violation with input as govcloud_input(fx.plan_patch(fx.gov_plan, "AuditTrail", {"retentionDays": 90}))
	some v in vs
	v.control == "AU-11"
	startswith(v.message, "planned AuditTrail \"mpd-evidence-prod\" has forProvider.retentionDays 90")
}

# ---------------------------------------------------------------- AU-12

test_au_12_allowed_flow_logs_and_data_events if {
	vs := il5.violation with input as fx.class_input(fx.cui)
	not "AU-12" in fx.controls(vs)
}

test_au_12_denied_flow_logs_off if {
	z := fx.spec_patch(fx.il5_zone, {"network": {"flowLogs": false}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	fx.reported(vs, "AU-12", "spec.network.flowLogs")
}

test_au_12_denied_classification_without_data_events if {
	c := fx.spec_patch(fx.cui, {"audit": {"dataEvents": false}})
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "AU-12", "spec.audit.dataEvents")
}

# ---------------------------------------------------------------- CP-10

test_cp_10_allowed_three_availability_zones if {
	vs := il5.violation with input as il5_input
	not "CP-10" in fx.controls(vs)
}

test_cp_10_denied_single_availability_zone if {
	z := fx.spec_patch(fx.il5_zone, {"network": {"availabilityZones": 1}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	fx.reported(vs, "CP-10", "spec.network.availabilityZones")
}

# ---------------------------------------------------------------- SA-9(5)

test_sa_9_5_allowed_government_regions if {
	every region in ["usgovvirginia", "usgovtexas", "usdodeast"] {
		z := fx.spec_patch(fx.il5_zone, {"cloud": {"region": region}})
		vs := il5.violation with input as fx.zone_input(z, [fx.cui])
		not "SA-9(5)" in fx.controls(vs)
	}
}

test_sa_9_5_denied_region_outside_classification_allowed_regions if {
	c := fx.spec_patch(fx.cui, {"residency": {"allowedRegions": ["usgovtexas"]}})
	vs := il5.violation with input as fx.zone_input(fx.il5_zone, [c])
	some v in vs
	v.control == "SA-9(5)"
	v.field == "spec.cloud.region"
	contains(v.message, "allows only \"usgovtexas\"")
}

test_sa_9_5_denied_classification_outside_the_us if {
	c := fx.spec_patch(fx.cui, {"residency": {"jurisdictions": ["uk"]}})
	vs := il5.violation with input as fx.class_input(c)
	some v in vs
	v.control == "SA-9(5)"
	v.field == "spec.residency.jurisdictions"
	contains(v.message, "includes \"uk\": allow only \"us\"")
}

test_sa_9_5_denied_classification_in_an_unknown_jurisdiction if {
	c := fx.spec_patch(fx.cui, {"residency": {"jurisdictions": ["us", "eu"]}})
	vs := il5.violation with input as fx.class_input(c)
	some v in vs
	v.control == "SA-9(5)"
	contains(v.message, "which no region is mapped to")
}

test_sa_9_5_denied_for_a_workload_in_a_commercial_zone if {
	z := fx.spec_patch(fx.il5_zone, {"cloud": {"environment": "AzurePublic", "region": "eastus"}})
	vs := il5.violation with input as fx.workload_input(il5_workload, z, [fx.cui])
	some v in vs
	v.control == "SA-9(5)"
	v.field == "spec.landingZoneRef.name"
	startswith(v.message, "landing zone \"army-logistics\": spec.cloud.environment is \"AzurePublic\": set it to AzureUSGovernment")
}

test_sa_9_5_denied_commercial_aws_partition if {
	z := fx.spec_patch(fx.gov_zone, {"cloud": {"partition": "aws", "region": "us-east-1"}, "maxClassification": "cui"})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	some v in vs
	v.control == "SA-9(5)"
	v.field == "spec.cloud.partition"
	v.message == "spec.cloud.partition is \"aws\": set it to aws-us-gov (IL5 runs on infrastructure dedicated to federal tenants in US locations)"
}

test_sa_9_5_denied_account_outside_govcloud if {
	z := fx.spec_patch(fx.gov_zone, {"account": {"govCloud": false}, "maxClassification": "cui"})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	fx.reported(vs, "SA-9(5)", "spec.account.govCloud")
}

test_sa_9_5_denied_azure_public_environment if {
	z := fx.spec_patch(fx.il5_zone, {"cloud": {"environment": "AzurePublic", "region": "eastus"}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	fx.reported(vs, "SA-9(5)", "spec.cloud.environment")
	fx.reported(vs, "SA-9(5)", "spec.cloud.region")
}

# ---------------------------------------------------------------- SC-7

test_sc_7_allowed_private_classification if {
	vs := il5.violation with input as fx.class_input(fx.cui)
	not "SC-7" in fx.controls(vs)
}

test_sc_7_denied_network_unset if {
	vs := il5.violation with input as fx.zone_input(fx.without(fx.il5_zone, "network"), [fx.cui])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network"
	v.references == ["DoD SRG IL5", "DoD SCCA"]
}

test_sc_7_denied_direct_egress_for_data_kept_private if {
	z := fx.spec_patch(fx.il5_zone, {"network": {"egress": "Direct"}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network.egress"
	contains(v.message, "DataClassification \"cui\" forbids public exposure")
}

test_sc_7_denied_classification_allowing_public_exposure if {
	c := fx.spec_patch(fx.cui, {"network": {"publicExposure": "Allowed"}})
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-7", "spec.network.publicExposure")
}

test_sc_7_denied_classification_with_public_endpoints if {
	c := fx.spec_patch(fx.cui, {"network": {"privateEndpointsOnly": false}})
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-7", "spec.network.privateEndpointsOnly")
}

test_sc_7_denied_planned_direct_egress_for_data_kept_private if {
	vs := il5.violation with input as govcloud_input(fx.plan_patch(fx.gov_plan, "VPC", {"egress": "Direct"}))
	some v in vs
	v.control == "SC-7"
	startswith(v.message, "planned VPC \"mpd-evidence-prod\" has forProvider.egress \"Direct\" but DataClassification \"cui\" forbids public exposure")
}

# ---------------------------------------------------------------- SC-7(4)

test_sc_7_4_allowed_no_egress if {
	z := fx.spec_patch(fx.il5_zone, {"network": {"egress": "None"}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	not "SC-7(4)" in fx.controls(vs)
}

test_sc_7_4_denied_direct_egress if {
	z := fx.spec_patch(fx.il5_zone, {"network": {"egress": "Direct"}, "maxClassification": "public"})
	vs := il5.violation with input as fx.zone_input(z, [fx.public])
	some v in vs
	v.control == "SC-7(4)"
	v.field == "spec.network.egress"
	v.references == ["DoD SRG IL5", "DoD SCCA"]
	not "SC-7" in fx.controls(vs)
}

test_sc_7_4_denied_planned_internet_gateway if {
	vs := il5.violation with input as govcloud_input(fx.plan_patch(fx.gov_plan, "VPC", {"egress": "Direct"}))
	some v in vs
	v.control == "SC-7(4)"
	v.field == "spec.network.egress"
	contains(v.message, "an internet gateway and a public subnet")
}

# ---------------------------------------------------------------- SC-12

test_sc_12_allowed_hsm_backed_keys if {
	vs := il5.violation with input as fx.class_input(fx.cui)
	not "SC-12" in fx.controls(vs)
}

test_sc_12_denied_rotation_longer_than_a_year if {
	z := fx.spec_patch(fx.il5_zone, {"encryption": {"rotationDays": 400}})
	vs := il5.violation with input as fx.zone_input(z, [fx.without(fx.cui, "encryption/rotationDays")])
	some v in vs
	v.control == "SC-12"
	v.field == "spec.encryption.rotationDays"
	contains(v.message, "set it to at most 365")
}

test_sc_12_denied_planned_key_rotating_too_rarely if {
	vs := il5.violation with input as govcloud_input(fx.plan_patch(fx.gov_plan, "Key", {"rotationPeriodDays": 730}))
	some v in vs
	v.control == "SC-12"
	contains(v.message, "forProvider.rotationPeriodDays 730")
}

test_sc_12_denied_classification_rotating_too_rarely if {
	c := fx.spec_patch(fx.cui, {"encryption": {"rotationDays": 730}})
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-12", "spec.encryption.rotationDays")
}

test_sc_12_denied_keys_outside_an_hsm if {
	c := fx.without(fx.cui, "encryption/hsmBacked")
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-12", "spec.encryption.hsmBacked")
}

# ---------------------------------------------------------------- SC-13

test_sc_13_allowed_government_partition if {
	vs := il5.violation with input as il5_input
	not "SC-13" in fx.controls(vs)
}

test_sc_13_denied_commercial_partition_even_for_public_data if {
	z := fx.spec_patch(fx.gov_zone, {"cloud": {"partition": "aws"}, "maxClassification": "public"})
	vs := il5.violation with input as fx.zone_input(z, [fx.public])
	some v in vs
	v.control == "SC-13"
	contains(v.message, "this baseline requires FIPS endpoints")
}

test_sc_13_denied_classification_without_fips_endpoints if {
	c := fx.spec_patch(fx.cui, {"encryption": {"fipsEndpoints": false}})
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-13", "spec.encryption.fipsEndpoints")
}

# ---------------------------------------------------------------- SC-28

test_sc_28_allowed_zone_with_its_own_key if {
	vs := il5.violation with input as il5_input
	not "SC-28" in fx.controls(vs)
}

test_sc_28_denied_zone_without_encryption if {
	vs := il5.violation with input as fx.zone_input(fx.without(fx.il5_zone, "encryption"), [fx.cui])
	fx.reported(vs, "SC-28", "spec.encryption")
}

test_sc_28_denied_classification_without_customer_managed_key if {
	c := fx.spec_patch(fx.cui, {"encryption": {"customerManagedKey": false}})
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-28", "spec.encryption.customerManagedKey")
}

test_sc_28_denied_planned_bucket_without_a_key if {
	plan := [{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Bucket",
		"metadata": {"name": "records-manifests", "namespace": "dod", "labels": {"landingzone.zonekeeper.dev/storage": "manifests"}},
		"spec": {"forProvider": {"region": "us-gov-west-1", "bucketName": "zk-manifests", "objectLock": {"enabled": true, "retentionDays": 1095}}},
	}]
	w := fx.spec_patch(il5_workload, {"storage": [{"name": "manifests", "classification": "cui"}]})
	vs := il5.violation with input as fx.planned_workload_input(w, fx.il5_zone, [fx.cui], plan)
	fx.reported(vs, "SC-28", "spec.storage[0]")
}

# ---------------------------------------------------------------- SI-12

test_si_12_allowed_storage_kept_the_minimum if {
	vs := il5.violation with input as fx.workload_input(il5_workload, fx.il5_zone, [fx.cui])
	not "SI-12" in fx.controls(vs)
}

test_si_12_denied_storage_kept_too_briefly if {
	w := fx.spec_patch(il5_workload, {"storage": [{"name": "manifests", "classification": "cui", "retentionDays": 365}]})
	vs := il5.violation with input as fx.workload_input(w, fx.il5_zone, [fx.cui])
	fx.reported(vs, "SI-12", "spec.storage[0].retentionDays")
}

test_si_12_denied_planned_bucket_locking_objects_too_briefly if {
	# storage without retentionDays keeps records for its classification's minDays
	w := fx.spec_patch(il5_workload, {"storage": [{"name": "manifests", "classification": "cui"}]})
	plan := [{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Bucket",
		"metadata": {"name": "records-manifests", "namespace": "dod", "labels": {"landingzone.zonekeeper.dev/storage": "manifests"}},
		"spec": {"forProvider": {"region": "us-gov-west-1", "bucketName": "zk-manifests", "kmsKeyRef": {"name": "records"}, "objectLock": {"enabled": true, "retentionDays": 365}}},
	}]
	vs := il5.violation with input as fx.planned_workload_input(w, fx.il5_zone, [fx.cui], plan)
	some v in vs
	v.control == "SI-12"
	v.field == "spec.storage[0]"
	contains(v.message, "keeps records 1095 days")
}
