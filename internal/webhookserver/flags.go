package webhookserver

import (
	"fmt"
	"strings"
)

// keyValues parses "a=b,c=d", the syntax of --baseline-enforcement.
func keyValues(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not NAME=ACTION", kv)
		}
		out[k] = val
	}
	return out, nil
}
