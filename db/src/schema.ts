import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** The gateway's task states, in the only order a task may move through them. */
export const taskStates = [
  'PENDING',
  'WAITING',
  'QUEUING',
  'GENERATING',
  'SUCCESS',
  'FAIL',
] as const;
export type TaskState = (typeof taskStates)[number];
export const taskStateEnum = pgEnum('task_state', taskStates);

/** Millisecond precision, so that a timestamp survives a round trip through a JS Date in a cursor. */
const timestampMs = (name: string) =>
  timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

/** An image a character is made from, as the gateway measured it; unknown values are null. */
export interface SourceImage {
  url: string;
  /** JPEG, PNG or WebP. */
  format: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  width: number | null;
  height: number | null;
  /** ISO time after which the URL stops working: kie.ai keeps uploads about 24 hours. */
  expiresAt: string | null;
}

/** The video a character is made from, as the gateway measured it; unknown values are null. */
export interface SourceVideo {
  url: string;
  format: string | null;
  durationSeconds: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  /** ISO time after which the URL stops working: kie.ai keeps uploads about 24 hours. */
  expiresAt: string | null;
}

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    owner: text('owner').notNull(),
    model: text('model').notNull(),
    state: taskStateEnum('state').notNull().default('PENDING'),
    /** The input as the client sent it (after validation), not the provider's wire form. */
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    providerTaskId: text('provider_task_id').unique(),
    /**
     * When a request claimed the right to send the task to kie.ai, just before createTask: a task
     * is sent at most once, and one never claimed was surely never sent. A task without an
     * idempotency key is claimed as it is made: no other request can ever name it.
     */
    submittedAt: timestampMs('submitted_at'),
    /** Copied to the character on SUCCESS. */
    sourceVideo: jsonb('source_video').$type<SourceVideo>(),
    /** The images the result is made from, by the input field that names each; for its character. */
    sourceImages: jsonb('source_images')
      .$type<Record<string, SourceImage>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** The typed result its model's plugin parsed from kie.ai's answer, once SUCCESS. */
    result: jsonb('result').$type<Record<string, unknown>>(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the input as the idempotency key promised it; a retry must match it. */
    inputFingerprint: text('input_fingerprint'),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
    completedAt: timestampMs('completed_at'),
    /**
     * When the poller next reads the task; null once it is finished. While an instance polls it,
     * the end of that instance's lease: the task is due again then if the instance died.
     */
    nextPollAt: timestampMs('next_poll_at'),
    /** The instance polling the task, while its lease holds: for operators, not for locking. */
    leasedBy: text('leased_by'),
    /**
     * Reads of kie.ai that unsigned callbacks asked for in the minute from `hintWindowAt`: anyone
     * can send one, so each task gets a few such reads a minute (the poller reads it anyway).
     */
    hintReads: integer('hint_reads').notNull().default(0),
    hintWindowAt: timestampMs('hint_window_at'),
    pollAttempts: integer('poll_attempts').notNull().default(0),
    /**
     * What kie.ai said the task cost (`consumeCredits`, `creditsConsumed`), 0 for a task it surely
     * never ran; null while unknown. Written with the final state, which settles its credit charge.
     */
    creditsConsumed: integer('credits_consumed'),
  },
  (t) => [
    uniqueIndex('tasks_owner_idempotency_key_idx')
      .on(t.owner, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('tasks_owner_created_idx').on(
      t.owner,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('tasks_next_poll_idx').on(t.nextPollAt).where(sql`${t.state} not in ('SUCCESS', 'FAIL')`),
  ],
);

export const characters = pgTable(
  'characters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    owner: text('owner').notNull(),
    taskId: uuid('task_id')
      .notNull()
      .unique()
      .references(() => tasks.id),
    /** The provider's character id, referenced by later generations of its family. */
    characterId: text('character_id').notNull(),
    /** The family of the model that made it; videos of that family's models may reference it. */
    family: text('family').notNull(),
    prompt: text('prompt'),
    /** The name it goes by, for the models that take one. */
    name: text('name'),
    safetyInstruction: text('safety_instruction'),
    /** The picture kie.ai shows of it, when kie.ai gives one. */
    imageUrl: text('image_url'),
    /**
     * Its source: the video it was made from, or for a character made from images its portrait
     * (the images are in `source_images`).
     */
    sourceVideoUrl: text('source_video_url').notNull(),
    sourceVideoExpiresAt: timestampMs('source_video_expires_at'),
    sourceVideoFormat: text('source_video_format'),
    sourceVideoDurationSeconds: real('source_video_duration_seconds'),
    sourceVideoSizeBytes: integer('source_video_size_bytes'),
    sourceVideoSha256: text('source_video_sha256'),
    /** The images it was made from, in the model's order (a portrait, then a full-body shot). */
    sourceImages: jsonb('source_images').$type<SourceImage[]>().notNull().default(sql`'[]'::jsonb`),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`to_tsvector('english', coalesce(prompt, ''))`,
    ),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('characters_search_idx').using('gin', t.searchVector),
    // NULLS FIRST is what ORDER BY … DESC means: an index built NULLS LAST cannot serve it.
    index('characters_owner_created_idx').on(
      t.owner,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
  ],
);

