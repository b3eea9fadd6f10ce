// Package manifest reads multi-document Kubernetes YAML files into unstructured objects, keeping
// the line each document starts on so errors can say file:line.
package manifest

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Object is one document of a manifest file.
type Object struct {
	*unstructured.Unstructured
	File string
	Line int
}

// ReadPaths reads every .yaml/.yml file named or found below the named directories, in lexical
// order, skipping kustomization.yaml files.
func ReadPaths(paths ...string) ([]Object, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot read %s", p)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if !d.IsDir() && (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) && name != "kustomization.yaml" {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, errors.Wrapf(err, "cannot walk %s", p)
		}
	}
	sort.Strings(files)
	var out []Object
	for _, f := range files {
		objs, err := ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// ReadFile reads every non-empty document of one YAML file.
func ReadFile(path string) ([]Object, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read %s", path)
	}
	return Parse(path, data)
}

// Parse splits data on YAML document separators and decodes each non-empty document.
func Parse(file string, data []byte) ([]Object, error) {
	var out []Object
	for _, doc := range split(data) {
		if isBlank(doc.body) {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc.body, &u.Object); err != nil {
			return nil, errors.Wrapf(err, "%s:%d: cannot parse YAML", file, doc.line)
		}
		if u.Object == nil {
			continue
		}
		if u.GetAPIVersion() == "" || u.GetKind() == "" {
			return nil, errors.Errorf("%s:%d: document has no apiVersion or kind", file, doc.line)
		}
		out = append(out, Object{Unstructured: u, File: file, Line: doc.line + leadingComments(doc.body)})
	}
	return out, nil
}

type document struct {
	body []byte
	line int
}

func split(data []byte) []document {
	var docs []document
	cur := document{line: 1}
	var buf bytes.Buffer
	r := bufio.NewReader(bytes.NewReader(data))
	line := 0
	for {
		text, err := r.ReadString('\n')
		if text != "" {
			line++
			if strings.TrimRight(text, " \t\r\n") == "---" || strings.HasPrefix(text, "--- ") {
				cur.body = bytes.Clone(buf.Bytes())
				docs = append(docs, cur)
				buf.Reset()
				cur = document{line: line + 1}
			} else {
				buf.WriteString(text)
			}
		}
		if err == io.EOF {
			break
		}
	}
	cur.body = buf.Bytes()
	return append(docs, cur)
}

// leadingComments counts the comment and blank lines before a document's first content line, so a
// document's line is where its content starts.
func leadingComments(doc []byte) int {
	n := 0
	for _, l := range strings.Split(string(doc), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return n
		}
		n++
	}
	return n
}

// isBlank says whether a document holds only comments and white space.
func isBlank(doc []byte) bool {
	for _, l := range strings.Split(string(doc), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}
