// Package manifest reads multi-document Kubernetes YAML files into unstructured objects, keeping
// the line each document starts on so errors can say file:line.
package manifest

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
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

// ReadPaths reads every file named and every .yaml, .yml and .json file found below the named
// directories (see Files), in lexical order.
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
//
// Directories are walked through symbolic links, as kubectl -f -R does, each directory once
// (which also stops a link to an ancestor from looping). A file reached more than once (named
// twice, as x.yaml and ./x.yaml, named and inside a directory named, or through a link) is
// listed once, under the name that sorts first, so that it is not checked twice.
func Files(paths ...string) ([]string, error) {
	var found []foundFile
	walked := map[string]bool{} // the real paths of the directories walked
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot read %s", p)
		}
		if !fi.IsDir() {
			found = append(found, foundFile{path: p, key: realPath(p)})
			continue
		}
		if err := walk(p, walked, &found); err != nil {
			return nil, errors.Wrapf(err, "cannot walk %s", p)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
	files := make([]string, 0, len(found))
	seen := make(map[string]bool, len(found))
	for _, f := range found {
		if !seen[f.key] {
			seen[f.key] = true
			files = append(files, f.path)
		}
	}
	return files, nil
}

// foundFile is a file to read: the name it was found under and what identifies it.
type foundFile struct {
	path string
	key  string // its real path, or its absolute path when that cannot be resolved
}

// isManifest says whether a file in a directory is read: YAML and JSON, as kubectl -f DIR reads,
// but not kustomize's own configuration.
func isManifest(name string) bool {
	switch filepath.Ext(name) {
	case ".yaml", ".yml", ".json":
		return name != "kustomization.yaml" && name != "kustomization.yml"
	}
	return false
}

// walk adds the manifests below root to found, following symbolic links. It goes breadth first and
// walks a directory once, under the first (so the shortest) name it reaches it by: a link to an
// ancestor, or a second link to the same directory, is not walked again.
func walk(root string, walked map[string]bool, found *[]foundFile) error {
	for queue := []string{root}; len(queue) > 0; queue = queue[1:] {
		dir := queue[0]
		real := realPath(dir)
		if walked[real] {
			continue
		}
		walked[real] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			name := e.Name()
			path := filepath.Join(dir, name)
			switch {
			case e.Type()&os.ModeSymlink != 0:
				fi, err := os.Stat(path)
				switch {
				case err == nil && fi.IsDir():
					queue = append(queue, path)
				case isManifest(name):
					// A link that leads nowhere is listed too: reading it fails, in its turn.
					*found = append(*found, foundFile{path: path, key: realPath(path)})
				}
			case e.IsDir():
				queue = append(queue, path)
			case isManifest(name):
				*found = append(*found, foundFile{path: path, key: filepath.Join(real, name)})
			}
		}
	}
	return nil
}

