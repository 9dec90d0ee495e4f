package notebook

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteFileAtomic writes data to path so that, whatever happens, path holds
// either its old content or all of data: the bytes go to an unnamed (or
// hidden temporary) file in the same directory, are synced to disk, and the
// file is then renamed over path, and the directory synced. A file that
// exists keeps its permissions; a new one gets perm (less the umask where
// the system applies it).
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("cannot write %s: it exists and is not a regular file", path)
		}
		perm = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	removeStaleTemps(dir, filepath.Base(path))
	tmp, err := writeTemp(dir, filepath.Base(path), data, perm)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not every file system supports it
		d.Close()
	}
	return nil
}

// writeTempPortable writes data to a hidden temporary file in dir, synced,
// and returns its name.
func writeTempPortable(dir, base string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, tempPrefix(base)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, werr := f.Write(data)
	err = errors.Join(werr, f.Chmod(perm), f.Sync(), f.Close())
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// tempPrefix is how the temporary files of base begin; the writer's process
// ID follows, so that leftovers of a killed writer can be recognised.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// removeStaleTemps deletes temporary files of base in dir whose writer
// process is gone: a writer killed between linking its finished temporary
// file and renaming it leaves one behind.
func removeStaleTemps(dir, base string) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPrefix(base)+"*"))
	for _, name := range names {
		rest := strings.TrimPrefix(filepath.Base(name), tempPrefix(base))
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if ok && err == nil && pid != os.Getpid() && !processAlive(pid) {
			os.Remove(name)
		}
	}
}
