import pRetry from 'p-retry';
import { z } from 'zod';
import { answerError } from './answer-error.ts';
import { ProviderError } from './errors.ts';
import { createdTaskSchema, taskRecordSchema } from './task-record.ts';
import type { CreateTaskRequest, TaskRecord, UploadedFile, UploadFileRequest } from './types.ts';
import { parseJson, parseProviderData, readEnvelope, wholeNumber } from './wire.ts';

/**
 * The calls the client makes, as {@link KieCallEvent} names them: the fixed ones, and the
 * operation a model that answers in the same request names its own (`omniCharacter`).
 */
export type KieOperation =
  | 'createTask'
  | 'recordInfo'
  | 'credit'
  | 'uploadFile'
  | 'downloadUrl'
  | (string & {});

/** One attempt of one call, for metrics and logs. */
export interface KieCallEvent {
  operation: KieOperation;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  attempt: number;
  durationMs: number;
  /** Why the attempt failed; absent when it succeeded. */
  error?: ProviderError;
}

export interface KieClientOptions {
  /** Sent as `Authorization: Bearer …`; it never appears in an error message. */
  apiKey: string;
  /** The Market API (tasks, credits), e.g. `https://api.kie.ai`. */
  apiBaseUrl: string;
  /** The File Upload API, e.g. `https://kieai.redpandaai.co`. */
  uploadBaseUrl: string;
  /**
   * Sent as `User-Agent` on every request, e.g. `charanim-gateway/0.1.0`: the CDN in front of
   * kie.ai refuses a default library one (such as fetch's `node`) with a 403.
   */
  userAgent: string;
  /** How long one attempt may take, answer body included. Default 15000. */
  timeoutMs?: number;
  /** Extra attempts after the first, for the failures each call retries. Default 3. */
  retries?: number;
  /** The delay before the first retry; later ones double, with jitter. Default 500. */
  retryMinDelayMs?: number;
  /** The longest delay between two attempts. Default 8000. */
  retryMaxDelayMs?: number;
  /** The fetch to use; tests inject one. Default the global fetch. */
  fetch?: typeof fetch;
  /** Called once after every attempt, for metrics and logs. It must not throw. */
  onCall?: (event: KieCallEvent) => void;
}

export interface KieCallOptions {
  /** Cancels the call and its pending retries; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Awaited before each attempt is sent; a rejection ends the call with that error, unretried. */
  beforeAttempt?: (attempt: number) => Promise<void>;
  /**
   * Awaited after an attempt failed in a way this call retries (for createTask: kie.ai surely made
   * no task), before the wait for the next attempt.
   */
  beforeRetry?: (error: ProviderError) => Promise<void>;
}

interface HttpRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | FormData;
}

const creditsSchema = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

const temporaryLinkSchema = z.union([
  z.url(),
  z.object({ url: z.url() }).transform(({ url }) => url),
]);

const uploadedFileSchema = z.object({
  fileName: z.string(),
  filePath: z.string(),
  downloadUrl: z.url(),
  fileSize: wholeNumber,
  mimeType: z.string(),
  uploadedAt: z.string(),
});

/** The kie.ai Market API and File Upload API, with timeouts, bounded retries and typed failures. */
export class KieClient {
  readonly #apiKey: string;
  readonly #apiBaseUrl: string;
  readonly #uploadBaseUrl: string;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  readonly #retry: { retries: number; minTimeout: number; maxTimeout: number };
  readonly #fetch: typeof fetch;
  readonly #onCall: ((event: KieCallEvent) => void) | undefined;

