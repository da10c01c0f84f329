// Package learning records a learner's progress through a course's steps
// within a cycle: pages read, video segments watched, quiz attempts drawn and
// graded on the server, policy attestations signed, and the completion and
// certificate that follow. Every record points at the content version it was
// made on. It knows nothing of HTTP.
package learning
