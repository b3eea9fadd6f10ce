package zonekeeper.baselines.cjis_v6_test

import data.zonekeeper.baselines.cjis_v6
import data.zonekeeper.lib.fixtures as fx

# ---------------------------------------------------------------- compliant objects

test_compliant_zone_with_plan_has_no_violations if {
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji, fx.evidence], fx.gov_plan)
	vs == set()
}

test_compliant_workload_has_no_violations if {
	vs := cjis_v6.violation with input as fx.cjis_workload_input
	vs == set()
}

test_compliant_classifications_have_no_violations if {
	every c in [fx.cji, fx.evidence] {
		cjis_v6.violation == set() with input as fx.class_input(c)
	}
}

test_every_violation_names_a_declared_control if {
	vs := cjis_v6.violation with input as fx.zone_input(object.remove(fx.gov_zone, ["spec"]), [fx.cji])
	count(vs) > 0
	every v in vs {
		v.control in cjis_v6.controls
		v.message != ""
		v.severity in {"high", "medium", "low"}
	}
}

# ---------------------------------------------------------------- AC-4

test_ac_4_allowed_workload_at_the_zone_ceiling if {
	vs := cjis_v6.violation with input as fx.cjis_workload_input
	not "AC-4" in fx.controls(vs)
}

test_ac_4_denied_workload_above_the_zone_ceiling if {
	w := fx.spec_patch(fx.workload, {"classifications": ["cui"]})
	vs := cjis_v6.violation with input as fx.workload_input(w, fx.gov_zone, [fx.cji, fx.evidence, fx.cui])
	some v in vs
	v.control == "AC-4"
	v.field == "spec.classifications[0]"
	contains(v.message, "level 5")
}

test_ac_4_denied_zone_hosting_data_above_its_ceiling if {
	vs := cjis_v6.violation with input as fx.zone_input(fx.gov_zone, [fx.cji, fx.cui])
	fx.reported(vs, "AC-4", "spec.maxClassification")
}

test_ac_4_denied_workload_whose_zone_is_missing if {
	vs := cjis_v6.violation with input as {"object": fx.workload, "classifications": [fx.cji, fx.evidence], "plan": []}
	fx.reported(vs, "AC-4", "spec.landingZoneRef.name")
}

test_ac_4_denied_unresolved_classification if {
	vs := cjis_v6.violation with input as fx.workload_input(fx.workload, fx.gov_zone, [fx.cji])
	fx.reported(vs, "AC-4", "spec.storage[0].classification")
}

test_ac_4_denied_zone_without_max_classification if {
	vs := cjis_v6.violation with input as fx.zone_input(fx.without(fx.gov_zone, "maxClassification"), [fx.cji])
	fx.reported(vs, "AC-4", "spec.maxClassification")
}

# ---------------------------------------------------------------- AU-9

test_au_9_allowed_immutable_classification if {
	vs := cjis_v6.violation with input as fx.class_input(fx.cji)
	not "AU-9" in fx.controls(vs)
}

test_au_9_denied_mutable_classification if {
	c := fx.spec_patch(fx.cji, {"audit": {"immutable": false}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "AU-9", "spec.audit.immutable")
}

test_au_9_denied_planned_trail_without_object_lock if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"objectLockEnabled": false})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "AU-9"
	contains(v.message, "objectLockEnabled false")
}

test_au_9_denied_planned_trail_without_log_validation if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"enableLogFileValidation": false})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	fx.reported(vs, "AU-9", "spec.audit")
}

# ---------------------------------------------------------------- AU-11

