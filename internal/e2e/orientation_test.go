package e2e

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/onramp-lms/onramp/internal/apptest"
	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/config"
	"github.com/onramp-lms/onramp/internal/orientation"
	"github.com/onramp-lms/onramp/internal/people"
)

// TestOrientationJourney: HR schedules a two-place classroom session; two
// learners book it and a third joins the wait-list; one cancels and the
// wait-list moves up; on the day the trainer ticks one attendee and the
// other checks in with the code the room's QR page shows; HR reads the
// attendance record and downloads the sign-in sheet; HR names a preceptor
// an observer, who marks a nurse's skills and signs her check-off.
func TestOrientationJourney(t *testing.T) {
	eachViewport(t, func(t *testing.T, vp viewport) {
		s := newSite(t, func(c *config.Config) {
			c.ContentDir = filepath.Join(apptest.RepoRoot(), "internal", "orientation", "testdata", "content")
		})
		hr := s.addPerson(person{Email: "hana@hospital.test", First: "Hana", Last: "Reyes", Role: people.RoleHRAdmin, JobTitle: "HR Lead"})
		trainer := s.addPerson(person{Email: "tara@hospital.test", First: "Tara", Last: "Nguyen", JobTitle: "Nurse Educator"})
		ana := s.addPerson(person{Email: "ana@hospital.test", First: "Ana", Last: "Lima"})
		ben := s.addPerson(person{Email: "ben@hospital.test", First: "Ben", Last: "Okafor"})
		cy := s.addPerson(person{Email: "cy@hospital.test", First: "Cy", Last: "Moreau"})
		s.addPerson(person{Email: "paula@hospital.test", First: "Paula", Last: "Ortiz", JobTitle: "Preceptor"})
		_, _ = hr, trainer
		for _, e := range []*people.Employee{ana, ben, cy} {
			err := s.App.DB.Transaction(func(tx *gorm.DB) error {
				_, err := compliance.Assign(tx, e.ID, "orientation", s.Clock.Now(), s.Clock.Now().AddDate(0, 0, 30), "assigned by the browser test")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		setValue := func(tb *tab, sel, v string) {
			tb.t.Helper()
			if !eval[bool](tb, `(() => { const e = document.querySelector(`+js(sel)+`); if (!e) return false;
				e.value = `+js(v)+`; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`) {
				tb.fatalf("no field %s", sel)
			}
		}

		// HR schedules tomorrow's session, 09:00–13:00 UTC, two places.
		hrTab := openTab(t, s, vp)
		hrTab.visit("sign in", "/admin/sessions/new")
		signIn(hrTab, "hana@hospital.test")
		hrTab.expectText("h1", "Schedule a session")
		hrTab.choose("#course", "orientation")
		setValue(hrTab, "#date", s.Clock.Now().AddDate(0, 0, 1).Format("2006-01-02"))
		setValue(hrTab, "#start", "09:00")
		setValue(hrTab, "#end", "13:00")
		hrTab.fill("#time_zone", "UTC")
		hrTab.fill("#place", "Room 4B")
		setValue(hrTab, "#capacity", "2")
		hrTab.typeInto("#trainer_email", "tara@hospital.test")
		hrTab.typeInto("#trainer_qualification", "RN, BSN; certified infection-control instructor")
		hrTab.follow(`[data-testid=save-session]`, "session scheduled")
		if !strings.HasPrefix(hrTab.path(), "/sessions/") {
			hrTab.fatalf("saving the session led to %s", hrTab.path())
		}
		id := strings.TrimPrefix(strings.SplitN(hrTab.path(), "?", 2)[0], "/sessions/")

		// Ana and Ben book the two places; Cy joins the wait-list.
		book := func(email, want string) *tab {
			tb := openTab(t, s, vp)
			tb.visit("sign in", "/courses/orientation/sessions")
			signIn(tb, email)
			tb.expectText("h1", "Sessions")
			tb.follow(`[data-testid=book]`, "booked")
			if got := tb.text(`[data-testid=session]`); !strings.Contains(got, want) {
				tb.fatalf("after booking, the session reads %q; want %q", got, want)
			}
			return tb
		}
		anaTab := book("ana@hospital.test", "You are booked")
		benTab := book("ben@hospital.test", "You are booked")
		cyTab := book("cy@hospital.test", "You are on the wait-list")

		// Ana cancels: Cy moves up.
		anaTab.follow(`[data-testid=cancel-booking]`, "cancelled")
		cyTab.visit("sessions after Ana cancelled", "/courses/orientation/sessions")
		if got := cyTab.text(`[data-testid=session]`); !strings.Contains(got, "You are booked") {
			cyTab.fatalf("Cy did not move up from the wait-list: %q", got)
		}

		// The day of the session.
		var sess orientation.Session
		if err := s.App.DB.Where("id = ?", id).Take(&sess).Error; err != nil {
			t.Fatal(err)
		}
		s.Clock.Set(sess.StartsAt.Add(10 * time.Minute))
		trainerTab := openTab(t, s, vp)
		trainerTab.visit("sign in", "/sessions/"+id)
		signIn(trainerTab, "tara@hospital.test")
		trainerTab.expectPath("/sessions/" + id)
		var bb orientation.Booking
		if err := s.App.DB.Where("session_id = ? AND employee_id = ?", id, ben.ID).Take(&bb).Error; err != nil {
			t.Fatal(err)
		}
		trainerTab.press(`input[name="att-` + bb.ID + `"][value=attended]`)
		trainerTab.follow(`[data-testid=save-attendance]`, "attendance saved")

		// Cy checks in with the code the room shows, signed in as herself.
		trainerTab.visit("the room's QR code", "/sessions/"+id+"/qr")
		code := trainerTab.text(`[data-testid=qr-code]`)
		if len(code) != 8 {
			trainerTab.fatalf("the room shows the code %q", code)
		}
		cyTab.visit("check in", "/sessions/"+id+"/check-in?code="+code)
		if strings.HasPrefix(cyTab.path(), "/login") {
			signIn(cyTab, "cy@hospital.test")
		}
		cyTab.follow(`[data-testid=check-in]`, "checked in")
		cyTab.expectText(`[data-testid=checked-in]`, "You are checked in")

		// HR reads the attendance record and downloads the sign-in sheet.
		hrTab.visit("sign in again", "/sessions/"+id+"/record")
		if strings.HasPrefix(hrTab.path(), "/login") {
			signIn(hrTab, "hana@hospital.test")
		}
		hrTab.expectText("h1", "Attendance record")
		facts := hrTab.text(`[data-testid=record-facts]`)
		if !strings.Contains(facts, "Tara Nguyen") || !strings.Contains(facts, "RN, BSN; certified infection-control instructor") {
			hrTab.fatalf("the record's facts: %q", facts)
		}
		rows := hrTab.text(`[data-testid=record] tbody`)
		if !strings.Contains(rows, "Ben Okafor") || !strings.Contains(rows, "Cy Moreau") || strings.Contains(rows, "Ana Lima") {
			hrTab.fatalf("the record's attendees: %q", rows)
		}
		hrTab.visit("the roster", "/sessions/"+id)
		if n := hrTab.count(`a[href$="/sign-in-sheet.pdf"]`); n == 0 {
			hrTab.fatalf("the roster does not link the sign-in sheet")
		}
		name, pdf := hrTab.download(`a[href$="/sign-in-sheet.pdf"]`)
		if !bytes.HasPrefix(pdf, []byte("%PDF")) || !strings.HasSuffix(name, ".pdf") {
			hrTab.fatalf("the sign-in sheet %q is not a PDF", name)
		}
		_ = benTab

		// HR names Paula an observer; she marks Ana's skills and signs off.
		hrTab.visit("observers", "/admin/observers")
		hrTab.typeInto("#email", "paula@hospital.test")
		hrTab.choose("#course", "orientation")
		hrTab.follow(`[data-testid=add-observer]`, "observer added")
		if got := hrTab.text(`[data-testid=observers]`); !strings.Contains(got, "Paula Ortiz") {
			hrTab.fatalf("the observers: %q", got)
		}
		paula := openTab(t, s, vp)
		paula.visit("sign in", "/checkoffs")
		signIn(paula, "paula@hospital.test")
		paula.typeInto("#email", "ana@hospital.test")
		paula.follow(`form[action="/checkoffs"] button`, "Ana's check-offs")
		paula.follow(`[data-testid=checkoff-links] a`, "Ana's checklist")
		paula.press(`input[name=skill-rub][value=met]`)
		paula.press(`input[name=skill-wash][value=met]`)
		paula.follow(`[data-testid=save-marks]`, "marks saved")
		paula.typeInto("#full_name", "Paula Ortiz")
		paula.follow(`[data-testid=sign-checkoff]`, "signed off")
		if got := paula.text(`[data-testid=checkoff-signed]`); !strings.Contains(got, "Paula Ortiz") {
			paula.fatalf("the signed check-off reads %q", got)
		}
		var so orientation.SignOff
		if err := s.App.DB.Where("employee_id = ?", ana.ID).Take(&so).Error; err != nil {
			t.Fatalf("no sign-off recorded: %v", err)
		}
	})
}
