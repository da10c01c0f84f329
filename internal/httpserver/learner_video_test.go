package httpserver_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/learning"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestVideoNoSkippingAheadAndResume: on the first viewing a segment beyond
// the furthest point is refused, every beacon is recorded, and the player
// page resumes at the last position.
func TestVideoNoSkippingAheadAndResume(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "mary@example.org", "Mary", "Seacole", people.RoleLearner)
	assignBasic(t, env, emp)
	viewing := viewingOf(t, c)

	env.Clock.Advance(5 * time.Second)
	mustStatus(t, c.PostJSON(videoStep+"/video", beaconIn(viewing, 0, 5, 5)), http.StatusOK)
	env.Clock.Advance(5 * time.Second)
	res := c.PostJSON(videoStep+"/video", beaconIn(viewing, 12, 17, 17))
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Body, "skipped ahead") && !strings.Contains(res.Body, "skip") {
		t.Errorf("the refusal does not say why: %s", res.Body)
	}
	mustStatus(t, c.PostJSON(videoStep+"/video", `{"from":"x"}`), http.StatusBadRequest)
	// A beacon naming no viewing (an old or forged player) is refused.
	res = c.PostJSON(videoStep+"/video", beacon(5, 10, 10))
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.Body, "Reload the page") {
		t.Errorf("the refusal does not say what to do: %s", res.Body)
	}

	var vp learning.VideoProgress
	if err := env.App.DB.Where("employee_id = ?", emp.ID).Take(&vp).Error; err != nil {
		t.Fatal(err)
	}
	if vp.WatchedSeconds != 5 || vp.FurthestSeconds != 5 || vp.PositionSeconds != 5 || vp.Segments != "[[0,5]]" {
		t.Errorf("video progress = %+v", vp)
	}
	var beacons []learning.VideoBeacon
	env.App.DB.Where("video_progress_id = ?", vp.ID).Order("received_at").Find(&beacons)
	if len(beacons) != 3 || beacons[1].CreditedSeconds != 0 || beacons[0].CreditedSeconds != 5 || beacons[2].CreditedSeconds != 0 ||
		beacons[0].ViewingID != viewing || beacons[2].ViewingID != "" {
		t.Errorf("beacons = %+v", beacons)
	}

	// Another device picks up at the same position.
	other := env.Client()
	other.Login("mary@example.org", learnerPassword)
	res = other.Get(videoStep)
	doc := learnerDoc(t, res)
	if v, _ := doc.Find("#step-video").Attr("data-position"); v != "5.000" {
		t.Errorf("resume position = %q, want 5.000", v)
	}
	if doc.Find(`script[src^="/static/js/video."]`).Length() != 1 {
		t.Error("the player page does not load video.js")
	}
	if !strings.Contains(doc.Find("[data-testid=video-status]").Text(), "25%") {
		t.Errorf("watched share not shown: %q", doc.Find("[data-testid=video-status]").Text())
	}
}

// TestCourseMedia serves the files a course uses, with ranges and types,
// and nothing else.
func TestCourseMedia(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "flo@example.org", "Florence", "Nightingale", people.RoleLearner)
	assignBasic(t, env, emp)
	vid := basicCourse(t, env).Module("video").Step("watch").Video

	req, _ := http.NewRequest(http.MethodGet, c.Base.String()+"/courses/basic/media/"+vid.Src, nil)
	req.Header.Set("Range", "bytes=0-99")
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Type") != "video/mp4" || res.ContentLength != 100 {
		t.Errorf("range request: %d %q %d", res.StatusCode, res.Header.Get("Content-Type"), res.ContentLength)
	}
	r := c.Get("/courses/basic/media/" + vid.Captions)
	mustStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/vtt") || !strings.HasPrefix(r.Body, "WEBVTT") {
		t.Errorf("captions: %q", r.Header.Get("Content-Type"))
	}
	for _, p := range []string{"course.yaml", "modules/01-basics.md", "../basic/course.yaml", "media/nothing.mp4"} {
		mustStatus(t, c.Get("/courses/basic/media/"+p), http.StatusNotFound)
	}
	mustStatus(t, c.Get("/courses/nope/media/"+vid.Src), http.StatusNotFound)
	if res := env.Client().Get("/courses/basic/media/" + vid.Src); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous media request: %d, want a redirect to sign in", res.StatusCode)
	}

	r = c.Get("/courses/basic/resources/quick-reference")
	mustStatus(t, r, http.StatusOK)
	mustStatus(t, c.Get("/courses/basic/resources/nope"), http.StatusNotFound)
}

