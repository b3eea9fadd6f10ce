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
	z := fx.spec_patch(fx.gov_zone, {"maxClassification": "cui"})
	vs := il5.violation with input as fx.planned_zone_input(z, [fx.cui], fx.gov_plan)
	vs == set()
}

test_compliant_workload_has_no_violations if {
	il5.violation == set() with input as fx.workload_input(il5_workload, fx.il5_zone, [fx.cui])
}

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

# ---------------------------------------------------------------- AU-11

test_au_11_allowed_twelve_months if {
	vs := il5.violation with input as il5_input
	not "AU-11" in fx.controls(vs)
}

test_au_11_denied_below_twelve_months if {
	z := fx.spec_patch(fx.il5_zone, {"audit": {"retentionDays": 200}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	fx.reported(vs, "AU-11", "spec.audit.retentionDays")
}

# ---------------------------------------------------------------- AU-12

test_au_12_allowed_flow_logs_and_data_events if {
	vs := il5.violation with input as fx.class_input(fx.cui)
	not "AU-12" in fx.controls(vs)
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

test_sc_7_allowed_no_egress if {
	z := fx.spec_patch(fx.il5_zone, {"network": {"egress": "None"}})
	vs := il5.violation with input as fx.zone_input(z, [fx.cui])
	not "SC-7" in fx.controls(vs)
}

test_sc_7_denied_direct_egress if {
	z := fx.spec_patch(fx.il5_zone, {"network": {"egress": "Direct"}})
	vs := il5.violation with input as fx.zone_input(z, [fx.public])
	some v in vs
	v.control == "SC-7"
	v.field == "spec.network.egress"
	"DoD SCCA" in v.references
}

# ---------------------------------------------------------------- SC-7(4)

test_sc_7_4_allowed_private_classification if {
	vs := il5.violation with input as fx.class_input(fx.cui)
	not "SC-7(4)" in fx.controls(vs)
}

test_sc_7_4_denied_classification_allowing_public_exposure if {
	c := fx.spec_patch(fx.cui, {"network": {"publicExposure": "Allowed"}})
	vs := il5.violation with input as fx.class_input(c)
	fx.reported(vs, "SC-7(4)", "spec.network.publicExposure")
}

test_sc_7_4_denied_planned_internet_gateway if {
	z := fx.spec_patch(fx.gov_zone, {"maxClassification": "cui"})
	plan := fx.plan_patch(fx.gov_plan, "VPC", {"internetGateway": true})
	vs := il5.violation with input as fx.planned_zone_input(z, [fx.cui], plan)
	fx.reported(vs, "SC-7(4)", "spec.network.egress")
}

# ---------------------------------------------------------------- SC-12

test_sc_12_allowed_hsm_backed_keys if {
	vs := il5.violation with input as fx.class_input(fx.cui)
	not "SC-12" in fx.controls(vs)
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

# ---------------------------------------------------------------- SC-28

test_sc_28_allowed_zone_with_its_own_key if {
	vs := il5.violation with input as il5_input
	not "SC-28" in fx.controls(vs)
}

test_sc_28_denied_zone_without_encryption if {
	vs := il5.violation with input as fx.zone_input(fx.without(fx.il5_zone, "encryption"), [fx.cui])
	fx.reported(vs, "SC-28", "spec.encryption")
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
