// Package evidence assembles what a surveyor asks to see: a per-employee
// transcript (every cycle of every course, with the content version, quiz
// attempts, video watched, signatures and certificate behind each
// completion) as data and as a PDF, and the evidence pack, a zip of
// transcripts, a completions CSV, the text of every content version
// referenced, and a manifest with each file's SHA-256.
//
// It only reads the tables that package learning, compliance and catalog
// write; the one thing it writes is the audit entry of a pack export. It
// knows nothing of HTTP.
package evidence

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// ErrNotFound is returned for an employee who does not exist.
var ErrNotFound = apperr.New(apperr.NotFound, "There is nobody with this ID in Onramp.")

// Transcript is one person's whole training record.
type Transcript struct {
	Employee *people.Employee
	// ManagerName is the person's manager's name now ("" for none).
	ManagerName string
	// GeneratedAt is when the transcript was put together (UTC).
	GeneratedAt time.Time
	// Courses are the courses the person has ever been assigned, by title.
	Courses []*CourseRecord
	// Organisation heads the transcript (ONRAMP_ORG_NAME); "" for none.
	Organisation string
}

// CourseRecord is one course in a transcript.
type CourseRecord struct {
	CourseID string
	Title    string
	// AssignmentStatus is "active" or "closed"; ClosedReason says why.
	AssignmentStatus string
	ClosedReason     string
	// Cycles are every cycle, oldest first.
	Cycles []*CycleRecord
	// Sessions are the classroom sessions whose attendance was taken for
	// the person, oldest first (internal/orientation).
	Sessions []*SessionRecord
	// Questions are the questions the person asked the course's contact,
	// oldest first.
	Questions []*QuestionRecord
}

// QuestionRecord is a question a person asked a course's contact ("Ask a
// question"): OSHA asks that e-learning come with access to a
// knowledgeable person.
type QuestionRecord struct {
	EmployeeID  string
	CourseID    string
	Question    string
	ContactName string
	AskedAt     time.Time
	AnsweredAt  *time.Time
}

// TableName tells GORM the table.
func (QuestionRecord) TableName() string { return "course_questions" }

// CheckoffRecord is one skills check-off in a cycle: each skill with its
// latest mark, and the observer's e-signature once signed off.
type CheckoffRecord struct {
	Module, Step string
	ModuleID     string
	StepID       string
	Skills       []SkillRecord
	SignOff      *CheckoffSignOff
}

// SkillRecord is one skill of a check-off with its latest mark (Mark nil:
// not observed yet).
type SkillRecord struct {
	Skill string
	Mark  *CheckoffMark
}

// Result is how the skill stands: met, not yet met, or not observed.
func (s SkillRecord) Result() string {
	switch {
	case s.Mark == nil:
		return "Not observed yet"
	case s.Mark.Met:
		return "Met"
	}
	return "Not yet met"
}

// CheckoffMark is an observer's mark of one skill.
type CheckoffMark struct {
	CycleID      string
	ModuleID     string
	StepID       string
	SkillID      string
	Met          bool
	Comment      string
	ObserverName string
	MarkedAt     time.Time
}

// TableName tells GORM the table.
func (CheckoffMark) TableName() string { return "checkoff_marks" }

// CheckoffSignOff is an observer's e-signature on a check-off (21 CFR
// 11.50: printed name, date-time and meaning).
type CheckoffSignOff struct {
	CycleID         string
	ModuleID        string
	StepID          string
	ModuleVersionID string
	PrintedName     string
	Meaning         string
	SignedAt        time.Time
	IP              string
}

// TableName tells GORM the table.
func (CheckoffSignOff) TableName() string { return "checkoff_signoffs" }

// SessionRecord is one classroom session in a transcript: the training
// record OSHA 29 CFR 1910.1030(h)(2) asks for, with the person's name and
// job title as recorded at the session.
type SessionRecord struct {
	EmployeeID           string
	CourseID             string
	ModuleID             string
	StartsAt             time.Time
	EndsAt               time.Time
	TimeZone             string
	Place                string
	VideoURL             string
	TrainerName          string
	TrainerQualification string
	EmployeeName         string
	JobTitle             string
	Attendance           string
	Late                 bool
	LeftEarly            bool
	CheckInMethod        string
	MarkedByName         string
}

