//go:build unix

package kernelclient

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the kernel in its own process group, so a Ctrl-C in
// the terminal reaches latent run (which interrupts the kernel itself) and
// not the kernel directly.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func interruptProcess(cmd *exec.Cmd) {
	if cmd != nil && cmd.Process != nil {
		cmd.Process.Signal(syscall.SIGINT)
	}
}

// killProcess kills the kernel and everything it started.
func killProcess(cmd *exec.Cmd) {
	if cmd != nil && cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Process.Kill()
	}
}
