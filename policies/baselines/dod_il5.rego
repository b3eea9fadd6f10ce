# METADATA
# title: DoD Cloud Computing SRG Impact Level 5
# description: |
#   IL5: FedRAMP High plus US-only locations, the NSS-tailored controls and
#   infrastructure dedicated to federal tenants (a government partition), with
#   every flow through an inspection hub (the SCCA pattern).
package zonekeeper.baselines.dod_il5

import data.zonekeeper.lib.checks
import data.zonekeeper.lib.core

# controls this baseline can report. The engine derives the controls an
# exception may name from this set.
controls := {
	"AC-4", "AU-11", "AU-12", "CP-10", "SA-9(5)", "SC-7", "SC-7(4)",
	"SC-12", "SC-13", "SC-28", "SI-12",
}

# exception_max_days caps how long an exception may last, per control. IL5
# inherits the FedRAMP High 90-day review of boundary exceptions.
exception_max_days := {"SC-7": 90, "SC-7(4)": 90}

# default_params are the documented defaults; data.zonekeeper.params.dod_il5
# overrides any of them.
default_params := {
	# AU-11: 12 months of active audit logs (OMB M-21-31).
	"audit_retention_days": 365,
	# SC-12: keys rotate at least yearly.
	"key_rotation_max_days": 365,
	# CP-10: a zone survives the loss of an availability zone.
	"min_availability_zones": 2,
	# SC-7(4) (SCCA): traffic goes through the inspection hub or nowhere.
	"allowed_egress": ["Inspected", "None"],
}

default overrides := {}

overrides := data.zonekeeper.params.dod_il5

params := object.union(default_params, overrides)

il5 := ["DoD SRG IL5"]

scca := ["DoD SRG IL5", "DoD SCCA"]

# reasons quoted in messages
au_12_why := "IL5 centralised logging records network flows and data events"

sa_9_5_why := "IL5 runs on infrastructure dedicated to federal tenants in US locations"

scca_why := "IL5 routes all ingress and egress through the SCCA inspection hub"

sc_7_why := "IL5 mission-owner accounts have no public endpoints"

sc_12_why := "IL5 requires HSM-backed customer-managed keys with rotation enabled"

sc_13_why := "IL5 requires FIPS 140 validated endpoints"

sc_28_why := "IL5 requires data at rest be encrypted with customer-managed keys"

# stamps says which control each check reports under this baseline, with its
# severity, the reason quoted and the references: the parameterless checks of
# lib.checks, evaluated once per evaluation whatever the number of baselines,
# and this baseline's own checks with parameters (below).
stamps := {
	"classification_ceiling": [["AC-4", "high", "AC-4: a zone holds data only up to its maxClassification", il5]],
	"audit_generation": [["AU-12", "medium", au_12_why, il5]],
	"class_data_events": [["AU-12", "medium", au_12_why, il5]],
	"government_cloud": [["SA-9(5)", "high", sa_9_5_why, il5]],
	"residency": [["SA-9(5)", "high", sa_9_5_why, il5]],
	"class_unknown_jurisdiction": [["SA-9(5)", "high", sa_9_5_why, il5]],
	"network_unset": [["SC-7", "high", scca_why, scca]],
	"public_exposure": [["SC-7", "high", sc_7_why, il5]],
	"class_not_public": [["SC-7", "high", sc_7_why, il5]],
	"class_private_endpoints": [["SC-7", "high", sc_7_why, il5]],
	"public_interfaces": [["SC-7(4)", "high", sc_7_why, scca]],
	"class_hsm": [["SC-12", "high", sc_12_why, il5]],
	"fips_for_baseline": [["SC-13", "high", sc_13_why, il5]],
	"class_fips": [["SC-13", "high", sc_13_why, il5]],
	"zone_encryption_unset": [["SC-28", "high", sc_28_why, il5]],
	"plan_bucket_sse": [["SC-28", "high", sc_28_why, il5]],
	"class_cmk": [["SC-28", "high", sc_28_why, il5]],
	"storage_retention": [["SI-12", "medium", "SI-12 retains records as the classification requires", il5]],
	"audit_retention": [["AU-11", "medium", "IL5 centralised logging keeps 12 months of audit records", ["DoD SRG IL5", "OMB M-21-31"]]],
	"plan_audit_retention": [["AU-11", "medium", "IL5 centralised logging keeps 12 months of audit records", ["DoD SRG IL5", "OMB M-21-31"]]],
	"availability_zones": [["CP-10", "medium", "CP-10 requires the system recover from the loss of a site", il5]],
	"class_residency": [["SA-9(5)", "high", sa_9_5_why, il5]],
	"egress_allowed": [["SC-7(4)", "high", scca_why, scca]],
	"key_rotation": [["SC-12", "high", sc_12_why, il5]],
	"plan_key_rotation_period": [["SC-12", "high", sc_12_why, il5]],
	"class_key_rotation": [["SC-12", "high", sc_12_why, il5]],
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
	checks.government_findings == set()
	checks.audit_days_met >= params.audit_retention_days
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

findings contains x if some x in checks.government_findings

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
	not checks.audit_days_met >= params.audit_retention_days
	f := checks.audit_retention(params.audit_retention_days)
}

plan_threshold_findings contains ["plan_audit_retention", f] if {
	some trail in core.plan_trails
	f := checks.plan_audit_retention(trail, params.audit_retention_days)
}

# ---------------------------------------------------------------- CP-10

zone_threshold_findings contains ["availability_zones", f] if {
	not checks.availability_zones_met >= params.min_availability_zones
	f := checks.availability_zones(params.min_availability_zones)
}

# ---------------------------------------------------------------- SA-9(5)

class_threshold_findings contains ["class_residency", f] if {
	some f in checks.class_residency(["us"], [])
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

class_threshold_findings contains ["class_key_rotation", f] if {
	f := checks.class_key_rotation(params.key_rotation_max_days)
}
