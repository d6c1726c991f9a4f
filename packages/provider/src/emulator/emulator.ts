import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorWorld, ImmediateModel, ModelRegistry } from '../models/define-model.ts';
import { createModelRegistry } from '../models/index.ts';
import type { TaskRecord } from '../types.ts';
import { parseJson } from '../wire.ts';
import { type CallbackMode, CallbackSender, callbackModes } from './callbacks.ts';
import { identifiesItself, refuseAsCdn } from './cdn.ts';
import { CreateWindow } from './create-window.ts';
import { FaultInjector } from './faults.ts';
import type { EmulatorFaults } from './faults-options.ts';
import { FILES_PREFIX, FileStore } from './file-store.ts';
import {
  type EmulatorStats,
  type EmulatorTaskListing,
  INTROSPECTION_ROUTES,
  listTasks,
  statsOf,
} from './introspection.ts';
import { judgeBody, judgeCreateTask } from './refusals.ts';
import { type EmulatorRoute, Steering, type StubbedReply } from './steering.ts';
import { type EmulatorOutcome, type EmulatorTask, type EmulatorTiming, TaskBook } from './tasks.ts';

export interface EmulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** When set, a request without `Authorization: Bearer <apiKey>` is answered code 401. */
  apiKey?: string;
  /** When set, completion callbacks carry `X-Webhook-Timestamp` and `X-Webhook-Signature`. */
  webhookHmacKey?: string;
  /** How long each running state lasts. Default 1500 ms each. */
  timing?: EmulatorTiming;
  /** The account's credits at start. Default 1000. */
  credits?: number;
  /** What each accepted task costs; createTask with fewer credits left answers 402. Default 10. */
  creditsPerTask?: number;
  /** The models it plays, each by its plugin. Default: every model the gateway serves. */
  models?: ModelRegistry;
  /**
   * Seeded random faults for chaos runs (see {@link EmulatorFaults}). Default: none. Steering
   * (failNext, delayNext, resetNext, setNextOutcome, setCallbackMode) takes precedence over them.
   */
  faults?: EmulatorFaults;
  /**
   * Models kie.ai has paused: createTask for them answers code 500 "This interface is temporarily
   * paused", as kie.ai does for every Sora 2 model since 2026-06-11. Default: none.
   */
  pausedModels?: readonly string[];
  /** createTask calls taken in any 10 s; the next is answered 429 and dropped. Default 20; 0: none. */
  createLimit?: number;
}

/**
 * One request to a steerable route, recorded when it arrived, before any steering applied, as
 * `GET /emulator/calls` lists it.
 */
export interface EmulatorCall {
  route: EmulatorRoute;
  /** `Date.now()` at arrival. */
  at: number;
  /**
   * `Date.now()` when the emulator was done with it: answered, reset, or found its caller gone.
   * Unset while it is held (a delay or a slow fault).
   */
  endedAt?: number;
  /** The task a recordInfo call asked for. */
  taskId?: string;
  /** The JSON body, when the body was JSON. */
  body?: unknown;
  /** The `User-Agent` header, when one was sent. */
  userAgent?: string;
}

