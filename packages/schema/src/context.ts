import type {
  AvailabilityService,
  CharacterService,
  CreditService,
  ModelRegistry,
  TaskService,
  Upload,
  VideoService,
  WebhookService,
} from '@charanim/tasks';
import type { ApiKeyAdmin } from './api-key-admin.ts';

export type { Upload };

/** The caller: every row read or written is scoped to this owner. */
export interface Viewer {
  owner: string;
  /** Takes one mutation from the owner's budget: seconds to wait when it is spent, else undefined. */
  takeMutation(): Promise<number | undefined>;
  /** Takes one `credits` field from the owner's budget of them: the wait and the budget when spent. */
  takeCreditsRead(): Promise<{ retryAfterSeconds: number; perMinute: number } | undefined>;
  /**
   * May read the kie.ai account's balance: a key of an owner in ADMIN_OWNERS, or anonymous mode,
   * whose one owner is whoever runs the gateway. Tenants see their own spending (`usage`) only.
   */
  seesAccount: boolean;
}

/** The kie.ai account behind the gateway. */
export interface Account {
  /**
   * Its remaining credits, as kie.ai gave them a few seconds ago at most; throws a ProviderError
   * when kie.ai cannot tell.
   */
  credits(): Promise<number>;
}

/** What resolvers reach: services, never the database. The gateway builds one per request. */
export interface Context {
  tasks: TaskService;
  characters: CharacterService;
  videos: VideoService;
  credits: CreditService;
  models: ModelRegistry;
  /** Whether kie.ai runs each model, as its answers said. */
  availability: AvailabilityService;
  account: Account;
  /** The API keys, for admin owners (ADMIN_OWNERS). */
  apiKeys: ApiKeyAdmin;
  /** The caller's webhook endpoints and their deliveries. */
  webhooks: WebhookService;
  viewer: Viewer;
}
