-- +goose Up
-- Viewings: each load of a video step's player begins one, on the server's
-- clock. A viewing is credited at most MaxPlaybackRate x the time since it
-- began plus its one fixed allowance; only the latest viewing of a video
-- (video_progress.viewing_id) takes beacons.
CREATE TABLE video_viewings (
    id                TEXT PRIMARY KEY,
    video_progress_id TEXT NOT NULL REFERENCES video_progress(id),
    started_at        TIMESTAMP NOT NULL,
    allowance_seconds DOUBLE PRECISION NOT NULL,
    credited_seconds  DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_beacon_at    TIMESTAMP,
    ended_at          TIMESTAMP
);
CREATE INDEX video_viewings_progress_idx ON video_viewings (video_progress_id);
ALTER TABLE video_progress ADD COLUMN viewing_id TEXT;
ALTER TABLE video_beacons ADD COLUMN viewing_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE video_beacons DROP COLUMN viewing_id;
ALTER TABLE video_progress DROP COLUMN viewing_id;
DROP TABLE video_viewings;
