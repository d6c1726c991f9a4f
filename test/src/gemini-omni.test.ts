import { tasks } from '@charanim/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce } from './support/graphql.ts';
import { fixture, uploadFiles } from './support/upload.ts';
import { waitFor } from './support/wait.ts';

const ACME = 'acme-key-0123456789abc';
const GLOBEX = 'globex-key-0123456789ab';

let t: TestGateway;

const asAcme = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, ACME);

const CREATE_OMNI = /* GraphQL */ `
  mutation Create($input: CreateCharacterInput!) {
    createCharacter(input: $input) {
      __typename
      ... on CreateCharacterSuccess {
        task {
          id state model providerTaskId
          character {
            id characterId family name prompt imageUrl sourceVideoUrl expiresAt usable
            sourceImages { url format sizeBytes sha256 width height expiresAt }
          }
        }
      }
      ... on Error { message }
      ... on ValidationError { field }
      ... on ProviderError { code }
    }
  }
`;

const CREATE_VIDEO = /* GraphQL */ `
  mutation CreateVideo($input: CreateVideoInput!) {
    createVideo(input: $input) {
      __typename
      ... on CreateVideoSuccess { task { id state model providerTaskId } }
      ... on Error { message }
      ... on ValidationError { field }
    }
  }
`;

const FOLLOW = /* GraphQL */ `
  subscription Follow($id: ID!) {
    taskUpdated(id: $id) {
      state error { code message }
      video { url urls expiresAt model characters { id } }
    }
  }
`;

const FLASH = 'google/gemini-omni-flash-1-1';
const portraitUrl = 'https://images.example.com/fox-portrait.jpg';
const fullBodyUrl = 'https://images.example.com/fox-full-body.png';

/** The emulator's calls to one route made since `since` calls. */
const callsOf = (route: string, since = 0) =>
  t.emulator.calls.slice(since).filter((call) => call.route === route);

/** Nothing sent to kie.ai and no task written while `run` ran. */
async function expectNothingDone(run: () => Promise<void>) {
  const calls = t.emulator.calls.length;
  const before = await t.gateway.database.db.select({ id: tasks.id }).from(tasks);
  await run();
  expect(t.emulator.calls.slice(calls).filter((call) => call.route !== 'recordInfo')).toEqual([]);
  expect(await t.gateway.database.db.select({ id: tasks.id }).from(tasks)).toHaveLength(
    before.length,
  );
}

