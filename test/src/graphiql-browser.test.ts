import { mkdirSync } from 'node:fs';
import { videos } from '@charanim/db';
import { type OperationDefinitionNode, parse, print } from 'graphql';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

/**
 * GraphiQL in a real browser, as a person uses it: the key in the Headers tab, then the examples
 * GraphiQL opens with, run one at a time with the ids pasted in: a Gemini Omni character, a video
 * of it, and taskUpdated until the result pane shows SUCCESS and the video's URL.
 */

const BROWSER_KEY = 'browser-test-key-8d1f4b6a2c9e7035';
const SCREENSHOT = new URL('../artifacts/graphiql.png', import.meta.url);

let t: TestGateway;
let browser: Browser;

beforeAll(async () => {
  t = await startTestGateway({ env: { GATEWAY_API_KEYS: `browser:${BROWSER_KEY}` } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Replaces the text of a GraphiQL editor as typing would; one line, so no auto-indent or auto-close. */
async function replaceText(page: Page, editor: string, text: string) {
  await page.locator(`${editor} .monaco-editor .view-lines`).filter({ visible: true }).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Puts an operation into the query editor and runs it, once GraphiQL has read it. */
async function run(page: Page, operation: string) {
  await replaceText(page, '.graphiql-query-editor', operation);
  await tabStateHolds(page, `"operationName":"${/^\w+ (\w+)/.exec(operation)?.[1]}"`);
  await page.locator('.graphiql-execute-button').click();
}

/**
 * GraphiQL runs what its tab state holds, which takes an edit a moment after the editor shows it,
 * when it also saves the tab to localStorage: run before that and the request carries the old
 * headers or operation name.
 */
async function tabStateHolds(page: Page, text: string) {
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('graphiql:tabState') ?? ''))
    .toContain(text);
}

/** Waits until the result pane shows `text`, and answers what it shows. */
async function resultShowing(page: Page, text: string): Promise<string> {
  const pane = page.locator('.graphiql-response');
  await expect
    .poll(async () => readable(await pane.textContent()), { timeout: 20_000 })
    .toContain(text);
  return readable(await pane.textContent());
}

/** Monaco lays text out with no-break spaces and wraps long lines. */
const readable = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ');

/**
 * The result without its layout: a long id or URL wraps onto an indented line, so every space
 * goes (the JSON of these results has none inside its values).
 */
const squeezed = (text: string) => text.replace(/\s+/g, '');

/** The examples GraphiQL opened with, as its first tab holds them. */
async function preloadedExamples(page: Page): Promise<OperationDefinitionNode[]> {
  const tabs = await page.evaluate(() => localStorage.getItem('graphiql:tabState') ?? '{}');
  const query = (JSON.parse(tabs) as { tabs?: { query?: string }[] }).tabs?.[0]?.query ?? '';
  return parse(query).definitions as OperationDefinitionNode[];
}

/** One example on one line, its placeholders replaced, as a person would paste ids into it. */
function example(
  examples: OperationDefinitionNode[],
  name: string,
  pasted: Record<string, string> = {},
): string {
  const found = examples.find((definition) => definition.name?.value === name);
  expect(found, name).toBeDefined();
  let text = print(found as OperationDefinitionNode).replace(/\s+/g, ' ');
  for (const [placeholder, id] of Object.entries(pasted)) text = text.replace(placeholder, id);
  return text;
}

describe('GraphiQL in a browser', () => {
  it('runs the Gemini Omni story it opens with: a character, a video of it, the video followed to its URL', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(t.graphqlUrl);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    await tabStateHolds(page, 'mutation CreateCharacter');
    const examples = await preloadedExamples(page);

    await page.getByRole('button', { name: 'Headers' }).click();
    await replaceText(
      page,
      '.graphiql-editor-tool',
      JSON.stringify({ authorization: `Bearer ${BROWSER_KEY}` }),
    );
    await tabStateHolds(page, BROWSER_KEY);

    await run(page, example(examples, 'CreateCharacter'));
    const character = squeezed(await resultShowing(page, '"characterId": "omni_'));
    const characterId = /"character":\{"id":"([^"]+)"/.exec(character)?.[1] as string;
    expect(characterId).toBeTruthy();

    await run(page, example(examples, 'CreateVideo', { 'PASTE-CHARACTER-ID': characterId }));
    const created = squeezed(await resultShowing(page, '"__typename": "CreateVideoSuccess"'));
    const taskId = /"id":"([^"]+)"/.exec(created)?.[1] as string;
    expect(taskId).toBeTruthy();

    await run(page, example(examples, 'FollowTask', { 'PASTE-TASK-ID': taskId }));
    const finished = squeezed(await resultShowing(page, '"state": "SUCCESS"'));
    const [stored] = await t.gateway.database.db.select().from(videos);
    expect(finished).toContain(`"url":"${stored?.url}"`);
    expect(finished).toContain('"characters":[{"name":"Foxy"}]');

    // Laid out for a person to read, now that it has run.
    await page.getByRole('button', { name: /^Prettify/ }).click();
    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname });
  });
});
