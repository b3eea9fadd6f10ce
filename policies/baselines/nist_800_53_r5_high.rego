# METADATA
# title: NIST SP 800-53 rev5 High (FedRAMP High)
# description: |
#   The controls of the rev5 HIGH baseline (GSA fedramp-automation profile)
#   that map onto landing-zone configuration.
package zonekeeper.baselines.nist_800_53_r5_high

import data.zonekeeper.lib.checks
import data.zonekeeper.lib.core

# controls this baseline can report. The engine derives the controls an
# exception may name from this set.
controls := {
	"AC-4", "AU-11", "AU-12", "CP-10", "SA-9(5)", "SC-7", "SC-7(4)",
	"SC-12", "SC-13", "SC-28", "SI-12",
}

# exception_max_days caps how long an exception may last, per control.
# SC-7(4)(e) asks for exceptions to the traffic flow policy to be reviewed;
# FedRAMP High sets that review at least every 90 days, so an exception to a
# boundary control may not outlive it.
exception_max_days := {"SC-7": 90, "SC-7(4)": 90}

# default_params are the documented defaults;
# data.zonekeeper.params.nist_800_53_r5_high overrides any of them.
default_params := {
	# AU-11: audit records stay online at least 90 days.
	"audit_retention_days": 90,
	# OMB M-21-31: federal agencies keep 12 months active (and 18 archived,
	# which the archive account enforces). Set true to require it.
	"omb_m21_31": false,
	"omb_m21_31_retention_days": 365,
	# SC-12: keys rotate at least yearly.
	"key_rotation_max_days": 365,
	# SC-12: FedRAMP High keys live in an HSM tier.
	"require_hsm": true,
	# CP-10: a zone survives the loss of an availability zone.
	"min_availability_zones": 2,
	# SC-7(4): traffic leaves only through a managed interface.
	"allowed_egress": ["None", "Inspected"],
}

default overrides := {}

overrides := data.zonekeeper.params.nist_800_53_r5_high

params := object.union(default_params, overrides)

audit_floor := params.omb_m21_31_retention_days if {
	params.omb_m21_31 == true
} else := params.audit_retention_days

au_11_why := "OMB M-21-31 requires 12 months of active audit logs" if {
	params.omb_m21_31 == true
} else := "AU-11 keeps audit records online for the FedRAMP High retention period"

au_11_references := ["FedRAMP High", "OMB M-21-31"] if {
	params.omb_m21_31 == true
} else := ["FedRAMP High"]

high := ["FedRAMP High"]

# reasons quoted in messages
sc_7_why := "SC-7 keeps data that must not be public behind the boundary"

sc_7_4_why := "SC-7(4): workload accounts have no internet gateway or public IP; traffic leaves through a managed interface"

sc_12_why := "SC-12 requires customer-managed keys with rotation enabled"

sc_13_why := "SC-13 requires FIPS-validated cryptography"

sc_28_why := "SC-28 and SC-28(1) require data at rest be encrypted with customer-managed keys"

# stamps says which control each check reports under this baseline, with its
# severity, the reason quoted and the references: the parameterless checks of
# lib.checks, evaluated once per evaluation whatever the number of baselines,
# and this baseline's own checks with parameters (below).
stamps := {
	"classification_ceiling": [["AC-4", "high", "AC-4: a zone holds data only up to its maxClassification", high]],
	"audit_generation": [["AU-12", "medium", "AU-12 requires audit records of network and object access on all components", ["FedRAMP High", "NIST SP 800-53 rev5 AU-2"]]],
	"residency": [["SA-9(5)", "high", "SA-9(5) keeps processing and storage where the data's owner allows", high]],
	"class_unknown_jurisdiction": [["SA-9(5)", "high", "SA-9(5) keeps processing and storage where the data's owner allows", high]],
	"network_unset": [["SC-7", "high", sc_7_why, high]],
	"public_exposure": [["SC-7", "high", sc_7_why, high]],
	"public_interfaces": [["SC-7(4)", "high", sc_7_4_why, high]],
	"fips_for_classifications": [["SC-13", "high", sc_13_why, high]],
	"class_fips": [["SC-13", "high", sc_13_why, high]],
	"zone_encryption_unset": [["SC-28", "high", sc_28_why, sc_28_references]],
	"plan_bucket_sse": [["SC-28", "high", sc_28_why, sc_28_references]],
	"class_cmk": [["SC-28", "high", sc_28_why, sc_28_references]],
	"storage_retention": [["SI-12", "medium", "SI-12 retains records as the classification requires", high]],
	"audit_retention": [["AU-11", "medium", au_11_why, au_11_references]],
	"plan_audit_retention": [["AU-11", "medium", au_11_why, au_11_references]],
	"availability_zones": [["CP-10", "medium", "CP-10 requires the system recover from the loss of a site", high]],
	"egress_allowed": [["SC-7(4)", "high", sc_7_4_why, high]],
	"key_rotation": [["SC-12", "high", sc_12_why, high]],
	"plan_key_rotation_period": [["SC-12", "high", sc_12_why, high]],
	"hsm_required": [["SC-12", "high", "SC-12: FedRAMP High keys are kept in an HSM tier", high]],
}

