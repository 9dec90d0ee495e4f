//go:build unix

package kernel

import (
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

func alive(pid int, byEnv bool) bool {
	if !byEnv {
		return os.Getppid() == pid
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