/** An Omni character of acme's from image URLs; its global id. */
async function omniCharacter(input: Record<string, unknown> = {}) {
  const created = await asAcme(CREATE_OMNI, {
    input: {
      model: 'gemini-omni-character',
      description: 'A friendly red fox in a knitted scarf',
      portraitUrl,
      ...input,
    },
  });
  expect(created.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
  return created.data?.createCharacter.task.character as { id: string; characterId: string };
}

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `acme:${ACME}, globex:${GLOBEX}` },
    emulator: { timing: { waitingMs: 300, queuingMs: 100, generatingMs: 100 } },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('createCharacter with gemini-omni-character', () => {
  it('makes the character at once from image URLs, with the documented request', async () => {
    const since = t.emulator.calls.length;
    const created = await asAcme(CREATE_OMNI, {
      input: {
        model: 'gemini-omni-character',
        description: 'A friendly red fox in a knitted scarf, cartoon style',
        name: 'Foxy',
        portraitUrl,
        fullBodyUrl,
      },
    });
    const { task } = created.data?.createCharacter ?? {};
    expect(created.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
    // No task at kie.ai: the answer came in the same request.
    expect(task).toMatchObject({
      state: 'SUCCESS',
      model: 'gemini-omni-character',
      providerTaskId: null,
    });
    expect(task.character).toEqual({
      id: expect.any(String),
      characterId: expect.stringMatching(/^omni_[0-9a-f]+$/),
      family: 'gemini-omni',
      name: 'Foxy',
      prompt: 'A friendly red fox in a knitted scarf, cartoon style',
      imageUrl: portraitUrl,
      sourceVideoUrl: portraitUrl,
      // kie.ai keeps the character by its id, whatever becomes of the images.
      expiresAt: null,
      usable: true,
      sourceImages: [portraitUrl, fullBodyUrl].map((url) => ({
        url,
        format: null,
        sizeBytes: null,
        sha256: null,
        width: null,
        height: null,
        expiresAt: null,
      })),
    });
    // kie-models.md: POST /api/v1/omni/character/create with the fields at the top level.
    const sent = callsOf('immediate', since);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual({
      descriptions: 'A friendly red fox in a knitted scarf, cartoon style',
      image_urls: [portraitUrl, fullBodyUrl],
      character_name: 'Foxy',
    });
    expect(callsOf('createTask', since)).toEqual([]);
    // Followed, it is already there, and the subscription completes.
    const updates = await subscribeOnce(t.wsUrl, FOLLOW, { id: task.id }, ACME);
    expect(updates.map((update) => update.data?.taskUpdated.state)).toEqual(['SUCCESS']);
  });

  it('sends only what is given: a portrait alone, no name', async () => {
    const since = t.emulator.calls.length;
    await omniCharacter();
    expect(callsOf('immediate', since)[0]?.body).toEqual({
      descriptions: 'A friendly red fox in a knitted scarf',
      image_urls: [portraitUrl],
    });
  });

  it('checks uploaded images from their bytes, stores them in kie.ai’s file store and records them', async () => {
    const since = t.emulator.calls.length;
    const { status, body } = await uploadFiles(
      t.graphqlUrl,
      CREATE_OMNI,
      { model: 'gemini-omni-character', description: 'A fox from two uploads' },
      {
        portrait: { content: new Blob([fixture('portrait.jpg')]), filename: 'whatever.png' },
        fullBody: { content: new Blob([fixture('full-body.png')]), filename: 'body.png' },
      },
      ACME,
    );
    expect(status).toBe(200);
    const character = body.data?.createCharacter.task.character;
    expect(character.sourceImages).toEqual([
      {
        url: expect.stringMatching(/\/files\/characters\/images\/[0-9a-f]{64}\.jpg$/),
        format: 'JPEG',
        width: 96,
        height: 128,
        sizeBytes: 2104,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        expiresAt: expect.any(String),
      },
      expect.objectContaining({ format: 'PNG', width: 64, height: 160, sizeBytes: 1822 }),
    ]);
    // kie.ai keeps uploads about 24 hours.
    const hours = (Date.parse(character.sourceImages[0].expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(callsOf('upload', since)).toHaveLength(2);
    expect((callsOf('immediate', since)[0]?.body as any)?.image_urls).toEqual(
      character.sourceImages.map((image: { url: string }) => image.url),
    );
  });

  it('takes a portrait upload beside a full-body URL', async () => {
    const { body } = await uploadFiles(
      t.graphqlUrl,
      CREATE_OMNI,
      { model: 'gemini-omni-character', description: 'A fox', fullBodyUrl },
      { portrait: { content: new Blob([fixture('portrait.webp')]), filename: 'p.webp' } },
      ACME,
    );
    const images = body.data?.createCharacter.task.character.sourceImages;
    expect(images.map((image: { format: string | null }) => image.format)).toEqual(['WebP', null]);
    expect(images[1].url).toBe(fullBodyUrl);
  });

  it.each([
    ['image.gif', 'the file is a GIF image; must be a JPEG, PNG or WebP image'],
    ['text-file.mp4', 'the file is a text file; must be a JPEG, PNG or WebP image'],
    ['clip-1s.mp4', 'the file is a video (MP4); must be a JPEG, PNG or WebP image'],
    [
      'truncated.png',
      'the PNG file does not parse as an image: its width and height cannot be read',
    ],
  ])('refuses %s as a portrait, by its bytes, before anything is sent', async (file, message) => {
    await expectNothingDone(async () => {
      const { body } = await uploadFiles(
        t.graphqlUrl,
        CREATE_OMNI,
        { model: 'gemini-omni-character', description: 'A fox' },
        { portrait: { content: new Blob([fixture(file)]), filename: 'portrait.jpg' } },
        ACME,
      );
      expect(body.data?.createCharacter).toEqual({
        __typename: 'ValidationError',
        field: 'portrait',
        message,
      });
    });
  });

  it('refuses an image over 20 MB, cut off at the limit', async () => {
    await expectNothingDone(async () => {
      const { body } = await uploadFiles(
        t.graphqlUrl,
        CREATE_OMNI,
        { model: 'gemini-omni-character', description: 'A fox', portraitUrl },
        {
          fullBody: {
            content: new Blob([new Uint8Array(20 * 1024 * 1024 + 1)]),
            filename: 'big.png',
          },
        },
        ACME,
      );
      expect(body.data?.createCharacter).toEqual({
        __typename: 'ValidationError',
        field: 'fullBody',
        message:
          'size over 20 MB (the upload was cut off after 20,971,521 bytes); must be at most 20 MB (20,971,520 bytes)',
      });
    });
  });

  it('refuses each rule of its input on its field, before anything is sent', async () => {
    const base = { model: 'gemini-omni-character', description: 'A fox', portraitUrl };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ description: undefined }, 'description', 'description is required'],
      [
        { description: '  ' },
        'description',
        'description is only whitespace; must have at least 1 character that is not whitespace',
      ],
      [
        { description: 'd'.repeat(5001) },
        'description',
        'description is 5001 characters; must be at most 5000',
      ],
      [{ name: 'n'.repeat(101) }, 'name', 'name is 101 characters; must be at most 100'],
      [{ name: '' }, 'name', 'name is 0 characters; must be at least 1 (leave name out for none)'],
      [
        { portraitUrl: undefined },
        'portrait',
        'an image is required: send a file as portrait or give its portraitUrl',
      ],
      [
        { portraitUrl: 'ftp://images.example.com/a.png' },
        'portraitUrl',
        'portraitUrl must be an absolute http(s) URL',
      ],
      [{ fullBodyUrl: 'not a url' }, 'fullBodyUrl', 'fullBodyUrl must be an absolute http(s) URL'],
      [
        { description: 'A fox\u0000' },
        'description',
        'description holds a NUL character (U+0000); it must be readable text',
      ],
      [
        { model: 'sora-2-text-to-video' },
        'model',
        'model is "sora-2-text-to-video"; createCharacter takes sora-2-characters, gemini-omni-character',
      ],
    ];
    await expectNothingDone(async () => {
      for (const [change, field, message] of cases) {
        const refused = await asAcme(CREATE_OMNI, { input: { ...base, ...change } });
        expect(refused.data?.createCharacter, message).toEqual({
          __typename: 'ValidationError',
          field,
          message,
        });
      }
      // A Sora field on a Gemini model is not quietly dropped: the model's input has no such field.
      const sora = await asAcme(CREATE_OMNI, {
        input: { ...base, videoUrl: 'https://v.example.com/a.mp4' },
      });
      expect(sora.data?.createCharacter).toEqual({
        __typename: 'ValidationError',
        field: 'videoUrl',
        message:
          'videoUrl is not an input of gemini-omni-character (models { inputSchema } lists what it takes)',
      });
    });
  });

  it('keeps today’s createCharacter calls on Sora 2, the default model', async () => {
    const created = await asAcme(CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/fox.mp4', prompt: 'A fox' },
    });
    expect(created.data?.createCharacter.task).toMatchObject({
      state: 'WAITING',
      model: 'sora-2-characters',
    });
  });
});

