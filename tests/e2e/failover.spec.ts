import { expect, test, type Page } from '@playwright/test';
import { agentConsistency, appState, failOnPageErrors, jobsOf, replayOf, startSearchWith, waitForStatus } from './helpers';

/**
 * What probing the app found (issue 12), replayed: a leader tab closed mid-job, the next
 * leader closed while fine-tuning, and trainer workers that end by themselves mid-job and
 * mid-fine-tuning. Each story fails on any uncaught page error.
 */

/** The open search's final-phase progress as stored. */
async function finalState(page: Page): Promise<{ status: string | null; fineTuned: { netString: string; epochs: number }[]; step: string | null; ensemble: string[] }> {
  return page.evaluate(async () => {
    const app = globalThis.__metaqnn!;
    await app.refresh();
    return {
      status: app.search?.status ?? null,
      fineTuned: (app.search?.finalProgress?.fineTuned ?? []).map((f) => ({ netString: f.netString, epochs: f.epochs })),
      step: app.finalStep,
      ensemble: [...(app.search?.final?.ensembleNetStrings ?? [])],
    };
  });
}

test('the leader closes mid-job, the next closes while fine-tuning: the search ends with its ensemble, nothing trained twice', async ({ context }) => {
  test.setTimeout(900_000);
  // The sequence that stalled: tiny, seed 41, ε = 1 × 4, 0.5 × 1, 0.1 × 1, one trainer per tab.
  const a = await context.newPage();
  const errors = failOnPageErrors(a);
  await startSearchWith(a, '/?dataset=mnist&preset=tiny&seed=41&backend=webgpu', {
    schedule: [{ epsilon: 1, nets: 4 }, { epsilon: 0.5, nets: 1 }, { epsilon: 0.1, nets: 1 }],
    final: { fineTuneTop: 3, fineTuneEpochs: 2, ensembleTop: 2 },
    trainersPerTab: 1,
  });
  const b = await context.newPage();
  failOnPageErrors(b, errors);
  await b.goto('/?backend=webgpu');
  await expect(b.getByTestId('search-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });

  // After one result, A closes in the middle of a job; B takes the lead, C joins.
  await expect.poll(async () => (await replayOf(b)).length, { timeout: 400_000 }).toBeGreaterThanOrEqual(1);
  await expect.poll(async () => (await appState(a)).live, { timeout: 200_000 }).toBeGreaterThanOrEqual(1);
  await a.close();
  await expect.poll(async () => (await appState(b)).leading, { timeout: 15_000 }).toBe(true);
  const c = await context.newPage();
  failOnPageErrors(c, errors);
  await c.goto('/?backend=webgpu');
  await expect(c.getByTestId('search-status')).toHaveAttribute('data-status', /running|final/, { timeout: 60_000 });

  // B, now the leader, closes while it fine-tunes: one net done, the others to go.
  await expect
    .poll(async () => {
      const s = await finalState(b);
      return s.status === 'final' && s.fineTuned.length >= 1 && /Fine-tuning/.test(s.step ?? '');
    }, { timeout: 600_000, intervals: [250] })
    .toBe(true);
  const atClose = await finalState(b);
  await b.close();
  expect(atClose.fineTuned.length).toBeLessThan(3);
  await expect.poll(async () => (await appState(c)).leading, { timeout: 15_000 }).toBe(true);

  await waitForStatus(c, 'done', 600_000);
  const end = await finalState(c);
  // Every top net fine-tuned once (the one B was fine-tuning is redone; progress is all it lost).
  expect(end.fineTuned).toHaveLength(3);
  expect(new Set(end.fineTuned.map((f) => f.netString)).size).toBe(3);
  expect(end.fineTuned.every((f) => f.epochs > 0)).toBe(true);
  for (const done of atClose.fineTuned) expect(end.fineTuned.map((f) => f.netString)).toContain(done.netString);
  expect(end.ensemble).toHaveLength(2);
  // Each net trained once: one replay entry and one finished job per net, on WebGPU.
  const replay = await replayOf(c);
  expect(replay).toHaveLength(6);
  expect(new Set(replay.map((e) => e.netString)).size).toBe(6);
  expect(replay.every((e) => e.backend === 'webgpu')).toBe(true);
  const jobs = await jobsOf(c);
  expect(jobs.every((j) => j.status === 'done')).toBe(true);
  expect(new Set(jobs.map((j) => j.netString)).size).toBe(jobs.length);
  expect(await agentConsistency(c)).toEqual({ qTableMatchesReplay: true, unique: true });
  expect(errors).toEqual([]);
});

test('a trainer worker that ends mid-job or mid-fine-tuning is replaced at once and the search finishes', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = failOnPageErrors(page);
  await startSearchWith(page, '/?dataset=mnist&preset=tiny&seed=7&backend=webgpu', {
    schedule: [{ epsilon: 1, nets: 3 }, { epsilon: 0.1, nets: 1 }],
    final: { fineTuneTop: 2, fineTuneEpochs: 2, ensembleTop: 2 },
    trainersPerTab: 1,
  });
  /** Makes the trainer worker close itself, as a crashed or killed worker would end. */
  const endTrainerWorker = async () => {
    const worker = page.workers().find((w) => w.url().includes('trainer'));
    expect(worker, 'a trainer worker runs').toBeDefined();
    await worker!.evaluate(() => void setTimeout(() => self.close(), 0));
  };
  const noticed = () =>
    page.evaluate(() => globalThis.__metaqnn!.notices.some((n) => n.text.includes('the trainer worker stopped unexpectedly')));

  // Mid-job: the job is failed and requeued within seconds, not after the 180 s watchdog.
  await expect
    .poll(async () => page.evaluate(() => globalThis.__metaqnn!.live.some((j) => j.progress !== null)), { timeout: 200_000, intervals: [250] })
    .toBe(true);
  await endTrainerWorker();
  await expect.poll(noticed, { timeout: 20_000, intervals: [250] }).toBe(true);

  // Mid-fine-tuning: the final phase tries again on a fresh worker.
  await expect
    .poll(async () => /Fine-tuning/.test((await finalState(page)).step ?? ''), { timeout: 400_000, intervals: [250] })
    .toBe(true);
  await endTrainerWorker();
  await waitForStatus(page, 'done', 300_000);

  const end = await finalState(page);
  expect(end.fineTuned).toHaveLength(2);
  expect(end.fineTuned.every((f) => f.epochs > 0)).toBe(true);
  expect(end.ensemble).toHaveLength(2);
  const jobs = await jobsOf(page);
  expect(jobs.every((j) => j.status === 'done')).toBe(true);
  expect(jobs.some((j) => j.attempts === 2)).toBe(true); // the job whose worker ended, trained again
  const replay = await replayOf(page);
  expect(replay).toHaveLength(4);
  expect(replay.every((e) => e.backend === 'webgpu')).toBe(true);
  expect(errors).toEqual([]);
});
