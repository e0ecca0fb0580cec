/**
 * y-leveldb ships its types at dist/src/y-leveldb.d.ts but its package.json "exports" hides
 * them from TypeScript's resolution; what the hub uses of it, from those types.
 */
declare module 'y-leveldb' {
  import type * as Y from 'yjs';
  export class LeveldbPersistence {
    constructor(location: string, options?: { level?: unknown; levelOptions?: object });
    getYDoc(docName: string): Promise<Y.Doc>;
    storeUpdate(docName: string, update: Uint8Array): Promise<number>;
    destroy(): Promise<void>;
  }
}
