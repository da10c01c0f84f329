package compliance

// SetOpenCyclesCounted changes how many open cycles ListOpenCycles counts,
// until the returned function puts it back. Not for parallel tests.
func SetOpenCyclesCounted(n int) (restore func()) {
	old := openCyclesCounted
	openCyclesCounted = n
	return func() { openCyclesCounted = old }
}

// SetRuleBatch makes rule changes and previews take n people per
// transaction, until the returned function puts it back. Not for parallel
// tests.
func SetRuleBatch(n int) (restore func()) {
	start, most := ruleBatchStart, ruleBatchMax
	ruleBatchStart, ruleBatchMax = n, n
	return func() { ruleBatchStart, ruleBatchMax = start, most }
}

// SetRuleShortcut says whether rule changes and previews leave out what
// cannot change (ruleShortcuts: the people who keep the course, and the
// evaluation as they stand of people with nothing due), until the returned
// function puts it back. Not for parallel tests.
func SetRuleShortcut(on bool) (restore func()) {
	old := ruleShortcuts
	ruleShortcuts = on
	return func() { ruleShortcuts = old }
}

// SetBeforeBatchTx calls fn with each advance batch's people after the
// batch was read ahead (or would have been) and before its transaction,
// until the returned function puts it back. Not for parallel tests.
func SetBeforeBatchTx(fn func(ids []string)) (restore func()) {
	old := beforeBatchTx
	beforeBatchTx = fn
	return func() { beforeBatchTx = old }
}

// SetBeforeImportTx calls fn with each completions import batch's number
// between its plan ahead and its transaction, until the returned function
// puts it back. Not for parallel tests.
func SetBeforeImportTx(fn func(batch int)) (restore func()) {
	old := beforeImportTx
	beforeImportTx = fn
	return func() { beforeImportTx = old }
}
