package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// writeTemp writes (see Write) into an unnamed O_TMPFILE file in dir and links it
// under a hidden temporary name only once it is complete and synced, so a
// process killed while writing leaves nothing behind. File systems without
// O_TMPFILE get a named temporary file instead.
func writeTemp(dir, base string, write func(io.Writer) error, perm fs.FileMode) (string, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(perm))
	if err != nil {
		return writeTempPortable(dir, base, write, perm)
	}
	f := os.NewFile(uintptr(fd), filepath.Join(dir, "(unnamed)"))
	defer f.Close()
	if err := writeBuffered(f, write); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	var suffix [6]byte
	rand.Read(suffix[:])
	name := filepath.Join(dir, tempPrefix(base)+strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(suffix[:]))
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		if errors.Is(err, unix.ENOENT) { // no /proc: fall back
			return writeTempPortable(dir, base, write, perm)
		}
		return "", err
	}
	return name, nil
}

// processAlive reports whether a process with this ID exists.
func processAlive(pid int) bool {
	return pid > 0 && !errors.Is(unix.Kill(pid, 0), unix.ESRCH)
}
