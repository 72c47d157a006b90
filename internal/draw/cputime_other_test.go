//go:build !linux

package draw

import "time"

func threadCPU() (time.Duration, bool) { return 0, false }
