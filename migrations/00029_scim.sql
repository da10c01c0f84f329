-- +goose Up
-- SCIM 2.0 provisioning. scim_users holds an identity provider's names for
-- an employee: userName (unique without regard to case, hence user_name_key,
-- its lowercase) and externalId. An employee without a row is still a SCIM
-- User (people HR added): their userName is their e-mail address.
-- deleted_at marks a person deleted through SCIM: deactivated, kept with
-- every training record, and answered 404 by /scim/v2 (RFC 7644 §3.6). A
-- deleted row keeps its names but not its claim on the userName.
CREATE TABLE scim_users (
    employee_id   TEXT PRIMARY KEY REFERENCES employees(id),
    user_name     TEXT NOT NULL,
    user_name_key TEXT NOT NULL,
    external_id   TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    deleted_at    TIMESTAMP
);
CREATE UNIQUE INDEX scim_users_user_name_idx ON scim_users (user_name_key) WHERE deleted_at IS NULL;
CREATE INDEX scim_users_external_idx ON scim_users (external_id) WHERE external_id <> '';
CREATE INDEX scim_users_deleted_idx ON scim_users (employee_id) WHERE deleted_at IS NOT NULL;

-- +goose Down
DROP TABLE scim_users;
