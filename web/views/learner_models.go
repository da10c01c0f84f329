package views

import "html/template"

// CourseCard is one course on the dashboard or a person's progress page.
type CourseCard struct {
	CourseID string
	Title    string
	Summary  string
	// URL is the course page; empty when the course has left the catalog.
	URL string
	// Status is the CSS class of the badge: overdue, open, in_progress,
	// completed, exempt, upcoming, expired.
	Status string
	// Badge says the status in words ("Due 1 April 2026").
	Badge string
	// When adds the date where the badge does not carry it.
	When        string
	Done, Total int
	// ActionText is Start, Continue or Review; ActionURL where it goes.
	ActionText, ActionURL string
	// Derivation says why the dates are what they are.
	Derivation     string
	CertificateURL string
	// Cycle names a refresher cycle ("Annual refresher"); empty for the
	// full course.
	Cycle string
	// Minutes is how long the cycle's path takes, added up from its steps.
	Minutes int
	// Waiting is true when a quiz has no attempts left: the learner waits
	// for HR or their manager to grant another.
	Waiting bool
}

// Percent is the share of required steps done, for people who read numbers.
func (c CourseCard) Percent() int {
	if c.Total == 0 {
		return 0
	}
	return c.Done * 100 / c.Total
}

// DashboardView is the learner's home page.
type DashboardView struct {
	FirstName string
	Cards     []CourseCard
}

// StepItem is a step in a module's step list.
type StepItem struct {
	Title     string
	URL       string
	TypeLabel string
	Done      bool
	Current   bool
	Required  bool
	// Locked says when a step that is not open yet opens ("" when open).
	Locked string
}

// ModuleItem is a module on the course page.
type ModuleItem struct {
	Title       string
	URL         string
	Minutes     int
	Done, Total int
	Steps       []StepItem
}

// LinkItem is a titled link.
type LinkItem struct {
	Title string
	URL   string
}

// CourseView is a course page.
type CourseView struct {
	Card             CourseCard
	EstimatedMinutes int
	Modules          []ModuleItem
	// Extra are modules not on this cycle's path (e.g. the full course for
	// someone on the refresher), to look back at.
	Extra     []ModuleItem
	Resources []LinkItem
	// Earlier are certificates of previous cycles.
	Earlier []LinkItem
	// Help links the course's sessions and "Ask a question" (internal/orientation).
	Help []LinkItem
}

// StepView is the module player showing one step.
type StepView struct {
	CourseTitle string
	CourseURL   string
	ModuleTitle string
	Steps       []StepItem
	Number      int
	Count       int
	Title       string
	Type        string
	Done        bool
	// BodyHTML is the page, the introduction, or the policy text.
	BodyHTML template.HTML
	// ActionURL is the step's URL; actions post to it plus a suffix.
	ActionURL string
	PrevURL   string
	NextURL   string
	NextLabel string
	Video     *VideoPanel
	Quiz      *QuizPanel
	Ack       *AckPanel
	Session   *SessionPanel
	Checkoff  *CheckoffPanel
	// ReadOnly is true when the cycle takes no more records.
	ReadOnly bool
	// Lock is set when the step is not open yet: what to do first.
	Lock *LockPanel
}

// LockPanel says why a step is not open yet and links the steps to do
// first.
type LockPanel struct {
	Message string
	Waiting []LinkItem
}

// VideoPanel is the player and its transcript.
type VideoPanel struct {
	SrcURL, CaptionsURL, CaptionsLang, PosterURL string
	TranscriptHTML                               template.HTML
	BeaconURL                                    string
	// ViewingID is the viewing this page load began; the player sends it
	// with every beacon. Empty when nothing can be recorded.
	ViewingID                    string
	Position, Furthest, Duration string
	WatchedPercent               int
	// DonePercent is the share that completes the step; MaxRate the
	// fastest playback the server credits (learning.MaxPlaybackRate).
	DonePercent int
	MaxRate     float64
	Done        bool
}

// AttemptRow is one earlier quiz attempt.
type AttemptRow struct {
	Number    int
	URL       string
	Submitted bool
	Score     int
	Passed    bool
	When      string
}

// QuizPanel is the quiz step's front page: the rules and the attempts.
type QuizPanel struct {
	PassMark      int
	QuestionCount int
	// Limit is the attempts allowed; 0 means no limit.
	Limit     int
	Used      int
	Remaining int
	OpenURL   string
	Passed    bool
	BestScore int
	Exhausted bool
	Attempts  []AttemptRow
}

// AckPanel is the acknowledgement form or the signature already given.
type AckPanel struct {
	Statement    string
	ExpectedName string
	TypedName    string
	Agreed       bool
	// Errors: the summary and each field's message.
	AgreeError string
	NameError  string
	Signed     *Signed
}

