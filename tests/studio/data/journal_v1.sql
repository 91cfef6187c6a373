-- A journal as schema version 1 wrote it (frozen: never edit; add a file for a new version).
CREATE TABLE jobs (
    id                TEXT PRIMARY KEY,
    task_uuid         TEXT NOT NULL UNIQUE,
    model             TEXT NOT NULL,
    prompt            TEXT NOT NULL,
    spec_json         TEXT NOT NULL,
    request_json      TEXT,
    state             TEXT NOT NULL,
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL,
    submitted_at      REAL,
    finished_at       REAL,
    error_code        TEXT,
    error_message     TEXT,
    error_retryable   INTEGER NOT NULL DEFAULT 0,
    possibly_billed   INTEGER NOT NULL DEFAULT 0,
    estimated_cost    REAL,
    actual_cost       REAL,
    parent_job_id     TEXT,
    lineage_kind      TEXT,
    source_video_id   TEXT,
    source_image_hash TEXT
);
CREATE TABLE results (
    job_id         TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    idx            INTEGER NOT NULL,
    state          TEXT NOT NULL,
    video_uuid     TEXT,
    video_url      TEXT,
    video_id       TEXT,
    seed           INTEGER,
    cost           REAL,
    local_path     TEXT,
    thumbnail_path TEXT,
    error          TEXT,
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY,
    job_id       TEXT NOT NULL,
    task_uuid    TEXT NOT NULL,
    attempted_at REAL NOT NULL,
    outcome      TEXT
);
CREATE INDEX submissions_task ON submissions(task_uuid);
CREATE TABLE response_items (
    id          INTEGER PRIMARY KEY,
    task_uuid   TEXT NOT NULL,
    received_at REAL NOT NULL,
    digest      TEXT NOT NULL,
    item_json   TEXT NOT NULL,
    UNIQUE (task_uuid, digest)
);

INSERT INTO jobs VALUES (
    'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', '7c9e6679-7425-40de-944b-e07fc1f90ae7', 'openai:3@1',
    'a paper boat sails across a puddle',
    '{"model":"openai:3@1","prompt":"a paper boat sails across a puddle","width":1280,"height":720,"duration":8.0,"number_results":1,"output_format":"MP4","output_quality":null,"frames":[],"video_id":null,"seed":null,"provider_settings":{},"safety_mode":null,"ttl":null,"webhook_url":null,"upload_endpoint":null}',
    '{"taskType":"videoInference","taskUUID":"7c9e6679-7425-40de-944b-e07fc1f90ae7","model":"openai:3@1","positivePrompt":"a paper boat sails across a puddle","width":1280,"height":720,"duration":8,"includeCost":true}',
    'ready', 1767225600.0, 1767225700.0, 1767225601.0, 1767225700.0,
    NULL, NULL, 0, 1, 0.8, 0.8, NULL, NULL, NULL, NULL);
INSERT INTO results VALUES (
    'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', 0, 'ready', '0f8fad5b-d9cb-469f-a165-70867728950e',
    'https://im.runware.ai/video/0f8fad5b-d9cb-469f-a165-70867728950e.mp4', 'video_abc', 42, 0.8,
    '/library/videos/0f8fad5b-d9cb-469f-a165-70867728950e.mp4', NULL, NULL);
INSERT INTO jobs VALUES (
    'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', '16fd2706-8baf-433b-82eb-8c7fada847da', 'openai:3@1',
    'the paper boat, remixed at dusk',
    '{"model":"openai:3@1","prompt":"the paper boat, remixed at dusk","width":null,"height":null,"duration":8.0,"number_results":1,"output_format":"MP4","output_quality":null,"frames":[],"video_id":"video_abc","seed":null,"provider_settings":{},"safety_mode":null,"ttl":null,"webhook_url":null,"upload_endpoint":null}',
    NULL, 'processing', 1767225800.0, 1767225810.0, 1767225801.0, NULL,
    NULL, NULL, 0, 1, 0.8, NULL, 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', 'remix', 'video_abc', NULL);
INSERT INTO results VALUES (
    'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', 0, 'pending', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO submissions (job_id, task_uuid, attempted_at, outcome) VALUES
    ('a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', '7c9e6679-7425-40de-944b-e07fc1f90ae7', 1767225600.5, 'accepted');
INSERT INTO response_items (task_uuid, received_at, digest, item_json) VALUES
    ('7c9e6679-7425-40de-944b-e07fc1f90ae7', 1767225690.0, 'd1',
     '{"taskType":"videoInference","taskUUID":"7c9e6679-7425-40de-944b-e07fc1f90ae7","status":"success"}');
PRAGMA user_version = 1;
