# METADATA
# title: CJIS Security Policy v6.0
# description: |
#   FBI Criminal Justice Information Services Security Policy v6.0 (Dec 2024),
#   restructured on NIST SP 800-53 families; section numbers cite v5.9.5 where
#   the catalogue does. For zones, workloads and classifications holding CJI.
package zonekeeper.baselines.cjis_v6

import data.zonekeeper.lib.checks
import data.zonekeeper.lib.core

# controls this baseline can report. The engine derives the controls an
# exception may name from this set.
controls := {"AC-4", "AU-9", "AU-11", "AU-12", "SA-9(5)", "SC-7", "SC-12", "SC-13", "SC-28", "SI-12"}

# exception_max_days caps how long an exception may last, per control. CJIS
# sets no cap of its own.
exception_max_days := {}

# default_params are the documented defaults; data.zonekeeper.params.cjis_v6
# overrides any of them.
default_params := {
	# CJIS 5.4.7: audit records are retained for at least one year.
	"audit_retention_days": 365,
	# SC-12: keys rotate at least yearly (the AWS KMS default period).
	"key_rotation_max_days": 365,
	# CJI stays in the United States.
	"jurisdictions": ["us"],
}

default overrides := {}

overrides := data.zonekeeper.params.cjis_v6

params := object.union(default_params, overrides)

# reasons quoted in messages
au_11_why := "CJIS 5.4.7 requires audit records be kept at least one year"

au_12_why := "CJIS v6.0 AU-12 requires network flows and data events on CJI be logged"

sa_9_5_why := "CJIS: CJI is stored and processed in the United States only"

sc_7_why := "CJIS v6.0 SC-7: CJI stores are never public and are reached through private endpoints only"

sc_12_why := "CJIS v6.0 SC-12 requires customer-managed keys with rotation enabled"

sc_13_why := "CJIS 5.10.1.2.1 requires FIPS 140 validated cryptography for CJI in transit"

sc_28_why := "CJIS 5.10.1.2.2 requires CJI at rest be encrypted with a FIPS-validated module and customer-managed keys"

# stamps says which control each check reports under this baseline, with its
# severity, the reason quoted and the references: the parameterless checks of
# lib.checks, evaluated once per evaluation whatever the number of baselines,
# and this baseline's own checks with parameters (below).
stamps := {
	"classification_ceiling": [["AC-4", "high", "CJIS v6.0 AC-4: a zone holds data only up to its maxClassification", ["CJIS v6.0 AC-4"]]],
	"audit_protection": [["AU-9", "high", "CJIS v6.0 AU-9 requires audit logs be kept immutable", ["CJIS v6.0 AU-9"]]],
	"audit_generation": [["AU-12", "medium", au_12_why, ["CJIS v6.0 AU-2", "CJIS v6.0 AU-12"]]],
	"class_data_events": [["AU-12", "medium", au_12_why, ["CJIS v6.0 AU-2", "CJIS v6.0 AU-12"]]],
	"residency": [["SA-9(5)", "high", sa_9_5_why, ["CJIS v6.0 SA-9(5)"]]],
	"class_unknown_jurisdiction": [["SA-9(5)", "high", sa_9_5_why, ["CJIS v6.0 SA-9(5)"]]],
	"network_unset": [["SC-7", "high", sc_7_why, ["CJIS v6.0 SC-7", "CJIS v6.0 AC-3"]]],
	"public_exposure": [["SC-7", "high", sc_7_why, ["CJIS v6.0 SC-7", "CJIS v6.0 AC-3"]]],
	"class_not_public": [["SC-7", "high", sc_7_why, ["CJIS v6.0 SC-7", "CJIS v6.0 AC-3"]]],
	"class_private_endpoints": [["SC-7", "high", sc_7_why, ["CJIS v6.0 SC-7", "CJIS v6.0 AC-3"]]],
	"fips_for_classifications": [["SC-13", "high", sc_13_why, ["CJIS 5.10.1.2.1"]]],
	"class_fips": [["SC-13", "high", sc_13_why, ["CJIS 5.10.1.2.1"]]],
	"zone_encryption_unset": [["SC-28", "high", sc_28_why, ["CJIS 5.10.1.2.2"]]],
	"plan_bucket_sse": [["SC-28", "high", sc_28_why, ["CJIS 5.10.1.2.2"]]],
	"class_cmk": [["SC-28", "high", sc_28_why, ["CJIS 5.10.1.2.2"]]],
	"storage_retention": [["SI-12", "medium", "CJIS v6.0 SI-12 retains records as the classification requires", ["CJIS v6.0 SI-12"]]],
	"audit_retention": [["AU-11", "high", au_11_why, ["CJIS 5.4.7"]]],
	"plan_audit_retention": [["AU-11", "high", au_11_why, ["CJIS 5.4.7"]]],
	"class_audit_retention": [["AU-11", "high", au_11_why, ["CJIS 5.4.7"]]],
	"region_in_jurisdictions": [["SA-9(5)", "high", sa_9_5_why, ["CJIS v6.0 SA-9(5)"]]],
	"class_residency": [["SA-9(5)", "high", sa_9_5_why, ["CJIS v6.0 SA-9(5)"]]],
	"key_rotation": [["SC-12", "high", sc_12_why, ["CJIS v6.0 SC-12"]]],
	"plan_key_rotation_period": [["SC-12", "high", sc_12_why, ["CJIS v6.0 SC-12"]]],
	"class_key_rotation": [["SC-12", "high", sc_12_why, ["CJIS v6.0 SC-12"]]],
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
	checks.in_any(checks.zone_region, params.jurisdictions)
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

# ---------------------------------------------------------------- SA-9(5)

zone_threshold_findings contains ["region_in_jurisdictions", f] if {
	not checks.in_any(checks.zone_region, params.jurisdictions)
	f := checks.region_in_jurisdictions(params.jurisdictions)
}

class_threshold_findings contains ["class_residency", f] if {
	some f in checks.class_residency(params.jurisdictions, [])
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
