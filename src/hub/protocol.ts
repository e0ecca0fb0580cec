/**
 * What the hub (scripts/lib/hub-server.ts) and the page agree on (issue 17): the shape of a
 * shared search's token, where its document and its dataset live, and the largest websocket
 * message either side accepts. One place, imported by both.
 */

/** A shared search's key: 128 bits or more of base64url (newToken makes 16 random bytes). */
export const TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

/** One websocket message; a Yjs update of a search's whole state is far below it. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/** Under the app's base: `hub/<token>` is a document's room, `hub/stats` the hub's counters. */
export const HUB_PATH = 'hub/';

/** `hub/<token>/dataset`: the imported dataset a shared search trains on. */
export const DATASET_SUFFIX = '/dataset';

export function datasetPath(token: string): string {
  return `${HUB_PATH}${token}${DATASET_SUFFIX}`;
}

/** The token of `hub/<token>/dataset` (path without the leading slash), or null. */
export function datasetToken(path: string): string | null {
  if (!path.startsWith(HUB_PATH) || !path.endsWith(DATASET_SUFFIX)) return null;
  const token = path.slice(HUB_PATH.length, -DATASET_SUFFIX.length);
  return TOKEN.test(token) ? token : null;
}
