//go:build !unix

package kernel

import (
	"context"
	"time"
)

// WatchParent does nothing on systems without Unix process signals; there
// the frontend must stop the kernel itself.
func WatchParent(ctx context.Context, interval time.Duration, gone func(pid int)) {}
