// Package learning records a learner's progress through a course's steps
// within a cycle: pages read, video segments watched, quiz attempts drawn and
// graded on the server, policy attestations signed, and the completion and
// certificate that follow. Every record points at the content version it was
// made on. It knows nothing of HTTP.
//
// A request loads a Journey (Service.Journey: the learner's current cycle of
// a course and their progress on its path), then calls one action on it:
// OpenStep/OpenVideo when a step is shown, CompletePage, RecordBeacon,
// StartAttempt/SubmitAttempt, Acknowledge. Each action writes everything in
// one transaction and, when it finished the last required step, completes
// the cycle (compliance.Complete, with the expiry of the course's default
// rule) and issues the certificate with its evidence snapshot.
//
// Honesty rules live in pure functions tested on their own: CreditBeacon
// with Viewing.Budget (one viewing, a load of the player page, is credited
// no more than MaxPlaybackRate × the server's time since it began plus one
// fixed allowance, however many beacons claim it; no skipping ahead on the
// first viewing), DrawQuestions/GradeAttempt (the
// answer key stays on the server; Paper is all a page gets), NamesMatch.
//
// For the demo seeder and tests (never from a request):
//
//   - CompleteStep(ctx, emp, courseID, moduleID, stepID) records one step as
//     done now with realistic evidence (video watched end to end, a quiz
//     attempt all right, a signature marked with SeededUserAgent); call it
//     for the first few steps of Journey(...).Path to leave someone half-way.
//   - CompleteCourse(ctx, emp, courseID) does every remaining required step
//     and returns the certificate.
//
// Both need a current cycle (compliance.Assign) and use the service's clock,
// so set the clock to the day the work should appear done.
package learning
