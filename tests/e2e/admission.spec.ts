import { expect, test } from '@playwright/test';
import { agentConsistency, appState, failOnPageErrors, replayOf, startSearchWith, waitForStatus } from './helpers';

/**
 * Trainers where they help (issue 15): a second tab that joins waits while the leader measures
 * one trainer, says so in its header, is admitted for a trial, and the leader keeps it only
 * when the search got faster. Which way the trial goes depends on the machine; that it ran and
 * what it measured does not.
 */
test('a second tab waits while one trainer is measured, says why, and is tried', async ({ context }) => {
  test.setTimeout(600_000);
  const a = await context.newPage();
  const errors = failOnPageErrors(a);
  const tabA = await startSearchWith(a, '/?dataset=mnist&preset=tiny&seed=9&backend=webgpu', {
    schedule: [{ epsilon: 1, nets: 12 }, { epsilon: 0.5, nets: 2 }],
    trainersPerTab: 1,
  });

  const b = await context.newPage();
  failOnPageErrors(b, errors);
  await b.goto('/?backend=webgpu');
  await expect(b.getByTestId('search-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  // B's header (and A's list of tabs) says B waits, and why.
  await b.locator('details.tabs summary').click();
  await expect(b.getByTestId('held-back')).toContainText('waiting: one trainer is measured first', { timeout: 60_000 });
  await a.locator('details.tabs summary').click();
  await expect(a.getByTestId('held-back')).toContainText('waiting: one trainer is measured first', { timeout: 30_000 });
  expect((await appState(b)).live).toBe(0);

  await waitForStatus(a, 'done', 500_000);
  const admission = await a.evaluate(async () => {
    const app = globalThis.__metaqnn!;
    await app.refresh();
    return app.search!.admission!;
  });
  // One trainer was measured, then two were tried, then one again; the leader keeps two only if
  // they beat both measurements of one by 5%.
  const measured = new Map(admission.measured.map((m) => [m.trainers, m.netsPerHour]));
  expect(measured.get(1)).toBeGreaterThan(0);
  expect(measured.get(2)).toBeGreaterThan(0);
  if (admission.phase === 'confirm' || admission.ceiling === 2) expect(admission.admitted).toBe(1);
  else expect(admission).toMatchObject({ phase: 'steady', admitted: 2, ceiling: null });
  expect(admission.trainers[0]).toBe(`${tabA}#0`);

  const replay = await replayOf(a);
  expect(replay).toHaveLength(14);
  expect(replay.map((e) => e.backend)).toEqual(replay.map(() => 'webgpu'));
  // The first nets were A's alone.
  const byFinish = [...replay].sort((x, y) => x.iterations[0]! - y.iterations[0]!);
  expect(byFinish.slice(0, 4).every((e) => e.trainedBy === tabA)).toBe(true);
  expect(await agentConsistency(a)).toEqual({ qTableMatchesReplay: true, unique: true });
  expect(errors).toEqual([]);
});
