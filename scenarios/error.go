package scenarios

import (
	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// Error is a problem with a scenario file. Line and Column are 1-based;
// they are 0 for a problem with the file as a whole, such as one that
// cannot be read. It is the workspace loader's error type too, so that
// callers handle both the same way.
type Error = yamlsrc.Error

// pos is yamlsrc.Position as a Pos.
func pos(n ast.Node) Pos {
	line, col := yamlsrc.Position(n)
	return Pos{Line: line, Column: col}
}
