import type { ResultOf } from '../graphql.ts';
import type { CreateFailure, TaskFields } from '../operations.ts';

type TaskView = ResultOf<typeof TaskFields>;

/** A typed failure of a create mutation, with what the caller can do about it. */
export function describeFailure(failure: ResultOf<typeof CreateFailure>): string {
  switch (failure.__typename) {
    case 'ValidationError':
      return `${failure.__typename}${failure.field ? ` on ${failure.field}` : ''}: ${failure.message}`;
    case 'ProviderError': {
      const lines = [`${failure.__typename} ${failure.code}: ${failure.message}`];
      if (failure.retryable) lines.push('a retry may succeed');
      // kie.ai may have the task after all: the gateway follows it, and so can the caller.
      if (failure.recordedTask?.state === 'PENDING') {
        lines.push(`follow it: npm run cli -- task ${failure.recordedTask.id} --watch`);
      }
      return lines.join('\n');
    }
    default:
      return `${failure.__typename}: ${failure.message}`;
  }
}

export function describeTask(task: TaskView): string {
  const lines = [
    `task ${task.id}`,
    `  state      ${task.state}`,
    `  model      ${task.model}`,
    `  created    ${task.createdAt}`,
  ];
  if (task.providerTaskId) lines.push(`  kie.ai     ${task.providerTaskId}`);
  if (task.completedAt) lines.push(`  completed  ${task.completedAt}`);
  if (task.error) lines.push(`  error      ${task.error.code}: ${task.error.message}`);
  if (task.character)
    lines.push(`  character  ${task.character.characterId} (${task.character.id})`);
  if (task.video)
    lines.push(`  video      ${task.video.url}`, `  expires    ${expiry(task.video)}`);
  return lines.join('\n');
}

/** The last word on a finished task: what it made, or why it failed. */
export function describeOutcome(task: TaskView): string {
  if (task.character) return `character ${task.character.characterId} (${task.character.id})`;
  if (task.video) return `video ${task.video.url}\nexpires ${expiry(task.video)}`;
  if (task.error) return `task failed: ${task.error.message} (${task.error.code})`;
  return `task ${task.state}`;
}

/** kie.ai deletes a video's files 14 days after its task; the gateway may not know when. */
function expiry(video: { expiresAt: string | null }): string {
  return video.expiresAt ?? 'unknown';
}

/** What a task made or why it failed, in a few words, for a listing. */
export function taskOutcome(task: TaskView): string {
  if (task.error) return `${task.error.code}: ${task.error.message}`;
  if (task.character) return `character ${task.character.characterId}`;
  if (task.video) return `video ${task.video.url}`;
  return '';
}
