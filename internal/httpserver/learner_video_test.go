package httpserver_test

import (
	"net/http"
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
	env := apptest.New(t, apptest.Options{})
	emp, c := newLearner(t, env, "mary@example.org", "Mary", "Seacole", people.RoleLearner)
	assignBasic(t, env, emp)
	mustStatus(t, c.Get(videoStep), http.StatusOK)

	env.Clock.Advance(5 * time.Second)
	mustStatus(t, c.PostJSON(videoStep+"/video", beacon(0, 5, 5)), http.StatusOK)
	env.Clock.Advance(5 * time.Second)
	res := c.PostJSON(videoStep+"/video", beacon(12, 17, 17))
	mustStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Body, "skipped ahead") && !strings.Contains(res.Body, "skip") {
		t.Errorf("the refusal does not say why: %s", res.Body)
	}
	mustStatus(t, c.PostJSON(videoStep+"/video", `{"from":"x"}`), http.StatusBadRequest)

	var vp learning.VideoProgress
	if err := env.App.DB.Where("employee_id = ?", emp.ID).Take(&vp).Error; err != nil {
		t.Fatal(err)
	}
	if vp.WatchedSeconds != 5 || vp.FurthestSeconds != 5 || vp.PositionSeconds != 5 || vp.Segments != "[[0,5]]" {
		t.Errorf("video progress = %+v", vp)
	}
	var beacons []learning.VideoBeacon
	env.App.DB.Where("video_progress_id = ?", vp.ID).Order("received_at").Find(&beacons)
	if len(beacons) != 2 || beacons[1].CreditedSeconds != 0 || beacons[0].CreditedSeconds != 5 {
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
	if doc.Find(`script[src="/static/js/video.js"]`).Length() != 1 {
		t.Error("the player page does not load video.js")
	}
	if !strings.Contains(doc.Find("[data-testid=video-status]").Text(), "25%") {
		t.Errorf("watched share not shown: %q", doc.Find("[data-testid=video-status]").Text())
	}
}

// TestCourseMedia serves the files a course uses, with ranges and types,
// and nothing else.
func TestCourseMedia(t *testing.T) {
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
