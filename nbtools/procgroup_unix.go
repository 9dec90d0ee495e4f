//go:build unix

package nbtools

import (
	"os/exec"
	"syscall"
	"time"
)

// ownGroup starts cmd in a process group of its own and makes its
// cancellation stop the whole group: SIGINT, then SIGKILL killGrace later.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		pid := cmd.Process.Pid
		syscall.Kill(-pid, syscall.SIGINT)
		time.AfterFunc(killGrace, func() { syscall.Kill(-pid, syscall.SIGKILL) })
		return nil
	}
}
