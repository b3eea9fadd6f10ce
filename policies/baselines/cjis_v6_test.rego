package zonekeeper.baselines.cjis_v6_test

import data.zonekeeper.baselines.cjis_v6
import data.zonekeeper.lib.core
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

test_compliant_workload_with_plan_has_no_violations if {
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], fx.workload_plan)
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

# A finding on a planned resource that follows from a zone field points, on a
# Workload, at the field the Workload has: spec.landingZoneRef.name.
test_plan_findings_on_a_workload_point_at_its_zone if {
	f := core.plan_finding("spec.encryption.rotationDays", "planned Key \"k\" has forProvider.rotationPeriodDays 400") with input as fx.cjis_workload_input
	f.field == "spec.landingZoneRef.name"
	f.message == "landing zone \"mpd-evidence-prod\": planned Key \"k\" has forProvider.rotationPeriodDays 400; fix the zone or choose another spec.landingZoneRef"
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

test_ac_4_denied_zone_hosting_a_classification_without_a_level if {
	vs := cjis_v6.violation with input as fx.zone_input(fx.gov_zone, [fx.cji, fx.without(fx.evidence, "level")])
	some v in vs
	v.control == "AC-4"
	v.field == "spec.maxClassification"
	v.message == "DataClassification \"evidence\" has no spec.level: set it so the zone's ceiling can be checked (CJIS v6.0 AC-4: a zone holds data only up to its maxClassification)"
}

test_ac_4_denied_workload_whose_zone_ceiling_does_not_resolve if {
	z := fx.spec_patch(fx.gov_zone, {"maxClassification": "ghost"})
	vs := cjis_v6.violation with input as fx.workload_input(fx.workload, z, [fx.cji, fx.evidence])
	some v in vs
	v.control == "AC-4"
	v.field == "spec.landingZoneRef.name"
	contains(v.message, "has spec.maxClassification \"ghost\", which does not resolve")
}

test_ac_4_denied_workload_naming_a_classification_without_a_level if {
	vs := cjis_v6.violation with input as fx.workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.without(fx.evidence, "level")])
	some v in vs
	v.control == "AC-4"
	v.field == "spec.storage[0].classification"
	startswith(v.message, "DataClassification \"evidence\" has no spec.level")
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

test_au_9_allowed_governance_mode_trail_for_data_without_immutable_audit if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"objectLockMode": "GOVERNANCE"})
	z := fx.spec_patch(fx.gov_zone, {"maxClassification": "public"})
	vs := cjis_v6.violation with input as fx.planned_zone_input(z, [fx.public], plan)
	not "AU-9" in fx.controls(vs)
}

test_au_9_denied_planned_trail_in_governance_mode if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"objectLockMode": "GOVERNANCE"})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "AU-9"
	v.field == "spec.audit"
	contains(v.message, "planned AuditTrail \"mpd-evidence-prod\" has forProvider.objectLockMode \"GOVERNANCE\" but DataClassification \"cji\" requires immutable audit")
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

test_au_12_denied_for_a_workload_in_a_zone_without_flow_logs if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"flowLogs": false}})
	vs := cjis_v6.violation with input as fx.workload_input(fx.workload, z, [fx.cji, fx.evidence])
	some v in vs
	v.control == "AU-12"
	v.field == "spec.landingZoneRef.name"
	v.message == "landing zone \"mpd-evidence-prod\": spec.network.flowLogs is false: set it to true; fix the zone or choose another spec.landingZoneRef (CJIS v6.0 AU-12 requires network flows and data events on CJI be logged)"
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

