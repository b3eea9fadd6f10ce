package engine

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/zonekeeper/zonekeeper/internal/golden"
)

// update regenerates the golden verdicts. Regenerate only when a verdict is
// meant to change, and review the diff: the golden files are what keeps
// performance work on the policies from changing any verdict.
var update = flag.Bool("update", false, "rewrite the golden verdict files under testdata/golden")

// TestGoldenVerdicts evaluates a broad corpus of raw inputs (zones,
// workloads and classifications, AWS and Azure, missing and mistyped fields,
// plans) under several engine configurations (default, parameters and
// enforcement actions, custom policies, exceptions) and baseline sets, and
// compares every verdict, or error, with testdata/golden/engine.json. The
// corpus built from CRD-defaulted YAML is checked by
// internal/check.TestGoldenVerdicts.
func TestGoldenVerdicts(t *testing.T) {
	got := goldenVerdicts(t)
	compareGolden(t, filepath.Join("testdata", "golden", "engine.json"), got)
}

// goldenResult is a verdict or, for an evaluation that failed, its error.
type goldenResult = golden.Result[Verdict]

func newGoldenResult(v Verdict, err error) goldenResult { return golden.New(v, err) }

// verdictCodec splits a Verdict for the golden file and joins it again.
var verdictCodec = golden.Codec[Verdict, Violation]{
	Split: func(v Verdict) ([]Violation, []golden.Waived[Violation]) {
		waived := make([]golden.Waived[Violation], len(v.Waived))
		for i, w := range v.Waived {
			waived[i] = golden.Waived[Violation]{Violation: w.Violation, Exception: w.Exception}
		}
		return v.Violations, waived
	},
	Join: func(violations []Violation, waived []golden.Waived[Violation]) Verdict {
		v := Verdict{Violations: violations, Waived: []WaivedViolation{}}
		for _, w := range waived {
			v.Waived = append(v.Waived, WaivedViolation{Violation: w.Violation, Exception: w.Exception})
		}
		return v
	},
}

// compareGolden compares results (case -> evaluation -> verdict or error)
// with a golden file, or rewrites it with -update.
func compareGolden(t *testing.T, path string, results map[string]map[string]goldenResult) {
	t.Helper()
	golden.Compare(t, path, results, verdictCodec, *update)
}

// goldenNow is the evaluation time of every golden verdict.
var goldenNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

var fourBaselines = []string{"cjis-v6", "dod-il5", "nist-800-53-r5-high", "uk-official-sensitive"}

// goldenConfig is one engine configuration and the evaluations made with it.
type goldenConfig struct {
	name       string
	opts       []Option
	custom     []CustomPolicy
	exceptions []Exception
	baselines  [][]string // nil entry: ApplicableBaselines
}

