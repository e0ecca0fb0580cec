/**
 * `npm run search -- --config <file>`: a whole search setup read from a file the app or the
 * runner wrote, validated by the app's own parseSearchConfig. Accepted:
 * - the app's search archive (`.zip`, "Export search") or the `search.json` inside it;
 * - a results.json of `npm run search` (its `config`);
 * - the bare config object (what the archive keeps under `search.config`).
 * A bad file is a ConfigFileError naming the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import { parseSearchConfig, type SearchConfig } from '../../src/search/config';
import { SEARCH_ARCHIVE_FORMAT } from '../../src/search/export';

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The config inside parsed JSON, with the path it sits at (for messages). */
function locate(json: unknown, file: string): { value: unknown; path: string } {
  if (!isObject(json)) throw new ConfigFileError(`${file}: expected a JSON object (a search config, the app's search.json or a results.json)`);
  if (json.format === SEARCH_ARCHIVE_FORMAT) {
    if (!isObject(json.search)) throw new ConfigFileError(`${file}: search: expected the archived search (an object)`);
    return { value: json.search.config, path: 'search.config' };
  }
  if (typeof json.tool === 'string' && 'config' in json) return { value: json.config, path: 'config' };
  return { value: json, path: '' };
}

/** Parses the text or bytes of a config file named `file`. */
export function parseConfigFile(file: string, bytes: Uint8Array): SearchConfig {
  let text: string;
  // A zip starts with "PK\x03\x04": the app's archive; its manifest is search.json.
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(bytes, { filter: (f) => f.name === 'search.json' });
    } catch (error) {
      throw new ConfigFileError(`${file}: not a readable zip (${(error as Error).message})`);
    }
    const manifest = files['search.json'];
    if (!manifest) throw new ConfigFileError(`${file}: a zip without search.json is not a search archive of this app`);
    text = strFromU8(manifest);
    file = `${file}:search.json`;
  } else {
    text = new TextDecoder().decode(bytes);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(`${file}: not JSON (${(error as Error).message})`);
  }
  const { value, path } = locate(json, file);
  try {
    return parseSearchConfig(value, path ? `${file}: ${path}` : file);
  } catch (error) {
    throw new ConfigFileError((error as Error).message);
  }
}

export async function readConfigFile(file: string): Promise<SearchConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ConfigFileError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseConfigFile(file, bytes);
}
