package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/zonekeeper/zonekeeper/internal/testenv"
)

// decode must yield exactly what sigs.k8s.io/yaml.UnmarshalStrict yields, values and errors (what
// Unmarshal yields for a document with merge keys), or check would judge a different object than
// kubectl sends.
func TestDecodeMatchesSigsYAML(t *testing.T) {
	cases := map[string]string{
		"nested maps and lists":    "a: {b: [1, 2.5, x, {c: d}]}\ne: []\nf: {}\n",
		"YAML 1.1 booleans":        "a: yes\nb: off\nc: Y\nd: \"yes\"\n",
		"integers of every form":   "a: 0x1F\nb: 0755\nc: 1_000\nd: -12\ne: 9007199254740993\nf: 18446744073709551615\ng: 190:20:30\n",
		"floats":                   "a: 1e3\nb: -0.0\nc: .5\nd: 3.14159265358979323846\n",
		"infinity and NaN":         "a: .inf\nb: -.Inf\nc: .nan\n",
		"null values":              "a: ~\nb: null\nc:\n",
		"non-string keys":          "1: a\ntrue: b\n2.5: c\nnull: d\n",
		"binary that is not UTF-8": "a: !!binary /w==\n",
		"timestamps stay strings":  "a: 2030-01-01T00:00:00Z\nb: 2001-12-14\n",
		"a list document":          "- a\n- b\n",
		"a scalar document":        "just a string\n",
		"a null document":          "~\n",
		"duplicate keys":           "a: 1\na: 2\n",
		"nested duplicate keys":    "audit:\n  retentionDays: 90\n  retentionDays: 400\n",
		"anchors and merge keys":   "base: &b {x: 1, y: 2}\nderived: {<<: *b, y: 3}\n",
		"a merged key overridden":  "base: &b {x: 1, z: 2}\nderived:\n  <<: *b\n  z: 3\n",
		"unparseable":              "kind: [unclosed\n",
		"tabs":                     "a:\n\tb: c\n",
		"multi-line strings":       "a: |\n  one\n  two\nb: >\n  three\n  four\n",
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			compareWithSigs(t, []byte(doc))
		})
	}
}

func TestDecodeMatchesSigsYAMLOnTheSamples(t *testing.T) {
	files, err := Files(filepath.Join(testenv.Root(), "config", "samples"), filepath.Join(testenv.Root(), "hack", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range split(data, 1) {
			if !isBlank(d.body) {
				compareWithSigs(t, d.body)
			}
		}
	}
}

func compareWithSigs(t *testing.T, doc []byte) {
	t.Helper()
	var want map[string]any
	wantErr := sigsyaml.UnmarshalStrict(doc, &want)
	if wantErr != nil && strings.Contains(wantErr.Error(), "already set in map") && strings.Contains(string(doc), "<<") {
		want = nil
		wantErr = sigsyaml.Unmarshal(doc, &want)
	}
	got, gotErr := decode(doc)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("error %v, want %v", gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q:\n got  %#v\n want %#v", doc, got, want)
	}
}
