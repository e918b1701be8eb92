-- The directory of Parley: accounts, devices, conversations and memberships, sync cursors, receipts, presence,
-- push channels and settings. Ids are the server's 64-bit ids; times are epoch milliseconds (bigint), as in the
-- Directory port. Migrations are only ever added (V2__..., V3__...), never edited once released.
-- Why each index exists, and which query it serves: backend-postgres/README.md.

CREATE TABLE users (
    id            bigint PRIMARY KEY,
    username      text   NOT NULL CONSTRAINT users_username_key UNIQUE, -- given lower-case by the accounts feature
    display_name  text,
    password_hash text,
    created_at    bigint NOT NULL
);

CREATE TABLE devices (
    id         bigint PRIMARY KEY,
    user_id    bigint NOT NULL,
    name       text,
    token_hash bytea  NOT NULL CONSTRAINT devices_token_hash_key UNIQUE, -- SHA-256 of the device's token
    created_at bigint NOT NULL
);
CREATE INDEX devices_by_user ON devices (user_id, created_at, id);

CREATE TABLE conversations (
    id          bigint PRIMARY KEY,
    kind        text   NOT NULL CHECK (kind IN ('direct', 'group')),
    title       text,
    description text,
    created_at  bigint NOT NULL
);

-- Current members. A group's membership changes lock its conversations row (FOR NO KEY UPDATE) first.
CREATE TABLE members (
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    user_id         bigint NOT NULL,
    role            text   NOT NULL CHECK (role IN ('admin', 'member')),
    joined_seq      bigint NOT NULL,
    joined_at       bigint NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id, conversation_id);

-- One direct conversation per pair of users: the primary key is what makes concurrent creation race-free.
CREATE TABLE direct_pairs (
    user_lo         bigint NOT NULL,
    user_hi         bigint NOT NULL,
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    PRIMARY KEY (user_lo, user_hi),
    CHECK (user_lo < user_hi)
);

-- Users who left a group (or were removed) and did not rejoin: they may still read joined_seq..left_seq.
CREATE TABLE former_members (
    conversation_id bigint NOT NULL REFERENCES conversations (id),
    user_id         bigint NOT NULL,
    joined_seq      bigint NOT NULL,
    left_seq        bigint NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX former_members_by_user ON former_members (user_id, conversation_id);

-- Per-device sync cursors; they go with their device.
CREATE TABLE cursors (
    device_id       bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    conversation_id bigint NOT NULL,
    seq             bigint NOT NULL,
    PRIMARY KEY (device_id, conversation_id)
);

-- Cumulative delivered/read positions per (conversation, member). No foreign key: positions may be saved for a
-- conversation this directory does not hold (as the SQLite directory allows).
CREATE TABLE receipts (
    conversation_id bigint NOT NULL,
    user_id         bigint NOT NULL,
    delivered_seq   bigint NOT NULL,
    read_seq        bigint NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX receipts_by_user ON receipts (user_id, conversation_id);

CREATE TABLE presence (
    user_id    bigint PRIMARY KEY,
    last_seen  bigint NOT NULL DEFAULT 0,
    visibility text   NOT NULL DEFAULT 'everyone' CHECK (visibility IN ('everyone', 'contacts', 'nobody'))
);

-- One push channel per device; one device per channel address (a reinstalled app takes its address along).
CREATE TABLE push_registrations (
    device_id  bigint PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL,
    kind       text   NOT NULL CHECK (kind IN ('apns', 'fcm', 'webpush', 'unifiedpush')),
    address    text   NOT NULL,
    topic      text,
    p256dh     text,
    auth       text,
    updated_at bigint NOT NULL,
    CONSTRAINT push_registrations_address_key UNIQUE (kind, address)
);
CREATE INDEX push_registrations_by_user ON push_registrations (user_id);

CREATE TABLE user_settings (
    user_id       bigint  PRIMARY KEY,
    push_previews boolean NOT NULL DEFAULT false
);

CREATE TABLE mutes (
    conversation_id bigint NOT NULL,
    user_id         bigint NOT NULL,
    until           bigint NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX mutes_by_user ON mutes (user_id, conversation_id);
