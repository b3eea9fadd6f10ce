# AU-11 for conftest: a LandingZone keeps audit records at least as long as its ceiling's
# classification requires (here a fixed table of the sample classifications), and at least 365
# days under cjis-v6. A small stand-in for one of ZoneKeeper's rules, for hack/bench/check.sh.
package main

import rego.v1

min_days := {"public": 90, "official": 365, "official-sensitive": 365, "pii": 365, "cji": 365, "evidence": 2555}

deny contains msg if {
	input.kind == "LandingZone"
	need := min_days[input.spec.maxClassification]
	input.spec.audit.retentionDays < need
	msg := sprintf("%s: spec.audit.retentionDays is %d: set it to at least %d (AU-11)", [input.metadata.name, input.spec.audit.retentionDays, need])
}

deny contains msg if {
	input.kind == "LandingZone"
	"cjis-v6" in input.spec.baselines
	input.spec.audit.retentionDays < 365
	msg := sprintf("%s: spec.audit.retentionDays is %d: CJIS 5.4.7 requires at least 365 (AU-11)", [input.metadata.name, input.spec.audit.retentionDays])
}
