package zonekeeper.baselines.nist_800_53_r5_high_test

import data.zonekeeper.baselines.nist_800_53_r5_high as nist
import data.zonekeeper.lib.fixtures as fx

# a classification that leaves audit retention and residency to the baseline
unconstrained := fx.without(fx.without(fx.cji, "audit/retentionDays"), "residency")

# ---------------------------------------------------------------- compliant objects

test_compliant_zone_with_plan_has_no_violations if {
	vs := nist.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji, fx.evidence], fx.gov_plan)
	vs == set()
}

test_compliant_workload_has_no_violations if {
	nist.violation == set() with input as fx.cjis_workload_input
}

test_compliant_classification_has_no_violations if {
	nist.violation == set() with input as fx.class_input(fx.cji)
}

test_boundary_exceptions_are_capped_at_90_days if {
	nist.exception_max_days["SC-7"] == 90
	nist.exception_max_days["SC-7(4)"] == 90
}

test_every_violation_names_a_declared_control if {
	vs := nist.violation with input as fx.zone_input(object.remove(fx.gov_zone, ["spec"]), [fx.cji])
	count(vs) > 0
	every v in vs {
		v.control in nist.controls
	}
}

# ---------------------------------------------------------------- AC-4

test_ac_4_allowed_workload_at_the_zone_ceiling if {
	vs := nist.violation with input as fx.cjis_workload_input
	not "AC-4" in fx.controls(vs)
}

test_ac_4_denied_workload_above_the_zone_ceiling if {
	w := fx.spec_patch(fx.workload, {"classifications": ["cui"]})
	vs := nist.violation with input as fx.workload_input(w, fx.gov_zone, [fx.cji, fx.evidence, fx.cui])
	fx.reported(vs, "AC-4", "spec.classifications[0]")
}

test_ac_4_denied_zone_hosting_data_above_its_ceiling if {
	vs := nist.violation with input as fx.zone_input(fx.gov_zone, [fx.cji, fx.cui])
	fx.reported(vs, "AC-4", "spec.maxClassification")
}

# ---------------------------------------------------------------- AU-11

test_au_11_allowed_90_days_online if {
	z := fx.spec_patch(fx.gov_zone, {"audit": {"retentionDays": 90}})
	vs := nist.violation with input as fx.zone_input(z, [unconstrained])
	not "AU-11" in fx.controls(vs)
}

test_au_11_denied_below_90_days if {
	z := fx.spec_patch(fx.gov_zone, {"audit": {"retentionDays": 30}})
	vs := nist.violation with input as fx.zone_input(z, [unconstrained])
	some v in vs
	v.control == "AU-11"
	contains(v.message, "at least 90")
	v.references == ["FedRAMP High"]
}

test_au_11_denied_planned_trail_keeping_logs_too_briefly if {
	plan := fx.plan_patch(fx.gov_plan, "AuditTrail", {"retentionDays": 30})
	vs := nist.violation with input as fx.planned_zone_input(fx.gov_zone, [unconstrained], plan)
	some v in vs
	v.control == "AU-11"
	contains(v.message, "forProvider.retentionDays 30: set spec.audit.retentionDays to at least 90")
}

test_au_11_denied_below_twelve_months_under_omb_m21_31 if {
	z := fx.spec_patch(fx.gov_zone, {"audit": {"retentionDays": 200}})
	vs := nist.violation with input as fx.zone_input(z, [unconstrained])
		with data.zonekeeper.params.nist_800_53_r5_high as {"omb_m21_31": true}
	some v in vs
	v.control == "AU-11"
	contains(v.message, "at least 365 (OMB M-21-31 requires 12 months of active audit logs)")
	"OMB M-21-31" in v.references
}

# ---------------------------------------------------------------- AU-12

test_au_12_allowed_flow_logs_and_multi_region_trail if {
	vs := nist.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], fx.gov_plan)
	not "AU-12" in fx.controls(vs)
}

test_au_12_denied_planned_vpc_without_flow_logs if {
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"flowLogs": {"enabled": false}})
	vs := nist.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	fx.reported(vs, "AU-12", "spec.network.flowLogs")
}

test_au_12_denied_flow_logs_off if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"flowLogs": false}})
	vs := nist.violation with input as fx.zone_input(z, [fx.cji])
	fx.reported(vs, "AU-12", "spec.network.flowLogs")
}

test_au_12_allowed_classification_without_data_events if {
	# FedRAMP High leaves data events to the classification
	c := fx.spec_patch(fx.cji, {"audit": {"dataEvents": false}})
	vs := nist.violation with input as fx.class_input(c)
	not "AU-12" in fx.controls(vs)
}

# ---------------------------------------------------------------- CP-10