func goldenConfigs() []goldenConfig {
	all := [][]string{nil, fourBaselines}
	single := [][]string{{"cjis-v6"}, {"dod-il5"}, {"nist-800-53-r5-high"}, {"uk-official-sensitive"}, {"cjis-v6", "uk-official-sensitive"}}
	return []goldenConfig{
		{name: "default", baselines: append(slices.Clone(all), single...)},
		{
			name: "params",
			opts: []Option{
				WithParams(map[string]any{
					"cjis-v6":               map[string]any{"audit_retention_days": 400, "key_rotation_max_days": 180, "jurisdictions": []string{"us", "uk"}},
					"nist-800-53-r5-high":   map[string]any{"omb_m21_31": true, "require_hsm": false, "min_availability_zones": 3, "allowed_egress": []string{"None"}},
					"dod-il5":               map[string]any{"audit_retention_days": 500, "key_rotation_max_days": 90, "min_availability_zones": 4, "allowed_egress": []string{"Inspected"}},
					"uk-official-sensitive": map[string]any{"allowed_regions": []string{"uksouth", "ukwest", "eu-west-2"}, "jurisdictions": []string{"uk", "us"}, "audit_retention_days": 500, "min_availability_zones": 1},
				}),
				WithEnforcementActions(map[string]string{"nist-800-53-r5-high": ActionWarn, "uk-official-sensitive": ActionAudit}),
			},
			baselines: all,
		},
		{
			name: "params-omb-off",
			opts: []Option{WithParams(map[string]any{
				"nist-800-53-r5-high":   map[string]any{"omb_m21_31": false, "audit_retention_days": 200, "omb_m21_31_retention_days": 900},
				"uk-official-sensitive": map[string]any{"allowed_regions": []string{}, "jurisdictions": []string{}},
			})},
			baselines: [][]string{fourBaselines},
		},
		{
			name: "custom",
			custom: []CustomPolicy{
				{Name: "tagging", EnforcementAction: ActionWarn, Modules: map[string]string{"tagging.rego": `package zonekeeper.custom.tagging

import data.zonekeeper.lib.core

controls := {"ZK-TAG-1"}

violation contains core.violation(
	"ZK-TAG-1", "low",
	core.zone_finding("metadata.labels", "set metadata.labels.cost-centre"),
	"finance charges zones back by cost centre", ["ACME-FIN-7"],
) if {
	core.zone
	not core.zone.metadata.labels["cost-centre"]
}
`}},
				{Name: "levels", Modules: map[string]string{"levels.rego": `package zonekeeper.custom.levels

import data.zonekeeper.lib.core

controls := {"ZK-LVL-1"}

violation contains {"control": "ZK-LVL-1", "severity": "medium", "field": "spec", "message": sprintf("classification %s has level %v", [core.name_of(c), c.spec.level])} if {
	some c in core.classifications
	c.spec.level > 5
}
`}},
			},
			baselines: all,
		},
		{
			name: "exceptions",
			exceptions: []Exception{
				{Name: "boundary", Controls: []string{"SC-7", "SC-7(4)"}, Targets: []Target{{Kind: "LandingZone"}}, ExpiresAt: goldenNow.Add(30 * day)},
				{Name: "long-boundary", Controls: []string{"SC-7"}, Targets: []Target{{Kind: "Workload", Namespaces: []string{"mpd-records", "city", "met", "dod"}}}, ExpiresAt: goldenNow.Add(200 * day)},
				{Name: "audit", Controls: []string{"AU-11", "AU-12", "SA-9(5)"}, Targets: []Target{{Kind: "LandingZone", Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "prod"}}}, {Kind: "DataClassification"}}, ExpiresAt: goldenNow.Add(300 * day)},
				{Name: "expired", Controls: []string{"SC-12", "SC-28"}, Targets: []Target{{Kind: "LandingZone"}, {Kind: "Workload", Namespaces: []string{"mpd-records"}}}, ExpiresAt: goldenNow.Add(-time.Hour)},
				{Name: "ceiling", Controls: []string{"AC-4", "SI-12"}, Targets: []Target{{Kind: "Workload", Name: "records", Namespaces: []string{"mpd-records"}}}, ExpiresAt: goldenNow.Add(10 * day)},
			},
			baselines: [][]string{fourBaselines},
		},
	}
}

// goldenVerdicts evaluates the raw corpus under every configuration.
func goldenVerdicts(t *testing.T) map[string]map[string]goldenResult {
	t.Helper()
	ctx := context.Background()
	cases := goldenCases(t)
	out := map[string]map[string]goldenResult{}
	for _, cfg := range goldenConfigs() {
		e := newEngine(t, cfg.opts...)
		if len(cfg.custom) > 0 {
			if err := e.SetCustomPolicies(ctx, cfg.custom); err != nil {
				t.Fatalf("%s: SetCustomPolicies: %v", cfg.name, err)
			}
		}
		for _, c := range cases {
			if out[c.name] == nil {
				out[c.name] = map[string]goldenResult{}
			}
			for _, bs := range cfg.baselines {
				key := cfg.name + " " + baselinesKey(bs)
				v, err := e.Evaluate(ctx, c.in, Options{Baselines: bs, Exceptions: cfg.exceptions, Now: goldenNow})
				out[c.name][key] = newGoldenResult(v, err)
			}
		}
	}
	return out
}

func baselinesKey(bs []string) string {
	if bs == nil {
		return "applicable"
	}
	return strings.Join(bs, ",")
}

type goldenCase struct {
	name string
	in   Input
}

// del deletes the field it is set at.
type deleteMarker struct{}

var del = deleteMarker{}