test_au_11_allowed_exactly_one_year if {
	z := fx.spec_patch(fx.gov_zone, {"audit": {"retentionDays": 365}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	not "AU-11" in fx.controls(vs)
}

test_au_11_denied_below_one_year if {
	z := fx.spec_patch(fx.gov_zone, {"audit": {"retentionDays": 90}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	some v in vs
	v.control == "AU-11"
	v.field == "spec.audit.retentionDays"
	v.message == "spec.audit.retentionDays is 90: set it to at least 365 (CJIS 5.4.7 requires audit records be kept at least one year)"
	v.references == ["CJIS 5.4.7"]
}

test_au_11_denied_when_unset if {
	vs := cjis_v6.violation with input as fx.zone_input(fx.without(fx.gov_zone, "audit"), [fx.cji])
	some v in vs
	v.control == "AU-11"
	startswith(v.message, "spec.audit.retentionDays is not set")
}

test_au_11_denied_below_a_stricter_classification if {
	c := fx.spec_patch(fx.cji, {"audit": {"retentionDays": 730}})
	vs := cjis_v6.violation with input as fx.zone_input(fx.gov_zone, [c])
	some v in vs
	v.control == "AU-11"
	contains(v.message, "at least 730, as DataClassification \"cji\" requires (CJIS 5.4.7")
}

test_au_11_denied_classification_keeping_audit_too_briefly if {
	c := fx.spec_patch(fx.cji, {"audit": {"retentionDays": 30}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "AU-11", "spec.audit.retentionDays")
}

test_au_11_denied_for_a_workload_in_a_short_retention_zone if {
	z := fx.spec_patch(fx.gov_zone, {"audit": {"retentionDays": 90}})
	vs := cjis_v6.violation with input as fx.workload_input(fx.workload, z, [fx.cji, fx.evidence])
	some v in vs
	v.control == "AU-11"
	v.field == "spec.landingZoneRef.name"
	startswith(v.message, "landing zone \"mpd-evidence-prod\": spec.audit.retentionDays is 90")
}

test_au_11_denied_below_an_overridden_parameter if {
	vs := cjis_v6.violation with input as fx.cjis_zone_input
		with data.zonekeeper.params.cjis_v6 as {"audit_retention_days": 500}
	some v in vs
	v.control == "AU-11"
	contains(v.message, "at least 500")
}

# ---------------------------------------------------------------- AU-12

test_au_12_allowed_flow_logs_on if {
	vs := cjis_v6.violation with input as fx.cjis_zone_input
	not "AU-12" in fx.controls(vs)
}

test_au_12_denied_flow_logs_off if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"flowLogs": false}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	fx.reported(vs, "AU-12", "spec.network.flowLogs")
}

test_au_12_denied_classification_without_data_events if {
	c := fx.spec_patch(fx.cji, {"audit": {"dataEvents": false}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "AU-12", "spec.audit.dataEvents")
}

test_au_12_denied_planned_trail_without_data_events if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"dataEvents": false})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	fx.reported(vs, "AU-12", "spec.audit")
}

test_au_12_denied_single_region_trail if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"isMultiRegionTrail": false})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	fx.reported(vs, "AU-12", "spec.audit")
}

# ---------------------------------------------------------------- SA-9(5)

test_sa_9_5_allowed_us_regions if {
	every region in ["us-gov-west-1", "us-gov-east-1"] {
		z := fx.spec_patch(fx.gov_zone, {"cloud": {"region": region}})
		vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
		not "SA-9(5)" in fx.controls(vs)
	}
}

test_sa_9_5_denied_region_outside_the_us if {
	z := fx.spec_patch(fx.gov_zone, {"cloud": {"region": "eu-west-1"}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	fx.reported(vs, "SA-9(5)", "spec.cloud.region")
}

test_sa_9_5_denied_region_unset if {
	z := fx.without(fx.gov_zone, "cloud/region")
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	some v in vs
	v.control == "SA-9(5)"
	startswith(v.message, "spec.cloud.region is not set")
}

test_sa_9_5_denied_region_outside_classification_allowed_regions if {
	c := fx.spec_patch(fx.cji, {"residency": {"allowedRegions": ["us-gov-east-1"]}})
	vs := cjis_v6.violation with input as fx.zone_input(fx.gov_zone, [c])
	some v in vs
	v.control == "SA-9(5)"
	contains(v.message, "allows only \"us-gov-east-1\"")
}

test_sa_9_5_denied_classification_outside_the_us if {
	c := fx.spec_patch(fx.cji, {"residency": {"jurisdictions": ["uk"]}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "SA-9(5)", "spec.residency.jurisdictions")
}

test_sa_9_5_denied_classification_without_residency if {
	vs := cjis_v6.violation with input as fx.class_input(fx.without(fx.cji, "residency"))
	fx.reported(vs, "SA-9(5)", "spec.residency.jurisdictions")
}

# ---------------------------------------------------------------- SC-7

test_sc_7_allowed_no_egress if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"egress": "None"}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	not "SC-7" in fx.controls(vs)
}

test_sc_7_allowed_direct_egress_for_public_data if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"egress": "Direct"}, "maxClassification": "public"})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.public])
	not "SC-7" in fx.controls(vs)
}

