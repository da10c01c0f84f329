package catalog

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/onramp-lms/onramp/internal/audit"
	"github.com/onramp-lms/onramp/internal/db"
)

type courseRow struct {
	ID               string    `gorm:"column:id;primaryKey"`
	Title            string    `gorm:"column:title"`
	CurrentVersionID *string   `gorm:"column:current_version_id"`
	CreatedAt        time.Time `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt        time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (courseRow) TableName() string { return "courses" }

type versionRow struct {
	ID            string    `gorm:"column:id;primaryKey"`
	CourseID      string    `gorm:"column:course_id"`
	ModuleID      string    `gorm:"column:module_id"`
	Hash          string    `gorm:"column:hash"`
	Title         string    `gorm:"column:title"`
	PolicyVersion string    `gorm:"column:policy_version"`
	Source        string    `gorm:"column:source"`
	CreatedAt     time.Time `gorm:"column:created_at;autoCreateTime:false"`
}

func (versionRow) TableName() string { return "content_versions" }

// Sync records every course and module version in the database (idempotent)
// and sets VersionID on each course and module. It runs in one transaction;
// several instances starting at once each find or create the same rows.
func (c *Catalog) Sync(ctx context.Context, d *db.DB, now time.Time) error {
	now = now.UTC()
	type ids struct{ course, module map[string]string }
	found := map[string]ids{}
	err := d.Tx(ctx, func(tx *gorm.DB) error {
		for _, course := range c.Courses {
			got := ids{module: map[string]string{}}
			var existing []courseRow
			if err := tx.Where("id = ?", course.ID).Limit(1).Find(&existing).Error; err != nil {
				return fmt.Errorf("read course %s: %w", course.ID, err)
			}
			if len(existing) == 0 {
				row := courseRow{ID: course.ID, Title: course.Title, CreatedAt: now, UpdatedAt: now}
				if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
					return fmt.Errorf("create course %s: %w", course.ID, err)
				}
			}
			for _, m := range course.AllModules() {
				id, err := ensureVersion(tx, versionRow{
					CourseID: course.ID, ModuleID: m.ID, Hash: m.Hash, Title: m.Title,
					PolicyVersion: m.PolicyVersion, Source: m.Source, CreatedAt: now,
				})
				if err != nil {
					return fmt.Errorf("module %s/%s: %w", course.ID, m.ID, err)
				}
				got.module[m.ID] = id
			}
			id, err := ensureVersion(tx, versionRow{
				CourseID: course.ID, Hash: course.Hash, Title: course.Title, Source: course.Source, CreatedAt: now,
			})
			if err != nil {
				return fmt.Errorf("course %s: %w", course.ID, err)
			}
			got.course = map[string]string{"": id}
			if len(existing) == 0 || existing[0].Title != course.Title ||
				existing[0].CurrentVersionID == nil || *existing[0].CurrentVersionID != id {
				err := tx.Model(&courseRow{}).Where("id = ?", course.ID).Updates(map[string]any{
					"title": course.Title, "current_version_id": id, "updated_at": now,
				}).Error
				if err != nil {
					return fmt.Errorf("update course %s: %w", course.ID, err)
				}
			}
			found[course.ID] = got
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Set only after the commit, so a failed sync leaves no IDs of rows
	// that were rolled back.
	for _, course := range c.Courses {
		got := found[course.ID]
		course.VersionID = got.course[""]
		for _, m := range course.AllModules() {
			m.VersionID = got.module[m.ID]
		}
	}
	return nil
}

// ensureVersion returns the ID of the content version (course, module,
// hash), inserting it when it does not exist yet.
func ensureVersion(tx *gorm.DB, v versionRow) (string, error) {
	find := func() (string, error) {
		var rows []versionRow
		err := tx.Select("id").Where("course_id = ? AND module_id = ? AND hash = ?", v.CourseID, v.ModuleID, v.Hash).
			Limit(1).Find(&rows).Error
		if err != nil || len(rows) == 0 {
			return "", err
		}
		return rows[0].ID, nil
	}
	id, err := find()
	if err != nil || id != "" {
		return id, err
	}
	v.ID = db.NewID()
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&v)
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 1 {
		what := "course " + v.CourseID
		if v.ModuleID != "" {
			what = "module " + v.ModuleID + " of course " + v.CourseID
		}
		err := audit.Record(tx, audit.Event{
			At: v.CreatedAt, Action: audit.ActionPublish, EntityType: "content_version", EntityID: v.ID,
			Summary: fmt.Sprintf("New content version %.12s of %s (“%s”) published.", v.Hash, what, v.Title),
			Details: map[string]any{"course_id": v.CourseID, "module_id": v.ModuleID, "hash": v.Hash, "policy_version": v.PolicyVersion},
		})
		return v.ID, err
	}
	// Another instance inserted it first.
	id, err = find()
	if err == nil && id == "" {
		err = fmt.Errorf("content version %s vanished", v.Hash)
	}
	return id, err
}
