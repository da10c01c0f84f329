package compliance

// SetOpenCyclesCounted changes how many open cycles ListOpenCycles counts,
// until the returned function puts it back. Not for parallel tests.
func SetOpenCyclesCounted(n int) (restore func()) {
	old := openCyclesCounted
	openCyclesCounted = n
	return func() { openCyclesCounted = old }
}
