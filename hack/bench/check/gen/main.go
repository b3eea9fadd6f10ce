// Command gen writes N generated ZoneKeeper manifests into a directory for benchmarking
// `zonekeeper check` (hack/bench/check.sh): the six DataClassifications of config/samples in one
// file, then N LandingZones and Workloads, about one zone for every nine workloads, one object per
// file or a few per file. Roughly one object in five is non-compliant (short audit retention,
// direct egress, too few availability zones, an unknown classification, a zone of too low a
// ceiling). Each workload lands in a random zone and names two of its profile's classifications at
// random. With -layout random (the default) all zones come first, then the workloads; with
// -layout by-zone the same objects come each zone followed by its workloads, as in a repository
// with a directory per team. The output is deterministic for a given -n, -seed and -layout.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

const classifications = `apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata:
  name: public
spec:
  level: 0
  description: Information published or approved for publication.
  network: { publicExposure: Allowed }
  audit: { retentionDays: 90 }
---
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata:
  name: official
spec:
  level: 2
  description: UK OFFICIAL — routine public-sector business information (no handling caveat).
  encryption: { customerManagedKey: false, rotationDays: 365 }
  residency: { jurisdictions: [uk] }
  network: { publicExposure: Forbidden }
  audit: { retentionDays: 365 }
---
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata:
  name: official-sensitive
spec:
  level: 3
  description: UK OFFICIAL-SENSITIVE — police operational data under the NCSC cloud security principles and PASF.
  baselines: [uk-official-sensitive]
  encryption: { customerManagedKey: true, rotationDays: 365, hsmBacked: true }
  residency: { jurisdictions: [uk], allowedRegions: [uksouth, ukwest] }
  network: { publicExposure: Forbidden, privateEndpointsOnly: true }
  audit: { retentionDays: 365, immutable: true, dataEvents: true }
  retention: { minDays: 2190 }
---
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata:
  name: pii
spec:
  level: 4
  description: Personally identifiable information of members of the public.
  baselines: [nist-800-53-r5-high]
  encryption: { customerManagedKey: true, rotationDays: 365, hsmBacked: true, fipsEndpoints: true }
  residency: { jurisdictions: [us] }
  network: { publicExposure: Forbidden, privateEndpointsOnly: true }
  audit: { retentionDays: 365, immutable: true, dataEvents: true }
  retention: { minDays: 1095 }
---
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata:
  name: cji
spec:
  level: 6
  description: Criminal Justice Information under the FBI CJIS Security Policy.
  baselines: [cjis-v6, nist-800-53-r5-high]
  encryption: { customerManagedKey: true, rotationDays: 365, hsmBacked: true, fipsEndpoints: true }
  residency: { jurisdictions: [us] }
  network: { publicExposure: Forbidden, privateEndpointsOnly: true }
  audit: { retentionDays: 365, immutable: true, dataEvents: true }
  retention: { minDays: 2555 }
---
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: DataClassification
metadata:
  name: evidence
spec:
  level: 7
  description: Digital evidence (body-worn video, forensic images) under chain of custody.
  baselines: [cjis-v6, nist-800-53-r5-high]
  encryption: { customerManagedKey: true, rotationDays: 365, hsmBacked: true, fipsEndpoints: true }
  residency: { jurisdictions: [us] }
  network: { publicExposure: Forbidden, privateEndpointsOnly: true }
  audit: { retentionDays: 2555, immutable: true, dataEvents: true }
  retention: { minDays: 3650, legalHold: true }
`

// profile is a kind of landing zone: its cloud, ceiling, baselines and the classifications its
// workloads hold.
type profile struct {
	cloud, account string
	ceiling        string
	baselines      string
	audit          int
	classes        []string
}

var profiles = []profile{
	{
		cloud: "{ provider: AWS, partition: aws-us-gov, region: us-gov-west-1 }",
		account: `  account:
    name: %[1]s-prod
    email: aws+%[1]s@example.gov
    organizationalUnit: Workloads/Prod
    govCloud: true
    govCloudProviderConfigRef: { name: %[1]s-govcloud }
`,
		ceiling: "evidence", baselines: "[cjis-v6, nist-800-53-r5-high]", audit: 2555,
		classes: []string{"evidence", "cji", "pii"},
	},
	{
		cloud: "{ provider: Azure, environment: AzurePublic, region: uksouth }",
		account: `  subscription:
    displayName: %[1]s-prod
    billingScope: /providers/Microsoft.Billing/billingAccounts/1234567/enrollmentAccounts/7654321
    managementGroup: police-corp
    workloadType: Production
`,
		ceiling: "official-sensitive", baselines: "[uk-official-sensitive]", audit: 730,
		classes: []string{"official-sensitive", "official", "public"},
	},
	{
		cloud: "{ provider: Azure, environment: AzureUSGovernment, region: usgovvirginia }",
		account: `  subscription:
    displayName: %[1]s-prod
    billingScope: /providers/Microsoft.Billing/billingAccounts/7777777/enrollmentAccounts/8888888
    managementGroup: doj-cjis
`,
		ceiling: "cji", baselines: "[cjis-v6, dod-il5]", audit: 400,
		classes: []string{"cji", "pii"},
	},
}

