/**
 * Store writes that a busy browser can fail for a moment (Chromium aborts a transaction that
 * waited too long: "Transaction timed out due to inactivity"; a closing tab's transactions
 * abort) are tried again before anything is given up. Errors of the store's own (a duplicate
 * net, a record that fails validation, a full disk) are answers, not accidents: no retry.
 */
import { errorName, isQuotaExceeded } from '../../store';

const TRIES = 3;
const PAUSE_MS = 500;

export function isTransientStoreError(error: unknown): boolean {
  if (isQuotaExceeded(error)) return false;
  const name = errorName(error);
  return (
    (typeof DOMException !== 'undefined' && error instanceof DOMException) ||
    name === 'AbortError' ||
    name === 'TimeoutError' ||
    name === 'UnknownError' ||
    name === 'TransactionInactiveError'
  );
}

export async function withStoreRetry<T>(write: () => Promise<T>, tries = TRIES): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= tries || !isTransientStoreError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * attempt));
    }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
