import { wrap } from 'idb';
import { DatabaseOpenError, errorName } from './errors.js';
import {
  DB_VERSION,
  upgradeDatabase,
  type MetaqnnDatabase,
  type UpgradeTransaction,
} from './schema.js';

export interface OpenDatabaseOptions {
  /**
   * Called when another tab wants a newer schema version. This connection has already been
   * closed by then (otherwise the other tab's upgrade would wait forever); the page should
   * ask the user to reload.
   */
  readonly onVersionChange?: () => void;
}

/**
 * Opens (creating or upgrading) the database through `factory`. idb's `openDB` always uses
 * the global `indexedDB`; this takes the factory as an argument so tests can hand each case
 * a fresh one. idb's wrappers still check `instanceof` against the global `IDBRequest` and
 * friends, so in Node those globals must come from the same implementation as `factory`
 * (`import 'fake-indexeddb/auto'`).
 */
export async function openDatabase(
  factory: IDBFactory,
  name: string,
  options: OpenDatabaseOptions = {},
): Promise<MetaqnnDatabase> {
  const request = factory.open(name, DB_VERSION);
  let migrationError: unknown;
  request.addEventListener('upgradeneeded', (event) => {
    const db = wrap(request.result) as unknown as MetaqnnDatabase;
    const rawTx = request.transaction;
    if (rawTx === null) return; // Never null during upgradeneeded (spec); satisfies the type.
    const tx = wrap(rawTx) as unknown as UpgradeTransaction;
    upgradeDatabase(db, event.oldVersion, tx).catch((error: unknown) => {
      migrationError = error;
      try {
        tx.abort();
      } catch {
        // Already aborted by the failing request.
      }
    });
  });

  let db: MetaqnnDatabase;
  try {
    db = (await wrap(request)) as unknown as MetaqnnDatabase;
  } catch (error) {
    throw describeOpenFailure(name, error, migrationError);
  }
  db.addEventListener('versionchange', () => {
    db.close();
    options.onVersionChange?.();
  });
  return db;
}

function describeOpenFailure(name: string, error: unknown, migrationError: unknown): DatabaseOpenError {
  if (migrationError !== undefined) {
    const detail = migrationError instanceof Error ? migrationError.message : String(migrationError);
    return new DatabaseOpenError(
      `Upgrading database "${name}" to version ${DB_VERSION} failed (nothing was changed): ${detail}`,
      { cause: migrationError },
    );
  }
  if (errorName(error) === 'VersionError') {
    return new DatabaseOpenError(
      `Database "${name}" was written by a newer version of this app than this one ` +
        `(which knows schema version ${DB_VERSION}); reload the page to get the newer app`,
      { cause: error },
    );
  }
  // Error and DOMException both print as "Name: message".
  const detail = String(error);
  return new DatabaseOpenError(`Cannot open database "${name}": ${detail}`, { cause: error });
}