/** A video a task made: kie.ai's result, which it keeps for 14 days. */
export const videos = pgTable(
  'videos',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    owner: text('owner').notNull(),
    taskId: uuid('task_id')
      .notNull()
      .unique()
      .references(() => tasks.id),
    model: text('model').notNull(),
    /** The first of `urls`: the video. */
    url: text('url').notNull(),
    /** Every URL kie.ai gave, in its order. */
    urls: text('urls').array().notNull(),
    /** When kie.ai deletes the file, and the URLs stop working. */
    expiresAt: timestampMs('expires_at'),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('videos_owner_created_idx').on(
      t.owner,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
  ],
);

/** The characters a video's task referenced, in the order the client gave them. */
export const videoCharacters = pgTable(
  'video_characters',
  {
    videoId: uuid('video_id')
      .notNull()
      .references(() => videos.id),
    characterId: uuid('character_id')
      .notNull()
      .references(() => characters.id),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.videoId, t.position] }),
    index('video_characters_character_idx').on(t.characterId),
  ],
);

/**
 * Each owner's vocabulary: the words of its characters' prompts as written (lower case, unstemmed,
 * no stop words), kept by a trigger (migration 0013). A misspelt search word is matched against
 * these few words, not against every prompt.
 */
export const searchTerms = pgTable(
  'search_terms',
  {
    owner: text('owner').notNull(),
    term: text('term').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.owner, t.term] }),
    index('search_terms_term_trgm_idx').using('gin', t.term.op('gin_trgm_ops')),
  ],
);

/**
 * Each character's words as written with the rank a one-word search gives it, kept by a trigger
 * (migration 0013): the index returns a common word's best matches in rank order without reading
 * the thousands of characters that hold it. No foreign key is kept (its check would cost every
 * insert a lookup per word): deleting a character deletes its rows in the same statement.
 */
export const characterTerms = pgTable(
  'character_terms',
  {
    owner: text('owner').notNull(),
    term: text('term').notNull(),
    /** ts_rank_cd of the character's words (as written) for this word alone. */
    rank: real('rank').notNull(),
    createdAt: timestampMs('created_at').notNull(),
    characterId: uuid('character_id').notNull(),
  },
  (t) => [
    index('character_terms_ranked_idx').on(
      t.owner,
      t.term,
      t.rank.desc().nullsFirst(),
      t.createdAt.desc().nullsFirst(),
      t.characterId.desc().nullsFirst(),
    ),
  ],
);

/** Every callback as it arrived, for audit and de-duplication. */
export const callbackEvents = pgTable(
  'callback_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The task's owner once the callback is matched to a task. */
    owner: text('owner'),
    taskId: uuid('task_id').references(() => tasks.id),
    providerTaskId: text('provider_task_id'),
    /** SHA-256 of the raw body: an identical callback is stored once. */
    bodySha256: text('body_sha256').notNull().unique(),
    body: jsonb('body').notNull(),
    signatureValid: boolean('signature_valid'),
    /** What the gateway did with it: applied, stale, unknown_task, rejected. */
    outcome: text('outcome').notNull(),
    receivedAt: timestampMs('received_at').notNull().defaultNow(),
  },
  (t) => [index('callback_events_task_idx').on(t.taskId)],
);

/**
 * The gateway's API keys. Only a key's SHA-256 is kept: the key itself is shown once, when made,
 * and never stored.
 */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  owner: text('owner').notNull(),
  /** Hex SHA-256 of the whole key. */
  keySha256: text('key_sha256').notNull().unique(),
  /** The key's first 12 characters, to recognise it in lists. */
  prefix: text('prefix').notNull(),
  createdAt: timestampMs('created_at').notNull().defaultNow(),
  revokedAt: timestampMs('revoked_at'),
});

/**
 * An owner's credit budget (`npm run keys -- budget`): at most this many kie.ai credits a day and a
 * month (UTC), either one unset for no limit. Creates lock the row while they reserve.
 */
export const creditBudgets = pgTable('credit_budgets', {
  owner: text('owner').primaryKey(),
  creditsPerDay: integer('credits_per_day'),
  creditsPerMonth: integer('credits_per_month'),
  updatedAt: timestampMs('updated_at').notNull().defaultNow(),
});

/**
 * One charge per task sent to kie.ai: its plugin's estimate, reserved before any provider call,
 * then settled from what kie.ai reported when the task ends (a trigger, migration 0020). Kept when
 * the task is deleted: the credits were spent. What an owner spent is the sum of its charges.
 */
export const creditCharges = pgTable(
  'credit_charges',
  {
    taskId: uuid('task_id').primaryKey(),
    owner: text('owner').notNull(),
    estimate: integer('estimate').notNull(),
    /** What the task cost once it ended; null while it runs (the estimate counts meanwhile). */
    charged: integer('charged'),
    reservedAt: timestampMs('reserved_at').notNull().defaultNow(),
    settledAt: timestampMs('settled_at'),
  },
  (t) => [index('credit_charges_owner_reserved_idx').on(t.owner, t.reservedAt)],
);

