package orientation

import "github.com/onramp-lms/onramp/internal/apperr"

// Errors a person can act on.
var (
	ErrNotFound       = apperr.New(apperr.NotFound, "There is no such session.")
	ErrForbidden      = apperr.New(apperr.Forbidden, "Only HR and the session's trainer can do this.")
	ErrMayNotBook     = apperr.New(apperr.Forbidden, "You can book only yourself, or the people you manage.")
	ErrNotAssigned    = apperr.New(apperr.Conflict, "This course isn't assigned to this person, so they cannot be booked on its sessions.")
	ErrStarted        = apperr.New(apperr.Conflict, "This session has already started: choose an upcoming one.")
	ErrCancelled      = apperr.New(apperr.Conflict, "This session was cancelled: choose another one.")
	ErrOtherBooking   = apperr.New(apperr.Conflict, "Already booked on another upcoming session of this course: cancel that booking first.")
	ErrNotBooked      = apperr.New(apperr.Conflict, "There is no booking to cancel on this session.")
	ErrCheckInClosed  = apperr.New(apperr.Forbidden, "Check-in is open only during the session, from 15 minutes before it starts until 15 minutes after it ends.")
	ErrCheckInNoPlace = apperr.New(apperr.Forbidden, "You are not booked on this session, so you cannot check in to it. Ask the trainer.")
	ErrBadCode        = apperr.New(apperr.Forbidden, "This code is out of date or wrong: scan the code shown in the room now.")
	ErrTooEarly       = apperr.New(apperr.Conflict, "Attendance can be taken from 15 minutes before the session starts.")
)