// viewingOf opens the video step and returns the viewing the page was
// given (data-viewing), which the player sends with every beacon.
func viewingOf(t *testing.T, c *apptest.Client) string {
	t.Helper()
	res := c.Get(videoStep)
	mustStatus(t, res, http.StatusOK)
	v, _ := learnerDoc(t, res).Find("#step-video").Attr("data-viewing")
	return v
}

func beaconIn(viewing string, from, to, position float64) string {
	return `{"viewing":"` + viewing + `","from":` + ftoa(from) + `,"to":` + ftoa(to) + `,"position":` + ftoa(position) + `}`
}

// TestVideoForgedBeaconsCreditOnlyRealTime reproduces the forgery of
// issue 11: many beacons posted faster than the video can play, each
// claiming the next stretch, completed the video. Whatever they claim, one
// viewing is credited no more than MaxPlaybackRate × the server's time
// since it began, plus one fixed allowance.
func TestVideoForgedBeaconsCreditOnlyRealTime(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "mary@example.org", "Mary", "Seacole", people.RoleLearner)
	assignBasic(t, env, emp)
	viewing := viewingOf(t, c)
	const allowance = learning.ViewingAllowanceSeconds
	var elapsed time.Duration
	for i := 0; i < 10; i++ {
		env.Clock.Advance(20 * time.Millisecond)
		elapsed += 20 * time.Millisecond
		from, to := float64(2*i), float64(2*i+2)
		mustStatus(t, c.PostJSON(videoStep+"/video", beaconIn(viewing, from, to, to)), http.StatusOK)
	}
	var vp learning.VideoProgress
	if err := env.App.DB.Where("employee_id = ?", emp.ID).Take(&vp).Error; err != nil {
		t.Fatal(err)
	}
	if bound := learning.MaxPlaybackRate*elapsed.Seconds() + allowance; vp.WatchedSeconds > bound+1e-6 {
		t.Errorf("10 beacons in %v were credited %v s; real time allows at most %v s", elapsed, vp.WatchedSeconds, bound)
	}
	j, err := env.App.Learning.Journey(t.Context(), emp, "basic")
	if err != nil {
		t.Fatal(err)
	}
	if j.Done("video", "watch") {
		t.Error("beacons posted in 0.2 s completed a 20-second video")
	}
}

