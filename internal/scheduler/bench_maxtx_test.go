package scheduler_test

import (
	"time"

	"github.com/onramp-lms/onramp/internal/scheduler"
)

// passMaxTx is the longest write transaction of a pass.
func passMaxTx(rep scheduler.Report, _ time.Duration) time.Duration { return rep.MaxTx() }
