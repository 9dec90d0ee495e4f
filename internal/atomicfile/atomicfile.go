// Package atomicfile writes files so that a reader, or a process killed
// halfway, never sees a partial one. It is the one place where Latent's
// notebooks, reports, models and checkpoints are written.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteFile writes data to path so that, whatever happens, path holds
// either its old content or all of data: the bytes go to an unnamed (or
// hidden temporary) file in the same directory, are synced to disk, and the
// file is then renamed over path, and the directory synced. A file that
// exists keeps its permissions; a new one gets perm (less the umask where
// the system applies it).
//
// When path is a symbolic link, the file it points to is written (as
// nbconvert and most editors do) and the link stays a link; a link to a
// missing file creates that file. A path that is not a regular file (a
// directory, a named pipe, a device) is refused.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write is WriteFile for content written by write, buffered, as it is
// made (a data set need not be held in memory twice). An error from write
// leaves path as it was.
func Write(path string, perm fs.FileMode, write func(io.Writer) error) error {
	target, err := Target(path)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if st, err := os.Stat(target); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("cannot write %s: it exists and is not a regular file", describe(path, target))
		}
		perm = st.Mode().Perm()
	}
	dir := filepath.Dir(target)
	removeStaleTemps(dir, filepath.Base(target))
	tmp, err := writeTemp(dir, filepath.Base(target), write, perm)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", describe(path, target), err)
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %w", describe(path, target), err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not every file system supports it
		d.Close()
	}
	return nil
}

// maxLinks bounds how many symbolic links Target follows, as the kernel
// bounds path lookups (ELOOP).
const maxLinks = 40

// Target is the file that writing to path changes: path itself, or, when
// path is a symbolic link (or a chain of them), the file at its end, which
// need not exist yet. Links in the directories above are left as they are:
// the rename happens inside whatever directory they lead to.
func Target(path string) (string, error) {
	for range maxLinks {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", fmt.Errorf("more than %d symbolic links in a row (a loop?)", maxLinks)
}

// describe names path in errors, with the file a link leads to.
func describe(path, target string) string {
	if path == target {
		return path
	}
	return path + " (a link to " + target + ")"
}

// writeTempPortable writes a hidden temporary file in dir, synced, and
// returns its name.
func writeTempPortable(dir, base string, write func(io.Writer) error, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, tempPrefix(base)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	werr := writeBuffered(f, write)
	err = errors.Join(werr, f.Chmod(perm), f.Sync(), f.Close())
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// writeBuffered runs write on f through a buffer and flushes it.
func writeBuffered(f *os.File, write func(io.Writer) error) error {
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
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
