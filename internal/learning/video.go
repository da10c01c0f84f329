package learning

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

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
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// TableName tells GORM the table.
func (VideoProgress) TableName() string { return "video_progress" }

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
	Outcome
}

func videoRow(tx *gorm.DB, j *Journey, m *catalog.Module, st *catalog.Step, now time.Time, create bool) (*VideoProgress, error) {
	var vp VideoProgress
	err := tx.Where("cycle_id = ? AND module_id = ? AND step_id = ?", j.Cycle.ID, m.ID, st.ID).Take(&vp).Error
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
// player starts the clock the first beacon is measured against.
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
		if vp != nil && writable && !j.Done(m.ID, st.ID) && vp.CreatedAt.Before(now) {
			// A fresh page load restarts the beacon clock, so time spent away
			// is never credited, but the first beacon is measured from here.
			if err := tx.Model(vp).Update("last_beacon_at", now).Error; err != nil {
				return fmt.Errorf("reset beacon clock: %w", err)
			}
		}
		view.State, err = s.videoState(j, m, st, vp)
		view.Done = j.Done(m.ID, st.ID)
		return err
	})
	return view, err
}

// RecordBeacon credits one progress beacon from the player, records it, and
// completes the step once CompletionFraction of the video has been watched.
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
		since := vp.CreatedAt
		if vp.LastBeaconAt != nil {
			since = *vp.LastBeaconAt
		}
		next, credit := CreditBeacon(state, b, now.Sub(since))
		if err := tx.Create(&VideoBeacon{
			ID: db.NewID(), VideoProgressID: vp.ID, FromSeconds: roundMillis(b.From), ToSeconds: roundMillis(b.To),
			CreditedSeconds: roundMillis(credit.CreditedSeconds), ReceivedAt: now,
		}).Error; err != nil {
			return fmt.Errorf("record beacon: %w", err)
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
		view.State, view.Credit = next, credit
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
