package people

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/db"
	"github.com/onramp-lms/onramp/internal/jobs"
	"github.com/onramp-lms/onramp/internal/report"
)

// Service is the one way in for every change to people, whatever its
// source: HR's pages, the command line, the JSON API, single sign-on and
// SCIM all call these methods and nothing else. Each method owns its
// transactions and every follow-up of the change, so a caller needs to
// know none of them:
//
//   - the assignment rules applied again to the people changed
//     (compliance.Engine.EvaluateTx), which queues their e-mails in the
//     outbox in the same transaction;
//   - their compliance standings refreshed (report.RefreshEmployees);
//   - one audit entry naming who made the change and through what;
//   - for a leaver, their sessions ended (EndSessions).
//
// A caller with writes of its own that belong to the change (SCIM's names
// for the person) passes them as Also, and they join the change's
// transaction; SetActive lets Create and Update change the person's status
// in the same transaction, so one request is one change.
//
// Build one in internal/app (App.Staff) and pass it along; the zero value
// is not usable: DB and Engine are required, EndSessions when people may be
// deactivated.
type Service struct {
	DB *db.DB
	// Engine is the assignment-rules engine wired with its notifier and
	// reminder policy (internal/app builds it); never nil.
	Engine *compliance.Engine
	// EndSessions signs a person out everywhere inside tx:
	// auth.Service.EndEmployeeSessions.
	EndSessions func(tx *gorm.DB, employeeID string) error
	// Log records what goes wrong in work that runs in the background
	// (StartImport); nil for none.
	Log *slog.Logger
}

// ImportResult is what ApplyImport did.
type ImportResult struct {
	StaffResult
	// Assignments counts what the assignment rules did, summed over the
	// import's batches.
	Assignments compliance.EvalResult
}

// errNoEngine is a wiring mistake, never a user's.
var errNoEngine = errors.New("people: Service.Engine is not set; the assignment rules must follow every change to people")

// follow is what every change to people sets off inside its transaction:
// the rules applied to the people changed again (queuing their e-mails),
// and their compliance standings brought up to date.
func (s *Service) follow(tx *gorm.DB, now time.Time, ids []string) (compliance.EvalResult, error) {
	if s.Engine == nil {
		return compliance.EvalResult{}, errNoEngine
	}
	// Before the first cycles exist, the report table is complete, and
	// this change keeps it so.
	if err := report.MarkBuiltBeforeFirstCycles(tx, now); err != nil {
		return compliance.EvalResult{}, err
	}
	r, err := s.Engine.EvaluateTx(tx, now, ids)
	if err != nil {
		return r, err
	}
	return r, report.RefreshEmployees(tx, now, ids)
}

func (s *Service) admin() *Admin {
	end := s.EndSessions
	if end == nil {
		end = func(*gorm.DB, string) error { return errors.New("people: Service.EndSessions is not set") }
	}
	return &Admin{DB: s.DB, EndSessions: end, Reevaluate: func(tx *gorm.DB, now time.Time, ids []string) error {
		_, err := s.follow(tx, now, ids)
		return err
	}}
}

// Create adds an employee from d, active unless SetActive(false), in one
// transaction with its follow-ups and opts' writes (Also). A *DetailsError
// (apperr code invalid) says what to fix, field by field.
func (s *Service) Create(ctx context.Context, by Actor, d Details, now time.Time, opts ...Option) (*Employee, error) {
	return s.admin().Add(ctx, by, d, now, opts...)
}

// Update saves d as employee id's details (a manager change is a change of
// d.ManagerEmail) and returns the employee and what changed; nothing is
// written, audited or re-run when nothing changed. With SetActive it also
// reactivates or deactivates the person in the same transaction, with one
// audit entry. ErrNotFound when there is no such employee, *DetailsError
// when d has problems.
func (s *Service) Update(ctx context.Context, by Actor, id string, d Details, now time.Time, opts ...Option) (*Employee, []FieldChange, error) {
	return s.admin().Update(ctx, by, id, d, now, opts...)
}

// Deactivate makes employee id inactive: signed out everywhere, open cycles
// closed, records kept. ErrAlreadyInactive, ErrDeactivateSelf and
// ErrLastHRAdmin say why it cannot be done; ErrNotFound when missing.
func (s *Service) Deactivate(ctx context.Context, by Actor, id string, now time.Time, opts ...Option) (*Employee, error) {
	return s.admin().Deactivate(ctx, by, id, now, opts...)
}

// Reactivate makes an inactive employee active again (ErrAlreadyActive
// when they are); the rules assign their courses again.
func (s *Service) Reactivate(ctx context.Context, by Actor, id string, now time.Time, opts ...Option) (*Employee, error) {
	return s.admin().Reactivate(ctx, by, id, now, opts...)
}

// Details returns employee id and their details as the add and edit forms
// (and Update) take them; ErrNotFound when missing.
func (s *Service) Details(ctx context.Context, id string) (*Employee, Details, error) {
	q := s.DB.WithContext(ctx)
	e, err := loadForUpdate(q, id)
	if err != nil {
		return nil, Details{}, err
	}
	d, err := DetailsOf(q, e)
	return e, d, err
}

// PlanImport compares a checked staff list (from ParseStaffCSV, or
// CheckStaff for typed records) with the database and returns what
// ApplyImport would do, writing nothing: a dry run, or a preview.
// Problems only the database can reveal come back as *ImportError.
func (s *Service) PlanImport(ctx context.Context, file *StaffFile, opts PlanOptions) (*StaffPlan, error) {
	return Plan(ctx, s.DB, file, opts)
}