test_sc_7_denied_direct_egress_for_data_kept_private if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"egress": "Direct"}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network.egress"
	contains(v.message, "set it to Inspected or None")
}

test_sc_7_denied_network_unset if {
	vs := cjis_v6.violation with input as fx.zone_input(fx.without(fx.gov_zone, "network"), [fx.cji])
	fx.reported(vs, "SC-7", "spec.network")
}

test_sc_7_denied_planned_internet_gateway if {
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"internetGateway": true})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-7"
	contains(v.message, "forProvider.internetGateway true")
}

test_sc_7_denied_planned_public_bucket if {
	plan := fx.plan_patch(fx.gov_plan, "Bucket", {"blockPublicAccess": false})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-7"
	contains(v.message, "blockPublicAccess false")
}

test_sc_7_denied_classification_allowing_public_exposure if {
	c := fx.spec_patch(fx.cji, {"network": {"publicExposure": "Allowed", "privateEndpointsOnly": false}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-7", "spec.network.publicExposure")
	fx.reported(vs, "SC-7", "spec.network.privateEndpointsOnly")
}

# ---------------------------------------------------------------- SC-12

test_sc_12_allowed_yearly_and_quarterly_rotation if {
	every days in [365, 90] {
		z := fx.spec_patch(fx.gov_zone, {"encryption": {"rotationDays": days}})
		vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
		not "SC-12" in fx.controls(vs)
	}
}

test_sc_12_denied_rotation_longer_than_a_year if {
	z := fx.spec_patch(fx.gov_zone, {"encryption": {"rotationDays": 730}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	some v in vs
	v.control == "SC-12"
	v.field == "spec.encryption.rotationDays"
	contains(v.message, "set it to at most 365")
}

test_sc_12_denied_rotation_longer_than_a_classification_allows if {
	c := fx.spec_patch(fx.cji, {"encryption": {"rotationDays": 180}})
	vs := cjis_v6.violation with input as fx.zone_input(fx.gov_zone, [c])
	some v in vs
	v.control == "SC-12"
	contains(v.message, "at most 180 so the zone's customer-managed key rotates, as DataClassification \"cji\" requires")
}

test_sc_12_denied_planned_key_without_rotation if {
	plan := fx.plan_patch(fx.gov_plan, "Key", {"enableKeyRotation": false})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-12"
	contains(v.message, "forProvider.enableKeyRotation false")
}

test_sc_12_denied_planned_key_rotating_too_rarely if {
	plan := fx.plan_patch(fx.gov_plan, "Key", {"rotationPeriodInDays": 2560})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-12"
	contains(v.message, "rotationPeriodInDays 2560")
}

# A key that sets both period fields too long gets a finding for each, not an
# evaluation error (a function cannot return two values).
test_sc_12_denied_planned_key_with_both_periods_too_long if {
	plan := fx.plan_patch(fx.gov_plan, "Key", {"rotationPeriodInDays": 2560, "rotationPeriodDays": 400})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	periods := {v.message |
		some v in vs
		v.control == "SC-12"
		contains(v.message, "rotationPeriod")
	}
	count(periods) == 2
}

test_sc_12_denied_classification_rotating_too_rarely if {
	c := fx.spec_patch(fx.cji, {"encryption": {"rotationDays": 730}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-12", "spec.encryption.rotationDays")
}

# ---------------------------------------------------------------- SC-13

test_sc_13_allowed_govcloud_for_fips_data if {
	vs := cjis_v6.violation with input as fx.cjis_zone_input
	not "SC-13" in fx.controls(vs)
}

test_sc_13_denied_commercial_partition_for_fips_data if {
	z := fx.spec_patch(fx.gov_zone, {"cloud": {"partition": "aws", "region": "us-east-1"}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [fx.cji])
	some v in vs
	v.control == "SC-13"
	v.field == "spec.cloud.partition"
	contains(v.message, "set it to aws-us-gov")
}

test_sc_13_denied_classification_without_fips_endpoints if {
	c := fx.spec_patch(fx.cji, {"encryption": {"fipsEndpoints": false}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-13", "spec.encryption.fipsEndpoints")
}

# ---------------------------------------------------------------- SC-28

test_sc_28_allowed_zone_with_its_own_key if {
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], fx.gov_plan)
	not "SC-28" in fx.controls(vs)
}

test_sc_28_denied_zone_without_encryption if {
	vs := cjis_v6.violation with input as fx.zone_input(fx.without(fx.gov_zone, "encryption"), [fx.cji])
	fx.reported(vs, "SC-28", "spec.encryption")
}

test_sc_28_denied_classification_without_customer_managed_key if {
	c := fx.spec_patch(fx.cji, {"encryption": {"customerManagedKey": false}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-28", "spec.encryption.customerManagedKey")
}

test_sc_28_denied_planned_bucket_without_kms if {
	plan := fx.plan_patch(fx.gov_plan, "Bucket", {"serverSideEncryption": "AES256"})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-28"
	contains(v.message, "serverSideEncryption \"AES256\"")
}

# ---------------------------------------------------------------- SI-12

test_si_12_allowed_storage_kept_the_minimum if {
	vs := cjis_v6.violation with input as fx.cjis_workload_input
	not "SI-12" in fx.controls(vs)
}

test_si_12_denied_storage_kept_too_briefly if {
	w := fx.spec_patch(fx.workload, {"storage": [{"name": "bodycam", "classification": "evidence", "retentionDays": 30}]})
	vs := cjis_v6.violation with input as fx.workload_input(w, fx.gov_zone, [fx.cji, fx.evidence])
	some v in vs
	v.control == "SI-12"
	v.field == "spec.storage[0].retentionDays"
	contains(v.message, "at least 2555")
}

test_si_12_denied_unclassified_storage_below_the_workload_minimum if {
	w := fx.spec_patch(fx.workload, {"storage": [{"name": "scratch", "retentionDays": 10}]})
	vs := cjis_v6.violation with input as fx.workload_input(w, fx.gov_zone, [fx.cji])
	fx.reported(vs, "SI-12", "spec.storage[0].retentionDays")
}

test_si_12_denied_legal_hold_bucket_without_object_lock if {
	inp := object.union(fx.cjis_workload_input, {"plan": [{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Bucket",
		"metadata": {"name": "bodycam"},
		"spec": {"forProvider": {"serverSideEncryption": "aws:kms", "blockPublicAccess": true, "objectLockEnabled": false}},
	}]})
	vs := cjis_v6.violation with input as inp
	fx.reported(vs, "SI-12", "spec.storage[0]")
}

# ---------------------------------------------------------------- plan contradictions

test_au_11_denied_planned_trail_keeping_logs_too_briefly if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"retentionDays": 90})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "AU-11"
	contains(v.message, "planned AuditTrail \"mpd-evidence-prod\" has forProvider.retentionDays 90")
}

test_au_12_denied_planned_vpc_without_flow_logs if {
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"flowLogs": {"enabled": false}})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	fx.reported(vs, "AU-12", "spec.network.flowLogs")
}

test_sc_7_denied_planned_vpc_with_direct_egress if {
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"egress": "Direct"})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-7"
	contains(v.message, "forProvider.egress \"Direct\"")
}

test_sc_12_denied_planned_key_period_under_the_managed_resource_name if {
	plan := fx.plan_patch(fx.gov_plan, "Key", {"rotationPeriodDays": 730})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-12"
	contains(v.message, "forProvider.rotationPeriodDays 730")
}

test_sc_12_allowed_planned_resources_silent_on_a_setting if {
	# the plan is checked for contradictions of the spec; the spec is checked for what is missing
	plan := [
		{"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Key", "metadata": {"name": "k"}, "spec": {"forProvider": {}}},
		{"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "AuditTrail", "metadata": {"name": "t"}, "spec": {"forProvider": {}}},
		{"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "VPC", "metadata": {"name": "v"}, "spec": {"forProvider": {}}},
	]
	cjis_v6.violation == set() with input as fx.planned_zone_input(fx.gov_zone, [fx.cji, fx.evidence], plan)
}
