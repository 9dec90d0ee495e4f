package notebook

import (
	"io/fs"

	"github.com/latent-ai/latent/internal/atomicfile"
)

// WriteFileAtomic writes data to path atomically, through a symbolic link
// rather than over it; see atomicfile.WriteFile.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return atomicfile.WriteFile(path, data, perm)
}