/** A running kie.ai emulator, with handles for tests to steer it. */
export interface Emulator {
  /** Serves the Market API, the File Upload API and the uploaded files. */
  readonly url: string;
  /** Stops the timers, the pending callbacks and the server. */
  close(): Promise<void>;
  /** Answers the next `times` (default 1) calls of `route` with this envelope instead. */
  failNext(route: EmulatorRoute, reply: StubbedReply, times?: number): void;
  /** Holds the next `times` (default 1) calls of `route` for `ms` before handling them. */
  delayNext(route: EmulatorRoute, ms: number, times?: number): void;
  /** Destroys the connection of the next `times` (default 1) calls of `route` without answering. */
  resetNext(route: EmulatorRoute, times?: number): void;
  /** Which key carries the message of envelopes and callbacks from now on. Default `msg`. */
  setEnvelopeKey(key: 'msg' | 'message'): void;
  /**
   * What happens to the callbacks of tasks that end from now on, whatever the random callback
   * faults would do. Until it is called, those decide (none by default: each is delivered once).
   */
  setCallbackMode(mode: CallbackMode): void;
  /** How the next created task ends. */
  setNextOutcome(outcome: EmulatorOutcome): void;
  /** Ends a running task as failed now, and sends its callback per the callback mode. */
  failTask(taskId: string, failCode: string, failMsg: string): void;
  setCredits(n: number): void;
  /** Every call received, in order. */
  readonly calls: ReadonlyArray<EmulatorCall>;
  /** A copy of a task as it is now. */
  task(taskId: string): EmulatorTask | undefined;
  /** Every accepted task, as `GET /emulator/tasks` lists them. */
  listTasks(): EmulatorTaskListing[];
  /** The counts `GET /emulator/stats` answers. */
  stats(): EmulatorStats;
}

/** Starts an emulator of kie.ai's Market API and File Upload API on a local port. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = new FaultInjector(options.faults); // throws on invalid faults, before listening
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return new KieEmulator(server, `http://${host}:${port}`, options, faults);
}

/** The meaning of each code in kie.ai's table, used when no message is given. */
const messages: Record<number, string> = {
  200: 'success',
  401: 'You do not have access permissions',
  402: 'Insufficient credits',
  404: 'Not found',
  408: 'Upstream timeout',
  422: 'Validation error',
  429: 'Rate limited',
  433: 'Sub-key usage cap exceeded',
  455: 'Service unavailable: under maintenance',
  500: 'Server error',
  501: 'Generation failed',
  505: 'Feature disabled',
};

const SUCCESS_CALLBACK_MESSAGE = 'Playground task completed successfully.';

interface Reply {
  code: number;
  /** Default: the meaning of `code`. */
  message?: string;
  data?: unknown;
  /**
   * Default 200: the emulator reports API errors in the body of an HTTP 200, as kie.ai's
   * documentation shows. Unknown routes and files, and its own crashes, get a matching status.
   */
  httpStatus?: number;
}

class KieEmulator implements Emulator {
  readonly url: string;
  readonly calls: EmulatorCall[] = [];
  readonly #server: Server;
  readonly #apiKey: string | undefined;
  readonly #creditsPerTask: number;
  readonly #pausedModels: ReadonlySet<string>;
  readonly #createWindow: CreateWindow;
  readonly #steering = new Steering();
  readonly #files: FileStore;
  readonly #tasks: TaskBook;
  readonly #callbacks: CallbackSender;
  readonly #faults: FaultInjector;
  readonly #models: ModelRegistry;
  /** The characters the models that answer at once made, by id: how many images each came from. */
  readonly #characters = new Map<string, number>();
  readonly #world: EmulatorWorld = { imageCountOf: (id) => this.#characters.get(id) };
  /** Steering delays in progress; close() cancels them, leaving their requests unanswered. */
  readonly #delays = new Set<NodeJS.Timeout>();
  #credits: number;
  #envelopeKey: 'msg' | 'message' = 'msg';
  /** Unset: the random callback faults decide. */
  #callbackMode: CallbackMode | undefined;
  #nextOutcome: EmulatorOutcome | undefined;
  #closed: Promise<void> | undefined;

