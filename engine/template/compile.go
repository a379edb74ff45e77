package template

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/goccy/go-yaml/ast"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// compiler turns a YAML tree into a Template's program. Literal JSON is
// accumulated in lit and flushed as one op whenever a variable slot
// interrupts it, so the program has as few steps as the template allows.
type compiler struct {
	ops  []op
	lit  []byte
	vars []string
	seen map[string]bool
	enc  stringEncoder
}

func (c *compiler) flush() {
	if len(c.lit) > 0 {
		c.ops = append(c.ops, op{kind: opLit, lit: string(c.lit)})
		c.lit = c.lit[:0]
	}
}

func (c *compiler) slot(kind opKind, name, warn string) {
	c.flush()
	c.ops = append(c.ops, op{kind: kind, lit: name, warn: warn})
	if !c.seen[name] {
		c.seen[name] = true
		c.vars = append(c.vars, name)
	}
}

// value compiles one node found at path (payload.a.b, payload.items[2]).
func (c *compiler) value(n ast.Node, path string) error {
	if yamlsrc.IsNil(n) {
		c.lit = append(c.lit, "null"...)
		return nil
	}
	switch n := n.(type) {
	case *ast.MappingNode:
		return c.mapping(n.Values, path)
	case *ast.MappingValueNode:
		return c.mapping([]*ast.MappingValueNode{n}, path)
	case *ast.SequenceNode:
		c.lit = append(c.lit, '[')
		for i, v := range n.Values {
			if i > 0 {
				c.lit = append(c.lit, ',')
			}
			if err := c.value(v, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		c.lit = append(c.lit, ']')
		return nil
	case *ast.StringNode:
		return c.str(n.Value, n, path)
	case *ast.LiteralNode:
		if n.Value == nil {
			c.lit = append(c.lit, `""`...)
			return nil
		}
		return c.str(n.Value.Value, n, path)
	case *ast.IntegerNode:
		return c.integer(n)
	case *ast.FloatNode:
		return c.float(n)
	case *ast.BoolNode:
		c.lit = strconv.AppendBool(c.lit, n.Value)
		return nil
	case *ast.NullNode:
		c.lit = append(c.lit, "null"...)
		return nil
	case *ast.InfinityNode, *ast.NanNode:
		text := tokenValue(n)
		return errorAt(n, fmt.Sprintf("%s is not a number JSON can carry: quote it (%q) to send it as text", text, text))
	}
	return unsupported(n)
}

// unsupported explains why a node that is not plain data is refused.
func unsupported(n ast.Node) error {
	switch n.(type) {
	case *ast.AnchorNode:
		return errorAt(n, "anchors (&name) are not supported in a payload: write the value out")
	case *ast.AliasNode:
		return errorAt(n, "aliases (*name) are not supported in a payload: write the value out")
	case *ast.TagNode:
		return errorAt(n, "tags (!!type) are not supported in a payload: quote a value to send it as text")
	case *ast.MergeKeyNode:
		return errorAt(n, "merge keys (<<) are not supported in a payload: write the keys out")
	case *ast.MappingKeyNode:
		return errorAt(n, "explicit keys (? key) are not supported in a payload: write key: value")
	}
	return errorAt(n, fmt.Sprintf("unsupported YAML %s in a payload: expected a mapping, a list or a scalar", n.Type()))
}

func (c *compiler) mapping(values []*ast.MappingValueNode, path string) error {
	c.lit = append(c.lit, '{')
	first := map[string]ast.Node{}
	for _, mv := range values {
		if mv == nil {
			continue
		}
		key, err := keyText(mv.Key)
		if err != nil {
			return err
		}
		if prev, dup := first[key]; dup {
			line, _ := yamlsrc.Position(prev)
			return errorAt(mv.Key, fmt.Sprintf("duplicate key %s (first at line %d): a key may appear once in a mapping", quoteShort(key), line))
		}
		if len(first) > 0 {
			c.lit = append(c.lit, ',')
		}
		first[key] = mv.Key
		c.lit = AppendString(c.lit, key)
		c.lit = append(c.lit, ':')
		if err := c.value(mv.Value, path+pathKey(key)); err != nil {
			return err
		}
	}
	c.lit = append(c.lit, '}')
	return nil
}

// keyText returns a mapping key as a JSON object key. Scalar keys that
// YAML types as numbers, booleans or null keep the text that was written.
func keyText(k ast.MapKeyNode) (string, error) {
	if yamlsrc.IsNil(k) {
		return "", &Error{Line: 1, Column: 1, Msg: "mapping entry without a key"}
	}
	var text string
	switch k := k.(type) {
	case *ast.StringNode:
		text = k.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NullNode, *ast.InfinityNode, *ast.NanNode:
		text = tokenValue(k)
	default:
		return "", unsupported(k)
	}
	for i := 0; i+1 < len(text); i++ {
		if text[i] == '{' && text[i+1] == '{' {
			return "", errorAt(k, "variables are not substituted in keys: use a fixed key and put the variable in its value")
		}
	}
	return text, nil
}

// pathKey renders one mapping step of a warning's path: .key for simple
// keys, ["key"] for anything that would make the path ambiguous.
func pathKey(key string) string {
	simple := key != ""
	for i := 0; i < len(key); i++ {
		if !isWordByte(key[i]) && key[i] != '-' {
			simple = false
			break
		}
	}
	if simple {
		return "." + key
	}
	return "[" + string(AppendString(nil, key)) + "]"
}

func (c *compiler) integer(n *ast.IntegerNode) error {
	text := tokenValue(n)
	if validNumber(text) {
		c.lit = append(c.lit, text...)
		return nil
	}
	// YAML spellings JSON lacks (0x1F, 0o17, 1_000, +5) are re-formatted
	// from the parsed value.
	switch v := n.Value.(type) {
	case int64:
		c.lit = strconv.AppendInt(c.lit, v, 10)
	case uint64:
		c.lit = strconv.AppendUint(c.lit, v, 10)
	default:
		return errorAt(n, fmt.Sprintf("integer %s cannot be represented in JSON: quote it to send it as text", quoteShort(text)))
	}
	return nil
}

func (c *compiler) float(n *ast.FloatNode) error {
	text := tokenValue(n)
	if validNumber(text) {
		if f, err := strconv.ParseFloat(text, 64); err == nil && !math.IsInf(f, 0) {
			c.lit = append(c.lit, text...)
			return nil
		}
	}
	b, err := json.Marshal(n.Value)
	if err != nil {
		return errorAt(n, fmt.Sprintf("number %s cannot be represented in JSON: quote it to send it as text", quoteShort(text)))
	}
	c.lit = append(c.lit, b...)
	return nil
}

// str compiles a string scalar. A string that is exactly one variable
// becomes a value slot (the variable's value, or null); anything else is a
// JSON string whose literal parts are pre-escaped and whose variables are
// text slots.
func (c *compiler) str(s string, n ast.Node, path string) error {
	segs, verr := splitVars(s)
	if verr != nil {
		line, col := yamlsrc.MarkPosition(n, s, "{{", verr.index)
		return &Error{Line: line, Column: col, Msg: verr.msg}
	}
	if len(segs) == 1 && segs[0].isVar {
		name := segs[0].text
		c.slot(opValue, name, "unresolved variable {{"+name+"}} at "+path+": sent as null")
		return nil
	}
	c.lit = append(c.lit, '"')
	for _, sg := range segs {
		if sg.isVar {
			c.slot(opText, sg.text, "unresolved variable {{"+sg.text+"}} at "+path+": interpolated as empty text")
		} else {
			c.lit = c.enc.appendEscaped(c.lit, sg.text)
		}
	}
	c.lit = append(c.lit, '"')
	return nil
}

func tokenValue(n ast.Node) string {
	if tk := n.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

func errorAt(n ast.Node, msg string) *Error {
	line, col := yamlsrc.Position(n)
	return &Error{Line: line, Column: col, Msg: msg}
}
