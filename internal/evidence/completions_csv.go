package evidence

import (
	"strconv"
	"strings"
	"time"

	"github.com/onramp-lms/onramp/internal/compliance"
)

// CompletionColumns is the header of the pack's completions.csv: one row
// per cycle, whatever its status. The session_ columns are the classroom
// session of the cycle (the last one attended, else the last one whose
// attendance was taken); the checkoff_ columns its last check-off signed
// off (the transcript has every one, skill by skill).
var CompletionColumns = []string{
	"employee_id", "onramp_id", "name", "email", "department", "job_title", "location", "employee_status",
	"course_id", "course_title", "cycle", "path", "status", "window_opens_at", "due_at", "started_at",
	"completed_at", "expires_at", "course_version_hash", "course_version_id", "final_score_percent", "pass_mark",
	"quiz_attempts", "certificate_code", "attested_name", "attested_at", "attestation_meaning", "policy_version",
	"source", "derivation", "transcript_file",
	"session_starts_at", "session_ends_at", "session_place", "session_trainer", "session_trainer_qualification",
	"session_recorded_as", "session_attendance", "checkoff", "checkoff_signed_by", "checkoff_signed_at", "checkoff_meaning",
}

// CompletionRows turns a transcript into rows of completions.csv, each
// cell made safe for spreadsheets (see SafeCell). file is the transcript's
// path in the pack.
func CompletionRows(t *Transcript, file string) [][]string {
	var rows [][]string
	e := t.Employee
	for _, c := range t.Courses {
		for _, cr := range c.Cycles {
			cy := cr.Cycle
			row := map[string]string{
				"employee_id": t.EmployeeNumber(), "onramp_id": e.ID, "name": e.FullName(), "email": e.Email,
				"department": e.Department, "job_title": e.JobTitle, "location": e.Location, "employee_status": string(e.Status),
				"course_id": c.CourseID, "course_title": c.Title, "cycle": strconv.Itoa(cy.Number), "path": string(cy.Path),
				"status": string(cr.Status), "window_opens_at": stamp(&cy.WindowOpensAt), "due_at": stamp(&cy.DueAt),
				"started_at": stamp(cy.StartedAt), "completed_at": stamp(cy.CompletedAt), "expires_at": stamp(cy.ExpiresAt),
				"quiz_attempts": strconv.Itoa(submitted(cr)), "source": "onramp", "derivation": compliance.AboutPerson(cy.Derivation, e.FullName()),
				"transcript_file": file,
			}
			if v := cr.CourseVersion; v != nil {
				row["course_version_hash"], row["course_version_id"] = v.Hash, v.ID
			}
			if cert := cr.Certificate; cert != nil {
				row["certificate_code"] = cert.Code
				if cert.ScorePercent != nil && cert.PassMark != nil {
					row["final_score_percent"], row["pass_mark"] = strconv.Itoa(*cert.ScorePercent), strconv.Itoa(*cert.PassMark)
				}
			}
			if n := len(cr.Attestations); n > 0 {
				// The latest signature of the cycle; the transcript has every one.
				a := cr.Attestations[n-1].Attestation
				row["attested_name"], row["attested_at"] = a.PrintedName, stamp(&a.SignedAt)
				row["attestation_meaning"], row["policy_version"] = a.Meaning, a.PolicyVersion
			}
			if se := cycleSession(cr); se != nil {
				row["session_starts_at"], row["session_ends_at"] = stamp(&se.StartsAt), stamp(&se.EndsAt)
				row["session_place"] = strings.TrimSpace(se.Place + " " + se.VideoURL)
				row["session_trainer"], row["session_trainer_qualification"] = se.TrainerName, se.TrainerQualification
				row["session_recorded_as"] = strings.Trim(se.EmployeeName+", "+se.JobTitle, ", ")
				row["session_attendance"] = se.AttendanceLabel()
			}
			for _, co := range cr.Checkoffs {
				if so := co.SignOff; so != nil {
					row["checkoff"] = co.Module + ": " + co.Step
					row["checkoff_signed_by"], row["checkoff_signed_at"], row["checkoff_meaning"] = so.PrintedName, stamp(&so.SignedAt), so.Meaning
				}
			}
			if imp := cr.Imported; imp != nil {
				row["source"] = "imported"
				if imp.Score != nil {
					row["final_score_percent"] = strconv.Itoa(*imp.Score)
				}
			}
			out := make([]string, len(CompletionColumns))
			for i, col := range CompletionColumns {
				out[i] = SafeCell(row[col])
			}
			rows = append(rows, out)
		}
	}
	return rows
}

// cycleSession is the cycle's last session attended, else the last whose
// attendance was taken (a no-show), or nil.
func cycleSession(cr *CycleRecord) *SessionRecord {
	var out *SessionRecord
	for _, se := range cr.Sessions {
		if out == nil || se.Attendance == "attended" || out.Attendance != "attended" {
			out = se
		}
	}
	return out
}

func submitted(cr *CycleRecord) int {
	n := 0
	for _, a := range cr.Attempts {
		if a.Attempt.SubmittedAt != nil {
			n++
		}
	}
	return n
}

// stamp is an instant as RFC 3339 in UTC, or "".
func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// SafeCell neutralises a cell a spreadsheet would run as a formula (one
// starting with =, +, -, @, a tab or a carriage return) by putting a
// single quote in front of it.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
