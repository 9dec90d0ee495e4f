//go:build !unix

package kernelclient

import "os/exec"

func ownProcessGroup(cmd *exec.Cmd) {}

// interruptProcess cannot signal on this system; kernels there use
// interrupt_mode "message".
func interruptProcess(cmd *exec.Cmd) {}

func killProcess(cmd *exec.Cmd) {
	if cmd != nil && cmd.Process != nil {
		cmd.Process.Kill()
	}
}
