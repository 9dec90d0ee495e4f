//go:build !linux

package atomicfile

import "io/fs"

func writeTemp(dir, base string, data []byte, perm fs.FileMode) (string, error) {
	return writeTempPortable(dir, base, data, perm)
}

// processAlive cannot tell here, so stale temporary files are kept.
func processAlive(pid int) bool { return true }
