package golden

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

type violation struct {
	Control string `json:"control"`
}

type verdict struct {
	Violations []violation
	Waived     []Waived[violation]
}

var codec = Codec[verdict, violation]{
	Split: func(v verdict) ([]violation, []Waived[violation]) { return v.Violations, v.Waived },
	Join:  func(vs []violation, ws []Waived[violation]) verdict { return verdict{vs, ws} },
}

func TestEncodedResultsDecodeToTheSame(t *testing.T) {
	in := Results[verdict]{
		"zone": {
			"default": New(verdict{Violations: []violation{{"AU-11"}, {"SC-7"}}, Waived: []Waived[violation]{}}, nil),
			"waived":  New(verdict{Violations: []violation{{"SC-7"}}, Waived: []Waived[violation]{{violation{"AU-11"}, "pe-1"}}}, nil),
			"broken":  New(verdict{}, errors.New("cannot evaluate")),
		},
	}
	b := encode(in, codec)
	if got := strings.Count(string(b), `{"control":"AU-11"}`); got != 1 {
		t.Errorf("a violation shared by two verdicts should be listed once, found %d times:\n%s", got, b)
	}
	out, err := decode(b, codec)
	if err != nil {
		t.Fatal(err)
	}
	for ev, want := range in["zone"] {
		if got := out["zone"][ev]; !reflect.DeepEqual(got.String(), want.String()) {
			t.Errorf("%s: decoded %s, want %s", ev, got, want)
		}
	}
}

func TestDecodeRefusesIndicesOutOfRange(t *testing.T) {
	cases := map[string]string{
		"ViolationIndex": `{"c": {"violations": [], "verdicts": {"e": {"violations": [0]}}}}`,
		"WaivedIndex":    `{"c": {"violations": [], "verdicts": {"e": {"violations": [], "waived": [[3, "x"]]}}}}`,
		"WaivedShape":    `{"c": {"violations": [{"control": "A"}], "verdicts": {"e": {"violations": [], "waived": [["0", 1]]}}}}`,
	}
	for name, file := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := decode([]byte(file), codec); err == nil {
				t.Errorf("decoding %s should fail", file)
			}
		})
	}
}
