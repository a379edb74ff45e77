package yamlsrc

import (
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Document parses data and returns the body of its single document.
// The file is checked against the Reader's limits first.
func (r *Reader) Document(data []byte) (ast.Node, error) {
	if err := r.check(data); err != nil {
		return nil, err
	}
	file, err := r.parse(data)
	if err != nil {
		return nil, err
	}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc == nil || IsNil(doc.Body) {
			continue
		}
		if _, ok := doc.Body.(*ast.DirectiveNode); ok {
			// go-yaml gives a %YAML directive a document of its own.
			continue
		}
		if body != nil {
			return nil, r.ErrAt(doc.Body, "a %s is a single YAML document: remove this second document or the --- before it%s", r.kind.Name, r.kind.SecondDoc)
		}
		body = doc.Body
	}
	if body == nil {
		return nil, &Error{File: r.file, Line: 1, Column: 1, Msg: "empty " + r.kind.Name + ": expected " + r.kind.Expect}
	}
	return body, nil
}

// parse runs go-yaml's parser. A panic inside the parser on hostile input
// is turned into an error: a bad file must never crash the program.
func (r *Reader) parse(data []byte) (file *ast.File, err error) {
	defer func() {
		if p := recover(); p != nil {
			file, err = nil, &Error{File: r.file, Line: 1, Column: 1, Msg: "invalid YAML: the parser could not read this file"}
		}
	}()
	file, err = parser.ParseBytes(data, 0)
	if err != nil {
		return nil, fromYAML(r.file, data, err, r.kind.SyntaxHint)
	}
	return file, nil
}