# violation stamps every finding of the checks this baseline applies. An
# object clean under this baseline pays for one rule: no check of lib.checks
# reports, the zone meets what each of the checks below with a threshold needs
# (clean holds the condition each of them is guarded by, negated), it has no
# plan and it is not a classification.
violation contains {
	"control": control,
	"severity": severity,
	"field": f.field,
	"message": sprintf("%s (%s)", [f.message, why]),
	"references": references,
} if {
	not clean
	some [check, f] in findings
	some [control, severity, why, references] in stamps[check]
}

clean if {
	checks.findings == set()
	checks.audit_days_met >= audit_floor
	checks.availability_zones_met >= params.min_availability_zones
	checks.zone_egress in params.allowed_egress
	checks.rotation_days_met <= params.key_rotation_max_days
	object.get(input, "plan", []) == []
	input.object.kind != "DataClassification"
}

# findings are the [check, finding] pairs of the checks this baseline applies:
# the parameterless ones of lib.checks, evaluated once whatever the number of
# baselines, and below, its own checks with parameters. Those on the zone's
# settings start with the negation of what they need to pass (a line of
# clean), so that only a failing one runs; those on the plan run only when
# there is one; those on a classification only when it is the object
# evaluated.
findings contains x if some x in checks.findings

findings contains x if {
	core.zone_spec
	some x in zone_threshold_findings
}

findings contains x if {
	input.plan != []
	some x in plan_threshold_findings
}

findings contains x if {
	input.object.kind == "DataClassification"
	some x in class_threshold_findings
}

# ---------------------------------------------------------------- AU-11

zone_threshold_findings contains ["audit_retention", f] if {
	not checks.audit_days_met >= audit_floor
	f := checks.audit_retention(audit_floor)
}

plan_threshold_findings contains ["plan_audit_retention", f] if {
	some trail in core.plan_trails
	f := checks.plan_audit_retention(trail, audit_floor)
}

# ---------------------------------------------------------------- CP-10

zone_threshold_findings contains ["availability_zones", f] if {
	not checks.availability_zones_met >= params.min_availability_zones
	f := checks.availability_zones(params.min_availability_zones)
}

# ---------------------------------------------------------------- SC-7(4)

zone_threshold_findings contains ["egress_allowed", f] if {
	not checks.zone_egress in params.allowed_egress
	f := checks.egress_allowed(params.allowed_egress)
}

# ---------------------------------------------------------------- SC-12

zone_threshold_findings contains ["key_rotation", f] if {
	not checks.rotation_days_met <= params.key_rotation_max_days
	f := checks.key_rotation(params.key_rotation_max_days)
}

plan_threshold_findings contains ["plan_key_rotation_period", f] if {
	some key in core.plan_keys
	f := checks.plan_key_rotation_period(key, params.key_rotation_max_days)
}

class_threshold_findings contains ["hsm_required", f] if {
	params.require_hsm == true
	some ["class_hsm", f] in checks.findings
}

# ---------------------------------------------------------------- SC-28

sc_28_references := ["FedRAMP High", "NIST SP 800-53 rev5 SC-28(1)"]
