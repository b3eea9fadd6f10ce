package manifest

import (
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