test_cp_10_allowed_two_availability_zones if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"availabilityZones": 2}})
	vs := nist.violation with input as fx.zone_input(z, [fx.cji])
	not "CP-10" in fx.controls(vs)
}

test_cp_10_denied_single_availability_zone if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"availabilityZones": 1}})
	vs := nist.violation with input as fx.zone_input(z, [fx.cji])
	some v in vs
	v.control == "CP-10"
	v.field == "spec.network.availabilityZones"
	contains(v.message, "set it to at least 2")
}

test_cp_10_denied_network_unset if {
	vs := nist.violation with input as fx.zone_input(fx.without(fx.gov_zone, "network"), [fx.cji])
	fx.reported(vs, "CP-10", "spec.network.availabilityZones")
}

# ---------------------------------------------------------------- SA-9(5)

test_sa_9_5_allowed_any_region_when_no_classification_restricts_it if {
	z := fx.spec_patch(fx.gov_zone, {"cloud": {"region": "eu-west-1"}})
	vs := nist.violation with input as fx.zone_input(z, [unconstrained])
	not "SA-9(5)" in fx.controls(vs)
}

test_sa_9_5_denied_region_outside_classification_residency if {
	z := fx.spec_patch(fx.gov_zone, {"cloud": {"region": "eu-west-1"}})
	vs := nist.violation with input as fx.zone_input(z, [fx.cji])
	fx.reported(vs, "SA-9(5)", "spec.cloud.region")
}

test_sa_9_5_denied_classification_in_an_unknown_jurisdiction if {
	c := fx.spec_patch(fx.cji, {"residency": {"jurisdictions": ["mars"]}})
	vs := nist.violation with input as fx.class_input(c)
	fx.reported(vs, "SA-9(5)", "spec.residency.jurisdictions")
}

# ---------------------------------------------------------------- SC-7

test_sc_7_allowed_inspected_egress if {
	vs := nist.violation with input as fx.cjis_zone_input
	not "SC-7" in fx.controls(vs)
}

test_sc_7_denied_direct_egress_for_data_kept_private if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"egress": "Direct"}})
	vs := nist.violation with input as fx.zone_input(z, [fx.cji])
	fx.reported(vs, "SC-7", "spec.network.egress")
}

test_sc_7_denied_network_unset if {
	vs := nist.violation with input as fx.zone_input(fx.without(fx.gov_zone, "network"), [fx.cji])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network"
	v.message == "spec.network is not set: declare it with egress None or Inspected and flowLogs true (SC-7 keeps data that must not be public behind the boundary)"
}

test_sc_7_denied_planned_direct_egress_for_data_kept_private if {
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"egress": "Direct"})
	vs := nist.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-7"
	startswith(v.message, "planned VPC \"mpd-evidence-prod\" has forProvider.egress \"Direct\" but DataClassification \"cji\" forbids public exposure")
}

# ---------------------------------------------------------------- SC-7(4)

test_sc_7_4_allowed_no_egress if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"egress": "None"}})
	vs := nist.violation with input as fx.zone_input(z, [fx.cji])
	not "SC-7(4)" in fx.controls(vs)
}

test_sc_7_4_denied_direct_egress_even_for_public_data if {
	z := fx.spec_patch(fx.gov_zone, {"network": {"egress": "Direct"}, "maxClassification": "public"})
	vs := nist.violation with input as fx.zone_input(z, [fx.public])
	fx.reported(vs, "SC-7(4)", "spec.network.egress")
	not "SC-7" in fx.controls(vs)
}

test_sc_7_4_denied_planned_internet_gateway_even_for_public_data if {
	z := fx.spec_patch(fx.gov_zone, {"maxClassification": "public"})
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"egress": "Direct"})
	vs := nist.violation with input as fx.planned_zone_input(z, [fx.public], plan)
	some v in vs
	v.control == "SC-7(4)"
	v.field == "spec.network.egress"
	contains(v.message, "planned VPC \"mpd-evidence-prod\" has forProvider.egress \"Direct\", an internet gateway and a public subnet")
	not "SC-7" in fx.controls(vs)
}

test_sc_7_4_denied_egress_outside_an_overridden_list if {
	vs := nist.violation with input as fx.cjis_zone_input
		with data.zonekeeper.params.nist_800_53_r5_high as {"allowed_egress": ["None"]}
	fx.reported(vs, "SC-7(4)", "spec.network.egress")
}

# ---------------------------------------------------------------- SC-12

test_sc_12_allowed_hsm_backed_yearly_rotation if {
	vs := nist.violation with input as fx.class_input(fx.cji)
	not "SC-12" in fx.controls(vs)
}

test_sc_12_denied_classification_without_hsm if {
	c := fx.spec_patch(fx.cji, {"encryption": {"hsmBacked": false}})
	vs := nist.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-12", "spec.encryption.hsmBacked")
}

