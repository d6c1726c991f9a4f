import type { TaskRow } from '@charanim/db';

/**
 * The followers of each task in this process. A subscription counts from the moment it is made,
 * not from its first read (as with a lazy Repeater), so that a change landing between a
 * subscription and the subscriber's first read of the task still reaches it.
 */
export class TaskChannels {
  readonly #feeds = new Map<string, Set<TaskFeed>>();

  subscribe(taskId: string): AsyncIterableIterator<TaskRow> {
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
}

/** One subscriber's queue: rows wait here until it reads them, and it ends when returned. */
class TaskFeed implements AsyncIterableIterator<TaskRow> {
  readonly #queue: TaskRow[] = [];
  readonly #onEnd: () => void;
  #reader: ((result: IteratorResult<TaskRow>) => void) | undefined;
  #ended = false;

  constructor(onEnd: () => void) {
    this.#onEnd = onEnd;
  }

  push(task: TaskRow): void {
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) reader({ value: task, done: false });
    else this.#queue.push(task);
  }

  next(): Promise<IteratorResult<TaskRow>> {
    const task = this.#queue.shift();
    if (task) return Promise.resolve({ value: task, done: false });
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#reader = resolve;
    });
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
