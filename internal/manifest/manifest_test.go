package manifest

import (
	"fmt"
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
