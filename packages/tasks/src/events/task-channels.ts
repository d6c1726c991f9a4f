import type { TaskRow } from '@charanim/db';

/**
 * The followers of each task in this process. A subscription counts from the moment it is made,
 * not from its first read (as with a lazy Repeater), so that a change landing between a
 * subscription and the subscriber's first read of the task still reaches it.
 */
export class TaskChannels {
  readonly #feeds = new Map<string, Set<TaskFeed>>();
  #ended = false;

  subscribe(taskId: string): AsyncIterableIterator<TaskRow> {
    if (this.#ended) return TaskFeed.ended();
    let feeds = this.#feeds.get(taskId);
    if (!feeds) {
      feeds = new Set();
      this.#feeds.set(taskId, feeds);
    }
    const feed = new TaskFeed(() => {
      feeds.delete(feed);
      if (feeds.size === 0 && this.#feeds.get(taskId) === feeds) this.#feeds.delete(taskId);
    });
    feeds.add(feed);
    return feed;
  }

  deliver(task: TaskRow): void {
    for (const feed of this.#feeds.get(task.id) ?? []) feed.push(task);
  }

  isFollowed(taskId: string): boolean {
    return this.#feeds.has(taskId);
  }

  followed(): string[] {
    return [...this.#feeds.keys()];
  }

  /**
   * Ends every feed once its subscriber has read what it holds, and every feed made from now on
   * at once, for a gateway that is stopping: a subscription then completes (an SSE response ends
   * with `complete`) instead of holding its connection open until the shutdown deadline.
   */
  end(): void {
    this.#ended = true;
    for (const feeds of this.#feeds.values()) for (const feed of feeds) feed.end();
  }
}

/** One subscriber's queue: rows wait here until it reads them, and it ends when returned. */
class TaskFeed implements AsyncIterableIterator<TaskRow> {
  readonly #queue: TaskRow[] = [];
  readonly #onEnd: () => void;
  #reader: ((result: IteratorResult<TaskRow>) => void) | undefined;
  /** Returned by its subscriber. */
  #ended = false;
  /** Told that no more rows come: it ends once its queue is read. */
  #closed = false;

  constructor(onEnd: () => void) {
    this.#onEnd = onEnd;
  }

  static ended(): TaskFeed {
    const feed = new TaskFeed(() => {});
    feed.end();
    return feed;
  }

  push(task: TaskRow): void {
    if (this.#closed) return;
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) reader({ value: task, done: false });
    else this.#queue.push(task);
  }

  next(): Promise<IteratorResult<TaskRow>> {
    const task = this.#queue.shift();
    if (task) return Promise.resolve({ value: task, done: false });
    if (this.#ended || this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#reader = resolve;
    });
  }

  end(): void {
    this.#closed = true;
    // A reader waits only on an empty queue.
    this.#reader?.({ value: undefined, done: true });
    this.#reader = undefined;
  }

  return(): Promise<IteratorResult<TaskRow>> {
    if (!this.#ended) {
      this.#ended = true;
      this.#queue.length = 0;
      this.#onEnd();
      this.#reader?.({ value: undefined, done: true });
      this.#reader = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<TaskRow> {
    return this;
  }
}