// AttendanceLabel is how the session's attendance reads.
func (r *SessionRecord) AttendanceLabel() string {
	if r.Attendance == "no_show" {
		return "No-show"
	}
	w := "Attended"
	if r.Late {
		w += ", arrived late"
	}
	if r.LeftEarly {
		w += ", left early"
	}
	if r.CheckInMethod == "qr" {
		w += " (checked in with the room's QR code)"
	}
	return w
}

// When is the session's times in UTC.
func (r *SessionRecord) When() string {
	return Moment(r.StartsAt) + " – " + r.EndsAt.UTC().Format("15:04") + " UTC"
}

// CycleRecord is one cycle and every record made in it.
type CycleRecord struct {
	Cycle *compliance.Cycle
	// Status is the cycle's status as of the transcript's time.
	Status compliance.CycleStatus
	// CourseVersion is the content version the cycle was completed on
	// (nil until completed, and for imported completions).
	CourseVersion *Version
	// Certificate is nil until the cycle is completed in Onramp.
	Certificate *learning.Certificate
	// Imported is set when the completion came from the previous system.
	Imported     *Imported
	Steps        []StepRecord
	Attempts     []AttemptRecord
	Videos       []VideoRecord
	Attestations []AttestationRecord
	// Checkoffs are the skills check-offs observed in the cycle.
	Checkoffs []CheckoffRecord
	// Sessions are the classroom sessions of the course held while this
	// was the person's current cycle (also in CourseRecord.Sessions).
	Sessions []*SessionRecord
	// Changes are the extensions and exemptions granted, oldest first.
	Changes []*compliance.CycleChange
}

// Version is a content version, without its text.
type Version struct {
	ID            string
	CourseID      string
	ModuleID      string
	Hash          string
	Title         string
	PolicyVersion string
	CreatedAt     time.Time
}

// TableName tells GORM the table.
func (Version) TableName() string { return "content_versions" }

// Short is the start of the hash, the way authors see a version.
func (v *Version) Short() string {
	if v == nil {
		return ""
	}
	if len(v.Hash) > 12 {
		return v.Hash[:12]
	}
	return v.Hash
}

// Imported is what the previous system said about an imported completion.
type Imported struct {
	ID          string
	CycleID     string
	EmployeeID  string
	CourseID    string
	CompletedAt time.Time
	Score       *int
	Evidence    string
	SourceFile  string
	SourceRow   int
	ImportedAt  time.Time
}

// TableName tells GORM the table.
func (Imported) TableName() string { return "imported_completions" }

// StepRecord is one step's progress, with the module version it was done on.
type StepRecord struct {
	Module, Step string
	Progress     *learning.StepProgress
	Version      *Version
}

// AttemptRecord is one quiz attempt (without its questions and answers).
type AttemptRecord struct {
	Module, Step string
	Attempt      *learning.QuizAttempt
	Version      *Version
}

// VideoRecord is how much of one video the server credited.
type VideoRecord struct {
	Module, Step string
	Progress     *learning.VideoProgress
}

// WatchedPercent is the share of the video watched, 0–100, rounded down.
func (v VideoRecord) WatchedPercent() int { return int(v.Progress.WatchedFraction() * 100) }

// AttestationRecord is one signature.
type AttestationRecord struct {
	Module, Step string
	Attestation  *learning.Attestation
	Version      *Version
}

// Source reads transcripts.
type Source struct {
	// Catalog names modules and steps; records of modules no longer in it
	// show the title their content version was published with.
	Catalog *catalog.Catalog
}

// Transcript loads one employee's transcript from q (a database or a
// transaction) as of now.
func (s *Source) Transcript(ctx context.Context, q *gorm.DB, employeeID string, now time.Time) (*Transcript, error) {
	var emp people.Employee
	err := q.WithContext(ctx).Where("id = ?", employeeID).Take(&emp).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load employee: %w", err)
	}
	ts, _, err := s.Transcripts(ctx, q, []*people.Employee{&emp}, now)
	if err != nil {
		return nil, err
	}
	return ts[0], nil
}

