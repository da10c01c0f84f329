package httpserver

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/web/views"
)

// staffPreviewListCap is how many people each list of a preview shows; the
// rest are counted.
const staffPreviewListCap = 100

// The staff import in the browser is upload → preview → apply:
//
//   - the upload is parsed and planned at once, so a file with problems is
//     refused there (422), every problem listed by row and column, and not
//     kept;
//   - a sound file is kept in the database (people.SaveStaffUpload) and its
//     preview is planned afresh from it; the Apply button posts the
//     preview's digest (people.PlanDigest), never the plan;
//   - Apply plans the kept file again and refuses (409) unless the digest is
//     the one previewed, so what is applied is what was shown;
//     people.Service.ApplyImport then checks that nobody changed since it planned
//     and writes in batches of short transactions.

// adminStaffImportForm is the upload form.
func (s *Server) adminStaffImportForm(c echo.Context) error {
	return s.renderStaffUpload(c, http.StatusOK, views.StaffUploadView{})
}

// adminStaffImportUpload checks an uploaded staff file and, when it can be
// imported, keeps it and goes to its preview.
func (s *Server) adminStaffImportUpload(c echo.Context) error {
	ctx, now := c.Request().Context(), s.Clock.Now()
	v := views.StaffUploadView{DeactivateMissing: c.FormValue("deactivate_missing") == "yes"}
	fh, err := c.FormFile("file")
	if err != nil {
		v.FileError = "Choose the staff CSV file to upload."
		return s.renderStaffUpload(c, http.StatusUnprocessableEntity, v)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, staffImportMaxBytes+1))
	if err != nil {
		return err
	}
	if len(data) > staffImportMaxBytes {
		return &http.MaxBytesError{Limit: staffImportMaxBytes}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		v.FileError = "The file " + fh.Filename + " is empty. Choose the staff list your HR system exported."
		return s.renderStaffUpload(c, http.StatusUnprocessableEntity, v)
	}
	v.FileName = fh.Filename
	file, err := people.ParseStaffCSV(bytes.NewReader(data))
	if err == nil {
		_, err = s.Staff.PlanImport(ctx, file, people.PlanOptions{DeactivateMissing: v.DeactivateMissing})
	}
	if problems, more, ok := invalidProblems(err); ok {
		v.Problems, v.More, v.Total = staffProblems(problems, more)
		return s.renderStaffUpload(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	up, err := s.Staff.KeepUpload(ctx, fh.Filename, data, v.DeactivateMissing, viewerOf(c).Employee.ID, now)
	if err != nil {
		return err
	}
	return redirectSeeOther(c, staffImportPath+"/"+up.ID)
}

// adminStaffImportPreview shows what the kept file would do now.
func (s *Server) adminStaffImportPreview(c echo.Context) error {
	up, err := s.staffUpload(c)
	if err != nil {
		return err
	}
	v, _, err := s.staffPreview(c.Request().Context(), up)
	if err != nil {
		return err
	}
	return s.renderStaffPreview(c, http.StatusOK, v)
}

// adminStaffImportApply applies the kept file, all or nothing, if it still
// does exactly what its preview showed; otherwise it shows the new preview
// (409), also when the employees changed between planning and writing. The rules are applied to everyone it touched, batch by batch, and
// one audit entry records it (people.Service.ApplyImport).
func (s *Server) adminStaffImportApply(c echo.Context) error {
	ctx := c.Request().Context()
	up, err := s.staffUpload(c)
	if err != nil {
		return err
	}
	v, plan, err := s.staffPreview(ctx, up)
	if err != nil {
		return err
	}
	if plan == nil || plan.Empty() || people.PlanDigest(plan) != c.FormValue("plan") {
		v.Stale = true
		return s.renderStaffPreview(c, http.StatusConflict, v)
	}
	// Claimed before anything is written, so two windows cannot both apply
	// it; then written in batches with the rules and report standings of
	// each batch's people, as the command line and the API do.
	// A large file (100,000 people take minutes) goes on in the background
	// once the wait is over, and HR follows it on the import's page; it
	// goes on too if HR closes the page, so it is never left half-written.
	run, err := s.Staff.StartImport(ctx, plan,
		people.ImportSource{File: up.FileName, Via: people.ViaHRPage, By: peopleActor(c), Upload: up.ID}, s.Clock.Now())
	if err != nil {
		return err
	}
	if !run.Wait(ctx, s.jobWait()) {
		return redirectSeeOther(c, jobURL(jobs.KindStaffImport, run.ID))
	}
	res, err := run.Result, run.Err
	if apperr.CodeOf(err) == apperr.Conflict {
		// The employees changed between planning and writing, or another
		// window claimed the file: while the file is still kept, show what
		// it would do now; once it is gone, the conflict says so.
		if _, gone := s.staffUpload(c); gone == nil {
			fresh, _, err := s.staffPreview(ctx, up)
			if err != nil {
				return err
			}
			fresh.Stale = true
			return s.renderStaffPreview(c, http.StatusConflict, fresh)
		}
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminStaffImportApplied(s.page(c, "Staff list imported", "admin"), views.StaffAppliedView{
		FileName: up.FileName, Added: res.Added, Changed: res.Changed, Deactivated: res.Deactivated,
		Reactivated: res.Reactivated, Unchanged: res.Unchanged, Assigned: res.Assignments.Assigned, Closed: res.Assignments.Closed,
	}))
}

// adminStaffImportDiscard forgets a kept file (one already gone too).
func (s *Server) adminStaffImportDiscard(c echo.Context) error {
	if err := s.Staff.DiscardUpload(c.Request().Context(), c.Param("upload")); err != nil {
		return err
	}
	return redirectSeeOther(c, staffImportPath)
}

// staffUpload loads the upload the URL names; not found once it is gone.
func (s *Server) staffUpload(c echo.Context) (*people.StaffUpload, error) {
	return s.Staff.Upload(c.Request().Context(), c.Param("upload"), s.Clock.Now())
}

// staffPreview plans the kept file against today's employees. When the file
// cannot be imported any more (a manager it names has left since), the view
// lists the problems and the plan is nil.
func (s *Server) staffPreview(ctx context.Context, up *people.StaffUpload) (views.StaffPreviewView, *people.StaffPlan, error) {
	v := views.StaffPreviewView{
		UploadID: up.ID, FileName: up.FileName, UploadedAt: formatMoment(up.UploadedAt), DeactivateMissing: up.DeactivateMissing,
	}
	file, err := up.Parse()
	var plan *people.StaffPlan
	if err == nil {
		plan, err = s.Staff.PlanImport(ctx, file, people.PlanOptions{DeactivateMissing: up.DeactivateMissing})
	}
	if problems, more, ok := invalidProblems(err); ok {
		v.Problems, v.More, v.Total = staffProblems(problems, more)
		return v, nil, nil
	}
	if err != nil {
		return v, nil, err
	}
	v.Digest, v.Rows, v.Unchanged, v.Summary, v.Warnings = people.PlanDigest(plan), plan.Rows, plan.Unchanged, plan.Summary(), plan.Warnings
	v.Added = staffChangeList(plan.Added, true)
	v.Changed = staffChangeList(plan.Changed, false)
	v.Deactivated = staffChangeList(plan.Deactivated, false)
	v.Reactivated = staffChangeList(plan.Reactivated, false)
	v.Empty = plan.Empty()
	return v, plan, nil
}

// staffChangeList turns one list of a plan into at most
// staffPreviewListCap rows.
func staffChangeList(changes []people.StaffChange, added bool) views.StaffChangeList {
	out := views.StaffChangeList{Count: len(changes)}
	for i, ch := range changes {
		if i == staffPreviewListCap {
			out.More = len(changes) - i
			break
		}
		row := views.StaffChangeRow{
			Where: "not in the file", EmployeeNumber: ch.EmployeeNumber, Email: ch.Email, Name: ch.Name,
			Role: peopleRoleLabel(ch.Role), Reason: ch.Reason,
		}
		if ch.Row > 0 {
			row.Where = "row " + strconv.Itoa(ch.Row)
		}
		if !added {
			row.URL = personURL(ch.ID)
		}
		for _, f := range ch.Fields {
			row.Fields = append(row.Fields, views.StaffField{Field: f.Field, Old: f.Old, New: f.New})
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// staffProblems turns an import's problems (a people.ImportError's) into
// the rows of the problem table.
func staffProblems(problems []apperr.Problem, more int) (rows []views.StaffProblem, _, total int) {
	for _, p := range problems {
		row := views.StaffProblem{Row: "the file", Column: p.Field, Value: p.Value, Message: p.Message}
		if p.Row > 0 {
			row.Row = "row " + strconv.Itoa(p.Row)
		}
		rows = append(rows, row)
	}
	return rows, more, len(problems) + more
}

func (s *Server) renderStaffUpload(c echo.Context, status int, v views.StaffUploadView) error {
	v.Columns, v.MaxMiB = people.StaffColumns, staffImportMaxBytes>>20
	var err error
	if v.Running, err = s.jobsRunningOf(c, jobs.KindStaffImport); err != nil {
		return err
	}
	title := "Import the staff list"
	if v.FileError != "" || len(v.Problems) > 0 {
		title = "Error: " + title
	}
	return render(c, status, views.AdminStaffImport(s.page(c, title, "admin"), v))
}

func (s *Server) renderStaffPreview(c echo.Context, status int, v views.StaffPreviewView) error {
	noStore(c)
	return render(c, status, views.AdminStaffImportPreview(s.page(c, "Preview of "+v.FileName, "admin"), v))
}
