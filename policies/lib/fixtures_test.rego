# Package fixtures holds the objects the baseline tests start from: compliant
# classifications, zones, workloads and plans that each test bends in one
# place. Loaded with the tests only.
package zonekeeper.lib.fixtures

# ---------------------------------------------------------------- classifications

cji := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "DataClassification",
	"metadata": {"name": "cji"},
	"spec": {
		"level": 4,
		"description": "Criminal justice information",
		"baselines": ["cjis-v6", "nist-800-53-r5-high"],
		"encryption": {"customerManagedKey": true, "rotationDays": 365, "hsmBacked": true, "fipsEndpoints": true},
		"residency": {"jurisdictions": ["us"]},
		"network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 365, "immutable": true, "dataEvents": true},
		"retention": {"minDays": 2555, "legalHold": true},
	},
}

evidence := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "DataClassification",
	"metadata": {"name": "evidence"},
	"spec": {
		"level": 3,
		"baselines": ["cjis-v6"],
		"encryption": {"customerManagedKey": true, "rotationDays": 365, "hsmBacked": true, "fipsEndpoints": true},
		"residency": {"jurisdictions": ["us"]},
		"network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 365, "immutable": true, "dataEvents": true},
		"retention": {"minDays": 2555, "legalHold": true},
	},
}

public := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "DataClassification",
	"metadata": {"name": "public"},
	"spec": {"level": 0, "network": {"publicExposure": "Allowed"}},
}

cui := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "DataClassification",
	"metadata": {"name": "cui"},
	"spec": {
		"level": 5,
		"baselines": ["dod-il5"],
		"encryption": {"customerManagedKey": true, "rotationDays": 365, "hsmBacked": true, "fipsEndpoints": true},
		"residency": {"jurisdictions": ["us"]},
		"network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 365, "immutable": true, "dataEvents": true},
		"retention": {"minDays": 1095},
	},
}

official_sensitive := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "DataClassification",
	"metadata": {"name": "official-sensitive"},
	"spec": {
		"level": 3,
		"baselines": ["uk-official-sensitive"],
		"encryption": {"customerManagedKey": true, "rotationDays": 365, "hsmBacked": true},
		"residency": {"jurisdictions": ["uk"], "allowedRegions": ["uksouth", "ukwest"]},
		"network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 365, "immutable": true, "dataEvents": true},
		"retention": {"minDays": 2190, "legalHold": true},
	},
}

# ---------------------------------------------------------------- zones

gov_zone := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "LandingZone",
	"metadata": {"name": "mpd-evidence-prod"},
	"spec": {
		"tenant": "dc-mpd",
		"cloud": {"provider": "AWS", "partition": "aws-us-gov", "region": "us-gov-west-1"},
		"account": {"name": "mpd-evidence-prod", "email": "aws+evidence@mpd.example", "organizationalUnit": "Workloads/Prod", "govCloud": true},
		"maxClassification": "cji",
		"network": {"cidr": "10.40.0.0/16", "availabilityZones": 3, "egress": "Inspected", "flowLogs": true},
		"encryption": {"rotationDays": 365},
		"audit": {"retentionDays": 400},
		"baselines": ["cjis-v6"],
		"deletionPolicy": "Orphan",
	},
}

il5_zone := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "LandingZone",
	"metadata": {"name": "army-logistics"},
	"spec": {
		"tenant": "army",
		"cloud": {"provider": "Azure", "environment": "AzureUSGovernment", "region": "usgovvirginia"},
		"subscription": {"displayName": "army-logistics", "billingScope": "/billing/1", "managementGroup": "il5", "workloadType": "Production"},
		"maxClassification": "cui",
		"network": {"cidr": "10.50.0.0/16", "availabilityZones": 3, "egress": "Inspected", "flowLogs": true},
		"encryption": {"rotationDays": 365},
		"audit": {"retentionDays": 365},
		"baselines": ["dod-il5"],
	},
}

