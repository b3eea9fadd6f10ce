package zonekeeper.baselines.uk_official_sensitive_test

import data.zonekeeper.baselines.uk_official_sensitive as uk
import data.zonekeeper.lib.fixtures as fx

uk_input := fx.zone_input(fx.uk_zone, [fx.official_sensitive])

uk_workload := fx.spec_patch(fx.workload, {
	"landingZoneRef": {"name": "met-bwv"},
	"classifications": ["official-sensitive"],
	"storage": [{"name": "bwv", "classification": "official-sensitive", "retentionDays": 2190}],
})

uk_workload_input := fx.workload_input(uk_workload, fx.uk_zone, [fx.official_sensitive])

# ---------------------------------------------------------------- compliant objects

test_compliant_zone_has_no_violations if {
	uk.violation == set() with input as uk_input
}

test_compliant_zone_with_plan_has_no_violations if {
	uk.violation == set() with input as fx.planned_zone_input(fx.uk_zone, [fx.official_sensitive], fx.gov_plan)
}

test_compliant_workload_has_no_violations if {
	uk.violation == set() with input as uk_workload_input
}

test_compliant_classification_has_no_violations if {
	uk.violation == set() with input as fx.class_input(fx.official_sensitive)
}

test_every_violation_names_a_declared_control if {
	vs := uk.violation with input as fx.zone_input(object.remove(fx.uk_zone, ["spec"]), [fx.official_sensitive])
	count(vs) > 0
	every v in vs {
		v.control in uk.controls
	}
}

# ---------------------------------------------------------------- AC-4

test_ac_4_allowed_workload_at_the_zone_ceiling if {
	vs := uk.violation with input as uk_workload_input
	not "AC-4" in fx.controls(vs)
}

test_ac_4_denied_zone_without_max_classification if {
	vs := uk.violation with input as fx.zone_input(fx.without(fx.uk_zone, "maxClassification"), [fx.official_sensitive])
	fx.reported(vs, "AC-4", "spec.maxClassification")
}

test_ac_4_denied_workload_above_the_zone_ceiling if {
	w := fx.spec_patch(uk_workload, {"classifications": ["cji"]})
	vs := uk.violation with input as fx.workload_input(w, fx.uk_zone, [fx.official_sensitive, fx.cji])
	some v in vs
	v.control == "AC-4"
	v.references == ["NCSC-P3"]
}

# ---------------------------------------------------------------- AU-9

test_au_9_allowed_immutable_audit if {
	vs := uk.violation with input as fx.class_input(fx.official_sensitive)
	not "AU-9" in fx.controls(vs)
}

test_au_9_denied_mutable_audit if {
	c := fx.without(fx.official_sensitive, "audit/immutable")
	vs := uk.violation with input as fx.class_input(c)
	some v in vs
	v.control == "AU-9"
	v.field == "spec.audit.immutable"
	v.references == ["NCSC-P13", "MPS no loss of information"]
}

test_au_9_denied_planned_trail_in_governance_mode if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"objectLockMode": "GOVERNANCE"})
	vs := uk.violation with input as fx.planned_zone_input(fx.uk_zone, [fx.official_sensitive], plan)
	fx.reported(vs, "AU-9", "spec.audit")
}

# ---------------------------------------------------------------- AU-11

test_au_11_allowed_one_year if {
	vs := uk.violation with input as uk_input
	not "AU-11" in fx.controls(vs)
}

test_au_11_denied_below_one_year if {
	z := fx.spec_patch(fx.uk_zone, {"audit": {"retentionDays": 200}})
	vs := uk.violation with input as fx.zone_input(z, [fx.official_sensitive])
	fx.reported(vs, "AU-11", "spec.audit.retentionDays")
}

test_au_11_denied_classification_keeping_audit_too_briefly if {
	c := fx.spec_patch(fx.official_sensitive, {"audit": {"retentionDays": 30}})
	vs := uk.violation with input as fx.class_input(c)
	some v in vs
	v.control == "AU-11"
	v.field == "spec.audit.retentionDays"
	v.references == ["NCSC-P13"]
}

test_au_11_denied_planned_trail_keeping_logs_too_briefly if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"retentionDays": 30})
	vs := uk.violation with input as fx.planned_zone_input(fx.uk_zone, [fx.official_sensitive], plan)
	some v in vs
	v.control == "AU-11"
	contains(v.message, "forProvider.retentionDays 30: set spec.audit.retentionDays to at least 365")
}

# ---------------------------------------------------------------- AU-12

test_au_12_allowed_data_plane_logging if {
	vs := uk.violation with input as fx.class_input(fx.official_sensitive)
	not "AU-12" in fx.controls(vs)
}

