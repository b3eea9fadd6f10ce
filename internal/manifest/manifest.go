// Package manifest reads multi-document Kubernetes YAML files into unstructured objects, keeping
// the line each document starts on so errors can say file:line.
package manifest

import (
	"bufio"
	"bytes"
	"io"
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
	return ParseAt(file, data, 1)
}

// ParseAt is Parse for data that starts on line firstLine of file: a Chunk of it.
func ParseAt(file string, data []byte, firstLine int) ([]Object, error) {
	var out []Object
	for _, doc := range split(data, firstLine) {
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
func split(data []byte, firstLine int) []document {
	var docs []document
	start, line, docLine := 0, firstLine-1, firstLine
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			next = pos + end + 1
		}
		text := data[pos:next]
		line++
		if isSeparator(text) {
			docs = append(docs, document{body: data[start:pos:pos], line: docLine})
			start, docLine = next, line+1
		}
		pos = next
	}
	return append(docs, document{body: data[start:len(data):len(data)], line: docLine})
}

// isSeparator says whether a line (with or without its line break) separates two documents.
func isSeparator(line []byte) bool {
	return string(bytes.TrimRight(line, " \t\r\n")) == "---" || bytes.HasPrefix(line, []byte("--- "))
}

// Chunk is a run of whole documents of a file: its bytes [Offset, Offset+Len) start on line Line.
type Chunk struct {
	Offset, Len int64
	Line        int
}

// Chunks cuts what r reads into runs of whole documents of about size bytes each (more when a
// document is larger), cut where split would cut, so that ParseAt on each chunk gives, in order,
// what Parse gives on the whole, with the same lines. It reads r once, a line at a time: a
// stream of any length can be cut without holding it.
func Chunks(r io.Reader, size int64) ([]Chunk, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var chunks []Chunk
	cur := Chunk{Line: 1}
	var pos int64
	line := 0
	for {
		n, sep, err := readLine(br)
		if n > 0 {
			line++
			if sep && pos > cur.Offset && pos-cur.Offset >= size {
				cur.Len = pos - cur.Offset
				chunks = append(chunks, cur)
				cur = Chunk{Offset: pos, Line: line}
			}
			pos += n
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	cur.Len = pos - cur.Offset
	return append(chunks, cur), nil
}

// readLine consumes one line of br (its line break included) and says how long it was and
// whether it is a separator line, reading a line longer than br's buffer in pieces.
func readLine(br *bufio.Reader) (int64, bool, error) {
	var n int64
	var head []byte  // the line's first bytes, enough to tell a separator by its start
	allSpace := true // everything after the first 3 bytes is white space so far
	for {
		piece, err := br.ReadSlice('\n')
		if n == 0 {
			head = append(head[:0], piece[:min(len(piece), 4)]...)
		}
		rest := piece
		if n < 3 {
			rest = piece[min(len(piece), int(3-n)):]
		}
		if len(bytes.TrimLeft(rest, " \t\r\n")) > 0 {
			allSpace = false
		}
		n += int64(len(piece))
		if err == bufio.ErrBufferFull {
			continue
		}
		sep := bytes.HasPrefix(head, []byte("--- ")) || (bytes.HasPrefix(head, []byte("---")) && allSpace)
		return n, n > 0 && sep, err
	}
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