// Signed is a signature already given.
type Signed struct {
	Name          string
	When          string
	Meaning       string
	PolicyVersion string
}

// QuizOption is an option on the quiz form.
type QuizOption struct {
	ID      string
	InputID string
	Text    string
	Checked bool
}

// QuizQuestion is a question on the quiz form: no answer key.
type QuizQuestion struct {
	Number   int
	Name     string
	Text     string
	Multiple bool
	Options  []QuizOption
}

// QuizAttemptView is an open attempt: the questions to answer.
type QuizAttemptView struct {
	CourseTitle, CourseURL, ModuleTitle, StepTitle, StepURL string
	Number                                                  int
	Limit                                                   int
	PassMark                                                int
	SubmitURL                                               string
	Questions                                               []QuizQuestion
}

// ResultOption is an option as shown after grading.
type ResultOption struct {
	Text    string
	Chosen  bool
	Correct bool
}

// ResultItem is one graded question.
type ResultItem struct {
	Number      int
	Text        string
	Correct     bool
	Unanswered  bool
	Options     []ResultOption
	Explanation string
}

// QuizResultView is a submitted attempt.
type QuizResultView struct {
	CourseTitle, CourseURL, ModuleTitle, StepTitle, StepURL string
	Number                                                  int
	Score, PassMark, Correct, Count                         int
	Passed                                                  bool
	// Unanswered lists the unanswered questions' numbers in words ("2 and 3").
	Unanswered string
	// RevealKey shows which options were right: only once the quiz is
	// passed or no attempt is left, so a retry is not a copy exercise.
	RevealKey bool
	Items     []ResultItem
	// NextURL continues the course after a pass.
	NextURL   string
	NextLabel string
	// CanRetry: a failed attempt with attempts left.
	CanRetry  bool
	Remaining int
	Unlimited bool
	Exhausted bool
	RetryURL  string
}

// FinishedView congratulates the learner on completing a course.
type FinishedView struct {
	CourseTitle    string
	CourseURL      string
	CertificateURL string
	Completed      string
	Expires        string
}

// CertificateView is the printable certificate with its evidence.
type CertificateView struct {
	Name, JobTitle, Department, CourseTitle string
	Started, Completed, Expires             string
	Expired                                 bool
	Score, PassMark                         int
	HasScore                                bool
	Code                                    string
	VerifyURL                               string
	PDFURL                                  string
	CourseVersion                           string
	Evidence                                *EvidenceView
}

// EvidenceView is every record behind a completion.
type EvidenceView struct {
	Steps        []EvidenceStep
	Attempts     []EvidenceAttempt
	Videos       []EvidenceVideo
	Attestations []EvidenceAttestation
}

// EvidenceStep is one completed step and the content version it was done on.
type EvidenceStep struct {
	Module, Step, Started, Completed, Version string
}

// EvidenceAttempt is one quiz attempt.
type EvidenceAttempt struct {
	Step               string
	Number             int
	Started, Submitted string
	Correct, Count     int
	Score, PassMark    int
	Passed             bool
}

// EvidenceVideo is one video's watched fraction.
type EvidenceVideo struct {
	Step           string
	WatchedPercent int
	Watched        string
	Duration       string
}

// EvidenceAttestation is one signature.
type EvidenceAttestation struct {
	Step, PrintedName, Meaning, SignedAt, PolicyVersion, IP, UserAgent string
}

// VerifyView is the public certificate check.
type VerifyView struct {
	// Typed is the code as entered; empty shows only the form.
	Typed     string
	Found     bool
	Code      string
	Name      string
	Course    string
	Completed string
	Expires   string
	Valid     bool
}

// CertificateRow is a certificate in a list.
type CertificateRow struct {
	Course    string
	Completed string
	Expires   string
	Valid     bool
	URL       string
}

// PersonProgressView is one person's training, for them, their managers and HR.
type PersonProgressView struct {
	ID                         string
	Name, JobTitle, Department string
	Self                       bool
	Cards                      []CourseCard
	// Stuck are the quizzes the person waits for another attempt at,
	// shown with a grant form to a viewer who may grant (HR, manager).
	Stuck []StuckItem
	// ProgressURL is this page, where a grant returns.
	ProgressURL  string
	Certificates []CertificateRow
}

// ResourceView is a printable course document.
type ResourceView struct {
	CourseTitle string
	CourseURL   string
	Title       string
	HTML        template.HTML
	// OwnHeading is true when the document starts with its own h1.
	OwnHeading bool
	PDFURL     string
}
