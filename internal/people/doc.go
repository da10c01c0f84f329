// Package people holds employees: who they are, their department, job title,
// location and manager, their role in Onramp (learner, manager, hr_admin),
// and whether they are still active. Leavers become inactive, never deleted,
// so their training records stay.
//
// It knows nothing of HTTP; passwords are hashed by package auth.
package people
