package e2e

import (
	"strings"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// Where the fixture course's steps live (internal/catalog/testdata/README.md).
const (
	courseURL   = "/courses/basic"
	basicsStep  = "/courses/basic/modules/basics/steps/"
	videoStep   = "/courses/basic/modules/video/steps/watch"
	policyStep  = "/courses/basic/modules/sign/steps/policy"
	finishedURL = "/courses/basic/finished"
	courseCard  = `[data-testid=course-card][data-course=basic]`
)

// signIn fills in the sign-in form the tab is on and submits it.
func signIn(tb *tab, email string) {
	tb.t.Helper()
	if !strings.HasPrefix(tb.path(), "/login") {
		tb.fatalf("expected the sign-in page")
	}
	tb.expectText("h1", "Sign in")
	tb.typeInto("#email", email)
	tb.typeInto("#password", password)
	tb.follow(`[data-testid=login-form] button[type=submit]`, "signed in")
}

// readPage reads the page step at path and continues.
func readPage(tb *tab, path, title string) {
	tb.t.Helper()
	tb.expectPath(path)
	tb.expectText("h1", title)
	tb.follow("[data-testid=mark-read]", "read "+title)
}

// correctOptions returns the option IDs that answer each question of the
// quiz basics/check, by the form's input name ("answer-" + question ID).
func correctOptions(s *site) map[string][]string {
	s.t.Helper()
	course := s.App.Catalog.Course("basic")
	if course == nil {
		s.t.Fatal("the fixture course basic is not loaded")
	}
	right := map[string][]string{}
	for _, q := range course.Module("basics").Step("check").Quiz.Questions {
		for _, o := range q.Options {
			if o.Correct {
				right["answer-"+q.ID] = append(right["answer-"+q.ID], o.ID)
			}
		}
	}
	return right
}

// passQuiz starts the quiz on its step page, answers every question
// correctly by tapping or clicking the options, and submits.
func passQuiz(tb *tab, s *site) {
	tb.t.Helper()
	tb.expectPath(basicsStep + "check")
	tb.expectText("h1", "Knowledge check")
	tb.follow("[data-testid=quiz-start]", "quiz attempt")
	if !strings.HasPrefix(tb.path(), basicsStep+"check/quiz/") {
		tb.fatalf("starting the quiz did not open an attempt")
	}
	if n := tb.count("fieldset.question"); n != 3 {
		tb.fatalf("the attempt shows %d questions, want 3", n)
	}
	for name, ids := range correctOptions(s) {
		for _, id := range ids {
			// The visible label is what a person presses.
			input := `input[name="` + name + `"][value="` + id + `"]`
			tb.press(`label[for="` + tb.attr(input, "id") + `"]`)
			if !eval[bool](tb, `document.querySelector(`+js(input)+`).checked`) {
				tb.fatalf("pressing the label of %s did not choose it", input)
			}
		}
	}
	tb.follow("[data-testid=quiz-submit]", "quiz result")
	if got := tb.text("[data-testid=quiz-summary] strong"); got != "100%" {
		tb.fatalf("score %q, want 100%%", got)
	}
	if tb.count("[data-testid=result] .badge.completed") != 3 {
		tb.fatalf("not every answer is marked right")
	}
}

// watchVideo checks the video step's player (captions, transcript, no
// skipping ahead on the first viewing), plays it to the end at double
// speed, and checks that the player's own progress beacons got it credited:
// honestly, in real time, by the server.
func watchVideo(tb *tab, s *site, viewer *people.Employee) {
	tb.t.Helper()
	tb.expectPath(videoStep)
	const video = `document.getElementById("step-video")`
	if can := eval[string](tb, video+`.canPlayType('video/mp4; codecs="avc1.42E01E, mp4a.40.2"')`); can == "" {
		tb.fatalf("this browser cannot play H.264/AAC MP4, the only source the player offers")
	}
	tb.waitFor("the video's metadata", video+`.readyState >= 1 && `+video+`.duration > 19`, 15*time.Second)
	// Captions are on by default and their cues load.
	tb.waitFor("the captions", `(() => { const t = `+video+`.textTracks[0]; return t && t.kind === "captions" && t.mode === "showing" && t.cues && t.cues.length > 0 })()`, 10*time.Second)
	if !strings.HasPrefix(tb.text("#video-status"), "You have watched 0% of this video.") {
		tb.fatalf("the status before playing is %q", tb.text("#video-status"))
	}
	if tb.count("#transcript-heading") != 1 {
		tb.fatalf("the transcript is missing")
	}

	// On the first viewing the player does not let anyone skip ahead.
	eval[chromedp.Void](tb, video+`.currentTime = 15`)
	tb.waitFor("the player to refuse skipping ahead", video+`.currentTime < 1 && document.getElementById("video-status").textContent.includes("can't skip ahead")`, 10*time.Second)

	// Play at double speed, the fastest the server credits.
	started := time.Now()
	play := `(() => { const v = ` + video + `; v.playbackRate = 2; return v.play().then(() => true) })()`
	if !eval[bool](tb, play, chromedp.EvalAwaitPromise, func(p *cdpruntime.EvaluateParams) { p.UserGesture = new(true) }) {
		tb.fatalf("the video did not start")
	}
	tb.waitFor("the video to count as watched", `document.getElementById("video-status").textContent.trim().startsWith("Done:")`, 45*time.Second)
	took := time.Since(started)
	if took < 8*time.Second {
		tb.fatalf("a 20-second video at double speed counted as watched after %s: faster than it can play", took)
	}
	tb.t.Logf("[%s] the 20 s video counted as watched after %s of real time", tb.vp.Name, took.Round(100*time.Millisecond))

	// The server's record: several beacons from the player, adding up to
	// (nearly) the whole video, and the step done.
	var beacons []learning.VideoBeacon
	if err := s.App.DB.Order("received_at").Find(&beacons).Error; err != nil {
		tb.fatalf("read beacons: %v", err)
	}
	var credited float64
	for _, b := range beacons {
		credited += b.CreditedSeconds
	}
	if len(beacons) < 2 || credited < 18 {
		tb.fatalf("the server credited %.1f s from %d beacon(s); want at least 18 s from two or more", credited, len(beacons))
	}
	j, err := s.App.Learning.Journey(tb.ctx, viewer, "basic")
	if err != nil {
		tb.fatalf("load the journey: %v", err)
	}
	if !j.Done("video", "watch") {
		tb.fatalf("the server does not have the video step as done")
	}
}

// signPolicy signs the acknowledgement step: first with a mistyped name,
// which is refused with a clear message, then properly.
func signPolicy(tb *tab, fullName string) {
	tb.t.Helper()
	tb.expectPath(policyStep)
	tb.expectText("h1", "Social media policy")
	tb.press("#agree")
	tb.typeInto("#full_name", fullName[:len(fullName)-1])
	tb.follow("[data-testid=sign]", "acknowledgement refused")
	if got := tb.text("#full_name-error"); !strings.Contains(got, "doesn't match the name on your account") {
		tb.fatalf("the mistyped name's message is %q", got)
	}
	// The page opens at the error summary, focused and in view, at any width.
	tb.waitFor("the error summary to be focused", `document.activeElement && document.activeElement.id === "error-summary"`, 5*time.Second)
	if top := eval[float64](tb, `document.getElementById("error-summary").getBoundingClientRect().top`); top < -2 || top > float64(tb.vp.Height)/2 {
		tb.fatalf("the error summary is %.0f pixels from the top of the %d-pixel window", top, tb.vp.Height)
	}
	if tb.attr("#full_name", "aria-invalid") != "true" {
		tb.fatalf("the name field is not marked invalid")
	}
	if !eval[bool](tb, `document.getElementById("agree").checked`) {
		tb.press("#agree")
	}
	// The form kept what was typed; start the name again, in another case
	// and with extra spaces: the name is compared after trimming and
	// collapsing spaces and ignoring case.
	eval[chromedp.Void](tb, `document.getElementById("full_name").value = ""`)
	tb.typeInto("#full_name", "  "+strings.Join(strings.Fields(strings.ToLower(fullName)), "   ")+" ")
	tb.follow("[data-testid=sign]", "signed")
}