func main() {
	n := flag.Int("n", 1000, "number of LandingZones and Workloads to generate")
	dir := flag.String("dir", "", "output directory (created; must not hold other manifests)")
	perFile := flag.Int("per-file", 3, "objects per file at most; each file holds 1 to per-file objects")
	seed := flag.Uint64("seed", 1, "random seed")
	layout := flag.String("layout", "random", "random: all zones, then the workloads in random zones; by-zone: each zone followed by its workloads, as a repository with a directory per team")
	flag.Parse()
	if *dir == "" || *n < 1 || *perFile < 1 || (*layout != "random" && *layout != "by-zone") {
		fmt.Fprintln(os.Stderr, "usage: gen -n N -dir DIR [-per-file K] [-seed S] [-layout random|by-zone]")
		os.Exit(2)
	}
	if err := run(*n, *dir, *perFile, *seed, *layout == "by-zone"); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(n int, dir string, perFile int, seed uint64, byZone bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "00-dataclassifications.yaml"), []byte(classifications), 0o644); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	nZones := max(1, n/10)
	objs := make([]string, 0, n)
	for i := range nZones {
		objs = append(objs, zone(r, i))
	}
	byZoneObjs := make([][]string, nZones) // with byZone: each zone's objects, the zone first
	for i := range nZones {
		byZoneObjs[i] = []string{objs[i]}
	}
	for i := nZones; i < n; i++ {
		z, w := workload(r, i, nZones)
		objs = append(objs, w)
		byZoneObjs[z] = append(byZoneObjs[z], w)
	}
	if byZone {
		// The same objects, each zone followed by its workloads: the zone, the classifications
		// its workloads name and the order they name them in come again and again.
		objs = objs[:0]
		for _, zs := range byZoneObjs {
			objs = append(objs, zs...)
		}
	}
	for f := 0; len(objs) > 0; f++ {
		k := min(len(objs), 1+r.IntN(perFile))
		if err := writeFile(filepath.Join(dir, fmt.Sprintf("%06d.yaml", f)), objs[:k]); err != nil {
			return err
		}
		objs = objs[k:]
	}
	return nil
}

func writeFile(path string, docs []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	// A bufio.Writer keeps its first error and returns it from Flush.
	w := bufio.NewWriter(f)
	for i, d := range docs {
		if i > 0 {
			_, _ = w.WriteString("---\n")
		}
		_, _ = w.WriteString(d)
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func zoneName(i int) string { return fmt.Sprintf("zone-%05d", i) }

func zone(r *rand.Rand, i int) string {
	p := profiles[i%len(profiles)]
	name := zoneName(i)
	audit, egress, azs, rotation := p.audit, "Inspected", 3, 365
	if i%len(profiles) == 0 {
		egress = "None"
	}
	// About one zone in five breaks one rule.
	switch r.IntN(15) {
	case 0:
		audit = 90 // AU-11
	case 1:
		egress = "Direct" // SC-7(4)
	case 2:
		azs = 1 // availability
	}
	return fmt.Sprintf(`# Generated landing zone %d.
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: LandingZone
metadata:
  name: %s
  labels: { team: team-%d, env: prod }
spec:
  tenant: tenant-%d
  cloud: %s
%s  maxClassification: %s
  network: { cidr: 10.%d.%d.0/24, availabilityZones: %d, egress: %s, flowLogs: true }
  encryption: { rotationDays: %d }
  audit: { retentionDays: %d }
  baselines: %s
  providerConfigRef: { name: %s-mgmt }
`, i, name, i%50, i, p.cloud, fmt.Sprintf(p.account, name), p.ceiling, (i/256)%256, i%256, azs, egress,
		rotation, audit, p.baselines, name)
}

// workload returns the zone a generated workload lands in, and the workload.
func workload(r *rand.Rand, i, nZones int) (int, string) {
	z := r.IntN(nZones)
	p := profiles[z%len(profiles)]
	c1 := p.classes[r.IntN(len(p.classes))]
	c2 := p.classes[r.IntN(len(p.classes))]
	retention := 3650
	switch r.IntN(40) {
	case 0:
		if r.IntN(4) == 0 {
			c1 = "evidence" // above the zone's ceiling unless it is a GovCloud evidence zone
		}
	case 1:
		retention = 30 // below the classification's minimum retention
	case 2:
		c2 = "top-secret" // unknown classification
	}
	return z, fmt.Sprintf(`# Generated workload %d.
apiVersion: landingzone.zonekeeper.dev/v1alpha1
kind: Workload
metadata:
  name: app-%05d
  namespace: ns-%d
  labels: { team: team-%d }
spec:
  landingZoneRef: { name: %s }
  classifications: [%s, %s]
  serviceAccountName: app-%d
  storage:
    - { name: data, classification: %s, retentionDays: %d }
    - { name: index, classification: %s }
`, i, i, z, z%50, zoneName(z), c1, c2, i, c1, retention, c2)
}
