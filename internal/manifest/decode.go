package manifest

import (
	"bytes"
	"errors"
	"math"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v2"
	sigsyaml "sigs.k8s.io/yaml"
)

// decode parses one YAML document into the JSON-shaped map sigs.k8s.io/yaml.Unmarshal produces
// (the decoder kubectl and the API server's clients use), or nil for a null document. A key given
// twice in one mapping is an error, as in kubectl's strict decoding (sigs.k8s.io/yaml.UnmarshalStrict):
// otherwise the last value would silently win, and `retentionDays: 90, retentionDays: 400` would
// be judged on the 400 that a reader may not see.
//
// sigs.k8s.io/yaml parses with go.yaml.in/yaml/v2, converts the result to JSON-able values, marshals
// them to JSON and unmarshals that JSON again: about a third of the time of reading a manifest is
// the JSON round trip. decode parses with the same YAML library, so YAML 1.1 scalars (yes/no,
// octal, sexagesimal) resolve exactly as they do there, and converts the values directly to what
// the round trip yields: strings, bools, nil, float64 for every number, map[string]any and []any.
// Anything the round trip would treat specially (a non-string key, NaN or infinity, a string that
// is not UTF-8, a document that is not a mapping) and every error take the sigs.k8s.io/yaml path
// itself, so values and error messages stay those of sigs.k8s.io/yaml.
func decode(doc []byte) (map[string]any, error) {
	strict := true
	var raw any
	err := yaml.UnmarshalStrict(doc, &raw)
	var te *yaml.TypeError
	if errors.As(err, &te) && bytes.Contains(doc, []byte("<<")) {
		// Into an interface, a TypeError is only ever a repeated key. The strict decoder also
		// counts a key that overrides one merged in with "<<: *anchor" (the point of a merge
		// key), and cannot tell it from a repeated one: a document with merge keys is read
		// without the check.
		strict = false
		raw = nil
		err = yaml.Unmarshal(doc, &raw)
	}
	if err == nil {
		if m, ok := raw.(map[any]any); ok {
			if out, ok := jsonMap(m); ok {
				return out, nil
			}
		}
	}
	unmarshal := sigsyaml.UnmarshalStrict
	if !strict {
		unmarshal = sigsyaml.Unmarshal
	}
	var out map[string]any
	if err := unmarshal(doc, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func jsonMap(m map[any]any) (map[string]any, bool) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		ks, ok := k.(string)
		if !ok {
			return nil, false
		}
		if out[ks], ok = jsonValue(v); !ok {
			return nil, false
		}
	}
	return out, true
}

func jsonValue(v any) (any, bool) {
	switch v := v.(type) {
	case nil, bool:
		return v, true
	case string:
		return v, utf8.ValidString(v)
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case map[any]any:
		return jsonMap(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			var ok bool
			if out[i], ok = jsonValue(e); !ok {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}
