// Package catalog reads the courses in content/ (or a directory that
// overrides it), validates them, versions them by a hash of their sources and
// syncs those versions into the database so every record can point at the
// version it was made on.
//
// It knows nothing of HTTP or templates: it hands out sanitised HTML for
// pages and policy texts, and the bytes of media files.
package catalog

import (
	"html/template"
	"io/fs"
)

// StepType is the kind of a module step.
type StepType string

// The step types a module may use.
const (
	StepPage            StepType = "page"
	StepVideo           StepType = "video"
	StepQuiz            StepType = "quiz"
	StepAcknowledgement StepType = "acknowledgement"
	// StepSession is delivered in an instructor-led session: attending
	// (recorded by the trainer or by the attendee's QR check-in) completes
	// it. See internal/orientation.
	StepSession StepType = "session"
	// StepCheckoff is a skills check-off: an observer watches each skill
	// and signs the list off. The learner cannot complete it alone.
	StepCheckoff StepType = "checkoff"
)

// ByOthers reports whether the step is completed by someone other than the
// learner (a trainer or an observer), never by the learner's own action.
func (t StepType) ByOthers() bool { return t == StepSession || t == StepCheckoff }

// QuestionType is the kind of a quiz question.
type QuestionType string

// The question types a quiz may use.
const (
	SingleChoice   QuestionType = "single"
	MultipleChoice QuestionType = "multiple"
	TrueFalse      QuestionType = "true_false"
)

// Catalog is every course that was loaded, in a stable order.
type Catalog struct {
	Courses []*Course
	byID    map[string]*Course
	fsys    fs.FS
}

// Course is a set of modules with a completion rule: every required step of
// every module on the learner's path.
type Course struct {
	ID               string
	Title            string
	Summary          string
	EstimatedMinutes int
	// Modules is the full path, in order.
	Modules []*Module
	// RefresherModules is the recertification path for people whose previous
	// cycle was completed. Empty means the full path is used every time.
	RefresherModules []*Module
	// RefresherName is what the course calls its refresher (refresher.name
	// in course.yaml); RefresherLabel gives the default.
	RefresherName string
	// DefaultRule is the assignment rule the course file declares, if any.
	DefaultRule *RuleSpec
	// Resources are extra documents linked from the course page (e.g. the
	// printable quick-reference sheet).
	Resources []*Resource
	// Nudges are the short refresher nudges sent between annual refreshers.
	Nudges []*Nudge
	// Contact is who answers learners' questions about the course
	// (course.yaml `contact:`), or nil.
	Contact *Contact
	// Unlock says when acknowledgements and final quizzes open (course.yaml
	// `unlock:`); the zero value is the default order.
	Unlock Unlock
	// Dir is the course's directory inside the content file system.
	Dir string
	// Source is the course file's text.
	Source string
	// Hash is the content version of the course: a SHA-256 over the course
	// file and every module's hash.
	Hash string
	// VersionID is the content_versions row for Hash, set by Sync.
	VersionID string

	modules map[string]*Module
	// media is every file (path inside the course directory) that a step or
	// resource uses: the only files the HTTP layer may serve.
	media map[string]bool
}

// The values of course.yaml's `unlock.acknowledgement` and
// `unlock.final_quiz`.
const (
	// UnlockAfterOtherSteps (the default for acknowledgements): an
	// acknowledgement opens once every other required step of the
	// learner's path is done (acknowledgements later on the path apart).
	UnlockAfterOtherSteps = "after_other_steps"
	// UnlockAfterContent (the default for final quizzes): a final quiz
	// opens once every required step before it on the path is done
	// (acknowledgements apart).
	UnlockAfterContent = "after_content"
	// UnlockAnytime: the step is open from the start.
	UnlockAnytime = "anytime"
)

// Unlock relaxes the default order of a course's steps. By default the
// signature comes last and the final quiz after the content.
type Unlock struct {
	// AcknowledgementAnytime: acknowledgements are open from the start.
	AcknowledgementAnytime bool
	// FinalQuizAnytime: final quizzes are open from the start.
	FinalQuizAnytime bool
}

// IsFinalQuiz reports whether st is a final quiz: a quiz step in a module
// made only of quiz steps (a quiz module such as the course's final quiz, as
// opposed to a knowledge check at the end of a module with content).
func (m *Module) IsFinalQuiz(st *Step) bool {
	if st == nil || st.Type != StepQuiz {
		return false
	}
	for _, x := range m.Steps {
		if x.Type != StepQuiz {
			return false
		}
	}
	return true
}

// Module is an ordered list of steps.
type Module struct {
	ID      string
	Title   string
	Minutes int
	Steps   []*Step
	// File is the module's path inside the content file system.
	File string
	// Source is the module's text, with the text of every bank it uses.
	Source string
	// Hash is the module's content version: SHA-256 over its file, its
	// question banks and its media files.
	Hash string
	// VersionID is the content_versions row for Hash, set by Sync.
	VersionID string
	// PolicyVersion is the policy_version of the module's acknowledgement
	// step, if it has one: the material version that requires re-signing.
	PolicyVersion string
}

// Step is one page, video, quiz or acknowledgement.
type Step struct {
	ID       string
	Title    string
	Type     StepType
	Required bool
	// HTML is the sanitised body of a page, the policy text of an
	// acknowledgement, or the introduction of a quiz or video.
	HTML template.HTML
	// Markdown is the body's source.
	Markdown string

	Video    *Video
	Quiz     *Quiz
	Ack      *Acknowledgement
	Session  *SessionStep
	Checkoff *Checkoff
}

