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

# stamps says which control each parameterless check of lib.checks reports
# under this baseline, with its severity, the reason quoted and the
# references. One rule reads all of checks.findings (computed once per
# evaluation, whatever the number of baselines) instead of one rule per check.
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
	"plan_key_rotation_off": [["SC-12", "high", sc_12_why, ["CJIS v6.0 SC-12"]]],
	"fips_for_classifications": [["SC-13", "high", sc_13_why, ["CJIS 5.10.1.2.1"]]],
	"class_fips": [["SC-13", "high", sc_13_why, ["CJIS 5.10.1.2.1"]]],
	"zone_encryption_unset": [["SC-28", "high", sc_28_why, ["CJIS 5.10.1.2.2"]]],
	"plan_bucket_sse": [["SC-28", "high", sc_28_why, ["CJIS 5.10.1.2.2"]]],
	"class_cmk": [["SC-28", "high", sc_28_why, ["CJIS 5.10.1.2.2"]]],
	"storage_retention": [["SI-12", "medium", "CJIS v6.0 SI-12 retains records as the classification requires", ["CJIS v6.0 SI-12"]]],
}

violation contains core.violation(control, severity, f, why, references) if {
	some [check, f] in checks.findings
	some [control, severity, why, references] in stamps[check]
}

# The checks that take this baseline's parameters, one rule each.

# ---------------------------------------------------------------- AU-11

violation contains v if {
	f := checks.audit_retention(params.audit_retention_days)
	v := core.violation("AU-11", "high", f, au_11_why, ["CJIS 5.4.7"])
}

violation contains v if {
	some trail in core.plan_trails
	f := checks.plan_audit_retention(trail, params.audit_retention_days)
	v := core.violation("AU-11", "high", f, au_11_why, ["CJIS 5.4.7"])
}

violation contains v if {
	input.object.kind == "DataClassification"
	f := checks.class_audit_retention(params.audit_retention_days)
	v := core.violation("AU-11", "high", f, au_11_why, ["CJIS 5.4.7"])
}

# ---------------------------------------------------------------- SA-9(5)

violation contains v if {
	f := checks.region_in_jurisdictions(params.jurisdictions)
	v := core.violation("SA-9(5)", "high", f, sa_9_5_why, ["CJIS v6.0 SA-9(5)"])
}

violation contains v if {
	input.object.kind == "DataClassification"
	some f in checks.class_residency(params.jurisdictions, [])
	v := core.violation("SA-9(5)", "high", f, sa_9_5_why, ["CJIS v6.0 SA-9(5)"])
}

# ---------------------------------------------------------------- SC-12

violation contains v if {
	f := checks.key_rotation(params.key_rotation_max_days)
	v := core.violation("SC-12", "high", f, sc_12_why, ["CJIS v6.0 SC-12"])
}

violation contains v if {
	some key in core.plan_keys
	f := checks.plan_key_rotation_period(key, params.key_rotation_max_days)
	v := core.violation("SC-12", "high", f, sc_12_why, ["CJIS v6.0 SC-12"])
}

violation contains v if {
	input.object.kind == "DataClassification"
	f := checks.class_key_rotation(params.key_rotation_max_days)
	v := core.violation("SC-12", "high", f, sc_12_why, ["CJIS v6.0 SC-12"])
}