describe('createVideo with the Gemini Omni models', () => {
  it('follows a video of two characters to SUCCESS, after the documented request', async () => {
    const twoImages = await omniCharacter({ fullBodyUrl });
    const oneImage = await omniCharacter({ name: 'Owl' });
    const since = t.emulator.calls.length;
    const created = await asAcme(CREATE_VIDEO, {
      input: {
        model: FLASH,
        prompt: 'Foxy waves at the camera in a snowy forest while Owl watches',
        characters: [twoImages.id, oneImage.id],
        durationSeconds: 6,
        aspectRatio: '9:16',
        resolution: '360p',
        images: ['https://images.example.com/forest.jpg'],
        seed: 42,
      },
    });
    expect(created.data?.createVideo.__typename).toBe('CreateVideoSuccess');
    const { task } = created.data?.createVideo ?? {};
    const updates = await subscribeOnce(t.wsUrl, FOLLOW, { id: task.id }, ACME);
    const last = updates.at(-1)?.data?.taskUpdated;
    expect(last.state).toBe('SUCCESS');
    expect(last.video).toMatchObject({
      model: FLASH,
      url: expect.stringMatching(/\/files\/results\/[0-9a-f]+\.mp4$/),
      characters: [{ id: twoImages.id }, { id: oneImage.id }],
    });
    // The emulator serves a short clip at every result URL, so the URL plays.
    const clip = await fetch(last.video.url);
    expect(clip.headers.get('content-type')).toBe('video/mp4');
    expect((await clip.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // kie-models.md: duration as a string, character_ids of kie.ai's ids, the other fields as given.
    expect(callsOf('createTask', since).map((call) => call.body)).toEqual([
      {
        model: FLASH,
        callBackUrl: expect.stringMatching(new RegExp(`^${t.webhookUrl}\\?task=[0-9a-f-]{36}$`)),
        input: {
          prompt: 'Foxy waves at the camera in a snowy forest while Owl watches',
          duration: '6',
          character_ids: [twoImages.characterId, oneImage.characterId],
          aspect_ratio: '9:16',
          resolution: '360p',
          image_urls: ['https://images.example.com/forest.jpg'],
          seed: 42,
        },
      },
    ]);
  });

  it('sends gemini-omni-video the same way, with only the fields given', async () => {
    const since = t.emulator.calls.length;
    const created = await asAcme(CREATE_VIDEO, {
      input: { model: 'gemini-omni-video', prompt: 'A quiet lake', durationSeconds: 4 },
    });
    expect(created.data?.createVideo.__typename).toBe('CreateVideoSuccess');
    expect(callsOf('createTask', since)[0]?.body).toMatchObject({
      model: 'gemini-omni-video',
      input: { prompt: 'A quiet lake', duration: '4' },
    });
    expect(Object.keys((callsOf('createTask', since)[0]?.body as any)?.input ?? {})).toEqual([
      'prompt',
      'duration',
    ]);
  });

  it('counts kie.ai’s quota before any call: a two-image character counts 2', async () => {
    const two = await omniCharacter({ fullBodyUrl });
    const one = await omniCharacter();
    const image = (n: number) => `https://images.example.com/${n}.jpg`;
    const input = { model: FLASH, prompt: 'A crowd', durationSeconds: 4 };
    await expectNothingDone(async () => {
      const over = await asAcme(CREATE_VIDEO, {
        input: {
          ...input,
          characters: [two.id, two.id, one.id],
          images: [image(1), image(2), image(3)],
        },
      });
      expect(over.data?.createVideo).toEqual({
        __typename: 'ValidationError',
        field: 'images',
        message:
          "images and characters count 8 against kie.ai's quota (3 images + 5 for 3 characters); must be at most 7 (an image counts 1, a character 1, a character made from two images 2)",
      });
      const charactersOnly = await asAcme(CREATE_VIDEO, {
        input: { ...input, characters: [two.id, two.id, two.id], images: [image(1), image(2)] },
      });
      expect(charactersOnly.data?.createVideo.message).toMatch(/count 8 against kie\.ai's quota/);
    });
    // At the edge: 5 for the characters and 2 images make 7.
    const atEdge = await asAcme(CREATE_VIDEO, {
      input: { ...input, characters: [two.id, two.id, one.id], images: [image(1), image(2)] },
    });
    expect(atEdge.data?.createVideo.__typename).toBe('CreateVideoSuccess');
  });

  it('refuses each limit past its edge, on its field, and takes it at the edge', async () => {
    const fox = await omniCharacter();
    const input = { model: FLASH, prompt: 'A fox runs', durationSeconds: 8 };
    const cases: [Record<string, unknown>, string, string][] = [
      [
        { prompt: 'p'.repeat(20_001) },
        'prompt',
        'prompt is 20001 characters; must be at most 20000',
      ],
      [
        { characters: [fox.id, fox.id, fox.id, fox.id] },
        'characters',
        'characters has 4 ids; must have at most 3',
      ],
      [{ durationSeconds: 5 }, 'durationSeconds', 'durationSeconds is 5; must be 4, 6, 8 or 10'],
      [
        { durationSeconds: undefined },
        'durationSeconds',
        'durationSeconds is required: 4, 6, 8 or 10',
      ],
      [
        { aspectRatio: 'portrait' },
        'aspectRatio',
        'aspectRatio is "portrait"; must be 16:9 or 9:16',
      ],
      [
        { model: 'gemini-omni-video', resolution: '360p' },
        'resolution',
        'resolution is "360p"; gemini-omni-video takes 720p, 1080p, 4k',
      ],
      [
        { images: Array.from({ length: 8 }, (_, i) => `https://images.example.com/${i}.jpg`) },
        'images',
        'images has 8 URLs; must have at most 7',
      ],
      [{ images: ['file:///etc/passwd'] }, 'images.0', 'images must be an absolute http(s) URL'],
      [{ seed: -1 }, 'seed', 'seed is -1; must be at least 0'],
      [
        { removeWatermark: true },
        'removeWatermark',
        `removeWatermark is not an input of ${FLASH} (models { inputSchema } lists what it takes)`,
      ],
    ];
    await expectNothingDone(async () => {
      for (const [change, field, message] of cases) {
        const refused = await asAcme(CREATE_VIDEO, { input: { ...input, ...change } });
        expect(refused.data?.createVideo, JSON.stringify(change).slice(0, 60)).toEqual({
          __typename: 'ValidationError',
          field,
          message,
        });
      }
    });
    // Past 2147483647 a seed is no GraphQL Int: GraphQL refuses the variable itself.
    const beyondInt = await asAcme(CREATE_VIDEO, { input: { ...input, seed: 2_147_483_648 } });
    expect(beyondInt.errors?.[0]?.message).toMatch(
      /seed.*Int cannot represent non 32-bit signed integer value: 2147483648/,
    );
    const edges = await asAcme(CREATE_VIDEO, {
      input: {
        ...input,
        prompt: 'p'.repeat(20_000),
        characters: [fox.id, fox.id, fox.id],
        durationSeconds: 10,
        images: Array.from({ length: 4 }, (_, i) => `https://images.example.com/${i}.jpg`),
        seed: 2_147_483_647,
      },
    });
    expect(edges.data?.createVideo.__typename).toBe('CreateVideoSuccess');
  });

  it('takes only the caller’s own Gemini Omni characters', async () => {
    const sora = await asAcme(CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/fox.mp4', prompt: 'A Sora fox' },
    });
    let soraCharacter: string | undefined;
    await waitFor(async () => {
      const read = await asAcme('query($id: ID!) { task(id: $id) { character { id } } }', {
        id: sora.data?.createCharacter.task.id,
      });
      soraCharacter = read.data?.task?.character?.id;
      return soraCharacter !== undefined;
    });
    const theirs = await graphql(
      t.graphqlUrl,
      CREATE_OMNI,
      { input: { model: 'gemini-omni-character', description: 'Globex cat', portraitUrl } },
      GLOBEX,
    );
    const input = { model: FLASH, prompt: 'Together', durationSeconds: 4 };
    await expectNothingDone(async () => {
      const wrongFamily = await asAcme(CREATE_VIDEO, {
        input: { ...input, characters: [soraCharacter] },
      });
      expect(wrongFamily.data?.createVideo).toEqual({
        __typename: 'ValidationError',
        field: 'characters',
        message: `characters[0] is a sora-2 character; ${FLASH} takes gemini-omni characters only`,
      });
      const another = await asAcme(CREATE_VIDEO, {
        input: { ...input, characters: [theirs.data?.createCharacter.task.character.id] },
      });
      expect(another.data?.createVideo).toMatchObject({
        field: 'characters',
        message: 'characters[0] is not one of your characters',
      });
    });
  });

  it('says what to try when kie.ai fails a video of a character with its internal error', async () => {
    const fox = await omniCharacter();
    t.emulator.setNextOutcome({ state: 'fail', failCode: '500', failMsg: 'Internal Error' });
    const created = await asAcme(CREATE_VIDEO, {
      input: { model: FLASH, prompt: 'A fox', durationSeconds: 4, characters: [fox.id] },
    });
    const updates = await subscribeOnce(
      t.wsUrl,
      FOLLOW,
      { id: created.data?.createVideo.task.id },
      ACME,
    );
    expect(updates.at(-1)?.data?.taskUpdated).toMatchObject({
      state: 'FAIL',
      error: {
        code: '500',
        message:
          'Internal Error. kie.ai has failed videos of newly made characters this way: make the character again (createCharacter with gemini-omni-character is free) and try the video with the new one',
      },
    });
  });

  it('keeps each task’s typed result', async () => {
    const [row] = await t.gateway.database.db
      .select()
      .from(tasks)
      .where(eq(tasks.model, 'gemini-omni-character'))
      .limit(1);
    expect(row?.result).toEqual({
      characterId: expect.stringMatching(/^omni_/),
      imageUrl: expect.any(String),
    });
  });
});
