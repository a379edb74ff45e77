package scenarios

import (
	"reflect"
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	tests := []struct {
		src  string
		want time.Duration
	}{
		{"10m", 10 * time.Minute},
		{"90s", 90 * time.Second},
		{"1h30m", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"250ms", 250 * time.Millisecond},
		{`"2m"`, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(head+"  - wait: "+tt.src+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Steps[0].Wait; got != tt.want {
				t.Errorf("wait %s: want %v, got %v", tt.src, tt.want, got)
			}
		})
	}
}

// TestPayloadTypes checks that expected values keep their YAML type, as
// JSON decoding would give it.
func TestPayloadTypes(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		{`"1042"`, "1042"},
		{"1042", 1042.0},
		{"0x1F", 31.0},
		{"-7", -7.0},
		{"2.50", 2.5},
		{"-0.5", -0.5},
		{"true", true},
		{"'true'", "true"},
		{"null", nil},
		{"~", nil},
		{"", nil},
		{"|\n            two\n            lines", "two\nlines\n"},
		{"{}", map[string]any{}},
		{"[]", []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			src := expect + "      dispatch:\n        payload:\n          v: " + tt.src + "\n"
			s, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			p := s.Steps[0].Expect.Dispatch.Payload
			want := []PayloadCheck{{Pos: Pos{6, 11}, Path: "v", Want: tt.want}}
			if !reflect.DeepEqual(p, want) {
				t.Errorf("payload v: %s\nwant %#v\ngot  %#v", tt.src, want, p)
			}
		})
	}
}

func TestPayloadPaths(t *testing.T) {
	src := expect + `      dispatch:
        payload:
          order:
            items:
              - sku: A-1
                qty: 2
              - [x, y]
            "gift wrap": true
          "a.b": 1
          "": empty
          12: twelve
`
	s, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range s.Steps[0].Expect.Dispatch.Payload {
		paths = append(paths, c.Path)
	}
	want := []string{
		"order.items[0].sku",
		"order.items[0].qty",
		"order.items[1][0]",
		"order.items[1][1]",
		`order["gift wrap"]`,
		`["a.b"]`,
		`[""]`,
		"12",
	}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths:\nwant %q\ngot  %q", want, paths)
	}
}

func TestLookup(t *testing.T) {
	payload := map[string]any{
		"customer_email": "jane@example.com",
		"order": map[string]any{
			"items":     []any{map[string]any{"sku": "A-1"}, []any{"x", "y"}},
			"gift wrap": true,
		},
		"a.b": 1.0,
		"":    "empty",
		"12":  "twelve",
		"nil": nil,
	}
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"customer_email", "jane@example.com", true},
		{"order.items[0].sku", "A-1", true},
		{"order.items[1][1]", "y", true},
		{`order["gift wrap"]`, true, true},
		{`["a.b"]`, 1.0, true},
		{`[""]`, "empty", true},
		{"12", "twelve", true},
		{"nil", nil, true},
		{"missing", nil, false},
		{"order.items[2]", nil, false},
		{"order.items[-1]", nil, false},
		{"order.items.sku", nil, false},
		{"customer_email.x", nil, false},
		{"customer_email[0]", nil, false},
		{`order["gift wrap"`, nil, false},
		{"order.items[0", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, ok := PayloadCheck{Path: tt.path}.Lookup(payload)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lookup(%s): want %v %v, got %v %v", tt.path, tt.want, tt.ok, got, ok)
			}
		})
	}
}
