//go:build unix

package kernel

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"
)

// WatchParent calls gone once the process that started the kernel has
// exited, so that a kernel whose frontend died does not live on as an
// orphan. The parent is JPY_PARENT_PID when Jupyter set it, otherwise the
// process's parent at the time of the call. It polls every interval until
// ctx is done.
func WatchParent(ctx context.Context, interval time.Duration, gone func(pid int)) {
	pid, byEnv := 0, false
	if v := os.Getenv("JPY_PARENT_PID"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 1 {
			pid, byEnv = n, true
		}
	}
	if !byEnv {
		pid = os.Getppid()
		if pid <= 1 {
			return // already orphaned or started by init: nothing to watch
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !alive(pid, byEnv) {
			gone(pid)
			return
		}
	}
}

// alive reports whether the watched parent still runs. A parent that
// started us is gone once we are handed to another (the kernel's parent
// changes as the old one exits). JPY_PARENT_PID names a process we may
// not be the child of: it is alive while it can be signalled and is not a
// zombie.
func alive(pid int, byEnv bool) bool {
	if !byEnv {
		return os.Getppid() == pid
	}
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	return !zombie(pid)
}

// zombie reports whether process pid has exited and waits for its own
// parent to reap it. kill(pid, 0) still succeeds then. A frontend killed
// while it waits for our output is such a zombie: its parent reaps it only
// once the pipes it shared with us close, which they do when we exit. It
// reads /proc, and reports false where there is none.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may
	// hold any byte, parentheses too.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	state := b[i+2]
	return state == 'Z' || state == 'X'
}
