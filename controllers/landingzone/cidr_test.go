package landingzone

import (
	"slices"
	"strings"
	"testing"
)

func TestGrowthBlocks(t *testing.T) {
	cases := map[string]struct {
		primary, grown string
		want           []string
		wantErr        string
	}{
		"unchanged needs nothing":          {primary: "10.40.0.0/16", grown: "10.40.0.0/16", want: nil},
		"one bit wider adds the sibling":   {primary: "10.40.0.0/17", grown: "10.40.0.0/16", want: []string{"10.40.128.0/17"}},
		"growing from the upper half":      {primary: "10.40.128.0/17", grown: "10.40.0.0/16", want: []string{"10.40.0.0/17"}},
		"two bits wider adds two siblings": {primary: "10.40.0.0/18", grown: "10.40.0.0/16", want: []string{"10.40.64.0/18", "10.40.128.0/17"}},
		"shrinking is refused":             {primary: "10.40.0.0/16", grown: "10.40.0.0/17", wantErr: "does not contain"},
		"moving is refused":                {primary: "10.40.0.0/17", grown: "10.41.0.0/16", wantErr: "does not contain"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := growthBlocks(tc.primary, tc.grown)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("growthBlocks(%s, %s) = %v, %v; want %v", tc.primary, tc.grown, got, err, tc.want)
			}
		})
	}
}
