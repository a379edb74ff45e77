package shard

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"time"
)

// Timings maps a scenario file, as JUnit reports name it in a testcase's
// classname, to how long it took.
type Timings map[string]time.Duration

// ReadJUnit reads the testcase times of JUnit reports, as `run --junit`
// writes them (one testcase per scenario, classname the file). A file
// reported twice keeps its last time.
func ReadJUnit(files ...string) (Timings, error) {
	t := Timings{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		err = t.read(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return t, nil
}

func (t Timings) read(r io.Reader) error {
	dec := xml.NewDecoder(r)
	cases := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			return fmt.Errorf("line %d: not JUnit XML: %w", line, err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Local != "testcase" {
			continue
		}
		cases++
		var class, secs string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "classname":
				class = a.Value
			case "time":
				secs = a.Value
			}
		}
		s, err := strconv.ParseFloat(secs, 64)
		if class == "" || err != nil || !(s >= 0 && s < 1e6) { // NaN, Inf and nonsense are no timing
			continue
		}
		t[path.Clean(class)] = time.Duration(s * float64(time.Second))
	}
	if cases == 0 {
		return errors.New("no testcase elements: give the --junit reports of earlier runs")
	}
	return nil
}

// Lookup finds a file's time by the names it may have been reported under:
// its path as opened, then its name relative to the folder given.
func (t Timings) Lookup(names ...string) (time.Duration, bool) {
	for _, n := range names {
		if d, ok := t[path.Clean(n)]; ok {
			return d, true
		}
	}
	return 0, false
}
