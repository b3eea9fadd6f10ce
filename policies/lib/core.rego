# Package core holds what every baseline shares: which object is evaluated,
# the landing zone it is about, the classifications in force, and the
# constructors that give every finding the same shape. Baselines never read
# input directly for these, so a change of the input contract is made here once.
package zonekeeper.lib.core

is_zone if input.object.kind == "LandingZone"

is_workload if input.object.kind == "Workload"

is_classification if input.object.kind == "DataClassification"

# zone is the LandingZone the object is, or the one a Workload lands in. It is
# undefined when a Workload's zone was not resolved; the AC-4 checks report
# that, so the zone checks that cannot run never pass silently.
zone := input.object if input.object.kind == "LandingZone"

zone := input.zone if {
	input.object.kind == "Workload"
	is_object(input.zone)
}

# zone_spec is the zone's spec. The engine keeps facts derived from a Workload's
# zone across evaluations (policies/engine/facts.go) on the strength of these
# two rules being written as they are, and keeps none by the zone if they change.
zone_spec := object.get(input.object, "spec", {}) if input.object.kind == "LandingZone"

zone_spec := object.get(input.zone, "spec", {}) if {
	input.object.kind == "Workload"
	is_object(input.zone)
}

zone_name := object.get(zone, ["metadata", "name"], "")

# classifications are the resolved DataClassifications in force for the object:
# for a LandingZone all of input.classifications (its maxClassification and
# those of the workloads it hosts); for a Workload only those it names in
# spec.classifications and spec.storage[].classification. A Workload's input
# also carries its zone's maxClassification so the AC-4 level comparison can
# run, but that classification's requirements are the zone's, not the
# workload's. The engine keeps facts derived from the classifications across
# evaluations (policies/engine/facts.go) on the strength of this rule and
# declared_classifications being written as they are: it works out the same
# list itself, and keeps no facts, or none for Workloads, if they change.
classifications := [c |
	some c in object.get(input, "classifications", [])
	object.get(c, ["metadata", "name"], "") in declared_classifications # name_of(c)
] if {
	input.object.kind == "Workload"
} else := object.get(input, "classifications", [])

# declared_classifications are the classification names a Workload declares.
declared_classifications contains name if {
	input.object.kind == "Workload"
	some name in object.get(input.object, ["spec", "classifications"], [])
}

declared_classifications contains name if {
	input.object.kind == "Workload"
	some s in object.get(input.object, ["spec", "storage"], [])
	name := s.classification
}

# resolved looks a DataClassification up by name among all of
# input.classifications. It is undefined for a name that was not resolved.
resolved(name) := by_name[name]

# by_name indexes input.classifications by name once per evaluation: a
# Workload's checks look up each name it declares several times, and a scan per
# look-up was a tenth of what a compliant Workload cost. Two classifications
# with the same name conflict here (an evaluation error, never a silent pick);
# the engine passes each name once.
by_name := {name_of(c): c | some c in object.get(input, "classifications", [])}

name_of(obj) := object.get(obj, ["metadata", "name"], "")

# spec_value reads spec.<path> of obj, null when any part of it is missing.
spec_value(obj, path) := object.get(obj, array.concat(["spec"], path), null)

# class_numbers is the set of numeric values classifications in force declare at
# spec.<path>.
class_numbers(path) := {v |
	some c in classifications
	v := spec_value(c, path)
	is_number(v)
}

# class_names_where is the sorted, quoted list of classifications in force whose
# spec.<path> equals value, for messages.
class_names_where(path, value) := concat(", ", sort([sprintf("%q", [object.get(c, ["metadata", "name"], "")]) |
	some c in classifications
	object.get(c.spec, path, null) == value
]))

# finding is a violation without its control: where to look and what to do.
finding(field, message) := {"field": field, "message": message}

# zone_finding reports a problem with the landing zone's settings. When the
# object is the zone, the field is the zone's own; when it is a Workload, the
# workload cannot land in a zone that falls short of its data's requirements,
# so the violation points at spec.landingZoneRef.name; every message starts
# with the zone field it is about, so it still says what to change.
zone_finding(field, message) := {"field": field, "message": message} if input.object.kind == "LandingZone"

zone_finding(_, message) := {
	"field": "spec.landingZoneRef.name",
	"message": sprintf("landing zone %q: %s; fix the zone or choose another spec.landingZoneRef", [zone_name, message]),
} if input.object.kind == "Workload"

# violation turns a finding into the verdict shape, appending the reason the
# baseline quotes. The baseline and the enforcement action are stamped by the
# engine.
violation(control, severity, f, why, references) := {
	"control": control,
	"severity": severity,
	"field": f.field,
	"message": sprintf("%s (%s)", [f.message, why]),
	"references": references,
}

# plan_finding reports a problem found in a planned resource that follows from
# the zone field named: on a LandingZone at that field; on a Workload, which
# has no such field, at spec.landingZoneRef.name with the zone field in the
# message, as zone_finding does. (The built-in checks look at a zone's VPC,
# Key and AuditTrail only on the LandingZone, and at a Workload's Buckets at
# the storage entry each is composed for.)
plan_finding(field, message) := zone_finding(field, message)

# The composed plan, by kind. It may be empty: every control also checks the
# declared spec. Rules, not functions, so each is computed once per evaluation.
plan := object.get(input, "plan", [])

plan_vpcs := [r | some r in plan; r.kind == "VPC"]

plan_keys := [r | some r in plan; r.kind == "Key"]

plan_trails := [r | some r in plan; r.kind == "AuditTrail"]

plan_buckets := [r | some r in plan; r.kind == "Bucket"]

# describe renders a value for a message, saying "not set" for missing ones.
describe(x) := "not set" if {
	x == null
} else := sprintf("%q", [x]) if {
	is_string(x)
} else := sprintf("%v", [x])

at_least(x, floor) if {
	is_number(x)
	x >= floor
}

at_most(x, ceiling) if {
	is_number(x)
	x > 0
	x <= ceiling
}
