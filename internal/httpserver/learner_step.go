package httpserver

import (
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/apperr"
	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/web/views"
)

// learnerStep shows one step in the player and records that it was opened.
func (s *Server) learnerStep(c echo.Context) error {
	j, m, st, err := s.journeyStep(c)
	if err != nil {
		return err
	}
	v, err := s.stepView(c, j, m, st, nil)
	if err != nil {
		return err
	}
	noStore(c)
	return render(c, http.StatusOK, views.LearnerStep(s.page(c, st.Title, "learn"), v))
}

// learnerPageDone records that a page was read and moves on.
func (s *Server) learnerPageDone(c echo.Context) error {
	j, m, st, err := s.journeyStep(c)
	if err != nil {
		return err
	}
	if _, err := s.Learning.CompletePage(c.Request().Context(), j, m, st); err != nil {
		return err
	}
	return redirectSeeOther(c, afterStep(j, m, st))
}

// stepView builds the player's view model; ack carries a refused signature
// back to the form.
func (s *Server) stepView(c echo.Context, j *learning.Journey, m *catalog.Module, st *catalog.Step, ack *views.AckPanel) (views.StepView, error) {
	ctx := c.Request().Context()
	v := views.StepView{
		CourseTitle: j.Course.Title, CourseURL: courseURL(j.Course.ID), ModuleTitle: m.Title,
		Title: st.Title, Type: string(st.Type), BodyHTML: st.HTML,
		ActionURL: stepURL(j.Course.ID, m.ID, st.ID), ReadOnly: j.ReadOnly(), Count: len(m.Steps),
	}
	for i, x := range m.Steps {
		if x == st {
			v.Number = i + 1
		}
	}
	switch st.Type {
	case catalog.StepVideo:
		if st.Video == nil {
			return v, errNoPage
		}
		vv, err := s.Learning.OpenVideo(ctx, j, m, st)
		if err != nil {
			return v, err
		}
		v.Video = videoPanel(j, m, st, vv)
	default:
		if lock := j.Locked(m, st); lock != nil {
			// Not open yet: shown with what to do first, not recorded as opened.
			v.Lock = lockPanel(j, lock)
			break
		}
		if err := s.Learning.OpenStep(ctx, j, m, st); err != nil {
			return v, err
		}
	}
	switch st.Type {
	case catalog.StepQuiz:
		qs, err := s.Learning.QuizStatus(ctx, j, m, st)
		if err != nil {
			return v, err
		}
		v.Quiz = quizPanel(j, m, st, qs)
	case catalog.StepAcknowledgement:
		if ack == nil {
			ack = &views.AckPanel{}
		}
		ack.Statement, ack.ExpectedName = learning.Statement(st), j.Employee.FullName()
		att, err := s.Learning.Attestation(ctx, j, m, st)
		if err != nil {
			return v, err
		}
		if att != nil {
			ack.Signed = &views.Signed{Name: att.PrintedName, When: formatMoment(att.SignedAt), Meaning: att.Meaning, PolicyVersion: att.PolicyVersion}
		}
		v.Ack = ack
	case catalog.StepSession, catalog.StepCheckoff:
		if err := s.orientationPanels(c, j, m, st, &v); err != nil {
			return v, err
		}
	}
	v.Done = j.Done(m.ID, st.ID)
	v.Steps = stepItems(j, m, st)
	if prev := j.Previous(m, st); prev != nil {
		v.PrevURL = stepURL(j.Course.ID, m.ID, prev.ID)
	}
	switch nm, nst := j.Next(m, st); {
	case nm == m:
		v.NextURL, v.NextLabel = stepURL(j.Course.ID, nm.ID, nst.ID), "Next step"
	case nm != nil:
		v.NextURL, v.NextLabel = stepURL(j.Course.ID, nm.ID, nst.ID), "Next module: "+nm.Title
	default:
		v.NextURL, v.NextLabel = afterStep(j, m, st), "Back to the course"
		if j.AllDone() {
			v.NextLabel = "Finish"
		}
	}
	return v, nil
}