test_sa_9_5_denied_region_outside_the_us_whatever_the_data if {
	# no classification restricts residency: the baseline's jurisdictions do
	c := fx.without(fx.cji, "residency")
	z := fx.spec_patch(fx.gov_zone, {"cloud": {"region": "eu-west-1"}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [c])
	some v in vs
	v.control == "SA-9(5)"
	v.message == "spec.cloud.region is \"eu-west-1\", outside jurisdiction \"us\": choose a region there (CJIS: CJI is stored and processed in the United States only)"
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

test_sa_9_5_denied_classification_in_an_unknown_jurisdiction if {
	c := fx.spec_patch(fx.cji, {"residency": {"jurisdictions": ["us", "mars"]}})
	vs := cjis_v6.violation with input as fx.class_input(c)
	some v in vs
	v.control == "SA-9(5)"
	v.message == "spec.residency.jurisdictions includes \"mars\", which no region is mapped to: use \"uk\", \"us\" (CJIS: CJI is stored and processed in the United States only)"
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

test_sc_7_denied_direct_egress_for_a_classification_silent_on_exposure if {
	# the API defaults publicExposure to Forbidden: unset is not Allowed
	c := fx.without(fx.cji, "network")
	z := fx.spec_patch(fx.gov_zone, {"network": {"egress": "Direct"}})
	vs := cjis_v6.violation with input as fx.zone_input(z, [c])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network.egress"
	contains(v.message, "but DataClassification \"cji\" forbids public exposure")
}

test_sc_7_denied_for_a_workload_in_a_zone_without_a_network if {
	vs := cjis_v6.violation with input as fx.workload_input(fx.workload, fx.without(fx.gov_zone, "network"), [fx.cji, fx.evidence])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.landingZoneRef.name"
	startswith(v.message, "landing zone \"mpd-evidence-prod\": spec.network is not set")
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

test_sc_12_denied_planned_key_rotating_too_rarely if {
	plan := fx.plan_patch(fx.gov_plan, "Key", {"rotationPeriodDays": 2560})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-12"
	v.field == "spec.encryption.rotationDays"
	contains(v.message, "planned Key \"mpd-evidence-prod\" has forProvider.rotationPeriodDays 2560: set spec.encryption.rotationDays to at most 365")
}

# A Workload's Key rotates as its zone does: a zone rotating too rarely is
# reported on the Workload once, at spec.landingZoneRef.name, not again for the
# planned Key at a field the Workload does not have.
test_sc_12_denied_workload_key_once_through_its_zone if {
	z := fx.spec_patch(fx.gov_zone, {"encryption": {"rotationDays": 400}})
	plan := fx.plan_patch(fx.workload_plan, "Key", {"rotationPeriodDays": 400})
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, z, [fx.without(fx.cji, "encryption/rotationDays"), fx.evidence], plan)
	found := [v | some v in vs; v.control == "SC-12"]
	count(found) == 1
	found[0].field == "spec.landingZoneRef.name"
	startswith(found[0].message, "landing zone \"mpd-evidence-prod\": spec.encryption.rotationDays is 400")
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

test_sc_28_denied_planned_bucket_without_a_key if {
	plan := fx.plan_without(fx.workload_plan, "Bucket", "kmsKeyRef")
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	some v in vs
	v.control == "SC-28"
	v.field == "spec.storage[0]"
	startswith(v.message, "planned Bucket \"records-bodycam\" names no KMS key")
}

test_sc_28_allowed_planned_bucket_with_a_key_arn if {
	plan := fx.plan_patch(
		fx.plan_without(fx.workload_plan, "Bucket", "kmsKeyRef"), "Bucket",
		{"kmsKeyARN": "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
	)
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	not "SC-28" in fx.controls(vs)
}

test_sc_28_denied_for_a_workload_in_a_zone_without_encryption if {
	vs := cjis_v6.violation with input as fx.workload_input(fx.workload, fx.without(fx.gov_zone, "encryption"), [fx.cji, fx.evidence])
	fx.reported(vs, "SC-28", "spec.landingZoneRef.name")
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

test_si_12_allowed_planned_bucket_locking_objects_the_storage_retention if {
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], fx.workload_plan)
	not "SI-12" in fx.controls(vs)
}

test_si_12_denied_legal_hold_bucket_without_legal_hold if {
	plan := fx.plan_without(fx.workload_plan, "Bucket", "legalHold")
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	some v in vs
	v.control == "SI-12"
	v.field == "spec.storage[0]"
	contains(v.message, "planned Bucket \"records-bodycam\" has forProvider.legalHold not set and forProvider.objectLock.enabled true but DataClassification \"evidence\" requires legal hold")
}

test_si_12_denied_legal_hold_bucket_without_object_lock if {
	plan := fx.plan_without(fx.workload_plan, "Bucket", "objectLock")
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	msgs := {v.message | some v in vs; v.control == "SI-12"; v.field == "spec.storage[0]"}
	count(msgs) == 2 # no legal hold without Object Lock, and no retention
}

test_si_12_denied_planned_bucket_locking_objects_too_briefly if {
	plan := fx.plan_patch(fx.workload_plan, "Bucket", {"objectLock": {"retentionDays": 30}})
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	some v in vs
	v.control == "SI-12"
	v.field == "spec.storage[0]"
	contains(v.message, "forProvider.objectLock.retentionDays 30 but spec.storage[0] keeps records 2555 days")
}

# A storage entry's Bucket is found by its storage label, whatever its name
# (the composer cuts a long <workload>-<storage> to 63 characters with a hash),
# and a Bucket labelled for another entry is not taken for it.
test_si_12_denied_legal_hold_bucket_found_by_its_storage_label if {
	plan := [json.patch(b, [{"op": "replace", "path": "/metadata/name", "value": "records-management-system-for-the-metropolitan-police-98f3830b"}]) |
		some b in fx.plan_without(fx.workload_plan, "Bucket", "legalHold")
		b.kind == "Bucket"
	]
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	fx.reported(vs, "SI-12", "spec.storage[0]")
}

test_si_12_allowed_legal_hold_bucket_labelled_for_another_entry if {
	plan := [json.patch(b, [{"op": "replace", "path": "/metadata/labels/landingzone.zonekeeper.dev~1storage", "value": "other"}]) |
		some b in fx.plan_without(fx.workload_plan, "Bucket", "legalHold")
		b.kind == "Bucket"
	]
	vs := cjis_v6.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	not fx.reported(vs, "SI-12", "spec.storage[0]")
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
	some v in vs
	v.control == "AU-12"
	v.field == "spec.network.flowLogs"
	startswith(v.message, "planned VPC \"mpd-evidence-prod\" has forProvider.flowLogs.enabled false")
}

test_au_12_allowed_planned_trail_recording_data_events if {
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], fx.gov_plan)
	not fx.reported(vs, "AU-12", "spec.audit")
}

test_au_12_denied_planned_trail_without_data_events if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"dataEvents": false})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "AU-12"
	v.field == "spec.audit"
	startswith(v.message, "planned AuditTrail \"mpd-evidence-prod\" has forProvider.dataEvents false but DataClassification \"cji\" requires data events")
}

test_au_12_allowed_planned_trail_without_data_events_nobody_asks_for if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"dataEvents": false})
	c := fx.spec_patch(fx.cji, {"audit": {"dataEvents": false}})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [c], plan)
	not fx.reported(vs, "AU-12", "spec.audit")
}

test_sc_7_denied_planned_vpc_with_direct_egress if {
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"egress": "Direct"})
	vs := cjis_v6.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-7"
	contains(v.message, "forProvider.egress \"Direct\"")
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
