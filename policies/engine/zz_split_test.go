package engine

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

func BenchmarkZZSplit(b *testing.B) {
	ctx := context.Background()
	e := newEngine(b)
	snap := e.current.Load()
	v, _ := govZone(b).value()
	for _, q := range []string{
		"x = data.zonekeeper.lib.checks.audit_generation",
		"x = [data.zonekeeper.lib.checks.audit_generation, data.zonekeeper.lib.checks.residency, data.zonekeeper.lib.checks.network_unset, data.zonekeeper.lib.checks.public_exposure, data.zonekeeper.lib.checks.classification_ceiling, data.zonekeeper.lib.checks.zone_encryption_unset, data.zonekeeper.lib.checks.fips_for_classifications, data.zonekeeper.lib.checks.storage_retention, data.zonekeeper.lib.checks.plan_key_rotation_off, data.zonekeeper.lib.checks.plan_bucket_sse, data.zonekeeper.lib.checks.class_cmk, data.zonekeeper.lib.checks.class_fips, data.zonekeeper.lib.checks.class_hsm, data.zonekeeper.lib.checks.audit_protection, data.zonekeeper.lib.checks.class_data_events, data.zonekeeper.lib.checks.class_not_public, data.zonekeeper.lib.checks.class_private_endpoints, data.zonekeeper.lib.checks.class_unknown_jurisdiction]",
		"x = data.zonekeeper.baselines.cjis_v6.violation",
	} {
		pq, err := rego.New(rego.Query(q), rego.Compiler(snap.compiler), rego.Store(snap.store)).PrepareForEval(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(q[:40], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pq.Eval(ctx, rego.EvalParsedInput(v))
			}
		})
	}
}