func videoPanel(j *learning.Journey, m *catalog.Module, st *catalog.Step, vv learning.VideoView) *views.VideoPanel {
	vid := st.Video
	p := &views.VideoPanel{
		SrcURL: mediaURL(j.Course.ID, vid.Src), CaptionsLang: vid.CaptionsLang, TranscriptHTML: vid.TranscriptHTML,
		BeaconURL: stepURL(j.Course.ID, m.ID, st.ID) + "/video", ViewingID: vv.ViewingID,
		Position: seconds(vv.State.PositionSeconds), Furthest: seconds(vv.State.FurthestSeconds),
		Duration: seconds(vid.DurationSeconds), WatchedPercent: int(math.Floor(vv.State.WatchedFraction() * 100)),
		Done: vv.Done, DonePercent: int(math.Round(learning.CompletionFraction * 100)), MaxRate: learning.MaxPlaybackRate,
	}
	if p.CaptionsLang == "" {
		p.CaptionsLang = "en"
	}
	if vid.Captions != "" {
		p.CaptionsURL = mediaURL(j.Course.ID, vid.Captions)
	}
	if vid.Poster != "" {
		p.PosterURL = mediaURL(j.Course.ID, vid.Poster)
	}
	return p
}

// lockMessage says why a step is not open yet.
func lockMessage(l *learning.Lock) string {
	if l.Acknowledgement {
		return "You sign this last, once you have done every other step of the course."
	}
	return "The final quiz opens once you have done the steps before it."
}

// lockPanel is the notice shown in place of a locked step's form.
func lockPanel(j *learning.Journey, l *learning.Lock) *views.LockPanel {
	p := &views.LockPanel{Message: lockMessage(l)}
	for _, w := range l.Waiting {
		p.Waiting = append(p.Waiting, views.LinkItem{Title: w.Module.Title + ": " + w.Step.Title, URL: stepURL(j.Course.ID, w.Module.ID, w.Step.ID)})
	}
	return p
}

// lockedError refuses an action on a locked step (409) with what to do first.
func lockedError(l *learning.Lock) error {
	first := l.Waiting[0]
	msg := lockMessage(l) + " Next: “" + first.Module.Title + ": " + first.Step.Title + "”"
	if n := len(l.Waiting) - 1; n == 1 {
		msg += " and 1 other step."
	} else if n > 1 {
		msg += " and " + strconv.Itoa(n) + " other steps."
	} else {
		msg += "."
	}
	return apperr.New(apperr.Conflict, msg)
}

func seconds(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

func quizPanel(j *learning.Journey, m *catalog.Module, st *catalog.Step, qs learning.QuizStatus) *views.QuizPanel {
	q := st.Quiz
	count := len(q.Questions)
	if q.Draw > 0 && q.Draw < count {
		count = q.Draw
	}
	p := &views.QuizPanel{
		PassMark: q.PassMark, QuestionCount: count, Limit: q.Attempts, Used: qs.Used,
		Remaining: qs.Remaining(), Exhausted: qs.Exhausted(), Passed: qs.Passed != nil,
	}
	base := stepURL(j.Course.ID, m.ID, st.ID) + "/quiz/"
	if qs.Open != nil {
		p.OpenURL = base + qs.Open.ID
	}
	for _, a := range qs.Attempts {
		row := views.AttemptRow{Number: a.Number, URL: base + a.ID, Submitted: a.Submitted(), Score: a.ScorePercent, Passed: a.Passed}
		if a.SubmittedAt != nil {
			row.When = formatMoment(*a.SubmittedAt)
		}
		if a.Passed && a.ScorePercent > p.BestScore {
			p.BestScore = a.ScorePercent
		}
		p.Attempts = append(p.Attempts, row)
	}
	return p
}
