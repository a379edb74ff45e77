package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/actionbench/actionbench/engine/yamlsrc"
)

// DefaultLimits are the input limits of a scenario file: 4 MiB, 64 levels
// of nesting, 524,288 values. run --max-scenario-size raises the size,
// and the number of values with it.
func DefaultLimits() yamlsrc.Limits {
	return yamlsrc.Limits{Bytes: 4 * yamlsrc.MiB, Flag: "--max-scenario-size"}
}

// Load reads and parses the scenario file at path, within DefaultLimits.
func Load(path string) (*Scenario, error) {
	return LoadWith(path, DefaultLimits())
}

// LoadWith is Load within lim. A file over the size limit is refused
// after reading no more than the limit.
func LoadWith(path string, lim yamlsrc.Limits) (*Scenario, error) {
	data, err := yamlsrc.ReadFile(path, kind(lim))
	if err != nil {
		var ye *Error
		if errors.As(err, &ye) {
			return nil, err
		}
		return nil, &Error{File: path, Msg: "cannot read scenario: " + reason(err)}
	}
	return parse(path, data, lim)
}

// LoadAll loads every scenario named by paths: files, whatever their
// names, and folders, searched recursively for *.yaml and *.yml files in
// sorted order (leaving out *.workspace.yaml files). A file named twice is loaded once. Every file is tried:
// the good ones come back as scenarios and each bad one as one error, so
// a run can report all of them at once.
func LoadAll(paths []string) ([]*Scenario, []error) {
	var (
		out  []*Scenario
		errs []error
	)
	walk(paths, func(f File) {
		s, err := Load(f.Path)
		if err != nil {
			errs = append(errs, err)
			return
		}
		out = append(out, s)
	}, func(err error) { errs = append(errs, err) })
	return out, errs
}

// LoadFiles loads the given files, each bad one as one error.
func LoadFiles(files []File) ([]*Scenario, []error) {
	return LoadFilesWith(files, DefaultLimits())
}

// LoadFilesWith is LoadFiles within lim.
func LoadFilesWith(files []File, lim yamlsrc.Limits) ([]*Scenario, []error) {
	var (
		out  []*Scenario
		errs []error
	)
	for _, f := range files {
		s, err := LoadWith(f.Path, lim)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, s)
	}
	return out, errs
}

// File is one scenario file found by Files.
type File struct {
	// Path is the file as it is opened: the folder given joined with the
	// path below it, or the file given.
	Path string
	// Rel names the file independently of where the suite is checked out:
	// its slash-separated path below the folder given, or, for a file given
	// by itself, its slash-separated cleaned path. Sharding hashes it.
	Rel string
}

// Files lists the scenario files named by paths, in the order LoadAll
// would load them, without reading them.
func Files(paths []string) ([]File, []error) {
	var (
		out  []File
		errs []error
	)
	walk(paths, func(f File) { out = append(out, f) }, func(err error) { errs = append(errs, err) })
	return out, errs
}

// walk calls found for each scenario file named by paths, once per file,
// and fail for each path or folder that cannot be read.
func walk(paths []string, found func(File), fail func(error)) {
	seen := map[string]bool{}
	add := func(path, rel string) {
		if key := filepath.Clean(path); !seen[key] {
			seen[key] = true
			found(File{Path: path, Rel: rel})
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			fail(&Error{File: p, Msg: "cannot read scenario: " + reason(err)})
			continue
		}
		if !fi.IsDir() {
			add(p, filepath.ToSlash(filepath.Clean(p)))
			continue
		}
		files, err := scenarioFiles(p)
		if err != nil {
			fail(err)
		}
		if len(files) == 0 && err == nil {
			fail(&Error{File: p, Msg: "no scenario files (*.yaml or *.yml) in this folder"})
		}
		for _, f := range files {
			rel, relErr := filepath.Rel(p, f)
			if relErr != nil {
				rel = f
			}
			add(f, filepath.ToSlash(rel))
		}
	}
}

// IsWorkspaceFile reports whether a file is named as a workspace
// (*.workspace.yaml or *.workspace.yml), which a folder of scenarios may
// hold for its scenarios to name; a folder scan leaves such files out.
func IsWorkspaceFile(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	return strings.HasSuffix(base, ".workspace.yaml") || strings.HasSuffix(base, ".workspace.yml")
}

// scenarioFiles returns the *.yaml and *.yml files under dir, sorted,
// except workspace files (IsWorkspaceFile). Hidden files and folders
// (.git, .github) are skipped: they hold other tools' YAML. A folder that cannot be read is an error, reported after
// the files that could be.
func scenarioFiles(dir string) ([]string, error) {
	var files []string
	var first error
	root := dir
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		// WalkDir does not follow a symbolic link, even at the root; a
		// trailing separator makes the root the folder it points to.
		root = dir + string(filepath.Separator)
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if first == nil {
				first = &Error{File: path, Msg: "cannot read folder: " + reason(err)}
			}
			return nil
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if ext := strings.ToLower(filepath.Ext(path)); (ext == ".yaml" || ext == ".yml") && !IsWorkspaceFile(path) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil && first == nil {
		first = &Error{File: dir, Msg: "cannot read folder: " + reason(err)}
	}
	slices.Sort(files)
	return files, first
}

// reason returns the cause of a file system error without the path, which
// the *Error already names.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