// TestVideoHonestViewingsComplete: honest playback completes at 1× and 2×,
// with a pause, a dropped beacon, a reload and a move to another device
// (whose new viewing ends the first: the old page's beacons are refused);
// the page shows the share the server credited.
func TestVideoHonestViewingsComplete(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{1, 2} {
		t.Run(ftoa(rate)+"x", func(t *testing.T) {
			t.Parallel()
			env := apptest.New(t, apptest.Options{})
			emp, c := newLearner(t, env, "mary@example.org", "Mary", "Seacole", people.RoleLearner)
			assignBasic(t, env, emp)
			post := func(c *apptest.Client, viewing string, wall time.Duration, from, to float64, want int) {
				t.Helper()
				env.Clock.Advance(wall)
				mustStatus(t, c.PostJSON(videoStep+"/video", beaconIn(viewing, from, to, to)), want)
			}
			step := rate // media seconds per beacon, one a second
			viewing := viewingOf(t, c)
			env.Clock.Advance(time.Second) // the player starts a moment after the page
			post(c, viewing, time.Second, 0, step, http.StatusOK)
			// A dropped beacon: the next one covers both stretches.
			env.Clock.Advance(time.Second)
			post(c, viewing, time.Second, step, 3*step, http.StatusOK)
			// A pause of ten minutes, then on.
			env.Clock.Advance(10 * time.Minute)
			post(c, viewing, 400*time.Millisecond, 3*step, 3*step+0.4*step, http.StatusOK)
			pos := 3.4 * step

			// A reload: a new viewing resumes where the server got to; the
			// beacon of the old page sent on the way out is refused.
			reloaded := viewingOf(t, c)
			if reloaded == viewing || reloaded == "" {
				t.Fatalf("the reload got viewing %q after %q", reloaded, viewing)
			}
			post(c, viewing, 100*time.Millisecond, pos, pos+0.1, http.StatusConflict)
			env.Clock.Advance(500 * time.Millisecond)
			post(c, reloaded, 400*time.Millisecond, pos, pos+0.4*step, http.StatusOK)
			pos += 0.4 * step

			// Another device carries on; the first device's page stops.
			other := env.Client()
			other.Login("mary@example.org", learnerPassword)
			res := other.Get(videoStep)
			doc := learnerDoc(t, res)
			onOther, _ := doc.Find("#step-video").Attr("data-viewing")
			if p, _ := doc.Find("#step-video").Attr("data-position"); p != seconds3(pos) {
				t.Errorf("the other device resumes at %s, want %s", p, seconds3(pos))
			}
			post(c, reloaded, time.Second, pos, pos+step, http.StatusConflict)
			for pos < 20 {
				to := min(pos+step, 20)
				post(other, onOther, time.Second, pos, to, http.StatusOK)
				pos = to
			}
			j, err := env.App.Learning.Journey(t.Context(), emp, "basic")
			if err != nil {
				t.Fatal(err)
			}
			if !j.Done("video", "watch") {
				t.Fatalf("honest viewing at %vx did not complete", rate)
			}
			res = other.Get(videoStep)
			if got := learnerDoc(t, res).Find("[data-testid=video-status]").Text(); !strings.Contains(got, "Done") {
				t.Errorf("status after completion: %q", got)
			}
		})
	}
}

func seconds3(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

// TestVideoReloadsDoNotAddUpAllowances: reloading the page again and
// again, each time posting a forged beacon at once, earns one allowance in
// all, not one per viewing; the page's "% watched" is what was credited.
func TestVideoReloadsDoNotAddUpAllowances(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "mary@example.org", "Mary", "Seacole", people.RoleLearner)
	assignBasic(t, env, emp)
	var elapsed time.Duration
	for i := 0; i < 10; i++ {
		viewing := viewingOf(t, c)
		env.Clock.Advance(10 * time.Millisecond)
		elapsed += 10 * time.Millisecond
		mustStatus(t, c.PostJSON(videoStep+"/video", beaconIn(viewing, 0, 20, 20)), http.StatusOK)
	}
	var vp learning.VideoProgress
	if err := env.App.DB.Where("employee_id = ?", emp.ID).Take(&vp).Error; err != nil {
		t.Fatal(err)
	}
	if bound := learning.MaxPlaybackRate*elapsed.Seconds() + learning.ViewingAllowanceSeconds; vp.WatchedSeconds > bound+1e-6 {
		t.Errorf("ten reloads in %v were credited %v s; real time allows %v s", elapsed, vp.WatchedSeconds, bound)
	}
	var viewings []learning.VideoViewing
	env.App.DB.Where("video_progress_id = ?", vp.ID).Order("id").Find(&viewings)
	if len(viewings) != 10 || viewings[0].EndedAt == nil || viewings[9].EndedAt != nil {
		t.Errorf("viewings: %d, want 10, all but the last ended", len(viewings))
	}
	res := c.Get(videoStep)
	want := strconv.Itoa(int(vp.WatchedSeconds/20*100)) + "%"
	if got := learnerDoc(t, res).Find("[data-testid=video-status]").Text(); !strings.Contains(got, "watched "+want) {
		t.Errorf("the page says %q; the server credited %s", got, want)
	}
}
