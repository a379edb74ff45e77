// Package watch tells a scenario run which files changed: it watches
// folders with fsnotify and hands back the YAML files that changed, in one
// batch per editor save burst.
package watch

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Quiet is how long the files must stay unchanged before a batch is
// handed back: editors save in bursts (write, rename, chmod) within a few
// milliseconds, and one save must cause one rerun.
const Quiet = 100 * time.Millisecond

// Source is where changes come from; fsnotify's Watcher has this shape,
// and tests feed the channels by hand.
type Source struct {
	Events <-chan fsnotify.Event
	Errors <-chan error
}

// Watcher watches folders for changed scenario and workspace files.
type Watcher struct {
	fs    *fsnotify.Watcher
	src   Source
	quiet time.Duration
	after func(time.Duration) <-chan time.Time
	added map[string]bool
}

// New watches nothing yet; Add names the folders.
func New() (*Watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := newWatcher(Source{Events: fw.Events, Errors: fw.Errors}, time.After)
	w.fs = fw
	return w, nil
}

func newWatcher(src Source, after func(time.Duration) <-chan time.Time) *Watcher {
	return &Watcher{src: src, quiet: Quiet, after: after, added: map[string]bool{}}
}

// Add watches a folder (not the folders below it). Files are watched
// through their folder because editors replace a file on save, which a
// watch on the file itself would lose.
func (w *Watcher) Add(dir string) error {
	dir = filepath.Clean(dir)
	if w.added[dir] {
		return nil
	}
	if w.fs != nil {
		if err := w.fs.Add(dir); err != nil {
			return err
		}
	}
	w.added[dir] = true
	return nil
}

// AddTree watches a folder and every folder below it, except hidden ones.
func (w *Watcher) AddTree(root string) error {
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		return w.Add(path)
	})
}

// Close stops watching.
func (w *Watcher) Close() error {
	if w.fs == nil {
		return nil
	}
	return w.fs.Close()
}

// Next waits for the next batch of changed *.yaml and *.yml files: it
// returns once a change has been followed by Quiet without another. The
// paths are sorted and each named once; a removed file is named too. A
// folder created below a watched one is watched from then on, so a new
// subfolder of scenarios is seen. Next returns the context's error when
// it ends, and a watch error (such as the kernel's event queue
// overflowing) as soon as it comes.
func (w *Watcher) Next(ctx context.Context) ([]string, error) {
	pending := map[string]bool{}
	var quiet <-chan time.Time // nil until the first change: waits forever
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err, ok := <-w.src.Errors:
			if !ok {
				return nil, context.Canceled
			}
			return nil, err
		case ev, ok := <-w.src.Events:
			if !ok {
				return nil, context.Canceled
			}
			if ev.Has(fsnotify.Create) && w.added[filepath.Dir(ev.Name)] {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					w.AddTree(ev.Name) // best effort: a folder gone again is no error
				}
			}
			if !relevant(ev) {
				continue
			}
			pending[filepath.Clean(ev.Name)] = true
			quiet = w.after(w.quiet)
		case <-quiet:
			out := make([]string, 0, len(pending))
			for p := range pending {
				out = append(out, p)
			}
			slices.Sort(out)
			return out, nil
		}
	}
}

// relevant keeps changes to YAML files' contents or names, not their
// mode, and not editors' hidden swap and backup files.
func relevant(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	base := filepath.Base(ev.Name)
	if strings.HasPrefix(base, ".") {
		return false
	}
	ext := strings.ToLower(filepath.Ext(base))
	return ext == ".yaml" || ext == ".yml"
}
