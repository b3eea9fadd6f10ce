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
	"AC-4", "AU-9", "AU-11", "AU-12", "CP-10", "SA-9(5)", "SC-7", "SC-8",
	"SC-12", "SC-28", "SI-12",
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

# stamps says which control each parameterless check of lib.checks reports
# under this baseline, with its severity, the reason quoted and the
# references. One rule reads all of checks.findings (computed once per
# evaluation, whatever the number of baselines) instead of one rule per check.
stamps := {
	"classification_ceiling": [["AC-4", "high", "NCSC P3 separates data by the zone cleared for it", ["NCSC-P3"]]],
	"audit_protection": [["AU-9", "high", "NCSC P13 and MPS \"no loss of information\" keep audit records immutable", ["NCSC-P13", "MPS no loss of information"]]],
	"audit_generation": [["AU-12", "high", au_12_why, ["NCSC-P13", "DPA 2018 s.62"]]],
	"class_data_events": [["AU-12", "high", au_12_why, ["NCSC-P13", "DPA 2018 s.62"]]],
	"residency": [["SA-9(5)", "high", sa_9_5_why, ["NCSC-P2", "PASF"]]],
	"class_unknown_jurisdiction": [["SA-9(5)", "high", sa_9_5_why, ["NCSC-P2", "PASF"]]],
	"network_unset": [["SC-7", "high", sc_7_why, ["NCSC-P11"]]],
	"public_exposure": [["SC-7", "high", sc_7_why, ["NCSC-P11"]]],
	"class_private_endpoints": [["SC-8", "high", "NCSC P1 protects data in transit with private endpoints", ["NCSC-P1"]]],
	"transport_tls": [["SC-8", "high", "NCSC P1 requires TLS 1.2 or later", ["NCSC-P1"]]],
	"plan_key_rotation_off": [["SC-12", "high", sc_12_why, ["NCSC-P2"]]],
	"zone_encryption_unset": [["SC-28", "high", sc_28_why, ["NCSC-P2"]]],
	"plan_bucket_sse": [["SC-28", "high", sc_28_why, ["NCSC-P2"]]],
	"class_cmk": [["SC-28", "high", sc_28_why, ["NCSC-P2"]]],
	"storage_retention": [["SI-12", "medium", "MPS \"no loss of information\" retains records as the classification requires", ["MPS no loss of information", "DPA 2018 Part 3"]]],
}

violation contains core.violation(control, severity, f, why, references) if {
	some [check, f] in checks.findings
	some [control, severity, why, references] in stamps[check]
}

# The checks that take this baseline's parameters, one rule each.

# ---------------------------------------------------------------- AU-11

violation contains v if {
	f := checks.audit_retention(params.audit_retention_days)
	v := core.violation("AU-11", "medium", f, au_11_why, ["NCSC-P13"])
}

violation contains v if {
	some trail in core.plan_trails
	f := checks.plan_audit_retention(trail, params.audit_retention_days)
	v := core.violation("AU-11", "medium", f, au_11_why, ["NCSC-P13"])
}

violation contains v if {
	input.object.kind == "DataClassification"
	f := checks.class_audit_retention(params.audit_retention_days)
	v := core.violation("AU-11", "medium", f, au_11_why, ["NCSC-P13"])
}

# ---------------------------------------------------------------- CP-10

violation contains v if {
	f := checks.availability_zones(params.min_availability_zones)
	v := core.violation("CP-10", "medium", f, "MPS \"no loss of information\" requires zone-redundant storage", ["MPS no loss of information"])
}

# ---------------------------------------------------------------- SA-9(5)

violation contains v if {
	f := checks.region_in_jurisdictions(params.jurisdictions)
	v := core.violation("SA-9(5)", "high", f, sa_9_5_why, ["NCSC-P2", "PASF"])
}

violation contains v if {
	f := checks.region_allowed(params.allowed_regions)
	v := core.violation("SA-9(5)", "high", f, sa_9_5_why, ["NCSC-P2", "PASF"])
}

violation contains v if {
	input.object.kind == "DataClassification"
	some f in checks.class_residency(params.jurisdictions, params.allowed_regions)
	v := core.violation("SA-9(5)", "high", f, sa_9_5_why, ["NCSC-P2", "PASF"])
}

# ---------------------------------------------------------------- SC-12

violation contains v if {
	f := checks.key_rotation(params.key_rotation_max_days)
	v := core.violation("SC-12", "high", f, sc_12_why, ["NCSC-P2"])
}

violation contains v if {
	some key in core.plan_keys
	f := checks.plan_key_rotation_period(key, params.key_rotation_max_days)
	v := core.violation("SC-12", "high", f, sc_12_why, ["NCSC-P2"])
}

violation contains v if {
	input.object.kind == "DataClassification"
	f := checks.class_key_rotation(params.key_rotation_max_days)
	v := core.violation("SC-12", "high", f, sc_12_why, ["NCSC-P2"])
}
