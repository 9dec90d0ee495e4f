//go:build !linux

package notebook

import "io/fs"

func writeTemp(dir, base string, data []byte, perm fs.FileMode) (string, error) {
	return writeTempPortable(dir, base, data, perm)
}
