import { characters, tasks, videoCharacters, videos } from '@charanim/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFinishedCharacter } from './support/characters.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

const ACME = 'acme-key-0123456789abc';
const GLOBEX = 'globex-key-0123456789ab';

let t: TestGateway;

const asAcme = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, ACME);

const CREATE_VIDEO = /* GraphQL */ `
  mutation CreateVideo($input: CreateVideoInput!) {
    createVideo(input: $input) {
      __typename
      ... on CreateVideoSuccess { task { id state model providerTaskId input } }
      ... on Error { message }
      ... on ValidationError { field }
      ... on ProviderError { code }
    }
  }
`;

const VIDEO_FIELDS = /* GraphQL */ `
  id url urls model expiresAt usable createdAt
  characters { id characterId }
  task { id state }
`;

const FOLLOW_VIDEO = /* GraphQL */ `
  subscription Follow($id: ID!) {
    taskUpdated(id: $id) { id state error { code message } video { ${VIDEO_FIELDS} } }
  }
`;

/** A Sora character made through the gateway, followed to SUCCESS: its global id and kie.ai's. */
async function makeCharacter(key: string, prompt: string) {
  const created = await graphql(
    t.graphqlUrl,
    CREATE_CHARACTER,
    { input: { videoUrl: 'https://videos.example.com/clip.mp4', prompt } },
    key,
  );
  const taskId = created.data?.createCharacter.task.id;
  let character: { id: string; characterId: string } | undefined;
  await waitFor(async () => {
    const read = await graphql(
      t.graphqlUrl,
      'query($id: ID!) { task(id: $id) { character { id characterId } } }',
      { id: taskId },
      key,
    );
    character = read.data?.task?.character ?? undefined;
    return character !== undefined;
  });
  return character as { id: string; characterId: string };
}

let fox: { id: string; characterId: string };
let owl: { id: string; characterId: string };
let globexCharacter: { id: string; characterId: string };

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `acme:${ACME}, globex:${GLOBEX}` },
    emulator: { timing: { waitingMs: 300, queuingMs: 100, generatingMs: 100 } },
  });
  [fox, owl, globexCharacter] = await Promise.all([
    makeCharacter(ACME, 'A fox in a red scarf'),
    makeCharacter(ACME, 'A wise old owl'),
    makeCharacter(GLOBEX, 'A secret robot'),
  ]);
});
afterAll(async () => {
  await t?.close();
});

const videoInput = {
  model: 'sora-2-text-to-video',
  prompt: 'The fox and the owl dance in the snow',
  aspectRatio: 'portrait',
  durationSeconds: 15,
  removeWatermark: true,
};