// realPath is p absolute with every symbolic link resolved, or only absolute and clean when it
// cannot be resolved (a link that leads nowhere, a pipe such as /dev/fd/3).
func realPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	return abs
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
		if doc.sepContent != "" {
			// yaml.Unmarshal would read the content, but the document before it too, or
			// nothing; kubectl's YAMLReader refuses such a separator, and so does check.
			return nil, errors.Errorf("%s:%d: invalid document separator: %q follows ---; put it on the next line", file, doc.line-1, doc.sepContent)
		}
		if isBlank(doc.body) {
			continue
		}
		obj, err := decode(doc.body)
		if err != nil {
			return nil, yamlError(file, doc, err)
		}
		if obj == nil {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if u.GetAPIVersion() == "" || u.GetKind() == "" {
			return nil, errors.Errorf("%s:%d: document has no apiVersion or kind", file, doc.line)
		}
		line := doc.line + leadingComments(doc.body)
		if !isList(u) {
			out = append(out, Object{Unstructured: u, File: file, Line: line})
			continue
		}
		if out, err = appendItems(out, file, line, u, func(n int) []int { return itemLines(doc.body, doc.line, n) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// go.yaml.in/yaml/v2 reports "yaml: line N: problem" for a syntax error and "\n  line N: ..." for
// each error of an "unmarshal errors" list (a key given twice), counting lines from the start of
// the document. N is 1-based, except for the problems its parser (not its scanner) finds: those
// report the 0-based line of the token at fault (decode.go, (*parser).fail).
var (
	syntaxLine     = regexp.MustCompile(`yaml: line (\d+): (.*)`)
	unmarshalLine  = regexp.MustCompile(`\n  line (\d+):`)
	parserProblems = map[string]bool{
		"did not find expected <stream-start>":   true,
		"did not find expected <document start>": true,
		"did not find expected node content":     true,
		"did not find expected '-' indicator":    true,
		"did not find expected key":              true,
		"did not find expected ',' or ']'":       true,
		"did not find expected ',' or '}'":       true,
		"found undefined tag handle":             true,
		"found duplicate %YAML directive":        true,
		"found incompatible YAML document":       true,
		"found duplicate %TAG directive":         true,
	}
)

// yamlError reports a document's YAML error at the line of the file it is on: the parser's line
// numbers, counted from the document's start, are rewritten to the file's. The first of them is
// where the error is said to be; without one, the document's first line. An error found at the
// end of the document (an unclosed bracket) is on its last line, not on the empty one after it.
func yamlError(file string, doc document, err error) error {
	msg := err.Error()
	first := doc.line
	last := bytes.Count(doc.body, []byte{'\n'})
	if len(doc.body) > 0 && doc.body[len(doc.body)-1] != '\n' {
		last++
	}
	line, found := first, false
	at := func(n int) string {
		l := first + min(n, max(last, 1)) - 1
		if !found {
			line, found = l, true
		}
		return strconv.Itoa(l)
	}
	if m := syntaxLine.FindStringSubmatchIndex(msg); m != nil {
		if n, convErr := strconv.Atoi(msg[m[2]:m[3]]); convErr == nil {
			if parserProblems[msg[m[4]:m[5]]] {
				n++
			}
			msg = msg[:m[2]] + at(n) + msg[m[3]:]
		}
	}
	msg = unmarshalLine.ReplaceAllStringFunc(msg, func(s string) string {
		n, convErr := strconv.Atoi(unmarshalLine.FindStringSubmatch(s)[1])
		if convErr != nil {
			return s
		}
		return "\n  line " + at(n) + ":"
	})
	return errors.Errorf("%s:%d: cannot parse YAML: %s", file, line, msg)
}

// isList says whether an object is a v1 List, as kubectl get -o yaml writes: its items are the
// objects, each read as if it were a document of its own.
func isList(u *unstructured.Unstructured) bool {
	return u.GetAPIVersion() == "v1" && u.GetKind() == "List"
}

// appendItems appends a List's items to out. lines gives the line of each of n items, or nil
// when they cannot be told; an item then is on the List's line. A List among the items is
// expanded too, its items on its line.
func appendItems(out []Object, file string, line int, list *unstructured.Unstructured, lines func(n int) []int) ([]Object, error) {
	raw, ok := list.Object["items"]
	if !ok || raw == nil {
		return out, nil
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, errors.Errorf("%s:%d: List items must be a list of objects", file, line)
	}
	at := lines(len(items))
	for i, it := range items {
		itemLine := line
		if at != nil {
			itemLine = at[i]
		}
		m, ok := it.(map[string]any)
		if !ok {
			return nil, errors.Errorf("%s:%d: List items[%d] is not an object", file, itemLine, i)
		}
		u := &unstructured.Unstructured{Object: m}
		if u.GetAPIVersion() == "" || u.GetKind() == "" {
			return nil, errors.Errorf("%s:%d: List items[%d] has no apiVersion or kind", file, itemLine, i)
		}
		if !isList(u) {
			out = append(out, Object{Unstructured: u, File: file, Line: itemLine})
			continue
		}
		var err error
		if out, err = appendItems(out, file, itemLine, u, func(int) []int { return nil }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// itemLines finds the line of each of the n items of a List document written in block style, as
// kubectl writes it: a top-level "items:" followed by a sequence whose entries start with "- ".
// The document starts on line first. It returns nil when it does not find exactly n entries (flow
// style, or a layout it does not follow): the items are then reported on the List's line, never
// on a wrong one. Only Lists pay for this second look at their text.
func itemLines(doc []byte, first, n int) []int {
	var lines []int
	inItems, indent := false, -1
	line := first - 1
	for l := range bytes.Lines(doc) {
		line++
		l = bytes.TrimRight(l, " \t\r\n")
		text := bytes.TrimLeft(l, " ")
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		at := len(l) - len(text)
		entry := bytes.Equal(text, []byte("-")) || bytes.HasPrefix(text, []byte("- "))
		switch {
		case !inItems:
			inItems = at == 0 && (bytes.Equal(text, []byte("items:")) || bytes.HasPrefix(text, []byte("items: #")))
		case indent < 0 && !entry:
			return nil // not a block sequence
		case indent < 0:
			indent = at
			lines = append(lines, line)
		case at < indent || (at == indent && !entry):
			return matched(lines, n) // the sequence has ended
		case at == indent:
			lines = append(lines, line)
		}
	}
	return matched(lines, n)
}

func matched(lines []int, n int) []int {
	if len(lines) != n {
		return nil
	}
	return lines
}

type document struct {
	body []byte
	line int
	// sepContent is what follows "---" on the separator line before the document, when that is
	// neither white space nor a comment.
	sepContent string
}

// split cuts data into documents at separator lines. A document's body is the lines between two
// separators, so it is a sub-slice of data: nothing is copied.
func split(data []byte, firstLine int) []document {
	var docs []document
	cur := document{line: firstLine}
	start, line := 0, firstLine-1
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			next = pos + end + 1
		}
		text := data[pos:next]
		line++
		if isSeparator(text) {
			cur.body = data[start:pos:pos]
			docs = append(docs, cur)
			cur = document{line: line + 1}
			if rest := bytes.TrimSpace(text[3:]); len(rest) > 0 && rest[0] != '#' {
				cur.sepContent = string(rest)
			}
			start = next
		}
		pos = next
	}
	cur.body = data[start:len(data):len(data)]
	return append(docs, cur)
}

// isSeparator says whether a line (with or without its line break) separates two documents: it
// starts with "---" followed by white space or nothing, as a YAML document marker does.
func isSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	return len(line) == 3 || strings.IndexByte(" \t\r\n", line[3]) >= 0
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
	var head []byte // the line's first bytes, enough to tell a separator by its start
	for {
		piece, err := br.ReadSlice('\n')
		if n == 0 {
			head = append(head[:0], piece[:min(len(piece), 4)]...)
		}
		n += int64(len(piece))
		if err == bufio.ErrBufferFull {
			continue
		}
		return n, n > 0 && isSeparator(head), err
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
	for l := range bytes.Lines(doc) {
		l = bytes.TrimSpace(l)
		if len(l) != 0 && l[0] != '#' {
			return n, true
		}
		n++
	}
	return n, false
}