// loadChunk bounds the IDs in one "IN (…)": both databases' parameter
// limits stay far away.
const loadChunk = 400

// Transcripts loads the transcripts of emps (in their order) and returns
// them with every content version they reference, by ID.
func (s *Source) Transcripts(ctx context.Context, q *gorm.DB, emps []*people.Employee, now time.Time) ([]*Transcript, map[string]*Version, error) {
	q = q.WithContext(ctx)
	out := make([]*Transcript, 0, len(emps))
	versions := map[string]*Version{}
	titles, err := courseTitles(q)
	if err != nil {
		return nil, nil, err
	}
	for start := 0; start < len(emps); start += loadChunk {
		part := emps[start:min(start+loadChunk, len(emps))]
		ts, err := s.loadChunk(q, part, titles, versions, now)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, ts...)
	}
	return out, versions, nil
}

func courseTitles(q *gorm.DB) (map[string]string, error) {
	var rows []struct{ ID, Title string }
	if err := q.Table("courses").Select("id, title").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load courses: %w", err)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.ID] = r.Title
	}
	return m, nil
}

// chunkRecords is every record of one chunk of employees.
type chunkRecords struct {
	assignments  []*compliance.Assignment
	cycles       []*compliance.Cycle
	steps        []*learning.StepProgress
	attempts     []*learning.QuizAttempt
	videos       []*learning.VideoProgress
	attestations []*learning.Attestation
	certificates []*learning.Certificate
	imported     []*Imported
	changes      []*compliance.CycleChange
	sessions     []*SessionRecord
	marks        []*CheckoffMark
	signoffs     []*CheckoffSignOff
	questions    []*QuestionRecord
}

func loadRecords(q *gorm.DB, ids []string) (*chunkRecords, error) {
	r := &chunkRecords{}
	loads := []struct {
		what string
		run  func() error
	}{
		{"assignments", func() error { return q.Where("employee_id IN ?", ids).Find(&r.assignments).Error }},
		{"cycles", func() error { return q.Where("employee_id IN ?", ids).Order("course_id, number").Find(&r.cycles).Error }},
		{"step progress", func() error {
			return q.Where("employee_id IN ?", ids).Order("started_at, module_id, step_id").Find(&r.steps).Error
		}},
		{"quiz attempts", func() error {
			// The drawn questions and the answers stay out: a transcript
			// shows grades, and the draw holds the answer key.
			return q.Omit("questions", "answers").Where("employee_id IN ?", ids).Order("started_at, number").Find(&r.attempts).Error
		}},
		{"video progress", func() error {
			return q.Omit("segments").Where("employee_id IN ?", ids).Order("created_at, module_id, step_id").Find(&r.videos).Error
		}},
		{"attestations", func() error { return q.Where("employee_id IN ?", ids).Order("signed_at").Find(&r.attestations).Error }},
		{"certificates", func() error { return q.Where("employee_id IN ?", ids).Find(&r.certificates).Error }},
		{"imported completions", func() error { return q.Where("employee_id IN ?", ids).Find(&r.imported).Error }},
		{"training sessions", func() error {
			return q.Raw(`SELECT b.employee_id, s.course_id, s.module_id, s.starts_at, s.ends_at, s.time_zone, s.place, s.video_url,
				s.trainer_name, s.trainer_qualification, b.employee_name, b.job_title, b.attendance, b.late, b.left_early,
				b.check_in_method, b.marked_by_name
				FROM session_bookings b JOIN training_sessions s ON s.id = b.session_id
				WHERE b.employee_id IN ? AND b.attendance <> '' ORDER BY s.starts_at, s.id`, ids).Scan(&r.sessions).Error
		}},
		{"check-off marks", func() error {
			return q.Where("employee_id IN ?", ids).Order("marked_at, id").Find(&r.marks).Error
		}},
		{"check-off sign-offs", func() error { return q.Where("employee_id IN ?", ids).Order("signed_at").Find(&r.signoffs).Error }},
		{"questions", func() error { return q.Where("employee_id IN ?", ids).Order("asked_at, id").Find(&r.questions).Error }},
		{"extensions and exemptions", func() error {
			return q.Table("cycle_changes").Select("cycle_changes.*").
				Joins("JOIN cycles ON cycles.id = cycle_changes.cycle_id").
				Where("cycles.employee_id IN ?", ids).Order("cycle_changes.created_at").Find(&r.changes).Error
		}},
	}
	for _, l := range loads {
		if err := l.run(); err != nil {
			return nil, fmt.Errorf("load %s: %w", l.what, err)
		}
	}
	return r, nil
}

