// Package orientation is classroom training and skills check-offs: the
// instructor-led sessions HR schedules for a course (or one of its modules)
// with their trainer and the trainer's qualification that day; bookings
// and the wait-list that moves up when someone cancels, with their e-mails
// and .ics invitations through the outbox; attendance taken by the trainer
// ticking names or by attendees scanning a QR code that changes every
// minute; and the attendance record OSHA 29 CFR 1910.1030(h)(2) asks for.
//
// Attending completes the course's `session` steps through
// learning.Service.CompleteByOthers, in the transaction that records the
// attendance. The package owns its queries and transactions; the HTTP
// layer only calls it.
package orientation