describe('createVideo with sora-2-text-to-video', () => {
  it('follows a video of two characters to SUCCESS over graphql-ws, with its typed video, after the documented request', async () => {
    const created = await asAcme(CREATE_VIDEO, {
      input: { ...videoInput, characters: [fox.id, owl.id] },
    });
    expect(created.errors).toBeUndefined();
    const result = created.data?.createVideo;
    expect(result.__typename).toBe('CreateVideoSuccess');
    expect(result.task).toMatchObject({ state: 'WAITING', model: 'sora-2-text-to-video' });
    // The input as the client gave it: characters by their global ids.
    expect(result.task.input).toEqual({
      prompt: videoInput.prompt,
      characters: [fox.id, owl.id],
      aspectRatio: 'portrait',
      durationSeconds: 15,
      removeWatermark: true,
    });

    const updates = await subscribeOnce(t.wsUrl, FOLLOW_VIDEO, { id: result.task.id }, ACME);
    const last = updates.at(-1)?.data?.taskUpdated;
    expect(updates.map((update) => update.data?.taskUpdated.state)).toContain('WAITING');
    expect(last.state).toBe('SUCCESS');
    expect(last.video).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/files\/results\/[0-9a-f]+\.mp4$/),
      model: 'sora-2-text-to-video',
      usable: true,
      characters: [fox, owl],
      task: { id: result.task.id, state: 'SUCCESS' },
    });
    expect(last.video.urls).toEqual([last.video.url]);
    // kie.ai keeps results 14 days from the end of the task.
    const days = (Date.parse(last.video.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThanOrEqual(14);

    // Exactly what kie.ai documents for sora-2-text-to-video: kie.ai's own character ids.
    const sent = t.emulator.calls.find(
      (call) => call.route === 'createTask' && (call.body as any)?.model === 'sora-2-text-to-video',
    )?.body;
    expect(sent).toEqual({
      model: 'sora-2-text-to-video',
      callBackUrl: expect.stringMatching(new RegExp(`^${t.webhookUrl}\\?task=[0-9a-f-]{36}$`)),
      input: {
        prompt: videoInput.prompt,
        aspect_ratio: 'portrait',
        n_frames: '15',
        remove_watermark: true,
        character_id_list: [fox.characterId, owl.characterId],
      },
    });

    // The same video over HTTP: on the task, by id, in the owner's list, on each character.
    const read = await asAcme(
      `query($task: ID!, $video: ID!, $fox: ID!) {
        task(id: $task) { video { id } }
        video(id: $video) { id url }
        node(id: $video) { ... on Video { id } }
        videos(first: 5) { edges { node { id } } }
        character(id: $fox) { videos(first: 5) { edges { node { id } } } }
      }`,
      { task: result.task.id, video: last.video.id, fox: fox.id },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({
      task: { video: { id: last.video.id } },
      video: { id: last.video.id, url: last.video.url },
      node: { id: last.video.id },
      videos: { edges: [{ node: { id: last.video.id } }] },
      character: { videos: { edges: [{ node: { id: last.video.id } }] } },
    });

    // A download link is asked of kie.ai when read: a fresh one each time, for the video's file.
    const linked = await asAcme('query($video: ID!) { video(id: $video) { downloadUrl } }', {
      video: last.video.id,
    });
    expect(linked.errors).toBeUndefined();
    const link = linked.data?.video.downloadUrl;
    expect(link).toMatch(new RegExp(`^${last.video.url}\\?expires=\\d+$`));
    expect((await fetch(link)).status).toBe(200);
    expect(
      t.emulator.calls.filter((call) => call.route === 'downloadUrl').map((call) => call.body),
    ).toEqual([{ url: last.video.url }]);
    // kie.ai refusing one is an error on the field, with its code, not a masked one.
    t.emulator.failNext('downloadUrl', { code: 422, msg: 'url is not a file kie.ai hosts' });
    const refused = await asAcme('query($video: ID!) { video(id: $video) { downloadUrl } }', {
      video: last.video.id,
    });
    expect(refused.errors?.[0]).toMatchObject({
      message: 'kie.ai downloadUrl answered 422: url is not a file kie.ai hosts',
      path: ['video', 'downloadUrl'],
      extensions: { code: 'VALIDATION', retryable: false },
    });

    // The task keeps the typed result; the store wrote one video and its two characters, in order.
    const { db } = t.gateway.database;
    const [row] = await db
      .select()
      .from(tasks)
      .where(eq(tasks.providerTaskId, result.task.providerTaskId));
    expect(row?.result).toEqual({ urls: [last.video.url] });
    const [stored] = await db
      .select()
      .from(videos)
      .where(eq(videos.taskId, row?.id ?? ''));
    const cast = await db
      .select()
      .from(videoCharacters)
      .where(eq(videoCharacters.videoId, stored?.id ?? ''));
    expect(cast.sort((a, b) => a.position - b.position).map((link) => link.position)).toEqual([
      0, 1,
    ]);
  });

  it('sends only the fields given', async () => {
    const before = t.emulator.calls.length;
    const created = await asAcme(CREATE_VIDEO, {
      input: { model: 'sora-2-text-to-video', prompt: 'An empty stage' },
    });
    expect(created.data?.createVideo.__typename).toBe('CreateVideoSuccess');
    const sent = t.emulator.calls.slice(before).find((call) => call.route === 'createTask')?.body;
    expect((sent as any).input).toEqual({ prompt: 'An empty stage' });
  });

  it('takes only the caller’s own characters of the model’s family, naming the one refused', async () => {
    const refusals = [
      [[fox.id, globexCharacter.id], 'characters[1] is not one of your characters'],
      [
        [encodeGlobalID('Character', '00000000-0000-4000-8000-000000000000')],
        'characters[0] is not one of your characters',
      ],
      [['not-an-id'], 'characters[0] is not one of your characters'],
      [
        [encodeGlobalID('Task', '00000000-0000-4000-8000-000000000000')],
        'characters[0] is not one of your characters',
      ],
    ] as const;
    const { db } = t.gateway.database;
    const [other] = await db
      .select()
      .from(characters)
      .where(eq(characters.characterId, owl.characterId));
    const before = t.emulator.calls.filter((call) => call.route === 'createTask').length;
    for (const [ids, message] of refusals) {
      const refused = await asAcme(CREATE_VIDEO, { input: { ...videoInput, characters: ids } });
      expect(refused.data?.createVideo, message).toEqual({
        __typename: 'ValidationError',
        message,
        field: 'characters',
      });
    }
    // A character of another family (as a Gemini Omni one will be) is refused by its family.
    await insertFinishedCharacter(db, {
      owner: 'acme',
      prompt: 'An omni cat',
      createdAt: new Date(),
      characterId: 'omni_cat',
      sourceVideoUrl: 'https://images.example.com/cat.png',
      family: 'gemini-omni',
    });
    const [omni] = await db.select().from(characters).where(eq(characters.characterId, 'omni_cat'));
    const wrongFamily = await asAcme(CREATE_VIDEO, {
      input: {
        ...videoInput,
        characters: [
          encodeGlobalID('Character', omni?.id ?? ''),
          encodeGlobalID('Character', other?.id ?? ''),
        ],
      },
    });
    expect(wrongFamily.data?.createVideo).toEqual({
      __typename: 'ValidationError',
      field: 'characters',
      message:
        'characters[0] is a gemini-omni character; sora-2-text-to-video takes sora-2 characters only',
    });
    expect(t.emulator.calls.filter((call) => call.route === 'createTask')).toHaveLength(before);
    expect(
      await db.select().from(tasks).where(eq(tasks.model, 'sora-2-text-to-video')),
    ).toHaveLength(2);
  });

  it('refuses each limit past its edge, on its field, before anything is written or sent', async () => {
    const six = Array.from({ length: 6 }, () => fox.id);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ characters: six }, 'characters', 'characters has 6 ids; must have at most 5'],
      [
        { prompt: 'x'.repeat(10_001) },
        'prompt',
        'prompt is 10001 characters; must be at most 10000',
      ],
      [
        { prompt: '   ' },
        'prompt',
        'prompt is only whitespace; must have at least 1 character that is not whitespace',
      ],
      [{ durationSeconds: 12 }, 'durationSeconds', 'durationSeconds is 12; must be 10 or 15'],
      [
        { aspectRatio: '16:9' },
        'aspectRatio',
        'aspectRatio is "16:9"; must be portrait or landscape',
      ],
      [
        { model: 'sora-2-characters' },
        'model',
        'model is "sora-2-characters"; createVideo takes sora-2-text-to-video, google/gemini-omni-flash-1-1, gemini-omni-video',
      ],
    ];
    const before = await t.gateway.database.db.select().from(tasks);
    for (const [change, field, message] of cases) {
      const refused = await asAcme(CREATE_VIDEO, { input: { ...videoInput, ...change } });
      expect(refused.data?.createVideo, message).toEqual({
        __typename: 'ValidationError',
        field,
        message,
      });
    }
    // At the edges: 5 characters and a 10,000-character prompt are taken.
    const atEdge = await asAcme(CREATE_VIDEO, {
      input: { ...videoInput, characters: six.slice(0, 5), prompt: 'y'.repeat(10_000) },
    });
    expect(atEdge.data?.createVideo.__typename).toBe('CreateVideoSuccess');
    expect(await t.gateway.database.db.select().from(tasks)).toHaveLength(before.length + 1);
  });
});
