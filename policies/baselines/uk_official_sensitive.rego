# METADATA
# title: UK OFFICIAL-SENSITIVE
# description: |
#   NCSC Cloud Security Principles, the Police Assured Secure Facilities
#   (PASF) residency rules and DPA 2018 Part 3 logging, for OFFICIAL data with
#   the SENSITIVE handling caveat. Mapped onto NIST SP 800-53 rev5 controls.
package zonekeeper.baselines.uk_official_sensitive

import data.zonekeeper.lib.checks
import data.zonekeeper.lib.core

# controls this baseline can report. The engine derives the controls an
# exception may name from this set.
controls := {
	"AC-4", "AU-9", "AU-11", "AU-12", "CP-10", "SA-9(5)", "SC-7", "SC-12",
	"SC-28", "SI-12",
}

# exception_max_days caps how long an exception may last, per control. The
# NCSC principles set no cap of their own.
exception_max_days := {}

# default_params are the documented defaults;
# data.zonekeeper.params.uk_official_sensitive overrides any of them.
default_params := {
	# NCSC P13: retention per the organisation's policy; one year by default.
	"audit_retention_days": 365,
	# NCSC P2: customer-managed keys rotate at least yearly.
	"key_rotation_max_days": 365,
	# MPS "no loss of information": zone-redundant.
	"min_availability_zones": 2,
	# NCSC P2 / PASF: UK locations only, and the Azure UK pair by default
	# (add "eu-west-2" for AWS London).
	"jurisdictions": ["uk"],
	"allowed_regions": ["uksouth", "ukwest"],
}

default overrides := {}

overrides := data.zonekeeper.params.uk_official_sensitive

params := object.union(default_params, overrides)

# reasons quoted in messages
au_11_why := "NCSC P13 keeps audit information for the retention policy"

au_12_why := "DPA 2018 s.62 requires logs of collection, alteration, consultation, disclosure and erasure"

sa_9_5_why := "NCSC P2 and PASF keep OFFICIAL-SENSITIVE data in the UK"

sc_7_why := "NCSC P11 allows no public IPs in zones holding data kept off the internet"

sc_12_why := "NCSC P2 requires customer-managed keys with rotation enabled"

sc_28_why := "NCSC P2 requires data at rest be encrypted with customer-managed keys in Key Vault Premium or Managed HSM"

# stamps says which control each check reports under this baseline, with its
# severity, the reason quoted and the references: the parameterless checks of
# lib.checks, evaluated once per evaluation whatever the number of baselines,
# and this baseline's own checks with parameters (below).
stamps := {
	"classification_ceiling": [["AC-4", "high", "NCSC P3 separates data by the zone cleared for it", ["NCSC-P3"]]],
	"audit_protection": [["AU-9", "high", "NCSC P13 and MPS \"no loss of information\" keep audit records immutable", ["NCSC-P13", "MPS no loss of information"]]],
	"audit_generation": [["AU-12", "high", au_12_why, ["NCSC-P13", "DPA 2018 s.62"]]],
	"class_data_events": [["AU-12", "high", au_12_why, ["NCSC-P13", "DPA 2018 s.62"]]],
	"residency": [["SA-9(5)", "high", sa_9_5_why, ["NCSC-P2", "PASF"]]],
	"class_unknown_jurisdiction": [["SA-9(5)", "high", sa_9_5_why, ["NCSC-P2", "PASF"]]],
	"network_unset": [["SC-7", "high", sc_7_why, ["NCSC-P11"]]],
	"public_exposure": [["SC-7", "high", sc_7_why, ["NCSC-P11"]]],
	"class_private_endpoints": [["SC-7", "high", "NCSC P1 protects data in transit with private endpoints", ["NCSC-P1"]]],
	"zone_encryption_unset": [["SC-28", "high", sc_28_why, ["NCSC-P2"]]],
	"plan_bucket_sse": [["SC-28", "high", sc_28_why, ["NCSC-P2"]]],
	"class_cmk": [["SC-28", "high", sc_28_why, ["NCSC-P2"]]],
	"storage_retention": [["SI-12", "medium", "MPS \"no loss of information\" retains records as the classification requires", ["MPS no loss of information", "DPA 2018 Part 3"]]],
	"audit_retention": [["AU-11", "medium", au_11_why, ["NCSC-P13"]]],
	"plan_audit_retention": [["AU-11", "medium", au_11_why, ["NCSC-P13"]]],
	"class_audit_retention": [["AU-11", "medium", au_11_why, ["NCSC-P13"]]],
	"availability_zones": [["CP-10", "medium", "MPS \"no loss of information\" requires zone-redundant storage", ["MPS no loss of information"]]],
	"region_in_jurisdictions": [["SA-9(5)", "high", sa_9_5_why, ["NCSC-P2", "PASF"]]],
	"region_allowed": [["SA-9(5)", "high", sa_9_5_why, ["NCSC-P2", "PASF"]]],
	"class_residency": [["SA-9(5)", "high", sa_9_5_why, ["NCSC-P2", "PASF"]]],
	"key_rotation": [["SC-12", "high", sc_12_why, ["NCSC-P2"]]],
	"plan_key_rotation_period": [["SC-12", "high", sc_12_why, ["NCSC-P2"]]],
	"class_key_rotation": [["SC-12", "high", sc_12_why, ["NCSC-P2"]]],
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
	checks.audit_days_met >= params.audit_retention_days
	checks.availability_zones_met >= params.min_availability_zones
	checks.in_any(checks.zone_region, params.jurisdictions)
	checks.zone_region in params.allowed_regions
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
	not checks.audit_days_met >= params.audit_retention_days
	f := checks.audit_retention(params.audit_retention_days)
}

plan_threshold_findings contains ["plan_audit_retention", f] if {
	some trail in core.plan_trails
	f := checks.plan_audit_retention(trail, params.audit_retention_days)
}

class_threshold_findings contains ["class_audit_retention", f] if {
	f := checks.class_audit_retention(params.audit_retention_days)
}

# ---------------------------------------------------------------- CP-10

zone_threshold_findings contains ["availability_zones", f] if {
	not checks.availability_zones_met >= params.min_availability_zones
	f := checks.availability_zones(params.min_availability_zones)
}

# ---------------------------------------------------------------- SA-9(5)

zone_threshold_findings contains ["region_in_jurisdictions", f] if {
	not checks.in_any(checks.zone_region, params.jurisdictions)
	f := checks.region_in_jurisdictions(params.jurisdictions)
}

zone_threshold_findings contains ["region_allowed", f] if {
	not checks.zone_region in params.allowed_regions
	f := checks.region_allowed(params.allowed_regions)
}

class_threshold_findings contains ["class_residency", f] if {
	some f in checks.class_residency(params.jurisdictions, params.allowed_regions)
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