test_sc_12_allowed_without_hsm_when_the_parameter_is_off if {
	c := fx.spec_patch(fx.cji, {"encryption": {"hsmBacked": false}})
	vs := nist.violation with input as fx.class_input(c)
		with data.zonekeeper.params.nist_800_53_r5_high as {"require_hsm": false}
	not "SC-12" in fx.controls(vs)
}

test_sc_12_denied_planned_key_rotating_too_rarely if {
	plan := fx.plan_patch(fx.gov_plan, "Key", {"rotationPeriodDays": 400})
	vs := nist.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], plan)
	some v in vs
	v.control == "SC-12"
	contains(v.message, "forProvider.rotationPeriodDays 400")
}

test_sc_12_denied_zone_rotation_unset if {
	vs := nist.violation with input as fx.zone_input(fx.without(fx.gov_zone, "encryption/rotationDays"), [fx.cji])
	fx.reported(vs, "SC-12", "spec.encryption.rotationDays")
}

# ---------------------------------------------------------------- SC-13

test_sc_13_allowed_govcloud if {
	vs := nist.violation with input as fx.cjis_zone_input
	not "SC-13" in fx.controls(vs)
}

test_sc_13_denied_classification_without_fips_endpoints if {
	c := fx.spec_patch(fx.cji, {"encryption": {"fipsEndpoints": false}})
	vs := nist.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-13", "spec.encryption.fipsEndpoints")
}

test_sc_13_denied_azure_public_for_fips_data if {
	z := fx.spec_patch(fx.il5_zone, {"cloud": {"environment": "AzurePublic", "region": "eastus"}, "maxClassification": "cji"})
	vs := nist.violation with input as fx.zone_input(z, [fx.cji])
	some v in vs
	v.control == "SC-13"
	v.field == "spec.cloud.environment"
	contains(v.message, "set it to AzureUSGovernment")
}

# ---------------------------------------------------------------- SC-28

test_sc_28_allowed_customer_managed_keys if {
	vs := nist.violation with input as fx.planned_zone_input(fx.gov_zone, [fx.cji], fx.gov_plan)
	not "SC-28" in fx.controls(vs)
}

test_sc_28_denied_zone_without_encryption if {
	vs := nist.violation with input as fx.zone_input(fx.without(fx.gov_zone, "encryption"), [fx.cji])
	some v in vs
	v.control == "SC-28"
	v.field == "spec.encryption"
	v.references == ["FedRAMP High", "NIST SP 800-53 rev5 SC-28(1)"]
}

test_sc_28_denied_planned_bucket_without_a_key if {
	plan := fx.plan_without(fx.workload_plan, "Bucket", "kmsKeyRef")
	vs := nist.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	fx.reported(vs, "SC-28", "spec.storage[0]")
}

test_sc_28_denied_classification_without_customer_managed_key if {
	c := fx.without(fx.cji, "encryption/customerManagedKey")
	vs := nist.violation with input as fx.class_input(c)
	some v in vs
	v.control == "SC-28"
	v.message == "spec.encryption.customerManagedKey is not set: set it to true (SC-28 and SC-28(1) require data at rest be encrypted with customer-managed keys)"
}

# ---------------------------------------------------------------- SI-12

test_si_12_allowed_storage_kept_the_minimum if {
	vs := nist.violation with input as fx.cjis_workload_input
	not "SI-12" in fx.controls(vs)
}

test_si_12_allowed_storage_defaulting_to_the_minimum if {
	# an unset retentionDays defaults to the classification's retention.minDays
	w := fx.spec_patch(fx.workload, {"storage": [{"name": "bodycam", "classification": "evidence"}]})
	vs := nist.violation with input as fx.workload_input(w, fx.gov_zone, [fx.cji, fx.evidence])
	not "SI-12" in fx.controls(vs)
}

test_si_12_denied_legal_hold_bucket_without_object_lock if {
	plan := fx.plan_without(fx.workload_plan, "Bucket", "objectLock/enabled")
	vs := nist.violation with input as fx.planned_workload_input(fx.workload, fx.gov_zone, [fx.cji, fx.evidence], plan)
	some v in vs
	v.control == "SI-12"
	v.field == "spec.storage[0]"
	contains(v.message, "requires legal hold")
}

test_si_12_denied_storage_kept_shorter_than_a_stricter_classification if {
	c := fx.spec_patch(fx.evidence, {"retention": {"minDays": 3650}})
	vs := nist.violation with input as fx.workload_input(fx.workload, fx.gov_zone, [fx.cji, c])
	some v in vs
	v.control == "SI-12"
	v.field == "spec.storage[0].retentionDays"
	contains(v.message, "at least 3650")
}
