// Package report answers the questions HR and managers ask: who is
// compliant with what, who is overdue, whose completion expires soon, who
// reports to whom. It keeps its own tables ready for those questions, reads
// them, and streams reports as CSV, XLSX or JSON. It never changes training
// records. Queries run on both SQLite and PostgreSQL. It must not import
// learning (learning calls RefreshEmployees) or anything HTTP.
//
// # Data kept ready
//
// Reports are designed for 100,000 employees and 20 courses (2,000,000
// assignments), so they do not work standings out from cycles on every
// request. Three tables (migrations/00008_compliance_status.sql) hold what
// they need:
//
//   - compliance_status: one row per active assignment of an active
//     employee (primary key employee_id, course_id) with its standing as
//     people understand it (Status: completed, in_progress, not_started,
//     overdue, expired, exempt), the due date, the completion that counts
//     and its expiry, the current cycle, and two things copied from the
//     employee record: the department and the name as sorted (sort_name).
//     Those two are copied because reports page on them (the name inside
//     a date order, as in the overdue list, can only come from an index of
//     this table) and because the kept counts must know the department a
//     row was counted under. Each report's order is one index of this
//     table, read a page at a time; what a page shows of a person (name,
//     employee ID, job title, site, manager) is read from employees by
//     primary key, row by row, and job title and site filters are
//     employees' conditions (migration 00046: copied into 2,000,000 rows
//     at 100,000 people they were a third of the table and two indexes,
//     written by every import and pass). A refresher whose window is open while the
//     previous completion is valid counts as completed; a refresher past
//     its due date counts as expired (the person was certified and it
//     lapsed), a first cycle past its due date as overdue. Leavers have no
//     rows: the engine closes their assignments in the same pass.
//   - compliance_history: one snapshot a day of the counts per course,
//     department and standing, for the 12-month trend (about 6,000 rows a
//     day at 20 courses × 50 departments × 6 standings).
//   - compliance_refresh: when the tables were last refreshed in full and
//     last brought up to date, and the day of the last snapshot.
//   - compliance_counts (migrations/00037_compliance_counts.sql, counts.go):
//     compliance_status summed up per course, department and standing,
//     kept as it changes. Every statement that changes compliance_status
//     adds what it changed in the same transaction (addCounts): on SQLite
//     straight into the table, on PostgreSQL appended to
//     compliance_count_changes and folded in by one transaction at a time,
//     so concurrent writers neither wait nor deadlock on a shared row. A
//     full Refresh (every `onramp report NAME` runs one) counts again from scratch. The
//     dashboard, the daily snapshot and the per-course summary read it
//     instead of counting two million rows, and compliance_status's course
//     and department indexes need not carry the third column (which put
//     every write batch's rows at 800 places of each index).
//
// Refresh recomputes compliance_status set-wise in two statements: an
// INSERT … SELECT … ON CONFLICT DO UPDATE that writes a row only when
// something in it changed, and a DELETE of rows whose assignment closed,
// whose employee left or whose latest cycle closed. Nothing loops over
// people in Go. RefreshEmployees does the same for a few people: on
// PostgreSQL it deletes their rows and inserts them again; on SQLite it
// inserts the new rows and updates the kept ones only in the columns that
// moved (the standing's, or the person's), since SQLite rewrites the entry
// of every index holding a column an UPDATE sets. RefreshAssignments does
// the same for a few assignments of some people, when only their cycles
// changed: a scheduler pass's batch (a cycle gone overdue, a refresher
// window opened) and a completions import's batch name the assignments
// they wrote, and their people's other rows are neither read nor compared
// (in the first pass at 100,000 people nearly everyone is touched, but only
// a few of each person's twenty courses).
//
// Every change refreshes the rows of the people it touches in its own
// transaction (RefreshEmployees): a learner's completion, HR's changes
// (compliance's use cases call Engine.Standings), each batch of a staff
// import; and each batch of a completions import and of a scheduler pass
// the rows of the assignments whose cycles it wrote (RefreshAssignments;
// the pass also moves standings on with the date: overdue and expiry are
// days, and every such move is a cycle the pass writes). After a pass the scheduler calls
// MaintainBatches, which rebuilds everything only for the first build or
// after the clock went back (a batch of people per transaction) and writes
// the day's snapshot. There is no first build when the table was kept from
// the start: a change to people that gives the first cycles of a database
// (a staff import's first batch) records the table built in its own
// transaction (MarkBuiltBeforeFirstCycles), and so does the scheduler after
// a pass that began with no cycle (MarkBuilt). Whoever writes cycles
// without refreshing their people (the demo's seeding) leaves it unbuilt. A full Refresh runs before every `onramp report`
// command. Nothing reads compliance_status by when a cycle, assignment or
// employee last changed, so those tables carry no index for it (migration
// 00039).
//
// Measured with BenchmarkRefresh100k (100,000 people × 2 courses = 200,000
// rows, a 2-core virtual machine, SQLite on disk / PostgreSQL 15 local):
// the first build, which writes every row, 2.2 s / 5.7 s; a full refresh
// that finds nothing new (reads every row, writes none) 0.8 s / 2.1 s; an
// incremental pass for 100 people 26 ms / 15 ms. The set-wise statements
// grow linearly with assignments, so for 2,000,000 multiply by ten: a full
// refresh takes about 8 s / 21 s, which is why it runs daily and hourly,
// not every minute, while the per-minute pass stays in milliseconds.
//
// # The dashboard
//
// compliance_generation holds a number that Changed bumps in every
// transaction that writes compliance_status (Refresh and RefreshEmployees
// call it; a new writer must too). LoadDashboard keeps, per database, the
// table summed up per course, department and standing, with the
// completions expiring within 30, 60 and 90 days and the trend's monthly
// snapshots, computed once per generation and day; a dashboard then costs
// one primary-key read and a few thousand additions in Go, whatever the
// filter (department, course). When the generation has moved, the sums are
// recomputed in the background (one at a time); the request waits up to
// 100 ms for them and otherwise shows the previous ones. Every instance
// compares with the same row, so each sees every change. The organisation's
// filter choices and head count are kept the same way for up to a minute.
//
// # Reports and exports
//
// Reports lists them: status, overdue, expiring, completions, matrix and
// departments. Each is a query over compliance_status (completions reads
// the history of cycles, with certificates and imported completions) in
// an order an index gives, read through a database cursor (Rows) one row at
// a time; the matrix folds each person's rows into one as it goes, holding
// one person in memory. ParseFilter is the one place filters are read, from
// query parameters and (turned into them) command-line flags.
//
// Pages read a report a page at a time (Report.Page) with keyset
// pagination: each report's order ends with columns that make it unique,
// an opaque cursor holds the last (or first) row's values of them, and the
// next page is "the rows after these" as a row-value comparison, which is a
// range scan of the index in that order (migrations/00017_report_pages.sql;
// TestPagePlans checks the plans). CountUpTo counts no further than the
// page says ("more than 10,000 rows"). The team page does the same over a
// manager's chain (TeamOf): those who need attention first, then by name.
//
// Write streams Rows as CSV, JSON (an array, one object per line) or XLSX.
// CSV and JSON go out as they are read, pushed to the client every 256
// rows, so the first bytes leave long before the last row is read. XLSX
// cannot: a ZIP needs the whole sheet first. BuildXLSX reads every row into
// excelize's StreamWriter, which keeps each sheet in a temporary file (in
// memory up to 16 MiB), starting a new sheet with the same header every
// MaxSheetRows (1,048,575) rows; only then is the status sent and the ZIP
// written straight to the client instead of to excelize's in-memory
// buffer, so memory stays bounded for any size, a failure is an error page
// rather than an empty 200, and the download starts once the last row is
// read. Cells that start with =, +, -, @, a tab
// or a carriage return get a leading single quote (Neutralise) in CSV and
// XLSX, so no spreadsheet runs them as formulas.
//
// # Managers
//
// A manager's team is everyone below them in the management chain (a
// recursive query over employees.manager_id, live); Filter.Manager limits any report to it, and the
// HTTP layer forces it to the viewer for /team.
package report