// SessionStep is a module step delivered in a classroom or video-call
// session. Its body (Markdown) is the summary of what the session covers,
// printed on the sign-in sheet and the attendance record.
type SessionStep struct {
	// Minutes is how long the session lasts, for time estimates.
	Minutes int
}

// Checkoff is a list of skills an observer watches the person do.
type Checkoff struct {
	Skills []*Skill
	// Statement is the meaning of the observer's signature.
	Statement string
}

// Skill is one skill of a check-off and what the observer must see.
type Skill struct {
	ID      string
	Title   string
	Observe string
}

// Video is a self-hosted video with captions and a transcript.
type Video struct {
	// Src, Captions and Poster are paths inside the course directory.
	Src      string
	Captions string
	// CaptionsLang is the BCP 47 language of the captions (default "en").
	CaptionsLang string
	Poster       string
	// Transcript is the transcript's text and TranscriptHTML its rendering.
	Transcript     string
	TranscriptHTML template.HTML
	// TranscriptFile is the transcript's path inside the course directory.
	TranscriptFile string
	// DurationSeconds is read from the MP4 file.
	DurationSeconds float64
}

// Quiz is a question bank with its drawing and grading rules. Grading happens
// on the server only.
type Quiz struct {
	// PassMark is the percentage needed to pass (0–100).
	PassMark int
	// Draw is how many questions each attempt draws; 0 means all of them.
	Draw int
	// Attempts is the most attempts allowed per cycle; 0 means no limit.
	Attempts int
	// ShuffleOptions shuffles each question's options per attempt.
	ShuffleOptions bool
	// Questions are the quiz's questions in file order. They are shared
	// with other quizzes drawing on the same bank: copy before reordering.
	Questions []*Question
	// Bank is the question bank's path inside the course directory, or ""
	// when the questions are written in the module.
	Bank string
}

// Question is one quiz question. A true_false question has two options,
// TrueOptionID ("True") and FalseOptionID ("False"), one of them correct.
type Question struct {
	ID          string
	Type        QuestionType
	Text        string
	Explanation string
	Options     []*Option
}

// Option is one answer to a question.
type Option struct {
	ID      string
	Text    string
	Correct bool
}

// Acknowledgement is a policy the employee attests to with a typed-name
// e-signature.
type Acknowledgement struct {
	// PolicyVersion is the material version of the policy. Changing it means
	// everyone must sign again; editing the text without changing it does not.
	PolicyVersion string
	// Statement is the meaning of the signature, shown beside it and stored
	// with it (e.g. "I have read and will follow these guidelines").
	Statement string
}

// Contact is a knowledgeable person or a shared mailbox that answers
// learners' questions (OSHA 1910.1030(h)(2): e-learning comes with access
// to someone who can answer).
type Contact struct {
	Name  string
	Email string
}

// Resource is an extra document linked from the course page.
type Resource struct {
	ID    string
	Title string
	// HTML is the rendered Markdown, for a printable page.
	HTML template.HTML
	// File is the Markdown file's path inside the course directory and
	// Markdown its text.
	File     string
	Markdown string
	// PDF is the path of a PDF version inside the course directory, if any.
	PDF string
}

// Nudge is one guideline and one question, sent between refreshers.
type Nudge struct {
	ID        string
	Guideline string
	Question  *Question
}

// RuleSpec is an assignment rule declared in a course file.
type RuleSpec struct {
	Name string
	// Everyone, or the people matching all of the non-empty lists.
	Everyone    bool
	Departments []string
	JobTitles   []string
	Locations   []string
	// DueDays after DueFrom ("hire" or "matched").
	DueDays int
	DueFrom string
	// Recurrence; EveryMonths 0 means a one-time course.
	EveryMonths int
	WindowDays  int
	// Base is "completion", "expiry" or "fixed".
	Base string
	// FixedMonth and FixedDay give the date for Base "fixed".
	FixedMonth int
	FixedDay   int
}

// Course returns the course with the given ID, or nil.
func (c *Catalog) Course(id string) *Course {
	if c == nil {
		return nil
	}
	return c.byID[id]
}

// FS returns the file system the catalog was loaded from, for serving media.
func (c *Catalog) FS() fs.FS { return c.fsys }

// Module returns the module with the given ID, or nil.
func (c *Course) Module(id string) *Module {
	if c == nil {
		return nil
	}
	return c.modules[id]
}

// DefaultRefresherName is a refresher's name when the course gives none.
const DefaultRefresherName = "Annual refresher"

// RefresherLabel is what a refresher cycle of the course is called.
func (c *Course) RefresherLabel() string {
	if c != nil && c.RefresherName != "" {
		return c.RefresherName
	}
	return DefaultRefresherName
}

// Minutes is how long a path takes: the sum of its modules' minutes, or
// the course's estimated_minutes when no module gives its time.
func (c *Course) Minutes(refresher bool) int {
	if c == nil {
		return 0
	}
	total := 0
	for _, m := range c.Path(refresher) {
		total += m.Minutes
	}
	if total == 0 {
		return c.EstimatedMinutes
	}
	return total
}

// Path returns the modules a learner must complete: the refresher path when
// refresher is true and the course declares one, the full path otherwise.
func (c *Course) Path(refresher bool) []*Module {
	if refresher && len(c.RefresherModules) > 0 {
		return c.RefresherModules
	}
	return c.Modules
}

// Step returns the step with the given ID, or nil.
func (m *Module) Step(id string) *Step {
	if m == nil {
		return nil
	}
	for _, s := range m.Steps {
		if s.ID == id {
			return s
		}
	}
	return nil
}