  constructor(options: KieClientOptions) {
    // Without a key every call would fail as UNAUTHORIZED: better to say so at start.
    if (!options.apiKey) throw new Error('KieClient needs an apiKey');
    this.#apiKey = options.apiKey;
    if (!options.userAgent.trim()) throw new Error('KieClient needs a userAgent');
    this.#userAgent = options.userAgent;
    this.#apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '');
    this.#uploadBaseUrl = options.uploadBaseUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#retry = {
      retries: options.retries ?? 3,
      minTimeout: options.retryMinDelayMs ?? 500,
      maxTimeout: options.retryMaxDelayMs ?? 8_000,
    };
    // p-retry would only find out at the first call, as a confusing rejection.
    if (this.#retry.minTimeout > this.#retry.maxTimeout) {
      throw new Error('KieClient: retryMinDelayMs is greater than retryMaxDelayMs');
    }
    this.#fetch = options.fetch ?? fetch;
    this.#onCall = options.onCall;
  }

  /** Starts a task. Retried only on 429 and when kie.ai was not reached, so it never runs twice. */
  async createTask(
    request: CreateTaskRequest,
    options?: KieCallOptions,
  ): Promise<{ taskId: string }> {
    const { model, input, callBackUrl } = request;
    const body = JSON.stringify({ model, input, callBackUrl });
    const { taskId } = await this.#call(
      'createTask',
      `${this.#apiBaseUrl}/api/v1/jobs/createTask`,
      () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      createdTaskSchema,
      options,
      true,
    );
    return { taskId };
  }

  /**
   * Posts a JSON body to a Market API path that answers in the same request (no task id, nothing
   * to poll), such as a character model's; answers the envelope's `data`. Retried like createTask,
   * only when kie.ai surely did not act on it.
   */
  post(
    operation: string,
    path: string,
    body: Record<string, unknown>,
    options?: KieCallOptions,
  ): Promise<unknown> {
    const text = JSON.stringify(body);
    return this.#call(
      operation,
      `${this.#apiBaseUrl}${path}`,
      () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: text }),
      z.unknown(),
      options,
      true,
    );
  }

  /** Reads a task as it is now. */
  recordInfo(taskId: string, options?: KieCallOptions): Promise<TaskRecord> {
    const query = new URLSearchParams({ taskId });
    return this.#call(
      'recordInfo',
      `${this.#apiBaseUrl}/api/v1/jobs/recordInfo?${query}`,
      () => ({ method: 'GET' }),
      taskRecordSchema,
      options,
    );
  }

  /** The account's remaining credits. */
  credit(options?: KieCallOptions): Promise<number> {
    return this.#call(
      'credit',
      `${this.#apiBaseUrl}/api/v1/chat/credit`,
      () => ({ method: 'GET' }),
      creditsSchema,
      options,
    );
  }

  /**
   * A fresh link to a file kie.ai made or holds, valid 20 minutes. kie.ai answers it as `data`
   * itself or as `data.url`: both are read.
   */
  downloadUrl(url: string, options?: KieCallOptions): Promise<string> {
    const body = JSON.stringify({ url });
    return this.#call(
      'downloadUrl',
      `${this.#apiBaseUrl}/api/v1/common/download-url`,
      () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      temporaryLinkSchema,
      options,
    );
  }

  /** Stores a file with the stream upload; its `downloadUrl` is what a task takes as video URL. */
  uploadFile(file: UploadFileRequest, options?: KieCallOptions): Promise<UploadedFile> {
    return this.#call(
      'uploadFile',
      `${this.#uploadBaseUrl}/api/file-stream-upload`,
      () => {
        const form = new FormData();
        form.append('uploadPath', file.uploadPath);
        form.append('fileName', file.fileName);
        const content =
          file.data instanceof Blob
            ? file.data
            : new Blob([file.data], { type: file.mimeType ?? '' });
        form.append('file', content, file.fileName);
        return { method: 'POST', body: form };
      },
      uploadedFileSchema,
      options,
    );
  }

  #call<Schema extends z.ZodType>(
    operation: KieOperation,
    url: string,
    request: () => HttpRequest,
    schema: Schema,
    options: KieCallOptions | undefined,
    /** Whether the call makes something at kie.ai: then it is repeated only when surely unseen. */
    creates = false,
  ): Promise<z.output<Schema>> {
    const signal = options?.signal;
    return pRetry(
      async (attempt) => {
        const started = performance.now();
        const report = (error?: ProviderError) =>
          this.#onCall?.({ operation, attempt, durationMs: performance.now() - started, error });
        await options?.beforeAttempt?.(attempt);
        try {
          const data = await this.#attempt(operation, url, request(), signal, creates);
          const result = parseProviderData(schema, data, `${operation} answer`);
          report();
          return result;
        } catch (error) {
          if (error instanceof ProviderError) report(error);
          throw error;
        }
      },
      {
        ...this.#retry,
        factor: 2,
        randomize: true,
        signal,
        shouldRetry: async (error) => {
          if (!(error instanceof ProviderError) || !shouldRetry(creates, error)) return false;
          await options?.beforeRetry?.(error);
          return true;
        },
      },
    );
  }

  /** One request: the envelope's `data` on success, else a ProviderError (or the caller's abort). */
  async #attempt(
    operation: KieOperation,
    url: string,
    request: HttpRequest,
    signal: AbortSignal | undefined,
    creates: boolean,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await this.#fetch(url, {
        ...request,
        headers: {
          ...request.headers,
          accept: 'application/json',
          authorization: `Bearer ${this.#apiKey}`,
          'user-agent': this.#userAgent,
        },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw transportError(
        operation,
        creates,
        error,
        timeout.aborted ? this.#timeoutMs : undefined,
      );
    }
    const envelope = readEnvelope(parseJson(text));
    // The body's code is the truth when present: kie.ai reports failures with HTTP 200 too.
    if (envelope && (envelope.code ?? status) === 200) return envelope.data;
    throw answerError(
      operation,
      { status, body: text, envelope },
      { apiKey: this.#apiKey, userAgent: this.#userAgent, creates },
    );
  }
}

/**
 * createTask is repeated only when kie.ai surely did not act on it: it rate-limited us, or it was
 * never reached. A repeated createTask after kie.ai took it would make (and bill) a second task;
 * its other refusals would only be refused again.
 */
function shouldRetry(creates: boolean, error: ProviderError): boolean {
  if (!creates) return error.retryable;
  return error.refused && (error.providerCode === 429 || error.providerCode === undefined);
}

/** Errors that mean the request never reached kie.ai, so repeating it cannot do anything twice. */
const notReachedCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Failures to get an answer are SERVER_ERROR: for the caller kie.ai is down either way. Once the
 * request may have arrived (a timeout, a connection lost midway), a createTask is not retryable.
 */
function transportError(
  operation: KieOperation,
  creates: boolean,
  error: unknown,
  timedOutAfterMs: number | undefined,
): ProviderError {
  const reason = systemErrorCode(error);
  const reached = !notReachedCodes.has(reason);
  const ambiguous = reached && creates;
  const consequence = ambiguous ? '; the task may exist' : '';
  let message: string;
  if (timedOutAfterMs !== undefined) {
    message = `kie.ai did not answer ${operation} within ${timedOutAfterMs} ms${consequence}`;
  } else if (reached) {
    message = `kie.ai connection lost during ${operation}: ${reason}${consequence}`;
  } else {
    message = `kie.ai unreachable: ${reason}`;
  }
  return new ProviderError(message, {
    code: 'SERVER_ERROR',
    retryable: !ambiguous,
    refused: !reached,
    cause: error,
  });
}

/** undici rejects with "fetch failed" and keeps the system error (ECONNREFUSED, …) as its cause. */
function systemErrorCode(error: unknown): string {
  let current = error;
  while (current instanceof Error) {
    if ('code' in current && typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : String(error);
}
