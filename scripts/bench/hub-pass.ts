/**
 * The hub bridge's pass at the paper's scale (issue 17), Node only: a leading and a following
 * machine (src/hub/bridge.ts, each with its own store on fake-indexeddb, their documents relayed
 * to each other) share a search seeded with the authors' replay file (1,843 nets of the paper's
 * space). Measured: a pass that reads everything (what every pass did before passes became
 * incremental; now the first one, one after an update from another machine, and one every
 * FULL_PASS_MS), against an idle pass (nothing changed), for each role. The store is
 * fake-indexeddb's, so the absolute times are its own; the ratio is the point.
 */
// idb reads IndexedDB's classes from the global scope: fake-indexeddb/auto puts them there.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as Y from 'yjs';
import { FULL_PASS_MS, HubBridge } from '../../src/hub/bridge';
import { presetConfig } from '../../src/search/config';
import { importReplayCsv } from '../../src/search/export/replay-csv-import';
import { createSeededSearch } from '../../src/search/export/seed';
import { LAB_FILE_PATH } from '../../src/search/strategy-lab';
import { openStore } from '../../src/store';
import { ratio } from '../lib/format';
import { mean } from '../lib/results';
import type { PartContext, PartReport } from './plan';

const PASSES = 10;
const LEADER = 'm-aaaa0000';
const FOLLOWER = 'm-bbbb0000';

export async function benchHubPass(ctx: Pick<PartContext, 'log'>, root: string): Promise<PartReport> {
  const inputShape = { height: 32, width: 32, channels: 3 };
  const imported = importReplayCsv(await readFile(resolve(root, 'public', LAB_FILE_PATH), 'utf8'), { inputShape });
  const factory = new IDBFactory();
  const [leaderStore, followerStore] = await Promise.all([openStore('hub-pass-leader', factory), openStore('hub-pass-follower', factory)]);
  const { search, seeded } = await createSeededSearch(leaderStore, {
    name: 'hub pass',
    config: presetConfig('paper', 'svhn', 1),
    dataset: { inputShape, classes: 10 },
    entries: imported.entries,
    iterations: imported.iterations,
  });
  // The clock each bridge reads: `skip` moves it past FULL_PASS_MS, so the next pass reads everything.
  let clock = 0;
  const now = () => clock;
  const docs = [new Y.Doc(), new Y.Doc()] as const;
  docs[0].on('update', (update: Uint8Array, origin: unknown) => origin !== 'relay' && Y.applyUpdate(docs[1], update, 'relay'));
  docs[1].on('update', (update: Uint8Array, origin: unknown) => origin !== 'relay' && Y.applyUpdate(docs[0], update, 'relay'));
  const present = () => new Set([LEADER, FOLLOWER]);
  const leader = new HubBridge({ store: leaderStore, doc: docs[0], machine: LEADER, present, capacity: () => 1, now });
  const follower = new HubBridge({ store: followerStore, doc: docs[1], machine: FOLLOWER, present, capacity: () => 1, now });
  leader.share((await leaderStore.getSearch(search.id))!);
  await follower.join();

  const time = async (bridge: HubBridge): Promise<number> => {
    const t0 = performance.now();
    await bridge.sync();
    return performance.now() - t0;
  };
  const first = { leader: await time(leader), follower: await time(follower) };
  // Both settle: each side's first passes answer the other's.
  for (let i = 0; i < 3; i++) await Promise.all([leader.sync(), follower.sync()]);
  const mirrored = (await followerStore.listReplay(search.id)).length;
  ctx.log(`hub-pass: ${seeded.entries.length} nets in the leader's replay, ${mirrored} mirrored; first passes ${first.leader.toFixed(0)} / ${first.follower.toFixed(0)} ms`);

  const measure = async (full: boolean) => {
    const out = { leader: [] as number[], follower: [] as number[] };
    for (let i = 0; i < PASSES; i++) {
      if (full) clock += FULL_PASS_MS;
      out.leader.push(await time(leader));
      out.follower.push(await time(follower));
    }
    return { leader: mean(out.leader)!, follower: mean(out.follower)! };
  };
  const full = await measure(true);
  const idle = await measure(false);
  ctx.log(`hub-pass: full ${full.leader.toFixed(1)} / ${full.follower.toFixed(1)} ms, idle ${idle.leader.toFixed(1)} / ${idle.follower.toFixed(1)} ms`);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  return {
    note:
      `One pass of the bridge between a machine's store and the shared document, with the authors' ${seeded.entries.length} nets in the replay, ` +
      `mean of ${PASSES} passes each; fake-indexeddb in Node ${process.version}, so absolute times are its own. ` +
      `"Reads everything" is what every pass did before (now the first, one after another machine's update, and one every ${FULL_PASS_MS / 1000} s); ` +
      `"idle": nothing changed since the last pass (a pass runs every 2 s and on every local change).`,
    nets: seeded.entries.length,
    mirrored,
    first,
    full,
    idle,
    table: {
      headers: ['role', 'first pass', 'pass that reads everything', 'idle pass', 'reads everything ÷ idle'],
      rows: [
        ['leading machine', ms(first.leader), ms(full.leader), ms(idle.leader), ratio(full.leader, idle.leader)],
        ['following machine', ms(first.follower), ms(full.follower), ms(idle.follower), ratio(full.follower, idle.follower)],
      ],
    },
  };
}
