// Package yamlsrc reads hand-written YAML files with go-yaml's AST so that
// every problem is reported as an *Error naming the file, line and column,
// in words a person can act on.
//
// It holds what the workspace loader and the scenario parser share: the
// positioned error, node positions and descriptions, and a Reader that
// refuses YAML's indirections (anchors, aliases, tags, merge keys,
// explicit keys), checks mapping keys and reads the single document of a
// file. What a file means stays with the package that reads it.
//
// Read from go-yaml's AST, not Unmarshal: measured, Unmarshal expands `payload: *b` and `<<: *b`
// unseen and says "cannot unmarshal []interface {} into Go struct field…" with no file or fix.
//
// The Reader checks a file against its Limits with a scan of its own
// before go-yaml parses it. Why hand-written: go-yaml took 15 GB and 97 s
// on 100,000 nested "[" (100 KB); the scan refuses it in 0.05 s and 13 MB.
package yamlsrc
