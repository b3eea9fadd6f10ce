package check

import (
	"io/fs"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	lzv1 "github.com/zonekeeper/zonekeeper/api/landingzone/v1alpha1"
	policyv1 "github.com/zonekeeper/zonekeeper/api/policy/v1alpha1"
	"github.com/zonekeeper/zonekeeper/config"
)

// schemas are the structural schemas of ZoneKeeper's CRDs, by kind, built once. The admission
// webhook sees objects after the API server has applied the CRD defaults; check applies the same
// defaults from the same CRDs, or an omitted field with a safe default would be judged missing.
var schemas = sync.OnceValues(loadSchemas)

func loadSchemas() (map[schema.GroupVersionKind]*structuralschema.Structural, error) {
	out := map[schema.GroupVersionKind]*structuralschema.Structural{}
	// Only the kinds check decodes: the managed resources' CRDs are most of the YAML and would
	// double the start-up time of every run.
	var files []string
	for _, group := range []string{lzv1.GroupVersion.Group, policyv1.GroupVersion.Group} {
		matches, err := fs.Glob(config.CRDs, "crd/bases/"+group+"_*.yaml")
		if err != nil {
			return nil, errors.Wrap(err, "cannot list embedded CRDs")
		}
		if len(matches) == 0 {
			return nil, errors.Errorf("no embedded CRDs of %s", group)
		}
		files = append(files, matches...)
	}
	for _, f := range files {
		data, err := config.CRDs.ReadFile(f)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot read embedded CRD %s", f)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(data, crd); err != nil {
			return nil, errors.Wrapf(err, "cannot parse embedded CRD %s", f)
		}
		for _, v := range crd.Spec.Versions {
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			internal := &apiextensions.JSONSchemaProps{}
			if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil); err != nil {
				return nil, errors.Wrapf(err, "cannot convert the schema of %s", crd.Name)
			}
			ss, err := structuralschema.NewStructural(internal)
			if err != nil {
				return nil, errors.Wrapf(err, "the schema of %s is not structural", crd.Name)
			}
			out[schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}] = ss
		}
	}
	return out, nil
}

// applyDefaults fills in the CRD defaults of obj's kind, as the API server would.
func applyDefaults(gvk schema.GroupVersionKind, obj map[string]any) error {
	all, err := schemas()
	if err != nil {
		return err
	}
	if ss, ok := all[gvk]; ok {
		structuraldefaulting.Default(obj, ss)
	}
	return nil
}
