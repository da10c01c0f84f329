-- +goose Up
-- People. employee_number is the HR system's own ID (the staff CSV's employee_id).
CREATE TABLE employees (
    id              TEXT PRIMARY KEY,
    employee_number TEXT UNIQUE,
    email           TEXT NOT NULL UNIQUE,
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    department      TEXT NOT NULL DEFAULT '',
    job_title       TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    manager_id      TEXT REFERENCES employees(id),
    hire_date       DATE,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    time_zone       TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'manager', 'hr_admin')),
    password_hash   TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    deactivated_at  TIMESTAMP
);
CREATE INDEX employees_manager_idx ON employees (manager_id);
CREATE INDEX employees_department_idx ON employees (department);

-- Server-side sessions; id is the SHA-256 of the cookie's token, so a leaked
-- database copy cannot be replayed as a cookie.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    employee_id  TEXT NOT NULL REFERENCES employees(id),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_employee_idx ON sessions (employee_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Every sign-in attempt, for throttling shared by all instances.
CREATE TABLE login_attempts (
    id           TEXT PRIMARY KEY,
    email        TEXT NOT NULL,
    ip           TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    succeeded    BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, attempted_at);

-- Single-use set-password links; id is the SHA-256 of the token in the link.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL REFERENCES employees(id),
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX invitations_employee_idx ON invitations (employee_id);

-- Catalog: the courses loaded from content/ and every version of their sources.
CREATE TABLE courses (
    id                 TEXT PRIMARY KEY,
    title              TEXT NOT NULL,
    current_version_id TEXT,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

-- A content version is a hash of a course's or a module's sources. module_id
-- is '' for the course as a whole. source keeps the text for evidence packs.
CREATE TABLE content_versions (
    id             TEXT PRIMARY KEY,
    course_id      TEXT NOT NULL REFERENCES courses(id),
    module_id      TEXT NOT NULL DEFAULT '',
    hash           TEXT NOT NULL,
    title          TEXT NOT NULL,
    policy_version TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (course_id, module_id, hash)
);

-- One employee x one course.
CREATE TABLE assignments (
    id            TEXT PRIMARY KEY,
    employee_id   TEXT NOT NULL REFERENCES employees(id),
    course_id     TEXT NOT NULL REFERENCES courses(id),
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    created_at    TIMESTAMP NOT NULL,
    closed_at     TIMESTAMP,
    closed_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (employee_id, course_id)
);

-- One period of obligation. derivation says in words why the dates are what they are.
CREATE TABLE cycles (
    id                TEXT PRIMARY KEY,
    assignment_id     TEXT NOT NULL REFERENCES assignments(id),
    employee_id       TEXT NOT NULL REFERENCES employees(id),
    course_id         TEXT NOT NULL REFERENCES courses(id),
    number            INTEGER NOT NULL,
    path              TEXT NOT NULL DEFAULT 'full' CHECK (path IN ('full', 'refresher')),
    status            TEXT NOT NULL CHECK (status IN ('upcoming', 'open', 'in_progress', 'completed', 'overdue', 'expired', 'exempt', 'closed')),
    window_opens_at   TIMESTAMP NOT NULL,
    due_at            TIMESTAMP NOT NULL,
    started_at        TIMESTAMP,
    completed_at      TIMESTAMP,
    expires_at        TIMESTAMP,
    closed_at         TIMESTAMP,
    closed_reason     TEXT NOT NULL DEFAULT '',
    derivation        TEXT NOT NULL DEFAULT '',
    course_version_id TEXT REFERENCES content_versions(id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (assignment_id, number)
);
CREATE INDEX cycles_employee_idx ON cycles (employee_id);
CREATE INDEX cycles_status_due_idx ON cycles (status, due_at);

-- Progress through the steps of a cycle. A new cycle starts with none.
CREATE TABLE step_progress (
    id                TEXT PRIMARY KEY,
    cycle_id          TEXT NOT NULL REFERENCES cycles(id),
    employee_id       TEXT NOT NULL REFERENCES employees(id),
    module_id         TEXT NOT NULL,
    step_id           TEXT NOT NULL,
    module_version_id TEXT NOT NULL REFERENCES content_versions(id),
    status            TEXT NOT NULL CHECK (status IN ('in_progress', 'completed')),
    started_at        TIMESTAMP NOT NULL,
    completed_at      TIMESTAMP,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (cycle_id, module_id, step_id)
);
CREATE INDEX step_progress_employee_idx ON step_progress (employee_id, updated_at);

-- Video evidence: the merged watched segments (JSON [[from,to],...]) and the
-- furthest point reached on the first viewing.
CREATE TABLE video_progress (
    id                  TEXT PRIMARY KEY,
    cycle_id            TEXT NOT NULL REFERENCES cycles(id),
    employee_id         TEXT NOT NULL REFERENCES employees(id),
    module_id           TEXT NOT NULL,
    step_id             TEXT NOT NULL,
    duration_seconds    DOUBLE PRECISION NOT NULL,
    watched_seconds     DOUBLE PRECISION NOT NULL DEFAULT 0,
    furthest_seconds    DOUBLE PRECISION NOT NULL DEFAULT 0,
    position_seconds    DOUBLE PRECISION NOT NULL DEFAULT 0,
    segments            TEXT NOT NULL DEFAULT '[]',
    last_beacon_at      TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    UNIQUE (cycle_id, module_id, step_id)
);

-- Every beacon as received, and what the server credited for it.
CREATE TABLE video_beacons (
    id                TEXT PRIMARY KEY,
    video_progress_id TEXT NOT NULL REFERENCES video_progress(id),
    from_seconds      DOUBLE PRECISION NOT NULL,
    to_seconds        DOUBLE PRECISION NOT NULL,
    credited_seconds  DOUBLE PRECISION NOT NULL,
    received_at       TIMESTAMP NOT NULL
);
CREATE INDEX video_beacons_progress_idx ON video_beacons (video_progress_id);

-- Every quiz attempt: the questions drawn (with option order), the answers
-- given, and the grade. questions and answers are JSON.
CREATE TABLE quiz_attempts (
    id                TEXT PRIMARY KEY,
    cycle_id          TEXT NOT NULL REFERENCES cycles(id),
    employee_id       TEXT NOT NULL REFERENCES employees(id),
    module_id         TEXT NOT NULL,
    step_id           TEXT NOT NULL,
    module_version_id TEXT NOT NULL REFERENCES content_versions(id),
    number            INTEGER NOT NULL,
    questions         TEXT NOT NULL,
    answers           TEXT NOT NULL DEFAULT '{}',
    correct_count     INTEGER NOT NULL DEFAULT 0,
    question_count    INTEGER NOT NULL,
    score_percent     INTEGER NOT NULL DEFAULT 0,
    pass_mark         INTEGER NOT NULL,
    passed            BOOLEAN NOT NULL DEFAULT FALSE,
    started_at        TIMESTAMP NOT NULL,
    submitted_at      TIMESTAMP,
    UNIQUE (cycle_id, module_id, step_id, number)
);
CREATE INDEX quiz_attempts_employee_idx ON quiz_attempts (employee_id);

-- Policy attestations (e-signatures): printed name, meaning, time, where from.
CREATE TABLE attestations (
    id                TEXT PRIMARY KEY,
    cycle_id          TEXT NOT NULL REFERENCES cycles(id),
    employee_id       TEXT NOT NULL REFERENCES employees(id),
    module_id         TEXT NOT NULL,
    step_id           TEXT NOT NULL,
    module_version_id TEXT NOT NULL REFERENCES content_versions(id),
    policy_version    TEXT NOT NULL DEFAULT '',
    printed_name      TEXT NOT NULL,
    meaning           TEXT NOT NULL,
    signed_at         TIMESTAMP NOT NULL,
    ip                TEXT NOT NULL DEFAULT '',
    user_agent        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX attestations_employee_idx ON attestations (employee_id);

-- Certificates: one per completed cycle, with the evidence snapshot taken at completion.
CREATE TABLE certificates (
    id                TEXT PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    cycle_id          TEXT NOT NULL UNIQUE REFERENCES cycles(id),
    employee_id       TEXT NOT NULL REFERENCES employees(id),
    course_id         TEXT NOT NULL REFERENCES courses(id),
    course_version_id TEXT NOT NULL REFERENCES content_versions(id),
    employee_name     TEXT NOT NULL,
    job_title         TEXT NOT NULL DEFAULT '',
    department        TEXT NOT NULL DEFAULT '',
    course_title      TEXT NOT NULL,
    started_at        TIMESTAMP,
    completed_at      TIMESTAMP NOT NULL,
    expires_at        TIMESTAMP,
    score_percent     INTEGER,
    pass_mark         INTEGER,
    issued_at         TIMESTAMP NOT NULL
);
CREATE INDEX certificates_employee_idx ON certificates (employee_id);

-- +goose Down
DROP TABLE certificates;
DROP TABLE attestations;
DROP TABLE quiz_attempts;
DROP TABLE video_beacons;
DROP TABLE video_progress;
DROP TABLE step_progress;
DROP TABLE cycles;
DROP TABLE assignments;
DROP TABLE content_versions;
DROP TABLE courses;
DROP TABLE invitations;
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE employees;
