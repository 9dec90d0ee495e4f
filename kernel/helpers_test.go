package kernel

import (
	"io/fs"
	"os"
)

func writeFileMode(p string, b []byte, mode uint32) error {
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return err
	}
	return os.Chmod(p, os.FileMode(mode))
}

func errNotExist() error { return fs.ErrNotExist }
