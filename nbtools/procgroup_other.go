//go:build !unix

package nbtools

import "os/exec"

// ownGroup leaves cmd as it is: without process groups, cancellation kills
// the shell alone.
func ownGroup(cmd *exec.Cmd) {}
