// Package csvimport is what Onramp's importers (the staff list in package
// people, past completions in package compliance) share, so that each
// importer holds only its own rules:
//
//   - Problem, Problems and Error: typed problems (row, column, value,
//     message), collected up to MaxProblems and sorted by row;
//   - Numbering: how problems and messages name rows, a file's line
//     numbers ("row 14") or a list's items ("employees[3]");
//   - Cells: the checks every text value gets (UTF-8, no control
//     characters), required values, and reporting a row's problems;
//   - ReadCSV: the CSV front end: encoding sniffing (a UTF-8 byte-order
//     mark skipped, UTF-16 refused with what to do), separator sniffing
//     (semicolons or tabs refused with what to do), header mapping (any
//     order, any case, " Employee ID" reads as employee_id, unknown columns
//     listed, missing and repeated ones reported), row numbering by line,
//     blank lines skipped, rows of the wrong width reported.
//
// An importer checks typed records (people.StaffRecord,
// compliance.CompletionRecord); ReadCSV turns a file into those records, and
// the JSON API builds them from its body, so both are checked by the same
// code and get the same problems.
package csvimport