// loadVersions adds to versions the content versions among ids it lacks.
func loadVersions(q *gorm.DB, ids []string, versions map[string]*Version) error {
	var missing []string
	for _, id := range ids {
		if _, ok := versions[id]; !ok && id != "" {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	for start := 0; start < len(missing); start += loadChunk {
		var vs []*Version
		part := missing[start:min(start+loadChunk, len(missing))]
		err := q.Select("id, course_id, module_id, hash, title, policy_version, created_at").Where("id IN ?", part).Find(&vs).Error
		if err != nil {
			return fmt.Errorf("load content versions: %w", err)
		}
		for _, v := range vs {
			versions[v.ID] = v
		}
	}
	return nil
}

func (s *Source) loadChunk(q *gorm.DB, emps []*people.Employee, titles map[string]string, versions map[string]*Version, now time.Time) ([]*Transcript, error) {
	ids := make([]string, len(emps))
	managerIDs := []string{}
	for i, e := range emps {
		ids[i] = e.ID
		if e.ManagerID != nil && *e.ManagerID != "" {
			managerIDs = append(managerIDs, *e.ManagerID)
		}
	}
	r, err := loadRecords(q, ids)
	if err != nil {
		return nil, err
	}
	// Managers, and HR admins who granted extensions and exemptions, by
	// name rather than ID.
	for _, ch := range r.changes {
		if ch.ChangedBy != "" {
			managerIDs = append(managerIDs, ch.ChangedBy)
		}
	}
	managers := map[string]string{}
	if len(managerIDs) > 0 {
		slices.Sort(managerIDs)
		managerIDs = slices.Compact(managerIDs)
		var ms []*people.Employee
		if err := q.Select("id, first_name, last_name").Where("id IN ?", managerIDs).Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("load managers: %w", err)
		}
		for _, m := range ms {
			managers[m.ID] = m.FullName()
		}
	}
	for _, ch := range r.changes {
		if name := managers[ch.ChangedBy]; name != "" {
			ch.ChangedBy = name
		}
	}

	var versionIDs []string
	for _, c := range r.cycles {
		if c.CourseVersionID != nil {
			versionIDs = append(versionIDs, *c.CourseVersionID)
		}
	}
	for _, p := range r.steps {
		versionIDs = append(versionIDs, p.ModuleVersionID)
	}
	for _, a := range r.attempts {
		versionIDs = append(versionIDs, a.ModuleVersionID)
	}
	for _, a := range r.attestations {
		versionIDs = append(versionIDs, a.ModuleVersionID)
	}
	for _, c := range r.certificates {
		versionIDs = append(versionIDs, c.CourseVersionID)
	}
	for _, so := range r.signoffs {
		versionIDs = append(versionIDs, so.ModuleVersionID)
	}
	if err := loadVersions(q, versionIDs, versions); err != nil {
		return nil, err
	}

	byCycle := map[string]*CycleRecord{}
	cyclesOf := map[string][]*CycleRecord{} // by assignment
	for _, c := range r.cycles {
		cr := &CycleRecord{Cycle: c, Status: c.DisplayStatus(now)}
		if c.CourseVersionID != nil {
			cr.CourseVersion = versions[*c.CourseVersionID]
		}
		byCycle[c.ID] = cr
		cyclesOf[c.AssignmentID] = append(cyclesOf[c.AssignmentID], cr)
	}
	names := s.namer(versions)
	for _, p := range r.steps {
		if cr := byCycle[p.CycleID]; cr != nil {
			m, st := names(cr.Cycle.CourseID, p.ModuleID, p.StepID, p.ModuleVersionID)
			cr.Steps = append(cr.Steps, StepRecord{Module: m, Step: st, Progress: p, Version: versions[p.ModuleVersionID]})
		}
	}
	for _, a := range r.attempts {
		if cr := byCycle[a.CycleID]; cr != nil {
			m, st := names(cr.Cycle.CourseID, a.ModuleID, a.StepID, a.ModuleVersionID)
			cr.Attempts = append(cr.Attempts, AttemptRecord{Module: m, Step: st, Attempt: a, Version: versions[a.ModuleVersionID]})
		}
	}
	for _, v := range r.videos {
		if cr := byCycle[v.CycleID]; cr != nil {
			m, st := names(cr.Cycle.CourseID, v.ModuleID, v.StepID, "")
			cr.Videos = append(cr.Videos, VideoRecord{Module: m, Step: st, Progress: v})
		}
	}
	for _, a := range r.attestations {
		if cr := byCycle[a.CycleID]; cr != nil {
			m, st := names(cr.Cycle.CourseID, a.ModuleID, a.StepID, a.ModuleVersionID)
			cr.Attestations = append(cr.Attestations, AttestationRecord{Module: m, Step: st, Attestation: a, Version: versions[a.ModuleVersionID]})
		}
	}
	for _, c := range r.certificates {
		if cr := byCycle[c.CycleID]; cr != nil {
			cr.Certificate = c
			if cr.CourseVersion == nil {
				cr.CourseVersion = versions[c.CourseVersionID]
			}
		}
	}
	for _, imp := range r.imported {
		if cr := byCycle[imp.CycleID]; cr != nil {
			cr.Imported = imp
		}
	}
	for _, ch := range r.changes {
		if cr := byCycle[ch.CycleID]; cr != nil {
			cr.Changes = append(cr.Changes, ch)
		}
	}
	s.addCheckoffs(byCycle, r.marks, r.signoffs, names)
	// Steps opened at the same moment (a seeded record, an imported one)
	// follow the course's order.
	for _, cr := range byCycle {
		sort.SliceStable(cr.Steps, func(a, b int) bool {
			pa, pb := cr.Steps[a].Progress, cr.Steps[b].Progress
			if !pa.StartedAt.Equal(pb.StartedAt) {
				return pa.StartedAt.Before(pb.StartedAt)
			}
			return s.stepOrder(cr.Cycle.CourseID, pa.ModuleID, pa.StepID) < s.stepOrder(cr.Cycle.CourseID, pb.ModuleID, pb.StepID)
		})
	}

	courses := map[string][]*CourseRecord{} // by employee
	for _, a := range r.assignments {
		title := titles[a.CourseID]
		if title == "" {
			title = a.CourseID
		}
		courses[a.EmployeeID] = append(courses[a.EmployeeID], &CourseRecord{
			CourseID: a.CourseID, Title: title, AssignmentStatus: a.Status, ClosedReason: a.ClosedReason,
			Cycles: cyclesOf[a.ID],
		})
	}
	for _, se := range r.sessions {
		for _, cr := range courses[se.EmployeeID] {
			if cr.CourseID == se.CourseID {
				cr.Sessions = append(cr.Sessions, se)
				if cy := cycleAt(cr.Cycles, se.StartsAt); cy != nil {
					cy.Sessions = append(cy.Sessions, se)
				}
			}
		}
	}
	for _, qu := range r.questions {
		for _, cr := range courses[qu.EmployeeID] {
			if cr.CourseID == qu.CourseID {
				cr.Questions = append(cr.Questions, qu)
			}
		}
	}
	out := make([]*Transcript, len(emps))
	for i, e := range emps {
		t := &Transcript{Employee: e, GeneratedAt: now.UTC(), Courses: courses[e.ID]}
		if e.ManagerID != nil {
			t.ManagerName = managers[*e.ManagerID]
		}
		sort.SliceStable(t.Courses, func(a, b int) bool {
			if t.Courses[a].Title != t.Courses[b].Title {
				return t.Courses[a].Title < t.Courses[b].Title
			}
			return t.Courses[a].CourseID < t.Courses[b].CourseID
		})
		out[i] = t
	}
	return out, nil
}

// cycleAt is the cycle that was current at t: the latest whose window had
// opened (the first when none had).
func cycleAt(cycles []*CycleRecord, t time.Time) *CycleRecord {
	var out *CycleRecord
	for _, cr := range cycles {
		if out == nil || !cr.Cycle.WindowOpensAt.After(t) {
			out = cr
		}
	}
	return out
}

// addCheckoffs gives each cycle its check-offs: every check-off step with
// a mark or a sign-off, its skills in the course's order with their latest
// marks.
func (s *Source) addCheckoffs(byCycle map[string]*CycleRecord, marks []*CheckoffMark, signoffs []*CheckoffSignOff,
	names func(courseID, moduleID, stepID, versionID string) (string, string)) {
	type key struct{ cycle, module, step string }
	latest := map[key]map[string]*CheckoffMark{}
	var order []key
	seen := map[key]bool{}
	add := func(k key) {
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
	}
	for _, m := range marks {
		k := key{m.CycleID, m.ModuleID, m.StepID}
		add(k)
		if latest[k] == nil {
			latest[k] = map[string]*CheckoffMark{}
		}
		latest[k][m.SkillID] = m // marks come oldest first
	}
	signed := map[key]*CheckoffSignOff{}
	for _, so := range signoffs {
		k := key{so.CycleID, so.ModuleID, so.StepID}
		add(k)
		signed[k] = so
	}
	for _, k := range order {
		cr := byCycle[k.cycle]
		if cr == nil {
			continue
		}
		version := ""
		if so := signed[k]; so != nil {
			version = so.ModuleVersionID
		}
		mod, step := names(cr.Cycle.CourseID, k.module, k.step, version)
		rec := CheckoffRecord{Module: mod, Step: step, ModuleID: k.module, StepID: k.step, SignOff: signed[k]}
		listed := map[string]bool{}
		if s.Catalog != nil {
			if c := s.Catalog.Course(cr.Cycle.CourseID); c != nil {
				if st := c.Module(k.module).Step(k.step); st != nil && st.Checkoff != nil {
					for _, sk := range st.Checkoff.Skills {
						listed[sk.ID] = true
						rec.Skills = append(rec.Skills, SkillRecord{Skill: sk.Title, Mark: latest[k][sk.ID]})
					}
				}
			}
		}
		// Skills no longer in the course keep their marks, by ID.
		var gone []string
		for id := range latest[k] {
			if !listed[id] {
				gone = append(gone, id)
			}
		}
		slices.Sort(gone)
		for _, id := range gone {
			rec.Skills = append(rec.Skills, SkillRecord{Skill: id, Mark: latest[k][id]})
		}
		cr.Checkoffs = append(cr.Checkoffs, rec)
	}
}

// namer returns a function naming a module and step: the catalog's titles,
// else the title the module's version was published with, else the IDs.
func (s *Source) namer(versions map[string]*Version) func(courseID, moduleID, stepID, versionID string) (string, string) {
	return func(courseID, moduleID, stepID, versionID string) (string, string) {
		module, step := moduleID, stepID
		if v := versions[versionID]; v != nil && v.Title != "" {
			module = v.Title
		}
		if s.Catalog == nil {
			return module, step
		}
		course := s.Catalog.Course(courseID)
		if course == nil {
			return module, step
		}
		m := course.Module(moduleID)
		if m == nil {
			return module, step
		}
		if st := m.Step(stepID); st != nil {
			step = st.Title
		}
		return m.Title, step
	}
}

// stepOrder is a step's position in its course (modules of the full path,
// then the refresher's own), for sorting; unknown steps go last.
func (s *Source) stepOrder(courseID, moduleID, stepID string) int {
	if s.Catalog == nil {
		return 1 << 30
	}
	course := s.Catalog.Course(courseID)
	if course == nil {
		return 1 << 30
	}
	for i, m := range course.AllModules() {
		if m.ID != moduleID {
			continue
		}
		for k, st := range m.Steps {
			if st.ID == stepID {
				return i*1000 + k
			}
		}
		return i*1000 + 999
	}
	return 1 << 30
}
