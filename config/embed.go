// Package config embeds the generated CRDs so the command line can apply their defaults offline,
// as the API server does before admission.
package config

import "embed"

// CRDs are the generated CustomResourceDefinitions of crd/bases.
//
//go:embed crd/bases/*.yaml
var CRDs embed.FS
