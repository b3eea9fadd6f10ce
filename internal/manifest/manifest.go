// Package manifest reads multi-document Kubernetes YAML files into unstructured objects, keeping
// the line each document starts on so errors can say file:line.
package manifest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
	files, err := Files(paths...)
	if err != nil {
		return nil, err
	}
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

// Files lists the files ReadPaths reads, in the order it reads them, so a caller can read them one
// at a time (or several at once) instead of holding every object of a large repository.
func Files(paths ...string) ([]string, error) {
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
	// A file named twice, or named and inside a directory named, is read once.
	return slices.Compact(files), nil
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
		obj, err := decode(doc.body)
		if err != nil {
			return nil, errors.Wrapf(err, "%s:%d: cannot parse YAML", file, doc.line)
		}
		if obj == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
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

// split cuts data into documents at separator lines. A document's body is the lines between two
// separators, so it is a sub-slice of data: nothing is copied.
func split(data []byte) []document {
	var docs []document
	start, line, docLine := 0, 0, 1
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			next = pos + end + 1
		}
		text := data[pos:next]
		line++
		if string(bytes.TrimRight(text, " \t\r\n")) == "---" || bytes.HasPrefix(text, []byte("--- ")) {
			docs = append(docs, document{body: data[start:pos:pos], line: docLine})
			start, docLine = next, line+1
		}
		pos = next
	}
	return append(docs, document{body: data[start:len(data):len(data)], line: docLine})
}

// leadingComments counts the comment and blank lines before a document's first content line, so a
// document's line is where its content starts.
func leadingComments(doc []byte) int {
	if n, ok := contentStart(doc); ok {
		return n
	}
	// Only blank lines: every line counts, the empty one after a trailing newline too.
	return bytes.Count(doc, []byte{'\n'}) + 1
}

// isBlank says whether a document holds only comments and white space.
func isBlank(doc []byte) bool {
	_, ok := contentStart(doc)
	return !ok
}

// contentStart counts the comment and blank lines before the first line with content, and says
// whether there is one.
func contentStart(doc []byte) (int, bool) {
	n := 0
	for len(doc) > 0 {
		l := doc
		if i := bytes.IndexByte(doc, '\n'); i >= 0 {
			l, doc = doc[:i], doc[i+1:]
		} else {
			doc = nil
		}
		l = bytes.TrimSpace(l)
		if len(l) != 0 && l[0] != '#' {
			return n, true
		}
		n++
	}
	return n, false
}
