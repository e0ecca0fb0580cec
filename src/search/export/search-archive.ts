/**
 * A whole search as one file (the format: archive-format.ts): export it, and import one as a
 * NEW search. Import checks everything before writing anything (archive-read.ts), then writes
 * the search under a new id in one transaction (`Store.writeSearchSnapshot`): a failure at any
 * point writes nothing. A search that was running (or in its final phase) arrives paused.
 */
import { AlreadyExistsError, DuplicateNetError, RecordValidationError, type SearchStatus, type Store } from '../../store';
import { fail } from './archive-format';
import { readArchive } from './archive-read';

export { SEARCH_ARCHIVE_FORMAT, SEARCH_ARCHIVE_VERSION, SearchArchiveError } from './archive-format';
export { exportSearchArchive } from './archive-export';

/** Status on arrival: nobody runs the imported search yet, so a running one is paused. */
function arrivalStatus(status: SearchStatus): SearchStatus {
  return status === 'running' || status === 'final' ? 'paused' : status;
}

/**
 * Imports an archive made by `exportSearchArchive` as a NEW search (a new id; nothing is
 * overwritten). Throws `SearchArchiveError` naming the zip entry and field at fault,
 * `ImportLimitError` naming the limit and the value found (limits.ts), or `QuotaError` when
 * the browser has no room for it; in every case nothing is written.
 */
export async function importSearchArchive(store: Store, bytes: Uint8Array): Promise<{ searchId: string }> {
  const { archive, jobs, weights } = readArchive(bytes);
  try {
    const search = await store.writeSearchSnapshot({
      search: { ...archive.search, status: arrivalStatus(archive.search.status) },
      agentState: archive.agent?.state ?? null,
      replay: archive.replay,
      jobs,
      weights,
    });
    return { searchId: search.id };
  } catch (error) {
    // A record the store refuses is a fault of the archive; running out of space is not.
    if (error instanceof RecordValidationError || error instanceof DuplicateNetError || error instanceof AlreadyExistsError) {
      fail(`the store refused it: ${error.message}`, error);
    }
    throw error;
  }
}