// patched returns a deep copy of obj with each path ("spec.network.egress")
// set to its value, or deleted for del.
func patched(obj map[string]any, patches ...any) map[string]any {
	out := clone(obj)
	for i := 0; i < len(patches); i += 2 {
		path := strings.Split(patches[i].(string), ".")
		cur := out
		for _, p := range path[:len(path)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		last := path[len(path)-1]
		if patches[i+1] == del {
			delete(cur, last)
			continue
		}
		// round-trip the value so numbers are float64 as in decoded JSON
		b, err := json.Marshal(patches[i+1])
		if err != nil {
			panic(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			panic(err)
		}
		cur[last] = v
	}
	return out
}

func mustObject(src string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(src), &m); err != nil {
		panic(fmt.Sprintf("%v in %s", err, src))
	}
	return m
}

func objects(xs ...map[string]any) []map[string]any { return xs }

// goldenCases is the raw corpus.
func goldenCases(t *testing.T) []goldenCase {
	t.Helper()
	var cases []goldenCase
	add := func(name string, in Input) {
		if in.Plan == nil {
			in.Plan = []map[string]any{}
		}
		if in.Observed == nil {
			in.Observed = []map[string]any{}
		}
		cases = append(cases, goldenCase{name, in})
	}

	// ---------------------------------------------------------- classifications
	class := func(name string, spec string) map[string]any {
		return mustObject(`{"apiVersion": "landingzone.zonekeeper.dev/v1alpha1", "kind": "DataClassification", "metadata": {"name": "` + name + `"}, "spec": ` + spec + `}`)
	}
	cji := class("cji", `{"level": 4, "baselines": ["cjis-v6", "nist-800-53-r5-high"],
		"encryption": {"customerManagedKey": true, "rotationDays": 365, "hsmBacked": true, "fipsEndpoints": true},
		"residency": {"jurisdictions": ["us"]}, "network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 365, "immutable": true, "dataEvents": true}, "retention": {"minDays": 2555, "legalHold": true}}`)
	evidence := class("evidence", `{"level": 3, "baselines": ["cjis-v6"],
		"encryption": {"customerManagedKey": true, "rotationDays": 300, "hsmBacked": true, "fipsEndpoints": true},
		"residency": {"jurisdictions": ["us"], "allowedRegions": ["us-gov-west-1", "us-gov-east-1"]},
		"network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 2555, "immutable": true, "dataEvents": true}, "retention": {"minDays": 3650, "legalHold": true}}`)
	public := class("public", `{"level": 0, "network": {"publicExposure": "Allowed"}}`)
	cui := class("cui", `{"level": 5, "baselines": ["dod-il5"],
		"encryption": {"customerManagedKey": true, "rotationDays": 365, "hsmBacked": true, "fipsEndpoints": true},
		"residency": {"jurisdictions": ["us"]}, "network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 365, "immutable": true, "dataEvents": true}, "retention": {"minDays": 1095}}`)
	offSens := class("official-sensitive", `{"level": 3, "baselines": ["uk-official-sensitive"],
		"encryption": {"customerManagedKey": true, "rotationDays": 365, "hsmBacked": true},
		"residency": {"jurisdictions": ["uk"], "allowedRegions": ["uksouth", "ukwest"]},
		"network": {"publicExposure": "Forbidden", "privateEndpointsOnly": true},
		"audit": {"retentionDays": 365, "immutable": true, "dataEvents": true}, "retention": {"minDays": 2190, "legalHold": true}}`)
	weak := class("weak", `{"level": 2, "baselines": ["cjis-v6", "dod-il5", "nist-800-53-r5-high", "uk-official-sensitive"],
		"encryption": {"customerManagedKey": false, "rotationDays": 800, "hsmBacked": false, "fipsEndpoints": false},
		"network": {"publicExposure": "Allowed", "privateEndpointsOnly": false},
		"audit": {"retentionDays": 30, "immutable": false, "dataEvents": false}, "retention": {"minDays": 10}}`)
	abroad := class("abroad", `{"level": 1, "baselines": ["cjis-v6", "uk-official-sensitive"],
		"encryption": {"customerManagedKey": true, "rotationDays": 90, "fipsEndpoints": true},
		"residency": {"jurisdictions": ["us", "eu", "uk"], "allowedRegions": ["us-east-1", "eu-west-1", "uksouth", "eu-west-2"]},
		"network": {"publicExposure": "Forbidden"}, "audit": {"retentionDays": 3000, "dataEvents": true}}`)
	strict := class("strict", `{"level": 9, "encryption": {"rotationDays": 90, "fipsEndpoints": true},
		"residency": {"allowedRegions": ["us-gov-west-1"]}, "network": {"publicExposure": "Forbidden"},
		"audit": {"retentionDays": 3650, "immutable": true, "dataEvents": true}, "retention": {"minDays": 4000, "legalHold": true}}`)
	nolevel := class("nolevel", `{"description": "no level", "residency": {"jurisdictions": ["mars"]}}`)
	bare := mustObject(`{"kind": "DataClassification", "metadata": {"name": "bare"}}`)

	classes := map[string]map[string]any{"cji": cji, "evidence": evidence, "public": public, "cui": cui, "official-sensitive": offSens,
		"weak": weak, "abroad": abroad, "strict": strict, "nolevel": nolevel}
	for _, name := range slices.Sorted(maps.Keys(classes)) {
		c := classes[name]
		add("class/"+name, Input{Object: c, Classifications: objects(c)})
	}
	add("class/bare", Input{Object: bare, Classifications: objects(bare)})
	add("class/bare-without-classifications", Input{Object: bare})
	classPatches := [][]any{
		{"spec.residency", del},
		{"spec.residency.jurisdictions", []string{"eu"}},
		{"spec.residency.jurisdictions", []string{"us", "uk"}},
		{"spec.residency.jurisdictions", []string{}},
		{"spec.residency.allowedRegions", []string{"us-east-1", "eu-west-1"}},
		{"spec.residency.allowedRegions", []string{"uksouth", "eu-west-2"}},
		{"spec.residency.allowedRegions", []string{"uksouth"}},
		{"spec.residency.allowedRegions", []string{"usgovvirginia", "ukwest"}},
		{"spec.encryption", del},
		{"spec.encryption.customerManagedKey", false},
		{"spec.encryption.rotationDays", 800},
		{"spec.encryption.rotationDays", 0},
		{"spec.encryption.rotationDays", "365"},
		{"spec.encryption.hsmBacked", false},
		{"spec.encryption.fipsEndpoints", false},
		{"spec.network", del},
		{"spec.network.publicExposure", "Allowed"},
		{"spec.network.privateEndpointsOnly", false},
		{"spec.audit", del},
		{"spec.audit.retentionDays", 100},
		{"spec.audit.retentionDays", nil},
		{"spec.audit.immutable", false},
		{"spec.audit.dataEvents", false},
		{"spec.level", del},
		{"spec", del},
	}
	for _, base := range []map[string]any{cji, offSens} {
		for _, p := range classPatches {
			c := patched(base, p...)
			add(fmt.Sprintf("class/%s%s", nameOf(base), patchName(p)), Input{Object: c, Classifications: objects(c)})
		}
	}

	// ---------------------------------------------------------------- zones
	zone := func(name, spec string) map[string]any {
		return mustObject(`{"apiVersion": "landingzone.zonekeeper.dev/v1alpha1", "kind": "LandingZone", "metadata": {"name": "` + name + `", "labels": {"tier": "prod"}}, "spec": ` + spec + `}`)
	}
	govZone := zone("mpd-evidence-prod", `{"tenant": "dc-mpd",
		"cloud": {"provider": "AWS", "partition": "aws-us-gov", "region": "us-gov-west-1"},
		"account": {"name": "mpd-evidence-prod", "email": "aws+evidence@mpd.example", "govCloud": true},
		"maxClassification": "cji",
		"network": {"cidr": "10.40.0.0/16", "availabilityZones": 3, "egress": "Inspected", "flowLogs": true},
		"encryption": {"rotationDays": 365}, "audit": {"retentionDays": 400}, "baselines": ["cjis-v6", "nist-800-53-r5-high"]}`)
	il5Zone := zone("army-logistics", `{"tenant": "army",
		"cloud": {"provider": "Azure", "environment": "AzureUSGovernment", "region": "usgovvirginia"},
		"subscription": {"displayName": "army-logistics", "billingScope": "/billing/1"},
		"maxClassification": "cui",
		"network": {"cidr": "10.50.0.0/16", "availabilityZones": 3, "egress": "Inspected", "flowLogs": true},
		"encryption": {"rotationDays": 365}, "audit": {"retentionDays": 365}, "baselines": ["dod-il5"]}`)
	ukZone := zone("met-bwv", `{"tenant": "met",
		"cloud": {"provider": "Azure", "environment": "AzurePublic", "region": "uksouth"},
		"subscription": {"displayName": "met-bwv", "billingScope": "/billing/2"},
		"maxClassification": "official-sensitive",
		"network": {"cidr": "10.60.0.0/16", "availabilityZones": 3, "egress": "None", "flowLogs": true},
		"encryption": {"rotationDays": 365}, "audit": {"retentionDays": 365}, "baselines": ["uk-official-sensitive"]}`)
	awsZone := zone("commercial", `{"tenant": "city",
		"cloud": {"provider": "AWS", "partition": "aws", "region": "us-east-1"},
		"account": {"name": "city", "email": "aws+city@example", "govCloud": false},
		"maxClassification": "weak",
		"network": {"cidr": "10.70.0.0/16", "availabilityZones": 1, "egress": "Direct", "flowLogs": false},
		"encryption": {"rotationDays": 800}, "audit": {"retentionDays": 30}}`)
	azZone := zone("azure-east", `{"tenant": "county",
		"cloud": {"provider": "Azure", "environment": "AzurePublic", "region": "eastus"},
		"subscription": {"displayName": "county", "billingScope": "/billing/3"},
		"maxClassification": "strict",
		"network": {"cidr": "10.80.0.0/16", "availabilityZones": 2, "egress": "Inspected"},
		"encryption": {"rotationDays": 365}, "audit": {"retentionDays": 365}, "baselines": ["nist-800-53-r5-high"]}`)

	classSets := map[string][]map[string]any{
		"cji+evidence": objects(cji, evidence),
		"os":           objects(offSens),
		"cui":          objects(cui),
		"public":       objects(public),
		"none":         objects(),
		"mixed":        objects(weak, abroad, strict, nolevel, cji),
		"duplicates":   objects(cji, patched(cji, "spec.level", 9), evidence),
	}
	zones := map[string]map[string]any{"gov": govZone, "il5": il5Zone, "uk": ukZone, "aws": awsZone, "azure": azZone}
	for _, zn := range slices.Sorted(maps.Keys(zones)) {
		for _, cn := range slices.Sorted(maps.Keys(classSets)) {
			add("zone/"+zn+"/"+cn, Input{Object: zones[zn], Classifications: classSets[cn]})
		}
	}
	zonePatches := [][]any{
		{"spec.network", del},
		{"spec.network", "open"},
		{"spec.network.egress", "Direct"},
		{"spec.network.egress", del},
		{"spec.network.egress", "None"},
		{"spec.network.flowLogs", false},
		{"spec.network.flowLogs", del},
		{"spec.network.availabilityZones", 1},
		{"spec.network.availabilityZones", del},
		{"spec.network.availabilityZones", "3"},
		{"spec.encryption", del},
		{"spec.encryption.rotationDays", 800},
		{"spec.encryption.rotationDays", 0},
		{"spec.encryption.rotationDays", 200},
		{"spec.encryption.rotationDays", del},
		{"spec.encryption.rotationDays", "365"},
		{"spec.audit", del},
		{"spec.audit.retentionDays", 30},
		{"spec.audit.retentionDays", 2555},
		{"spec.audit.retentionDays", "400"},
		{"spec.cloud", del},
		{"spec.cloud.region", del},
		{"spec.cloud.region", "westeurope"},
		{"spec.cloud.region", "eu-west-2"},
		{"spec.cloud.region", "ukwest"},
		{"spec.cloud.region", "us-east-1"},
		{"spec.cloud.region", "usdodeast"},
		{"spec.cloud.region", 42},
		{"spec.cloud.provider", "Azure"},
		{"spec.cloud.provider", "GCP"},
		{"spec.cloud.partition", "aws"},
		{"spec.cloud.partition", del},
		{"spec.cloud.environment", "AzurePublic"},
		{"spec.account.govCloud", false},
		{"spec.account", del},
		{"spec.maxClassification", del},
		{"spec.maxClassification", "ghost"},
		{"spec.maxClassification", "nolevel"},
		{"spec.maxClassification", "public"},
		{"spec.maxClassification", ""},
		{"spec.baselines", []string{"cjis-v6", "dod-il5", "nist-800-53-r5-high", "uk-official-sensitive"}},
		{"spec.baselines", []string{"fedramp-moderate"}},
		{"spec", del},
		{"metadata", del},
	}
	for _, zn := range []string{"gov", "il5", "uk"} {
		classes := map[string][]map[string]any{"gov": objects(cji, evidence, nolevel), "il5": objects(cui, public), "uk": objects(offSens, abroad)}[zn]
		for _, p := range zonePatches {
			add("zone/"+zn+patchName(p), Input{Object: patched(zones[zn], p...), Classifications: classes})
		}
	}
	add("zone/kind-only", Input{Object: mustObject(`{"kind": "LandingZone"}`)})
	// unusual shapes, which the screens must leave to the checks
	add("zone/gov/region-array", Input{Object: patched(govZone, "spec.cloud.region", []string{"us-gov-west-1"}), Classifications: objects(cji, evidence)})
	add("zone/gov/region-null", Input{Object: patched(govZone, "spec.cloud.region", nil), Classifications: objects(cji, evidence)})
	add("zone/gov/spec-string", Input{Object: patched(govZone, "spec", "none"), Classifications: objects(cji)})
	add("zone/gov/max-number", Input{Object: patched(govZone, "spec.maxClassification", 4), Classifications: objects(cji)})
	add("zone/gov/flowlogs-string", Input{Object: patched(govZone, "spec.network.flowLogs", "true"), Classifications: objects(cji)})
	add("zone/gov/egress-null", Input{Object: patched(govZone, "spec.network.egress", nil), Classifications: objects(cji)})
	add("zone/gov/provider-missing", Input{Object: patched(govZone, "spec.cloud.provider", del), Classifications: objects(cji)})
	add("zone/gov/govcloud-string", Input{Object: patched(govZone, "spec.account.govCloud", "true"), Classifications: objects(cji)})
	add("zone/gov/class-odd-residency", Input{Object: govZone, Classifications: objects(
		patched(cji, "spec.residency.jurisdictions", "us"),
		patched(evidence, "metadata.name", "odd", "spec.residency.allowedRegions", []any{[]string{"us-gov-west-1"}}),
		patched(cji, "metadata.name", "nulls", "spec.residency.jurisdictions", nil, "spec.residency.allowedRegions", nil),
	)})
	add("zone/gov/class-level-string", Input{Object: govZone, Classifications: objects(cji, patched(evidence, "spec.level", "3"))})
	add("zone/gov/class-unnamed", Input{Object: patched(govZone, "spec.maxClassification", ""), Classifications: objects(patched(cji, "metadata", del))})
	add("zone/gov/plan-empty-object", Input{Object: govZone, Classifications: objects(cji), Plan: objects(map[string]any{})})
	add("class/cji/odd-residency", Input{Object: patched(cji, "spec.residency.allowedRegions", []any{[]string{"us-east-1"}, 7, "us-gov-west-1"}), Classifications: objects(cji)})
	add("class/cji/jurisdictions-string", Input{Object: patched(cji, "spec.residency.jurisdictions", "us"), Classifications: objects(cji)})
	add("workload/gov/zone-region-array", Input{Object: mustObject(`{"kind": "Workload", "metadata": {"name": "w"}, "spec": {"landingZoneRef": {"name": "mpd-evidence-prod"}, "classifications": ["cji"]}}`),
		Zone: patched(govZone, "spec.cloud.region", []string{"us-gov-west-1"}), Classifications: objects(cji), Plan: []map[string]any{}, Observed: []map[string]any{}})
	add("zone/managed-fields", Input{Object: patched(govZone, "metadata.managedFields", []any{map[string]any{"manager": "kubectl"}}), Classifications: objects(cji)})
	add("object/other-kind", Input{Object: mustObject(`{"kind": "Namespace", "metadata": {"name": "x"}, "spec": {"baselines": ["cjis-v6"]}}`), Classifications: objects(cji)})

	// ---------------------------------------------------------------- plans
	// Shaped as controllers/landingzone's planEntry renders what the composers plan: apiVersion,
	// kind, metadata (name, namespace, labels) and spec.forProvider.
	plan := func(kind, name, labels, forProvider string) map[string]any {
		return mustObject(`{"apiVersion": "aws.zonekeeper.dev/v1alpha1", "kind": "` + kind + `", "metadata": {"name": "` + name + `", "namespace": "zk-dc-mpd", "labels": ` + labels + `}, "spec": {"forProvider": ` + forProvider + `}}`)
	}
	storageLabels := func(storage string) string {
		return `{"landingzone.zonekeeper.dev/zone": "mpd-evidence-prod", "landingzone.zonekeeper.dev/workload": "records", "landingzone.zonekeeper.dev/storage": "` + storage + `"}`
	}
	zoneLabels := `{"landingzone.zonekeeper.dev/zone": "mpd-evidence-prod"}`
	vpc := plan("VPC", "main", zoneLabels, `{"region": "us-gov-west-1", "cidrBlock": "10.40.0.0/16", "availabilityZones": 3, "egress": "Inspected", "flowLogs": {"enabled": true, "bucketRef": {"name": "main"}}}`)
	key := plan("Key", "main", zoneLabels, `{"region": "us-gov-west-1", "zone": "main", "rotationPeriodDays": 365}`)
	trail := plan("AuditTrail", "main", zoneLabels, `{"region": "us-gov-west-1", "bucketName": "zonekeeper-audit-main", "kmsKeyRef": {"name": "main"}, "retentionDays": 3000, "dataEvents": true}`)
	bucket := plan("Bucket", "records-bodycam", storageLabels("bodycam"),
		`{"region": "us-gov-west-1", "bucketName": "zk-records-bodycam", "kmsKeyRef": {"name": "records"}, "legalHold": true, "objectLock": {"enabled": true, "mode": "COMPLIANCE", "retentionDays": 3650}}`)
	goodPlan := objects(vpc, key, trail, bucket)
	planPatches := []struct {
		name    string
		kind    string
		patches []any
	}{
		{"vpc-direct", "VPC", []any{"spec.forProvider.egress", "Direct"}},
		{"vpc-no-flowlogs", "VPC", []any{"spec.forProvider.flowLogs.enabled", false}},
		{"vpc-bare", "VPC", []any{"spec.forProvider", map[string]any{}}},
		{"key-period-long", "Key", []any{"spec.forProvider.rotationPeriodDays", 800}},
		{"key-period-string", "Key", []any{"spec.forProvider.rotationPeriodDays", "90"}},
		{"trail-short", "AuditTrail", []any{"spec.forProvider.retentionDays", 30}},
		{"trail-retention-string", "AuditTrail", []any{"spec.forProvider.retentionDays", "3000"}},
		{"trail-governance-lock", "AuditTrail", []any{"spec.forProvider.objectLockMode", "GOVERNANCE"}},
		{"trail-no-data-events", "AuditTrail", []any{"spec.forProvider.dataEvents", false}},
		{"bucket-no-key", "Bucket", []any{"spec.forProvider.kmsKeyRef", del}},
		{"bucket-key-arn", "Bucket", []any{"spec.forProvider.kmsKeyRef", del, "spec.forProvider.kmsKeyARN", "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1"}},
		{"bucket-no-hold", "Bucket", []any{"spec.forProvider.legalHold", false}},
		{"bucket-no-lock", "Bucket", []any{"spec.forProvider.objectLock.enabled", false}},
		{"bucket-lock-short", "Bucket", []any{"spec.forProvider.objectLock.retentionDays", 30}},
		{"bucket-bare", "Bucket", []any{"spec.forProvider", map[string]any{}}},
	}
	withPlan := func(patch func(kind string, r map[string]any) map[string]any) []map[string]any {
		out := make([]map[string]any, len(goodPlan))
		for i, r := range goodPlan {
			out[i] = patch(r["kind"].(string), r)
		}
		return out
	}
	badPlan := withPlan(func(kind string, r map[string]any) map[string]any {
		for _, pp := range planPatches {
			if pp.kind == kind && !strings.HasSuffix(pp.name, "-bare") && !strings.HasSuffix(pp.name, "-arn") && !strings.Contains(pp.name, "string") {
				r = patched(r, pp.patches...)
			}
		}
		return r
	})
	add("plan/gov/good", Input{Object: govZone, Classifications: objects(cji, evidence), Plan: goodPlan})
	add("plan/gov/bad", Input{Object: govZone, Classifications: objects(cji, evidence), Plan: badPlan})
	add("plan/gov/bad-public-data", Input{Object: govZone, Classifications: objects(public), Plan: badPlan})
	add("plan/gov/bad-no-classifications", Input{Object: govZone, Plan: badPlan})
	add("plan/aws/bad", Input{Object: awsZone, Classifications: objects(weak, abroad), Plan: badPlan})
	add("plan/gov/doubled", Input{Object: govZone, Classifications: objects(cji, evidence),
		Plan: append(slices.Clone(badPlan), patched(vpc, "metadata.name", "second", "spec.forProvider.egress", "Direct"), patched(bucket, "metadata.name", "logs", "spec.forProvider.kmsKeyRef", del))})
	add("plan/gov/unknown-kinds", Input{Object: govZone, Classifications: objects(cji), Plan: objects(mustObject(`{"kind": "Subnet", "metadata": {"name": "s"}, "spec": {"forProvider": {"internetGateway": true}}}`), mustObject(`{"kind": "Key"}`))})
	for _, pp := range planPatches {
		p := withPlan(func(kind string, r map[string]any) map[string]any {
			if kind == pp.kind {
				return patched(r, pp.patches...)
			}
			return r
		})
		add("plan/gov/"+pp.name, Input{Object: govZone, Classifications: objects(cji, evidence), Plan: p})
	}

	// ---------------------------------------------------------------- workloads
	workload := mustObject(`{"apiVersion": "landingzone.zonekeeper.dev/v1alpha1", "kind": "Workload",
		"metadata": {"name": "records", "namespace": "mpd-records", "labels": {"tier": "prod"}},
		"spec": {"landingZoneRef": {"name": "mpd-evidence-prod"}, "classifications": ["cji"], "serviceAccountName": "records",
			"storage": [{"name": "bodycam", "classification": "evidence", "retentionDays": 3650}, {"name": "index", "classification": "cji"}]}}`)
	wl := func(name string, w, z map[string]any, classes []map[string]any, p []map[string]any) {
		add("workload/"+name, Input{Object: w, Zone: z, Classifications: classes, Plan: p})
	}
	wl("gov", workload, govZone, objects(cji, evidence), nil)
	wl("gov/with-max", workload, govZone, objects(cji, evidence, patched(cji, "metadata.name", "max")), nil)
	wl("gov/good-plan", workload, govZone, objects(cji, evidence), goodPlan)
	wl("gov/bad-plan", workload, govZone, objects(cji, evidence), badPlan)
	wl("gov/no-zone", workload, nil, objects(cji, evidence), nil)
	wl("gov/no-zone-no-ref", patched(workload, "spec.landingZoneRef", del), nil, objects(cji, evidence), nil)
	wl("gov/ghost-classification", patched(workload, "spec.classifications", []string{"cji", "ghost"}), govZone, objects(cji, evidence), nil)
	wl("gov/above-max", patched(workload, "spec.classifications", []string{"cji", "strict"}), govZone, objects(cji, evidence, strict), nil)
	wl("gov/no-level", patched(workload, "spec.classifications", []string{"nolevel"}), govZone, objects(cji, evidence, nolevel), nil)
	wl("gov/zone-max-ghost", workload, patched(govZone, "spec.maxClassification", "ghost"), objects(cji, evidence), nil)
	wl("gov/zone-max-nolevel", workload, patched(govZone, "spec.maxClassification", "nolevel"), objects(cji, evidence, nolevel), nil)
	wl("gov/zone-max-unset", workload, patched(govZone, "spec.maxClassification", del), objects(cji, evidence), nil)
	wl("gov/short-storage", patched(workload, "spec.storage", []any{
		map[string]any{"name": "bodycam", "classification": "evidence", "retentionDays": 10},
		map[string]any{"name": "index", "classification": "cji", "retentionDays": 3000},
		map[string]any{"name": "loose", "retentionDays": 5},
		map[string]any{"name": "looser"},
		map[string]any{"name": "ghostly", "classification": "ghost", "retentionDays": 1},
		map[string]any{"name": "weakly", "classification": "weak", "retentionDays": "10"},
	}), govZone, objects(cji, evidence, weak), nil)
	indexBucket := plan("Bucket", "records-index", storageLabels("index"),
		`{"region": "us-gov-west-1", "bucketName": "zk-records-index", "kmsKeyRef": {"name": "records"}, "legalHold": true, "objectLock": {"enabled": false}}`)
	wl("gov/legal-hold-bucket", workload, govZone, objects(cji, evidence),
		objects(patched(bucket, "spec.forProvider.legalHold", false), indexBucket))
	wl("gov/unlabelled-bucket", workload, govZone, objects(cji, evidence),
		objects(patched(bucket, "metadata.labels", del, "spec.forProvider.legalHold", false, "spec.forProvider.kmsKeyRef", del)))
	wl("gov/no-storage", patched(workload, "spec.storage", del), govZone, objects(cji), nil)
	wl("gov/no-spec", patched(workload, "spec", del), govZone, objects(cji), nil)
	wl("gov/weak-zone", workload, awsZone, objects(cji, evidence, weak), nil)
	wl("gov/weak-zone-bad-plan", workload, awsZone, objects(cji, evidence, weak), badPlan)
	wl("gov/zone-missing-parts", workload, patched(govZone, "spec.network", del, "spec.encryption", del, "spec.cloud.region", del), objects(cji, evidence), nil)
	wl("gov/zone-direct", workload, patched(govZone, "spec.network.egress", "Direct"), objects(cji, evidence), nil)
	ukWorkload := patched(workload, "metadata.name", "intel", "spec.landingZoneRef.name", "met-bwv", "spec.classifications", []string{"official-sensitive", "abroad"},
		"spec.storage", []any{map[string]any{"name": "reports", "classification": "official-sensitive"}})
	wl("uk", ukWorkload, ukZone, objects(offSens, abroad), nil)
	wl("uk/zone-abroad", ukWorkload, patched(ukZone, "spec.cloud.region", "eastus", "spec.audit.retentionDays", 100), objects(offSens, abroad), goodPlan)
	il5Workload := patched(workload, "metadata.name", "logistics", "spec.landingZoneRef.name", "army-logistics", "spec.classifications", []string{"cui"}, "spec.storage", del)
	wl("il5", il5Workload, il5Zone, objects(cui, public), nil)
	wl("il5/commercial-zone", il5Workload, patched(il5Zone, "spec.cloud.environment", "AzurePublic", "spec.cloud.region", "eastus", "spec.network.egress", "Direct"), objects(cui), nil)
	wl("azure", patched(workload, "spec.classifications", []string{"strict", "public"}, "spec.storage", del), azZone, objects(strict, public), nil)
	return cases
}

func patchName(p []any) string {
	var parts []string
	for i := 0; i < len(p); i += 2 {
		v := "deleted"
		if p[i+1] != del {
			b, _ := json.Marshal(p[i+1])
			v = string(b)
		}
		parts = append(parts, p[i].(string)+"="+v)
	}
	return "/" + strings.Join(parts, ",")
}
