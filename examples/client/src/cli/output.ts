import type { ResultOf } from '../graphql.ts';
import type { CreateCharacter, SearchCharacters, TaskFields } from '../operations.ts';

type TaskView = ResultOf<typeof TaskFields>;
type CreateResult = ResultOf<typeof CreateCharacter>['createCharacter'];
type Failure = Exclude<CreateResult, { __typename: 'CreateCharacterSuccess' }>;

/** A typed failure of createCharacter, with what the caller can do about it. */
export function describeFailure(failure: Failure): string {
  switch (failure.__typename) {
    case 'ValidationError':
      return `${failure.__typename}${failure.field ? ` on ${failure.field}` : ''}: ${failure.message}`;
    case 'RateLimitedError':
    case 'BudgetExceededError':
      return `${failure.__typename}: ${failure.message}`;
    case 'ProviderError': {
      const lines = [`${failure.__typename} ${failure.code}: ${failure.message}`];
      if (failure.retryable) lines.push('a retry may succeed');
      // kie.ai may have the task after all: the gateway follows it, and so can the caller.
      if (failure.recordedTask?.state === 'PENDING') {
        lines.push(`follow it: npm run cli -- task ${failure.recordedTask.id} --watch`);
      }
      return lines.join('\n');
    }
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
  if (task.character) lines.push(`  character  ${task.character.characterId}`);
  return lines.join('\n');
}

/** The last word on a finished task: its character id, or why it failed. */
export function describeOutcome(task: TaskView): string {
  if (task.character) return `character ${task.character.characterId} (${task.character.id})`;
  if (task.error) return `task failed: ${task.error.message} (${task.error.code})`;
  return `task ${task.state}`;
}

export function describeSearch(
  connection: ResultOf<typeof SearchCharacters>['characters'],
): string {
  if (connection.edges.length === 0) return 'no character matches';
  const lines = connection.edges.map(
    ({ node }) =>
      `${node.characterId}  ${node.prompt ?? ''}${node.usable ? '' : '  (expired)'}  ${node.id}`,
  );
  if (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor) {
    lines.push(`more: --after ${connection.pageInfo.endCursor}`);
  }
  return lines.join('\n');
}
