// Package policies ships ZoneKeeper's built-in Rego: the compliance baselines
// (one package each under zonekeeper.baselines), the helpers they share
// (zonekeeper.lib.*) and the Rego tests beside them. The files are embedded so
// the operator, the webhook and the offline CLI evaluate exactly the same
// policy; package engine compiles and runs them.
package policies

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed baselines/*.rego lib/*.rego
var files embed.FS

// baselines maps a baseline's name, as written in spec.baselines, to its Rego
// package. A baseline is loaded by name only through this map, so a typo in a
// spec is an unknown baseline, not a silently empty one.
var baselines = map[string]string{
	"cjis-v6":               "zonekeeper.baselines.cjis_v6",
	"nist-800-53-r5-high":   "zonekeeper.baselines.nist_800_53_r5_high",
	"dod-il5":               "zonekeeper.baselines.dod_il5",
	"uk-official-sensitive": "zonekeeper.baselines.uk_official_sensitive",
}

// BaselineNames returns the names of the built-in baselines, sorted.
func BaselineNames() []string {
	names := make([]string, 0, len(baselines))
	for name := range baselines {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// BaselinePackage returns the Rego package of the named built-in baseline, for
// example "zonekeeper.baselines.cjis_v6" for "cjis-v6".
func BaselinePackage(name string) (string, bool) {
	pkg, ok := baselines[name]
	return pkg, ok
}

// Modules returns the built-in policy modules (baselines and library), keyed
// by their path in this directory, without the tests.
func Modules() (map[string]string, error) {
	return read(func(path string) bool { return !isTest(path) })
}

// Tests returns the built-in Rego test modules (the *_test.rego files, which
// include the shared test fixtures), keyed by their path in this directory.
func Tests() (map[string]string, error) {
	return read(isTest)
}

func isTest(path string) bool {
	return strings.HasSuffix(path, "_test.rego")
}

func read(keep func(path string) bool) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".rego") || !keep(path) {
			return nil
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return fmt.Errorf("cannot read embedded policy %q: %w", path, err)
		}
		out[path] = string(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot list embedded policies: %w", err)
	}
	return out, nil
}
