import { createModelRegistry } from '@charanim/provider';
import { schema } from '@charanim/schema';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exampleOperations } from '../src/graphiql-examples.ts';

describe('the operations GraphiQL shows a first-time user', () => {
  it('are valid against the schema, each named, so that each runs as it is', () => {
    const document = parse(exampleOperations);
    expect(validate(schema, document).map((error) => error.message)).toEqual([]);
    const names = document.definitions.map((definition) =>
      'name' in definition ? definition.name?.value : undefined,
    );
    // The Gemini Omni story first, in the order a user runs it; the paused Sora 2 models last.
    expect(names).toEqual([
      'CreateCharacter',
      'CreateVideo',
      'FollowTask',
      'MyVideos',
      'MyCharacters',
      'FindCharacters',
      'RecentTasks',
      'CreateWebhookEndpoint',
      'WebhookDeliveries',
      'Models',
      'CreateSoraCharacter',
      'CreateSoraVideo',
    ]);
  });

  it('name models the gateway serves, the ones kie.ai has paused after the others', () => {
    const registry = createModelRegistry();
    const named = [...exampleOperations.matchAll(/model: "([^"]+)"/g)].map((match) => match[1]);
    const paused = named.map((id) => {
      const model = registry.get(id as string);
      expect(model, id).toBeDefined();
      return model?.pausedUpstream !== undefined;
    });
    expect(paused).toEqual([false, false, true, true]);
  });
});
