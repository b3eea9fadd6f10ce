package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseReportsWhereEachDocumentStarts(t *testing.T) {
	data := `# leading comment
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
---
# only a comment
---

# a comment before content
apiVersion: v1
kind: Namespace
metadata: {name: b}
`
	objs, err := Parse("f.yaml", []byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := map[string]int{}
	for _, o := range objs {
		got[o.GetName()] = o.Line
	}
	want := map[string]int{"a": 2, "b": 11}
	if len(got) != len(want) || got["a"] != want["a"] || got["b"] != want["b"] {
		t.Errorf("lines: got %v, want %v", got, want)
	}
}

func TestParseRefusesBadInputWithFileAndLine(t *testing.T) {
	cases := map[string]struct {
		data string
		want string
	}{
		"unparseable YAML": {data: "apiVersion: v1\nkind: Namespace\n---\nkind: [unclosed\n", want: "f.yaml:4: cannot parse YAML"},
		"no kind":          {data: "apiVersion: v1\nmetadata: {name: a}\n", want: "f.yaml:1: document has no apiVersion or kind"},
		// kubectl's strict decoding refuses it; the last value silently winning would judge
		// an object its reader does not see.
		"a key given twice": {
			data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  audit: \"90\"\n  audit: \"400\"\n",
			want: `f.yaml:6: cannot parse YAML: error converting YAML to JSON: yaml: unmarshal errors:` + "\n" + `  line 6: key "audit" already set in map`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParseSplitsOnSeparatorLinesOnly(t *testing.T) {
	ns := func(name string) string { return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}" }
	cases := map[string]struct {
		data string
		want map[string]int
	}{
		"separator with a comment after it": {data: ns("a") + "\n--- # next\n" + ns("b") + "\n", want: map[string]int{"a": 1, "b": 5}},
		"CRLF line ends":                    {data: strings.ReplaceAll(ns("a")+"\n---\n"+ns("b")+"\n", "\n", "\r\n"), want: map[string]int{"a": 1, "b": 5}},
		"no newline at the end":             {data: ns("a") + "\n---\n" + ns("b"), want: map[string]int{"a": 1, "b": 5}},
		"leading separator and blank lines": {data: "---\n\n\n" + ns("a") + "\n---\n", want: map[string]int{"a": 4}},
		"a --- inside a value is no separator": {data: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: \"---\"}\n",
			want: map[string]int{"a": 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs, err := Parse("f.yaml", []byte(tc.data))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := map[string]int{}
			for _, o := range objs {
				got[o.GetName()] = o.Line
			}
			if len(got) != len(tc.want) {
				t.Fatalf("lines: got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("lines: got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestChunksParseAsTheWhole cuts inputs of every shape at several sizes and requires that the
// chunks cover the input, each after the first starting on a separator line at its line, and that
// parsing them one by one gives what parsing the whole gives: the same objects on the same lines,
// or the same error.
func TestChunksParseAsTheWhole(t *testing.T) {
	ns := func(name string) string { return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n" }
	long := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: long}\ndata: {x: \"" + strings.Repeat("y", 200<<10) + "\"}\n"
	var many strings.Builder
	for i := range 50 {
		fmt.Fprintf(&many, "# object %d\n%s---\n", i, ns(fmt.Sprint("n", i)))
	}
	inputs := map[string]string{
		"many documents":               many.String(),
		"CRLF line ends":               strings.ReplaceAll(ns("a")+"---\n"+ns("b"), "\n", "\r\n"),
		"no newline at the end":        ns("a") + "---\n" + strings.TrimSuffix(ns("b"), "\n"),
		"separators of every kind":     ns("a") + "--- # c\n" + ns("b") + "---\t\n" + ns("c") + "---   \r\n" + ns("d") + "----\n",
		"a line longer than a buffer":  ns("a") + "---\n" + long + "---\n" + ns("b"),
		"a long separator line":        ns("a") + "---" + strings.Repeat(" ", 100<<10) + "\n" + ns("b") + "---" + strings.Repeat(" ", 70<<10) + "x\n",
		"a bad document in the middle": ns("a") + "---\n" + ns("b") + "---\nkind: [\n---\n" + ns("c"),
		"a document without a kind":    ns("a") + "---\napiVersion: v1\n---\n" + ns("c"),
		"empty":                        "",
		"blank lines only":             "\n\n\n",
	}
	for name, data := range inputs {
		wantObjs, wantErr := Parse("f.yaml", []byte(data))
		for _, size := range []int64{0, 1, 60, 1 << 10, 1 << 20} {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				chunks, err := Chunks(strings.NewReader(data), size)
				if err != nil {
					t.Fatal(err)
				}
				var next int64
				var got []Object
				var gotErr error
				for i, c := range chunks {
					if c.Offset != next {
						t.Fatalf("chunk %d starts at %d, want %d", i, c.Offset, next)
					}
					next += c.Len
					body := data[c.Offset : c.Offset+c.Len]
					if i > 0 && !isSeparator([]byte(strings.SplitAfter(body, "\n")[0])) {
						t.Fatalf("chunk %d starts with %.20q, not a separator line", i, body)
					}
					if want := strings.Count(data[:c.Offset], "\n") + 1; c.Line != want {
						t.Fatalf("chunk %d on line %d, want %d", i, c.Line, want)
					}
					if gotErr == nil {
						objs, err := ParseAt("f.yaml", []byte(body), c.Line)
						got, gotErr = append(got, objs...), err
					}
				}
				if next != int64(len(data)) {
					t.Fatalf("chunks cover %d bytes of %d", next, len(data))
				}
				if size <= 1 { // every separator line but a first one cuts
					want := 1
					for i, l := range strings.SplitAfter(data, "\n") {
						if i > 0 && isSeparator([]byte(l)) {
							want++
						}
					}
					if len(chunks) != want {
						t.Fatalf("%d chunks at size %d, want %d", len(chunks), size, want)
					}
				}
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
					t.Fatalf("error %v, want %v", gotErr, wantErr)
				}
				if wantErr != nil {
					return
				}
				if len(got) != len(wantObjs) {
					t.Fatalf("%d objects, want %d", len(got), len(wantObjs))
				}
				for i := range got {
					if got[i].GetName() != wantObjs[i].GetName() || got[i].Line != wantObjs[i].Line || got[i].File != "f.yaml" {
						t.Errorf("object %d: %s on line %d, want %s on line %d", i, got[i].GetName(), got[i].Line, wantObjs[i].GetName(), wantObjs[i].Line)
					}
				}
			})
		}
	}
}

// TestParseReportsYAMLErrorsOnTheirFileLine: the parser counts lines from the start of each
// document; the error must name the line of the file, whether the file is parsed whole or in
// chunks, whatever comments and blank lines come before.
func TestParseReportsYAMLErrorsOnTheirFileLine(t *testing.T) {
	ns := func(name string) string { return "apiVersion: v1\nkind: Namespace\nmetadata: {name: " + name + "}\n" }
	var many strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&many, "---\n%s", ns(fmt.Sprint("n", i)))
	}
	cases := map[string]struct {
		data     string
		wantLine int
		want     string
	}{
		// Documents start on lines 1, 5 and 9; the bad indentation is on line 14.
		"the third of three documents": {
			data:     ns("a") + "---\n" + ns("b") + "---\n# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n bad: indent\n",
			wantLine: 14, want: "yaml: line 14: did not find expected key",
		},
		"a scanner error, which the parser counts from 1": {
			data:     ns("a") + "---\n\n# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: c\n",
			wantLine: 10, want: "yaml: line 10: found character that cannot start any token",
		},
		"a key given twice in block style": {
			data:     ns("a") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  retentionDays: \"90\"\n  retentionDays: \"400\"\n",
			wantLine: 10, want: `line 10: key "retentionDays" already set in map`,
		},
		"a key given twice in flow style": {
			data:     ns("a") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {retentionDays: \"90\", retentionDays: \"400\"}\n",
			wantLine: 8, want: `line 8: key "retentionDays" already set in map`,
		},
		"far into a file of many chunks": {
			data:     many.String() + "---\napiVersion: v1\nkind: ConfigMap\ndata: {a: [\n",
			wantLine: 8004, want: "yaml: line 8004:",
		},
	}
	for name, tc := range cases {
		for _, size := range []int64{1 << 40, 64 << 10, 1 << 10} {
			t.Run(fmt.Sprintf("%s/chunks of %d", name, size), func(t *testing.T) {
				chunks, err := Chunks(strings.NewReader(tc.data), size)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range chunks {
					_, err = ParseAt("multi.yaml", []byte(tc.data[c.Offset:c.Offset+c.Len]), c.Line)
					if err != nil {
						break
					}
				}
				prefix := fmt.Sprintf("multi.yaml:%d: cannot parse YAML", tc.wantLine)
				if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want one starting %q and containing %q", err, prefix, tc.want)
				}
			})
		}
	}
}

// TestParseRefusesContentOnASeparatorLine: kubectl's YAMLReader refuses a separator followed by
// anything but a comment; reading on would drop the document on it, silently.
func TestParseRefusesContentOnASeparatorLine(t *testing.T) {
	cases := map[string]struct {
		data    string
		wantErr string
	}{
		"an object on the separator line": {
			data:    "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n--- {apiVersion: v1, kind: Bogus}\n",
			wantErr: `f.yaml:4: invalid document separator: "{apiVersion: v1, kind: Bogus}" follows ---`,
		},
		"a key after a tab":   {data: "---\tkind: Bogus\napiVersion: v1\nkind: Namespace\n", wantErr: "f.yaml:1: invalid document separator"},
		"a comment is fine":   {data: "--- # first\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"},
		"white space is fine": {data: "---  \t\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(tc.data))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Parse: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestParseExpandsLists: a v1 List, as kubectl get -o yaml writes one, stands for its items, each
// read as a document of its own, on its own line when its layout lets it be told.
func TestParseExpandsLists(t *testing.T) {
	cases := map[string]struct {
		data    string
		want    []string // kind/name@line
		wantErr string
	}{
		"as kubectl writes it": {
			data: "apiVersion: v1\nkind: Namespace\nmetadata: {name: before}\n---\n" +
				"apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: a\n    annotations:\n      note: |\n        - not an item\n" +
				"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
			want: []string{"Namespace/before@1", "Namespace/a@7", "ConfigMap/b@14"},
		},
		"indented items": {
			data: "kind: List\napiVersion: v1\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: a}\n  # between\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: b}\n",
			want: []string{"Namespace/a@4", "Namespace/b@8"},
		},
		"flow style: the List's line": {
			data: "# a list\napiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Namespace, metadata: {name: a}}, {apiVersion: v1, kind: Namespace, metadata: {name: b}}]\n",
			want: []string{"Namespace/a@2", "Namespace/b@2"},
		},
		"a List in a List": {
			data: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items: [{apiVersion: v1, kind: Namespace, metadata: {name: a}}]\n",
			want: []string{"Namespace/a@4"},
		},
		"no items":                          {data: "apiVersion: v1\nkind: List\nitems: []\n"},
		"an item without a kind":            {data: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: a}\n", wantErr: "f.yaml:4: List items[0] has no apiVersion or kind"},
		"items that are no list":            {data: "apiVersion: v1\nkind: List\nitems: {a: b}\n", wantErr: "f.yaml:1: List items must be a list"},
		"an item that is no map":            {data: "apiVersion: v1\nkind: List\nitems:\n- just a string\n", wantErr: "f.yaml:4: List items[0] is not an object"},
		"another group's List is an object": {data: "apiVersion: example.com/v1\nkind: List\nmetadata: {name: x}\n", want: []string{"List/x@1"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs, err := Parse("f.yaml", []byte(tc.data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, fmt.Sprintf("%s/%s@%d", o.GetKind(), o.GetName(), o.Line))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("objects %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFilesFindsEveryManifestOnce: directories are followed through symbolic links (the
// directory named too), without looping on a link to an ancestor; JSON is read beside YAML; and a
// file reached twice, by whatever name, is listed once.
func TestFilesFindsEveryManifestOnce(t *testing.T) {
	root := t.TempDir()
	mk := func(rel string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("apiVersion: v1\nkind: Namespace\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, rel string) {
		if err := os.Symlink(target, filepath.Join(root, rel)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	for _, f := range []string{"repo/a.yaml", "repo/b.json", "repo/c.yml", "repo/kustomization.yaml", "repo/notes.txt", "shared/s.yaml", "x.yaml"} {
		mk(f)
	}
	link("repo", "linked-repo")                // a directory named through a link
	link("../shared", "repo/shared")           // a linked subdirectory
	link("..", "repo/loop")                    // a link to an ancestor
	link("../x.yaml", "repo/x-link.yaml")      // a linked file, also named directly
	link("missing.yaml", "repo/dangling.yaml") // read, and reported, in its turn
	t.Chdir(root)

	cases := map[string]struct {
		paths []string
		want  []string
	}{
		"a linked directory": {
			paths: []string{"linked-repo"},
			want:  []string{"linked-repo/a.yaml", "linked-repo/b.json", "linked-repo/c.yml", "linked-repo/dangling.yaml", "linked-repo/loop/x.yaml", "linked-repo/shared/s.yaml"},
		},
		"a file named twice by different names": {
			paths: []string{"x.yaml", filepath.Join(root, "x.yaml"), "./x.yaml"},
			want:  []string{"./x.yaml"},
		},
		"a file named and reached through a link": {
			paths: []string{"x.yaml", "repo/x-link.yaml"},
			want:  []string{"repo/x-link.yaml"},
		},
		"a directory and its own link": {
			paths: []string{"repo", "linked-repo"},
			want:  []string{"repo/a.yaml", "repo/b.json", "repo/c.yml", "repo/dangling.yaml", "repo/loop/x.yaml", "repo/shared/s.yaml"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Files(tc.paths...)
			if err != nil {
				t.Fatalf("Files: %v", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("files\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}
