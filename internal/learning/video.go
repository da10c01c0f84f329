package learning

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/onramp-lms/onramp/internal/catalog"
	"github.com/onramp-lms/onramp/internal/db"
)

// VideoProgress is the stored evidence of one learner watching one video in
// one cycle: the merged segments and the furthest point of the first viewing.
type VideoProgress struct {
	ID              string
	CycleID         string
	EmployeeID      string
	ModuleID        string
	StepID          string
	DurationSeconds float64
	WatchedSeconds  float64
	FurthestSeconds float64
	PositionSeconds float64
	Segments        string
	LastBeaconAt    *time.Time
	// ViewingID is the viewing that takes beacons: the latest opening of
	// the player. Nil before the first.
	ViewingID *string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName tells GORM the table.
func (VideoProgress) TableName() string { return "video_progress" }

// VideoViewing is one viewing as stored: a load of the player page, with
// its start on the server's clock and what it was credited (see Viewing).
type VideoViewing struct {
	ID               string
	VideoProgressID  string
	StartedAt        time.Time
	AllowanceSeconds float64
	CreditedSeconds  float64
	LastBeaconAt     *time.Time
	// EndedAt is when another viewing replaced this one.
	EndedAt *time.Time
}

// TableName tells GORM the table.
func (VideoViewing) TableName() string { return "video_viewings" }

func (v *VideoViewing) account() Viewing {
	return Viewing{StartedAt: v.StartedAt, AllowanceSeconds: v.AllowanceSeconds, CreditedSeconds: v.CreditedSeconds}
}

// WatchedFraction is the share of the video watched, 0–1.
func (v *VideoProgress) WatchedFraction() float64 {
	if v == nil || v.DurationSeconds <= 0 {
		return 0
	}
	return min(1, v.WatchedSeconds/v.DurationSeconds)
}

// VideoBeacon is one beacon as received and what was credited for it.
type VideoBeacon struct {
	ID              string
	VideoProgressID string
	// ViewingID is the viewing the beacon named (as received).
	ViewingID       string
	FromSeconds     float64
	ToSeconds       float64
	CreditedSeconds float64
	ReceivedAt      time.Time
}

// TableName tells GORM the table.
func (VideoBeacon) TableName() string { return "video_beacons" }

// VideoView is what the player needs to resume and what the learner is told.
type VideoView struct {
	State VideoState
	Done  bool
	// Credit is the verdict on the beacon just received (zero on page load).
	Credit Credit
	// ViewingID is the viewing a page load opened: the player sends it
	// with every beacon. Empty when nothing can be recorded.
	ViewingID string
	// ViewingEnded is true when a beacon named a viewing that is not the
	// latest (the player was opened again elsewhere) or none at all: it
	// was refused, and the page must be reloaded to record again.
	ViewingEnded bool
	Outcome
}

// viewingEndedRefusal tells the learner why a beacon of an old viewing
// was not counted.
const viewingEndedRefusal = "This video was opened again in another window or on another device, so this page no longer records what you watch. Reload the page to carry on here."

func videoRow(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step, now time.Time, create bool) (*VideoProgress, error) {
	var vp VideoProgress
	q := tx
	if create && tx.Dialector.Name() == "postgres" {
		// Beacons and page loads of one video take their turn: a viewing's
		// credit must not be spent twice by concurrent requests. (SQLite
		// transactions are IMMEDIATE: one writer at a time already.)
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("cycle_id = ? AND module_id = ? AND step_id = ?", j.Cycle.ID, m.ID, st.ID).Take(&vp).Error
	if err == nil {
		return &vp, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("load video progress: %w", err)
	}
	if !create {
		return nil, nil
	}
	vp = VideoProgress{
		ID: db.NewID(), CycleID: j.Cycle.ID, EmployeeID: j.Employee.ID, ModuleID: m.ID, StepID: st.ID,
		DurationSeconds: st.Video.DurationSeconds, Segments: "[]", CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.Create(&vp).Error; err != nil {
		return nil, fmt.Errorf("create video progress: %w", err)
	}
	return &vp, nil
}

func (s *Service) videoState(j *Journey, m *catalog.Module, st *catalog.Step, vp *VideoProgress) (VideoState, error) {
	state := VideoState{DurationSeconds: st.Video.DurationSeconds, FirstViewing: !j.Done(m.ID, st.ID)}
	if vp == nil {
		return state, nil
	}
	segs, err := decodeSegments(vp.Segments)
	if err != nil {
		return state, err
	}
	state.Segments = MergeSegments(segs)
	state.FurthestSeconds, state.PositionSeconds = vp.FurthestSeconds, vp.PositionSeconds
	return state, nil
}

// OpenVideo starts a video step and returns where to resume. Opening the
// player begins a new viewing (the ID the page sends with its beacons) and
// ends the previous one, which hands over what it had left of its
// allowance.
func (s *Service) OpenVideo(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step) (VideoView, error) {
	if st.Type != catalog.StepVideo || st.Video == nil {
		return VideoView{}, ErrWrongStepType
	}
	now := s.Clock.Now()
	var view VideoView
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		writable := j.writable() == nil
		if writable {
			if _, err := startStep(tx, j, m, st, now); err != nil {
				return err
			}
		}
		vp, err := videoRow(tx, j, m, st, now, writable)
		if err != nil {
			return err
		}
		if writable {
			if view.ViewingID, err = beginViewing(tx, vp, now); err != nil {
				return err
			}
		}
		view.State, err = s.videoState(j, m, st, vp)
		view.Done = j.Done(m.ID, st.ID)
		return err
	})
	return view, err
}

// beginViewing starts a viewing of vp at now and ends the one before it.
func beginViewing(tx *gorm.DB, vp *VideoProgress, now time.Time) (string, error) {
	allowance := ViewingAllowanceSeconds
	if vp.ViewingID != nil {
		var prev VideoViewing
		err := tx.Where("id = ?", *vp.ViewingID).Take(&prev).Error
		switch {
		case err == nil:
			allowance = prev.account().HandOver(now)
			if err := tx.Model(&prev).Update("ended_at", now).Error; err != nil {
				return "", fmt.Errorf("end viewing: %w", err)
			}
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return "", fmt.Errorf("load viewing: %w", err)
		}
	}
	v := VideoViewing{ID: db.NewID(), VideoProgressID: vp.ID, StartedAt: now, AllowanceSeconds: allowance}
	if err := tx.Create(&v).Error; err != nil {
		return "", fmt.Errorf("begin viewing: %w", err)
	}
	if err := tx.Model(vp).Updates(map[string]any{"viewing_id": v.ID, "updated_at": now}).Error; err != nil {
		return "", fmt.Errorf("begin viewing: %w", err)
	}
	vp.ViewingID = &v.ID
	return v.ID, nil
}

// RecordBeacon credits one progress beacon from the player within what its
// viewing may still be credited (Viewing.Budget), records it, and completes
// the step once CompletionFraction of the video has been watched. A beacon
// naming any viewing but the latest is recorded and refused
// (VideoView.ViewingEnded).
func (s *Service) RecordBeacon(ctx context.Context, j *Journey, m *catalog.Module, st *catalog.Step, b Beacon) (VideoView, error) {
	if st.Type != catalog.StepVideo || st.Video == nil {
		return VideoView{}, ErrWrongStepType
	}
	if err := j.writable(); err != nil {
		return VideoView{}, err
	}
	now := s.Clock.Now()
	var view VideoView
	err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
		if _, err := startStep(tx, j, m, st, now); err != nil {
			return err
		}
		vp, err := videoRow(tx, j, m, st, now, true)
		if err != nil {
			return err
		}
		state, err := s.videoState(j, m, st, vp)
		if err != nil {
			return err
		}
		var viewing *VideoViewing
		if b.Viewing != "" && vp.ViewingID != nil && *vp.ViewingID == b.Viewing {
			viewing = &VideoViewing{}
			if err := tx.Where("id = ?", b.Viewing).Take(viewing).Error; err != nil {
				return fmt.Errorf("load viewing: %w", err)
			}
		}
		next, credit := state, Credit{Refusal: viewingEndedRefusal}
		if viewing != nil {
			next, credit = CreditBeacon(state, b, viewing.account().Budget(now))
		}
		if err := tx.Create(&VideoBeacon{
			ID: db.NewID(), VideoProgressID: vp.ID, ViewingID: plausibleID(b.Viewing),
			FromSeconds: roundMillis(b.From), ToSeconds: roundMillis(b.To),
			CreditedSeconds: roundMillis(credit.CreditedSeconds), ReceivedAt: now,
		}).Error; err != nil {
			return fmt.Errorf("record beacon: %w", err)
		}
		view.State, view.Credit, view.ViewingEnded, view.Done = state, credit, viewing == nil, j.Done(m.ID, st.ID)
		if viewing == nil {
			return nil
		}
		if err := tx.Model(viewing).Updates(map[string]any{
			"credited_seconds": viewing.CreditedSeconds + credit.CreditedSeconds, "last_beacon_at": now,
		}).Error; err != nil {
			return fmt.Errorf("update viewing: %w", err)
		}
		updates := map[string]any{"last_beacon_at": now, "updated_at": now}
		if credit.Accepted {
			updates["segments"] = encodeSegments(next.Segments)
			updates["watched_seconds"] = roundMillis(next.WatchedSeconds())
			updates["furthest_seconds"] = roundMillis(next.FurthestSeconds)
			updates["position_seconds"] = roundMillis(next.PositionSeconds)
		}
		if err := tx.Model(vp).Updates(updates).Error; err != nil {
			return fmt.Errorf("update video progress: %w", err)
		}
		view.State = next
		if next.Complete() && !j.Done(m.ID, st.ID) {
			view.Outcome, err = s.finishStep(tx, j, m, st, now)
			if err != nil {
				return err
			}
		}
		view.Done = j.Done(m.ID, st.ID)
		return nil
	})
	return view, err
}

// plausibleID keeps a received viewing ID for the record when it looks like
// one of ours (a UUID), and nothing else the client may have sent.
func plausibleID(s string) string {
	if len(s) != 36 {
		return ""
	}
	for _, r := range s {
		if !(r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return ""
		}
	}
	return s
}