test_au_12_denied_flow_logs_off if {
	z := fx.spec_patch(fx.uk_zone, {"network": {"flowLogs": false}})
	vs := uk.violation with input as fx.zone_input(z, [fx.official_sensitive])
	some v in vs
	v.control == "AU-12"
	v.field == "spec.network.flowLogs"
	v.references == ["NCSC-P13", "DPA 2018 s.62"]
}

test_au_12_denied_without_data_plane_logging if {
	c := fx.spec_patch(fx.official_sensitive, {"audit": {"dataEvents": false}})
	vs := uk.violation with input as fx.class_input(c)
	some v in vs
	v.control == "AU-12"
	"DPA 2018 s.62" in v.references
}

# ---------------------------------------------------------------- CP-10

test_cp_10_allowed_zone_redundant if {
	vs := uk.violation with input as uk_input
	not "CP-10" in fx.controls(vs)
}

test_cp_10_denied_single_zone if {
	z := fx.spec_patch(fx.uk_zone, {"network": {"availabilityZones": 1}})
	vs := uk.violation with input as fx.zone_input(z, [fx.official_sensitive])
	fx.reported(vs, "CP-10", "spec.network.availabilityZones")
}

# ---------------------------------------------------------------- SA-9(5)

test_sa_9_5_allowed_uk_south_and_west if {
	every region in ["uksouth", "ukwest"] {
		z := fx.spec_patch(fx.uk_zone, {"cloud": {"region": region}})
		vs := uk.violation with input as fx.zone_input(z, [fx.official_sensitive])
		not "SA-9(5)" in fx.controls(vs)
	}
}

test_sa_9_5_denied_region_outside_the_uk if {
	z := fx.spec_patch(fx.uk_zone, {"cloud": {"region": "westeurope"}})
	vs := uk.violation with input as fx.zone_input(z, [fx.official_sensitive])
	some v in vs
	v.control == "SA-9(5)"
	v.field == "spec.cloud.region"
	contains(v.message, "outside jurisdiction \"uk\"")
}

test_sa_9_5_denied_region_outside_classification_allowed_regions if {
	c := fx.spec_patch(fx.official_sensitive, {"residency": {"allowedRegions": ["uksouth"]}})
	z := fx.spec_patch(fx.uk_zone, {"cloud": {"region": "ukwest"}})
	vs := uk.violation with input as fx.zone_input(z, [c])
	some v in vs
	v.control == "SA-9(5)"
	v.message == "spec.cloud.region is \"ukwest\" but DataClassification \"official-sensitive\" allows only \"uksouth\": set it to one of them (NCSC P2 and PASF keep OFFICIAL-SENSITIVE data in the UK)"
}

test_sa_9_5_denied_classification_outside_the_uk if {
	c := fx.spec_patch(fx.official_sensitive, {"residency": {"jurisdictions": ["us"], "allowedRegions": ["uksouth"]}})
	vs := uk.violation with input as fx.class_input(c)
	some v in vs
	v.control == "SA-9(5)"
	contains(v.message, "includes \"us\": allow only \"uk\"")
}

test_sa_9_5_denied_aws_london_by_default if {
	z := fx.spec_patch(fx.uk_zone, {"cloud": {"provider": "AWS", "region": "eu-west-2"}})
	vs := uk.violation with input as fx.zone_input(z, [fx.without(fx.official_sensitive, "residency/allowedRegions")])
	some v in vs
	v.control == "SA-9(5)"
	contains(v.message, "set it to one of \"uksouth\", \"ukwest\"")
}

test_sa_9_5_allowed_aws_london_when_the_parameter_allows_it if {
	z := fx.spec_patch(fx.uk_zone, {"cloud": {"provider": "AWS", "region": "eu-west-2"}})
	vs := uk.violation with input as fx.zone_input(z, [fx.without(fx.official_sensitive, "residency/allowedRegions")])
		with data.zonekeeper.params.uk_official_sensitive as {"allowed_regions": ["uksouth", "ukwest", "eu-west-2"]}
	not "SA-9(5)" in fx.controls(vs)
}

test_sa_9_5_denied_classification_without_allowed_regions if {
	c := fx.without(fx.official_sensitive, "residency/allowedRegions")
	vs := uk.violation with input as fx.class_input(c)
	fx.reported(vs, "SA-9(5)", "spec.residency.allowedRegions")
}

test_sa_9_5_denied_classification_in_an_unknown_jurisdiction if {
	c := fx.spec_patch(fx.official_sensitive, {"residency": {"jurisdictions": ["eu"]}})
	vs := uk.violation with input as fx.class_input(c)
	some v in vs
	v.control == "SA-9(5)"
	contains(v.message, "which no region is mapped to")
}

# ---------------------------------------------------------------- SC-7

test_sc_7_allowed_no_egress if {
	vs := uk.violation with input as uk_input
	not "SC-7" in fx.controls(vs)
}

test_sc_7_allowed_private_endpoints if {
	vs := uk.violation with input as fx.class_input(fx.official_sensitive)
	not "SC-7" in fx.controls(vs)
}

