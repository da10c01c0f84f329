package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/onramp-lms/onramp/internal/compliance"
	"github.com/onramp-lms/onramp/internal/notify"
	"github.com/onramp-lms/onramp/internal/people"
	"github.com/onramp-lms/onramp/internal/report"
	"github.com/onramp-lms/onramp/web/views"
)

// adminHome shows HR compliance per course and the state of e-mail delivery.
func (s *Server) adminHome(c echo.Context) error {
	ctx := c.Request().Context()
	sums, err := report.ByCourse(ctx, s.DB, s.Clock.Now())
	if err != nil {
		return err
	}
	v := views.AdminHomeView{SMTP: s.SMTPConfigured}
	for _, sum := range sums {
		title := sum.CourseID
		if course := s.Catalog.Course(sum.CourseID); course != nil {
			title = course.Title
		}
		v.Courses = append(v.Courses, views.CourseCompliance{
			CourseID: sum.CourseID, Title: title, Total: sum.Total, Compliant: sum.Compliant(), Percent: sum.Percent(),
			InProgress: sum.Counts[compliance.StatusInProgress], NotStarted: sum.Counts[compliance.StatusOpen] + sum.Counts[compliance.StatusUpcoming],
			Overdue: sum.Counts[compliance.StatusOverdue], Expired: sum.Counts[compliance.StatusExpired], Exempt: sum.Counts[compliance.StatusExempt],
		})
	}
	var n int64
	if err := s.DB.WithContext(ctx).Model(&people.Employee{}).Where("status = ?", people.StatusActive).Count(&n).Error; err != nil {
		return err
	}
	v.People = int(n)
	if s.Outbox != nil {
		counts, err := s.Outbox.CountByState(ctx)
		if err != nil {
			return err
		}
		v.OutboxQueue = counts[notify.StatePending] + counts[notify.StateFailed] + counts[notify.StateSending]
		v.OutboxDead = counts[notify.StateDead]
	}
	return render(c, http.StatusOK, views.AdminHome(s.page(c, "HR overview", "admin"), v))
}