uk_zone := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "LandingZone",
	"metadata": {"name": "met-bwv"},
	"spec": {
		"tenant": "met",
		"cloud": {"provider": "Azure", "environment": "AzurePublic", "region": "uksouth"},
		"subscription": {"displayName": "met-bwv", "billingScope": "/billing/2", "managementGroup": "official", "workloadType": "Production"},
		"maxClassification": "official-sensitive",
		"network": {"cidr": "10.60.0.0/16", "availabilityZones": 3, "egress": "None", "flowLogs": true},
		"encryption": {"rotationDays": 365},
		"audit": {"retentionDays": 365},
		"baselines": ["uk-official-sensitive"],
	},
}

# ---------------------------------------------------------------- plans

# gov_plan is what the LandingZone composer (controllers/landingzone,
# desiredAccount and desiredMember) plans for gov_zone once its account
# exists: each entry as planEntry renders it (apiVersion, kind,
# metadata.name/namespace, spec.forProvider). The Key always rotates, the
# AuditTrail is always multi-region with log-file validation and an Object Lock
# log bucket, and the VPC gets an internet gateway only with egress Direct: none
# of these has a setting of its own. The AuditTrail records data events, as cji
# asks.
zone_tags := {"zonekeeper.dev/tenant": "dc-mpd", "zonekeeper.dev/zone": "mpd-evidence-prod"}

gov_plan := [
	{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Account",
		"metadata": {"name": "mpd-evidence-prod", "namespace": "zk-dc-mpd"},
		"spec": {"forProvider": {
			"region": "us-east-1", "name": "mpd-evidence-prod", "email": "aws+evidence@mpd.example",
			"organizationalUnit": "Workloads/Prod", "govCloud": true, "tags": zone_tags,
		}},
	},
	{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Key",
		"metadata": {"name": "mpd-evidence-prod", "namespace": "zk-dc-mpd"},
		"spec": {"forProvider": {
			"region": "us-gov-west-1", "zone": "mpd-evidence-prod",
			"description": "ZoneKeeper landing zone mpd-evidence-prod (tenant dc-mpd)",
			"rotationPeriodDays": 365, "tags": zone_tags,
		}},
	},
	{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "AuditTrail",
		"metadata": {"name": "mpd-evidence-prod", "namespace": "zk-dc-mpd"},
		"spec": {"forProvider": {
			"region": "us-gov-west-1", "bucketName": "zonekeeper-audit-123456789012-mpd-evidence-prod",
			"kmsKeyRef": {"name": "mpd-evidence-prod"}, "retentionDays": 400, "dataEvents": true, "tags": zone_tags,
		}},
	},
	{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "VPC",
		"metadata": {"name": "mpd-evidence-prod", "namespace": "zk-dc-mpd"},
		"spec": {"forProvider": {
			"region": "us-gov-west-1", "cidrBlock": "10.40.0.0/16", "availabilityZones": 3, "egress": "Inspected",
			"flowLogs": {"enabled": true, "bucketRef": {"name": "mpd-evidence-prod"}}, "tags": zone_tags,
		}},
	},
]

# workload_plan is what the Workload composer (WorkloadComposer.desired) plans
# for workload in gov_zone (account 123456789012): the workload's Key, rotating
# as often as the zone or its classifications ask; one Bucket per storage
# entry, named <workload>-<storage> and labelled with the entry's name
# (landingzone.zonekeeper.dev/storage), encrypted under that Key, with Object Lock
# retaining objects for the entry's retentionDays (or its classification's
# minDays) and legalHold as its classification asks; and the IRSA Role.
workload_tags := {"zonekeeper.dev/workload": "mpd-records/records", "zonekeeper.dev/zone": "mpd-evidence-prod"}

workload_labels(storage) := {
	"landingzone.zonekeeper.dev/storage": storage,
	"landingzone.zonekeeper.dev/workload": "records",
	"landingzone.zonekeeper.dev/zone": "mpd-evidence-prod",
}

