package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadCSVRefusesBinary: /dev/zero, a binary file and a file with no
// line end are refused while reading, not after filling memory.
func TestLoadCSVRefusesBinary(t *testing.T) {
	dir := t.TempDir()
	noNewline := filepath.Join(dir, "long.csv")
	if err := os.WriteFile(noNewline, []byte(strings.Repeat("1", maxCSVLine+8)), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "model.csv")
	os.WriteFile(bin, []byte("1,2\n3,\x004\n"), 0o600)
	for _, tc := range []struct{ path, want string }{
		{"/dev/zero", "NUL byte"},
		{bin, "NUL byte at offset 6"},
		{noNewline, "a line longer than"},
	} {
		if _, err := os.Stat(tc.path); err != nil {
			continue
		}
		_, err := LoadCSV(tc.path, CSVOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadCSV(%s) = %v, want an error saying %q", tc.path, err, tc.want)
		}
	}
}