test_sc_7_denied_direct_egress if {
	z := fx.spec_patch(fx.uk_zone, {"network": {"egress": "Direct"}})
	vs := uk.violation with input as fx.zone_input(z, [fx.official_sensitive])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network.egress"
	v.references == ["NCSC-P11"]
}

test_sc_7_denied_network_unset if {
	vs := uk.violation with input as fx.zone_input(fx.without(fx.uk_zone, "network"), [fx.official_sensitive])
	fx.reported(vs, "SC-7", "spec.network")
}

test_sc_7_denied_public_endpoints if {
	c := fx.spec_patch(fx.official_sensitive, {"network": {"privateEndpointsOnly": false}})
	vs := uk.violation with input as fx.class_input(c)
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network.privateEndpointsOnly"
	v.references == ["NCSC-P1"]
}

test_sc_7_denied_planned_direct_egress if {
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"egress": "Direct"})
	vs := uk.violation with input as fx.planned_zone_input(fx.uk_zone, [fx.official_sensitive], plan)
	some v in vs
	v.control == "SC-7"
	startswith(v.message, "planned VPC")
}

# ---------------------------------------------------------------- SC-12

test_sc_12_allowed_yearly_rotation if {
	vs := uk.violation with input as uk_input
	not "SC-12" in fx.controls(vs)
}

test_sc_12_denied_rotation_longer_than_a_year if {
	z := fx.spec_patch(fx.uk_zone, {"encryption": {"rotationDays": 400}})
	vs := uk.violation with input as fx.zone_input(z, [fx.official_sensitive])
	fx.reported(vs, "SC-12", "spec.encryption.rotationDays")
}

test_sc_12_denied_planned_key_rotating_too_rarely if {
	plan := fx.plan_patch(fx.gov_plan, "Key", {"rotationPeriodDays": 400})
	vs := uk.violation with input as fx.planned_zone_input(fx.uk_zone, [fx.official_sensitive], plan)
	some v in vs
	v.control == "SC-12"
	contains(v.message, "forProvider.rotationPeriodDays 400")
}

test_sc_12_denied_classification_rotating_too_rarely if {
	c := fx.spec_patch(fx.official_sensitive, {"encryption": {"rotationDays": 730}})
	vs := uk.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-12", "spec.encryption.rotationDays")
}

# ---------------------------------------------------------------- SC-28

test_sc_28_allowed_customer_managed_keys if {
	vs := uk.violation with input as fx.class_input(fx.official_sensitive)
	not "SC-28" in fx.controls(vs)
}

test_sc_28_denied_zone_without_encryption if {
	vs := uk.violation with input as fx.zone_input(fx.without(fx.uk_zone, "encryption"), [fx.official_sensitive])
	some v in vs
	v.control == "SC-28"
	v.field == "spec.encryption"
	v.references == ["NCSC-P2"]
}

test_sc_28_denied_planned_bucket_without_a_key if {
	w := fx.spec_patch(fx.workload, {"storage": [{"name": "bodycam", "classification": "official-sensitive", "retentionDays": 2555}], "classifications": ["official-sensitive"]})
	plan := fx.plan_without(fx.workload_plan, "Bucket", "kmsKeyRef")
	vs := uk.violation with input as fx.planned_workload_input(w, fx.uk_zone, [fx.official_sensitive], plan)
	fx.reported(vs, "SC-28", "spec.storage[0]")
}

test_sc_28_denied_platform_managed_keys if {
	c := fx.spec_patch(fx.official_sensitive, {"encryption": {"customerManagedKey": false}})
	vs := uk.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-28", "spec.encryption.customerManagedKey")
}

# ---------------------------------------------------------------- SI-12

test_si_12_allowed_storage_kept_the_minimum if {
	vs := uk.violation with input as uk_workload_input
	not "SI-12" in fx.controls(vs)
}

test_si_12_denied_storage_kept_too_briefly if {
	w := fx.spec_patch(uk_workload, {"storage": [{"name": "bwv", "classification": "official-sensitive", "retentionDays": 31}]})
	vs := uk.violation with input as fx.workload_input(w, fx.uk_zone, [fx.official_sensitive])
	some v in vs
	v.control == "SI-12"
	v.field == "spec.storage[0].retentionDays"
	contains(v.message, "at least 2190")
	v.references == ["MPS no loss of information", "DPA 2018 Part 3"]
}

test_si_12_denied_legal_hold_bucket_without_legal_hold if {
	w := fx.spec_patch(uk_workload, {"storage": [{"name": "bodycam", "classification": "official-sensitive", "retentionDays": 2555}]})
	plan := fx.plan_without(fx.workload_plan, "Bucket", "legalHold")
	vs := uk.violation with input as fx.planned_workload_input(w, fx.uk_zone, [fx.official_sensitive], plan)
	fx.reported(vs, "SI-12", "spec.storage[0]")
}