workload_plan := [
	{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Key",
		"metadata": {"name": "records", "namespace": "mpd-records"},
		"spec": {"forProvider": {
			"region": "us-gov-west-1", "zone": "mpd-evidence-prod-mpd-records-records",
			"description": "ZoneKeeper workload mpd-records/records in zone mpd-evidence-prod",
			"rotationPeriodDays": 365, "tags": workload_tags,
		}},
	},
	{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Bucket",
		"metadata": {"name": "records-bodycam", "namespace": "mpd-records", "labels": workload_labels("bodycam")},
		"spec": {"forProvider": {
			"region": "us-gov-west-1", "bucketName": "zk-123456789012-mpd-evidence-prod-mpd-records-records-bodycam",
			"kmsKeyRef": {"name": "records"}, "legalHold": true,
			"objectLock": {"enabled": true, "mode": "COMPLIANCE", "retentionDays": 2555},
			"tags": workload_tags,
		}},
	},
	{
		"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "Role",
		"metadata": {"name": "records", "namespace": "mpd-records"},
		"spec": {"forProvider": {
			"region": "us-gov-west-1", "roleName": "zk-mpd-evidence-prod-mpd-records-records",
			"serviceAccountIssuer": "oidc.eks.us-gov-west-1.amazonaws.com/id/EXAMPLE",
			"serviceAccount": {"namespace": "mpd-records", "name": "records"},
			"kmsKeyRefs": [{"name": "records"}], "bucketRefs": [{"name": "records-bodycam"}],
			"tags": workload_tags,
		}},
	},
]

# ---------------------------------------------------------------- workloads

workload := {
	"apiVersion": "landingzone.zonekeeper.dev/v1alpha1",
	"kind": "Workload",
	"metadata": {"name": "records", "namespace": "mpd-records"},
	"spec": {
		"landingZoneRef": {"name": "mpd-evidence-prod"},
		"classifications": ["cji"],
		"serviceAccountName": "records",
		"storage": [{"name": "bodycam", "classification": "evidence", "retentionDays": 2555}],
	},
}

# ---------------------------------------------------------------- inputs

zone_input(zone, classes) := {"object": zone, "classifications": classes, "plan": [], "observed": []}

planned_zone_input(zone, classes, plan) := {"object": zone, "classifications": classes, "plan": plan, "observed": []}

workload_input(w, zone, classes) := {"object": w, "zone": zone, "classifications": classes, "plan": [], "observed": []}

planned_workload_input(w, zone, classes, plan) := {"object": w, "zone": zone, "classifications": classes, "plan": plan, "observed": []}

class_input(c) := {"object": c, "classifications": [], "plan": [], "observed": []}

cjis_zone_input := zone_input(gov_zone, [cji, evidence])

cjis_workload_input := workload_input(workload, gov_zone, [cji, evidence])

# spec_patch merges patch into obj's spec, recursively.
spec_patch(obj, patch) := object.union(obj, {"spec": patch})

# without removes a spec field ("network", "audit/retentionDays").
without(obj, path) := json.remove(obj, [concat("/", ["spec", path])])

# plan_patch merges patch into the forProvider of the planned resources of a kind.
plan_patch(plan, kind, patch) := [r |
	some x in plan
	r := patched(x, kind, patch)
]

patched(x, kind, patch) := object.union(x, {"spec": {"forProvider": patch}}) if x.kind == kind

patched(x, kind, _) := x if x.kind != kind

# plan_without removes a forProvider field ("legalHold", "objectLock/retentionDays")
# from the planned resources of a kind.
plan_without(plan, kind, path) := [r |
	some x in plan
	r := removed(x, kind, path)
]

removed(x, kind, path) := json.remove(x, [concat("/", ["spec/forProvider", path])]) if x.kind == kind

removed(x, kind, _) := x if x.kind != kind

# controls is the set of controls a violation set reports.
controls(vs) := {v.control | some v in vs}

# reported is true when a violation set has a violation of control at field.
reported(vs, control, field) if {
	some v in vs
	v.control == control
	v.field == field
}