/** What an app may ask to be told of a task: each a kind of webhook event. */
export const webhookEvents = [
  'TASK_ENDED',
  'TASK_STATE_CHANGED',
  'CHARACTER_READY',
  'VIDEO_READY',
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/**
 * Where an owner's app is told of its tasks (Standard Webhooks). The secret signs each delivery;
 * after a rotation the previous one signs beside it until `previous_secret_expires_at`, so that an
 * app can switch without missing a delivery.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    owner: text('owner').notNull(),
    url: text('url').notNull(),
    events: text('events').array().$type<WebhookEvent[]>().notNull(),
    description: text('description'),
    enabled: boolean('enabled').notNull().default(true),
    /** `whsec_` and base64 of the key: shown once, when made or rotated. */
    secret: text('secret').notNull(),
    previousSecret: text('previous_secret'),
    previousSecretExpiresAt: timestampMs('previous_secret_expires_at'),
    /** Why the gateway turned it off (it failed for days); null when enabled or turned off by its owner. */
    disabledReason: text('disabled_reason'),
    disabledAt: timestampMs('disabled_at'),
    /** When its deliveries began to fail without a success since; null while they succeed. */
    failingSince: timestampMs('failing_since'),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_owner_idx').on(t.owner, t.createdAt)],
);

/**
 * The outbox: one row per event per endpoint, written by a trigger in the statement that changes
 * the task (migration 0018), so that no change is committed without its deliveries. `seq` orders
 * the deliveries of a task; an instance leases one (`leased_by`, `lease_until`) while it sends it.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    owner: text('owner').notNull(),
    // Deleting a task deletes what would have told of it.
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    event: text('event').$type<WebhookEvent>().notNull(),
    /** The state the task entered. */
    state: taskStateEnum('state').notNull(),
    /** pending, delivered, or failed (given up on after WEBHOOK_RETRY_FOR_MS). */
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** When it is due; while an instance sends it, the end of that instance's lease. */
    nextAttemptAt: timestampMs('next_attempt_at').notNull().defaultNow(),
    leasedBy: text('leased_by'),
    /** Since when it has been retried: its creation, or the last redelivery its owner asked for. */
    pendingSince: timestampMs('pending_since').notNull().defaultNow(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    deliveredAt: timestampMs('delivered_at'),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(
      t.endpointId,
      t.createdAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    index('webhook_deliveries_task_idx').on(t.taskId, t.endpointId, t.seq),
  ],
);

/** Each time a delivery was sent, and what came back. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: timestampMs('attempted_at').notNull().defaultNow(),
    /** The HTTP status; null when no answer came (a timeout, a refused address, a lost connection). */
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    /** The answer's first bytes, or why there was none. */
    excerpt: text('excerpt').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attemptedAt)],
);

/**
 * The createTask calls this account sent to kie.ai, one row each, kept a minute: the window of
 * kie.ai's account-wide create limit is counted from them by every instance alike.
 */
export const createAdmissions = pgTable(
  'create_admissions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    owner: text('owner').notNull(),
    admittedAt: timestampMs('admitted_at').notNull().default(sql`clock_timestamp()`),
  },
  (t) => [index('create_admissions_admitted_at_idx').on(t.admittedAt)],
);

/**
 * Creates waiting for a place in the window, one row each, so that the next place goes to the
 * waiting owner with the fewest creates of late; a row outlives a dead process until it expires.
 */
export const createWaiters = pgTable(
  'create_waiters',
  {
    id: uuid('id').primaryKey(),
    owner: text('owner').notNull(),
    expiresAt: timestampMs('expires_at').notNull(),
  },
  (t) => [index('create_waiters_owner_idx').on(t.owner)],
);

/** Until when no instance sends a createTask: a whole window after kie.ai answered 429. */
export const createHolds = pgTable('create_holds', {
  /** The one row's key: there is one account, hence one hold. */
  id: integer('id').primaryKey().default(1),
  until: timestampMs('until').notNull(),
});

/**
 * Per-owner budgets of calls per minute (mutations, credits reads), counted in fixed windows and
 * shared by every instance: `key` names the budget and the owner.
 */
export const budgetWindows = pgTable('budget_windows', {
  key: text('key').primaryKey(),
  endsAt: timestampMs('ends_at').notNull(),
  spent: integer('spent').notNull(),
});

/** What kie.ai's answers last said of each model (a created task, or a paused interface). */
export const modelAvailability = pgTable('model_availability', {
  model: text('model').primaryKey(),
  /** AVAILABLE or PAUSED. */
  state: text('state').notNull(),
  /** kie.ai's own words for a paused model; null when it was available. */
  message: text('message'),
  checkedAt: timestampMs('checked_at').notNull().defaultNow(),
});

export type TaskRow = typeof tasks.$inferSelect;
export type CharacterRow = typeof characters.$inferSelect;
export type VideoRow = typeof videos.$inferSelect;
export type CallbackEventRow = typeof callbackEvents.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type CreditBudgetRow = typeof creditBudgets.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

export type ModelAvailabilityRow = typeof modelAvailability.$inferSelect;
