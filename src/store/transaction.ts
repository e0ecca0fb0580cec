/** Minimal view of an idb transaction: enough to wait for it or to abort it. */
interface Transaction {
  readonly done: Promise<void>;
  abort(): void;
}

/**
 * Runs `body` inside `tx` and resolves once the transaction has committed.
 * If `body` throws, the transaction is aborted: without that, the writes made before the
 * error would commit and leave the stores half updated.
 * `body` must only await IndexedDB requests of `tx` (any other await lets the transaction
 * auto-commit).
 */
export async function inTransaction<T>(tx: Transaction, body: () => Promise<T>): Promise<T> {
  try {
    const result = await body();
    await tx.done;
    return result;
  } catch (error) {
    tx.done.catch(() => undefined);
    try {
      tx.abort();
    } catch {
      // Already committed or aborted (the failing request aborted it).
    }
    throw error;
  }
}
