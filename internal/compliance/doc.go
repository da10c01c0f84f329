// Package compliance decides who must take what and by when: assignments
// (one employee × one course), their cycles (one period of obligation each),
// and the recurrence arithmetic that derives a cycle's dates. Every date it
// derives carries a sentence saying why it is what it is.
//
// The arithmetic in recurrence.go is pure: no database, no clock.
//
// # A pass costs what changed
//
// Engine.Pass (the scheduler's planning) never reads everyone:
//
//   - Rules are evaluated for the people in eval_queue, which triggers on
//     employees fill on every insert and every change of a field the engine
//     reads (department, job title, location, status, hire date, manager),
//     whatever path wrote it (tracking.go; EnsureChangeTracking creates the
//     triggers for SQLite or PostgreSQL and queues everyone the first time).
//     Everyone is evaluated when the rules' fingerprint (engine_state
//     "rules") moved, or on demand (PassOptions.Full, `scheduler run-once
//     --full`). A rule change made through ChangeRule leaves everyone
//     evaluated against the new rules and records their fingerprint
//     (rulesEvaluated), so the pass after it does not evaluate everyone. EvaluateTx(tx, now, ids) reads only the given people's
//     matches and assignments and takes them out of the queue.
//   - Every cycle carries next_event_at, the next moment a pass has
//     something to do with it (nextEvent in advance.go: overdue, a reminder
//     stage of the policy, escalation, expiry, the refresher window opening,
//     an exemption's end, the next month's nudge); NULL when nothing ever
//     will. A pass reads only the cycles whose moment came. The values
//     depend on the reminder policy and the nudge setting, whose fingerprint
//     (engine_state "policy") is stored: when it changes every value is
//     recomputed, in batches. A cycle inserted without a value, or updated
//     through GORM with a new status, due date, expiry, exemption end or
//     reminder stage (Cycle.BeforeUpdate), gets 1970-01-01: "look at it on
//     the next pass". Writers with raw SQL must set next_event_at themselves
//     (to that epoch is always safe).
//   - Work goes in batches of people (at most DefaultBatchPeople), sized by
//     their work: at most BatchWork due cycles (and when evaluating, people ×
//     active rules), counted with a read before the batch. Each batch is in
//     its own transaction: evaluation, then every due step for those people,
//     the new next events, the report rows of the people whose assignments
//     it changed (PassOptions.AfterBatch) and of the assignments whose
//     cycles it changed (PassOptions.AfterCycles), and one
//     Notifier.NotifyAll with all the batch's events, so one person's
//     events of a pass arrive together.
//     The advance batches (and the completions import's) are read during
//     the pause before their transaction, on the other core (loadAdvance;
//     the import's plan), and the transaction only decides and writes when
//     nobody changed the tables those reads read since the batch before
//     (db.Bulk; learners' progress and the outbox do not count for the
//     pass); otherwise it reads again inside.
//     Escalations are recorded pending, and sent after the batches as one
//     digest per manager, composed with reads and written a few managers
//     per transaction (EscalationWork; EscalationMarked marks at most).
//   - New assignments, cycles, rule matches, escalations and nudges are
//     written with multi-row INSERTs, and changed cycles with one UPDATE per
//     new value or a CASE per few hundred rows, never a statement per row.
//
// # Use cases
//
// A change HR or an import makes is one call that owns its transaction and
// its follow-ups (the rules re-run, the report standings through
// Engine.Standings, the audit entry, the outbox rows): Engine.ChangeRule,
// Engine.ExtendCycles, Engine.ExemptCycles and ImportCompletions. HR's
// pages, the command line and the API call these, never the tx-level
// functions (SaveRule, ExtendSelection, ExemptSelection) they are built on.
// internal/app wires Standings to report.RefreshEmployees (and
// AssignmentStandings, which ImportCompletions prefers, to
// report.RefreshAssignments); the use cases refuse to run without
// Standings.
//
// A rule change concerns everyone its old or new version matches, which for
// a rule for everyone is the whole organisation. Those both versions match
// and no other rule for the course does keep the course whatever the change
// (its dates apply to the cycles it creates), so they are counted, not
// evaluated (concernedBy): moving the due date of a rule for everyone
// evaluates nobody. A preview also counts, without evaluating, the people
// another active rule for the course matches (they keep the course
// whatever the change; saving evaluates them, since the rule controlling
// their course can move): previewing a second rule for everyone evaluates
// nobody. ChangeRule and PreviewRule take the others a paced
// batch per transaction (rules_apply.go), the preview rolling each back,
// with the figures one transaction would give.
// ChangeRule holds the planning lock (PlanningLock) the scheduler's passes
// plan under, so a pass never evaluates people while a change has reached
// only some of them. StartRuleChange runs ChangeRule as a background job
// (internal/jobs; rules_background.go), each batch adding its progress to
// the job in its own transaction: HR's save waits a few seconds, then
// follows a longer change on its page.
//
// Indexes the pass reads through (EXPLAIN QUERY PLAN on SQLite):
//
//	due cycles' people, by next_event_at    cycles_next_event_idx (next_event_at<?), the index only
//	the queue / everyone, by ID             eval_queue's key (employee_id>?) / employees' key (id>?)
//	a batch's due cycles (and their count)  cycles_employee_idx (employee_id=?)
//	their assignments, by ID                assignments' key (id=?)
//	all cycles of those assignments         cycles UNIQUE (assignment_id, number) (assignment_id=?)
//	people, by ID                           employees' key (id=?)
//	escalations of the cycles               escalations' key (cycle_id=?)
//	pending escalations, per manager        escalations_pending_idx (dedupe_key = '')
//	this month's nudges                     nudge_log's key (employee_id=?)
//	rule matches of a batch                 rule_matches_employee_idx (employee_id=?)
//	assignments of a batch                  assignments (employee_id, course_id) key (employee_id=?)
//	updates of cycles by ID / assignment    cycles' key (id=?) / UNIQUE (assignment_id, number)
//	overdue cycles of re-evaluated people   cycles_employee_idx (the status test is kept off the index)
//	recomputing after a policy change       cycles' key (id>?), a batch at a time
package compliance
