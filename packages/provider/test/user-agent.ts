/** The User-Agent of the tests' requests: one that names its client, as kie.ai's CDN requires. */
export const USER_AGENT = 'charanim-provider-test/1.0';