  constructor(server: Server, url: string, options: EmulatorOptions, faults: FaultInjector) {
    this.url = url;
    this.#server = server;
    this.#apiKey = options.apiKey;
    this.#credits = options.credits ?? 1000;
    this.#creditsPerTask = options.creditsPerTask ?? 10;
    this.#pausedModels = new Set(options.pausedModels);
    this.#createWindow = new CreateWindow(options.createLimit);
    this.#files = new FileStore(url);
    this.#models = options.models ?? createModelRegistry();
    this.#faults = faults;
    this.#callbacks = new CallbackSender(options.webhookHmacKey, this.#faults.callbackRetry);
    const timing = options.timing ?? { waitingMs: 1500, queuingMs: 1500, generatingMs: 1500 };
    this.#tasks = new TaskBook(timing, this.#files.url, (task, outcome) => {
      // As kie.ai does, a failed generation costs nothing: its credits come back.
      const consumed = outcome.state === 'success' ? this.#creditsPerTask : 0;
      this.#credits += this.#creditsPerTask - consumed;
      task.record.creditsConsumed = consumed;
      this.#sendCallback(task, outcome);
    });
    server.on('request', (req, res) => {
      this.#handle(req, res).catch((error: unknown) =>
        this.#reply(res, { code: 500, message: String(error), httpStatus: 500 }),
      );
    });
  }

  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve, reject) => {
      this.#tasks.close();
      this.#callbacks.close();
      for (const delay of this.#delays) clearTimeout(delay);
      this.#server.close((error) => (error ? reject(error) : resolve()));
      this.#server.closeAllConnections();
    });
    return this.#closed;
  }

  failNext(route: EmulatorRoute, reply: StubbedReply, times = 1): void {
    this.#steering.override(route, reply, times);
  }

  delayNext(route: EmulatorRoute, ms: number, times = 1): void {
    this.#steering.delay(route, ms, times);
  }

  resetNext(route: EmulatorRoute, times = 1): void {
    this.#steering.override(route, 'reset', times);
  }

  setEnvelopeKey(key: 'msg' | 'message'): void {
    this.#envelopeKey = key;
  }

  setCallbackMode(mode: CallbackMode): void {
    this.#callbackMode = mode;
  }

  setNextOutcome(outcome: EmulatorOutcome): void {
    this.#nextOutcome = outcome;
  }

  failTask(taskId: string, failCode: string, failMsg: string): void {
    this.#tasks.fail(taskId, failCode, failMsg);
  }

  setCredits(n: number): void {
    this.#credits = n;
  }

  task(taskId: string): EmulatorTask | undefined {
    const task = this.#tasks.get(taskId);
    return task && { record: { ...task.record }, request: task.request };
  }

  listTasks(): EmulatorTaskListing[] {
    return listTasks(this.#tasks.all(), this.#callbacks);
  }

  stats(): EmulatorStats {
    return statsOf(this.calls, this.#faults, this.listTasks(), this.#createWindow.stats());
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname, searchParams } = new URL(req.url ?? '/', this.url);
    const bytes = await readBody(req);
    if (req.method === 'GET' && pathname.startsWith(FILES_PREFIX)) {
      return this.#serveFile(res, pathname);
    }
    if (req.method === 'GET' && pathname === INTROSPECTION_ROUTES.tasks) {
      return sendJson(res, { tasks: this.listTasks() });
    }
    if (req.method === 'GET' && pathname === INTROSPECTION_ROUTES.stats) {
      return sendJson(res, this.stats());
    }
    if (req.method === 'GET' && pathname === INTROSPECTION_ROUTES.calls) {
      return sendJson(res, { calls: this.calls });
    }
    if (req.method === 'PUT' && pathname === INTROSPECTION_ROUTES.callbackMode) {
      return this.#steerCallbacks(req, res, parseJson(bytes.toString('utf8')));
    }
    const immediate = req.method === 'POST' ? this.#immediateAt(pathname) : undefined;
    const route = immediate ? 'immediate' : routeOf(req.method, pathname);
    if (route === undefined) {
      return this.#reply(res, {
        code: 404,
        message: `no route ${req.method} ${pathname}`,
        httpStatus: 404,
      });
    }
    const body = parseJson(bytes.toString('utf8'));
    const taskId = route === 'recordInfo' ? searchParams.get('taskId') : null;
    const userAgent = req.headers['user-agent'];
    const call: EmulatorCall = {
      route,
      at: Date.now(),
      ...(taskId !== null && { taskId }),
      ...(body !== undefined && { body }),
      ...(userAgent !== undefined && { userAgent }),
    };
    this.calls.push(call);
    try {
      await this.#serve(call, req, res, bytes, immediate);
    } finally {
      call.endedAt = Date.now();
    }
  }

  async #serve(
    { route, body, taskId }: EmulatorCall,
    req: IncomingMessage,
    res: ServerResponse,
    bytes: Buffer,
    immediate: ImmediateModel | undefined,
  ): Promise<void> {
    // The CDN in front of kie.ai turns such a request away before kie.ai, its faults included.
    if (!identifiesItself(req.headers['user-agent'])) return refuseAsCdn(res);
    const { delayMs, override } = this.#faults.call(route, this.#steering.next(route));
    if (delayMs > 0) await this.#delay(delayMs);
    if (override === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (override && 'body' in override) {
      res.writeHead(override.httpStatus, { 'content-type': 'text/html' }).end(override.body);
      return;
    }
    if (override) {
      const { code, msg: message, httpStatus } = override;
      return this.#reply(res, { code, message, httpStatus }, route);
    }
    if (this.#apiKey !== undefined && req.headers.authorization !== `Bearer ${this.#apiKey}`) {
      return this.#reply(res, { code: 401 }, route);
    }
    switch (route) {
      case 'createTask':
        // Like a real server, a task is made even when its caller gave up waiting for the answer:
        // the caller then knows of it only through its callback.
        return this.#reply(res, this.#createTask(body));
      case 'recordInfo':
        return this.#reply(res, this.#recordInfo(taskId));
      case 'credit':
        return this.#reply(res, { code: 200, data: this.#credits });
      case 'upload':
        return this.#reply(res, await this.#upload(req, bytes), route);
      case 'immediate':
        return this.#reply(res, this.#answerAtOnce(immediate as ImmediateModel, body));
      case 'downloadUrl':
        return this.#reply(res, this.#files.temporaryLink(body));
    }
  }

  /** The model that answers in the same request at this path, if any. */
  #immediateAt(pathname: string): ImmediateModel | undefined {
    for (const model of this.#models.list()) {
      if (model.mode === 'immediate' && model.path === pathname) return model;
    }
    return undefined;
  }

  /** A model that answers in the same request: checked by its plugin's rules, answered at once. */
  #answerAtOnce(model: ImmediateModel, body: unknown): Reply {
    const verdict = judgeBody(model.emulator.request, model.id, body, this.#pausedModels);
    if ('refusal' in verdict) return { code: 500, message: verdict.refusal };
    const { data, character } = model.emulator.answer(verdict.accepted, {
      filesUrl: this.#files.url,
    });
    if (character) this.#characters.set(character.id, character.imageCount);
    return { code: 200, data };
  }

  /** `setCallbackMode` for an emulator in another process, such as a test's; it needs the key. */
  #steerCallbacks(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    if (this.#apiKey !== undefined && req.headers.authorization !== `Bearer ${this.#apiKey}`) {
      sendJson(res, { error: 'a valid API key is required' }, 401);
      return;
    }
    const mode = (body as { mode?: unknown } | undefined)?.mode;
    if (!callbackModes.includes(mode as CallbackMode)) {
      sendJson(res, { error: `mode must be one of ${callbackModes.join(', ')}` }, 400);
      return;
    }
    this.setCallbackMode(mode as CallbackMode);
    sendJson(res, { mode });
  }

  #createTask(body: unknown): Reply {
    if (!this.#createWindow.admit()) {
      return { code: 429, message: 'Too many requests: the create limit of this account was hit' };
    }
    const verdict = judgeCreateTask(this.#models, body, this.#pausedModels, this.#world);
    if ('refusal' in verdict) return { code: 500, message: verdict.refusal };
    if (this.#credits < this.#creditsPerTask) return { code: 402 };
    this.#credits -= this.#creditsPerTask;
    const task = this.#tasks.create(verdict.accepted, this.#faults.outcome(this.#nextOutcome));
    this.#nextOutcome = undefined;
    return { code: 200, data: { taskId: task.record.taskId } };
  }

  #recordInfo(taskId: string | undefined): Reply {
    if (!taskId) return { code: 422, message: 'taskId is required' };
    const task = this.#tasks.get(taskId);
    if (!task) return { code: 404, message: `task ${taskId} not found` };
    return { code: 200, data: wireRecord(task.record) };
  }

  async #upload(req: IncomingMessage, bytes: Buffer): Promise<Reply> {
    let form: FormData;
    try {
      // The web Request parses multipart bodies; no parser of our own needed.
      const headers = { 'content-type': req.headers['content-type'] ?? '' };
      form = await new Request(this.url, {
        method: 'POST',
        headers,
        body: new Uint8Array(bytes),
      }).formData();
    } catch {
      return { code: 422, message: 'the body must be multipart/form-data' };
    }
    const stored = await this.#files.upload(form);
    if (typeof stored === 'string') return { code: 422, message: stored };
    return { code: 200, message: 'File uploaded successfully', data: stored };
  }

  #serveFile(res: ServerResponse, pathname: string): void {
    const file = this.#files.get(pathname);
    if (!file) {
      this.#reply(res, { code: 404, message: 'file not found', httpStatus: 404 });
      return;
    }
    res
      .writeHead(200, { 'content-type': file.mimeType, 'content-length': file.bytes.byteLength })
      .end(file.bytes);
  }

  /** Answers with kie.ai's envelope; the upload API's answers also carry `success`. */
  #reply(res: ServerResponse, reply: Reply, route?: EmulatorRoute): void {
    // The client may have given up (a timeout) while a steering delay held the request.
    if (res.headersSent || res.destroyed) return;
    const { code, message = messages[code] ?? 'error', data = null, httpStatus = 200 } = reply;
    const envelope = {
      ...(route === 'upload' && { success: code === 200 }),
      code,
      [this.#envelopeKey]: message,
      data,
    };
    sendJson(res, envelope, httpStatus);
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#delays.delete(timer);
        resolve();
      }, ms);
      this.#delays.add(timer);
    });
  }

  #sendCallback(task: EmulatorTask, outcome: EmulatorOutcome): void {
    const url = task.request.callBackUrl;
    if (url === undefined) return;
    // The callback names the cost consumeCredits, where recordInfo says creditsConsumed.
    const { taskId, creditsConsumed, ...record } = wireRecord(task.record);
    const idKey = (outcome.state === 'success' && outcome.taskIdKey) || 'taskId';
    const { createTime, completeTime } = task.record;
    const body = {
      code: outcome.state === 'success' ? 200 : 501,
      [this.#envelopeKey]:
        outcome.state === 'success'
          ? SUCCESS_CALLBACK_MESSAGE
          : `Generation failed: ${outcome.failMsg}`,
      data: {
        [idKey]: taskId,
        ...record,
        consumeCredits: creditsConsumed,
        remainedCredits: this.#credits,
        costTime: Math.round(((completeTime ?? 0) - (createTime ?? 0)) / 1000),
      },
    };
    this.#callbacks.send(url, taskId, body, this.#faults.callback(this.#callbackMode));
  }
}

const routes: Record<string, EmulatorRoute> = {
  'POST /api/v1/jobs/createTask': 'createTask',
  'GET /api/v1/jobs/recordInfo': 'recordInfo',
  'GET /api/v1/chat/credit': 'credit',
  'POST /api/file-stream-upload': 'upload',
  'POST /api/v1/common/download-url': 'downloadUrl',
};

function routeOf(method: string | undefined, pathname: string): EmulatorRoute | undefined {
  return routes[`${method} ${pathname}`];
}

/** A record as kie.ai sends it: `""` rather than null for the texts it has not set. */
function wireRecord({ creditsConsumed, ...record }: TaskRecord) {
  return {
    ...record,
    ...(creditsConsumed !== undefined && { creditsConsumed }),
    resultJson: record.resultJson ?? '',
    failCode: record.failCode ?? '',
    failMsg: record.failMsg ?? '',
  };
}

function sendJson(res: ServerResponse, body: unknown, httpStatus = 200): void {
  res.writeHead(httpStatus, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