// ApplyImport writes plan, in batches of short transactions each carrying
// the follow-ups of its people, and then records one audit entry
// describing the import as src says. When src.Upload names a kept upload,
// it is claimed (deleted) before anything is written, so two windows
// cannot both apply it (ErrUploadGone, a conflict, for the second). ErrStalePlan means
// the employees changed since plan was made: plan again.
func (s *Service) ApplyImport(ctx context.Context, plan *StaffPlan, src ImportSource, now time.Time) (*ImportResult, error) {
	if s.Engine == nil {
		return nil, errNoEngine
	}
	var assigned compliance.EvalResult
	// For the job's progress: the people the import writes, and how many
	// of them the committed batches have written.
	total := len(plan.Added) + len(plan.Changed) + len(plan.Deactivated) + len(plan.Reactivated)
	done := 0
	progress := func(tx *gorm.DB, finish bool) error {
		return jobs.Progress(tx, src.Job, jobs.Update{Total: total, Done: min(done, total), Finish: finish,
			Figures: ImportFigures{Added: len(plan.Added), Changed: len(plan.Changed), Deactivated: len(plan.Deactivated),
				Reactivated: len(plan.Reactivated), Unchanged: plan.Unchanged, Assigned: assigned.Assigned, Closed: assigned.Closed}})
	}
	var claim func(tx *gorm.DB, now time.Time, ids []string) error
	if src.Upload != "" {
		claim = func(tx *gorm.DB, _ time.Time, _ []string) error {
			err := DeleteStaffUpload(tx, src.Upload)
			if errors.Is(err, ErrUploadGone) {
				return errUploadClaimed
			}
			if err != nil {
				return err
			}
			return progress(tx, false)
		}
	}
	FollowStaffImport(plan, src, func(tx *gorm.DB, now time.Time, ids []string) error {
		r, err := s.follow(tx, now, ids)
		assigned.Assigned += r.Assigned
		assigned.Closed += r.Closed
		assigned.NewMatches += r.NewMatches
		if err != nil {
			return err
		}
		done += len(ids)
		return progress(tx, false)
	}, claim)
	if src.Job != "" {
		// The job is finished in the transaction of the import's audit
		// entry: the import is recorded when, and only when, it is done.
		record := plan.Options.AfterApply
		plan.Options.AfterApply = func(tx *gorm.DB, now time.Time, ids []string) error {
			if err := record(tx, now, ids); err != nil {
				return err
			}
			done = total
			return progress(tx, true)
		}
	}
	res, err := Apply(ctx, s.DB, plan, now)
	if err != nil {
		return nil, err
	}
	return &ImportResult{StaffResult: *res, Assignments: assigned}, nil
}

// KeepUpload keeps a staff file uploaded on HR's import page until it is
// applied (ApplyImport with ImportSource.Upload) or discarded, for
// StaffUploadTTL (SaveStaffUpload).
func (s *Service) KeepUpload(ctx context.Context, name string, file []byte, deactivateMissing bool, by string, now time.Time) (*StaffUpload, error) {
	return SaveStaffUpload(ctx, s.DB, name, file, deactivateMissing, by, now)
}

// Upload returns a kept upload, or ErrUploadGone (code not found).
func (s *Service) Upload(ctx context.Context, id string, now time.Time) (*StaffUpload, error) {
	return LoadStaffUpload(ctx, s.DB, id, now)
}

// DiscardUpload forgets a kept upload; one already applied or discarded is
// forgotten already, which is no error.
func (s *Service) DiscardUpload(ctx context.Context, id string) error {
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return DeleteStaffUpload(tx, id) })
	if errors.Is(err, ErrUploadGone) {
		return nil
	}
	return err
}

// ImportFigures is what a staff import did so far: its job's figures.
type ImportFigures struct {
	Added       int `json:"added"`
	Changed     int `json:"changed"`
	Deactivated int `json:"deactivated"`
	Reactivated int `json:"reactivated"`
	Unchanged   int `json:"unchanged"`
	// Assigned and Closed are what the assignment rules did to the people
	// written so far.
	Assigned int `json:"assigned"`
	Closed   int `json:"closed"`
}

// ImportRun is a staff import applied in the background (StartImport).
type ImportRun struct {
	*jobs.Run
	// Result is what ApplyImport returned; read it after Done.
	Result *ImportResult
}

// StartImport runs ApplyImport as a job (kind jobs.KindStaffImport, titled
// with the file's name) and returns once the job is recorded: HR's page
// waits a few seconds for it, and follows a longer import (100,000 people
// take minutes) on the job's page. The import goes on when ctx is
// cancelled (HR closed the page, a proxy gave up waiting), so a file is
// never left half-applied by the browser; each write transaction adds its
// progress to the job, and the one that records the import in the audit
// trail finishes it.
func (s *Service) StartImport(ctx context.Context, plan *StaffPlan, src ImportSource, now time.Time) (*ImportRun, error) {
	out := &ImportRun{}
	title := src.File
	if title == "" {
		title = "staff update"
	}
	run, err := jobs.Start(ctx, s.DB, s.Log, jobs.Job{Kind: jobs.KindStaffImport, Title: title, Subject: src.Upload,
		ActorID: src.By.ID, ActorName: src.By.Name}, func(ctx context.Context, id string) error {
		src.Job = id
		res, err := s.ApplyImport(ctx, plan, src, now)
		out.Result = res
		if err != nil {
			return err
		}
		// An import that wrote nobody has no audit entry to finish with.
		return jobs.Finish(ctx, s.DB, id)
	})
	if err != nil {
		return nil, err
	}
	out.Run = run
	return out, nil
}
