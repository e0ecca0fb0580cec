import { expect, test } from '@playwright/test';
import { agentConsistency, appState, failOnPageErrors, jobsOf, replayOf, startSearchWith, waitForStatus } from './helpers';

/**
 * Several tabs, one search (issue 6), as one story so the WebGPU-on-SwiftShader training stays
 * within minutes: A starts and leads, B joins and trains, garbage on the channel changes nothing,
 * C joins mid-search and trains, B closes mid-job, A (the leader) closes mid-job, C leads and
 * finishes. Playwright's Chromium flags disable background-tab throttling, so this does not
 * prove hidden tabs keep working; the design relies on Web Locks, not timers, for liveness.
 */
test('tabs share one search and it survives the leader and a follower closing mid-job', async ({ context }) => {
  test.setTimeout(900_000);
  const a = await context.newPage();
  const errors = failOnPageErrors(a);
  // Twelve nets, eight at ε = 1, so several can be trained at once. Savings off: every tab
  // claims (the leader's trainer admission would hold B and C back whenever two trainers are no
  // faster than one, as on SwiftShader; admission.spec.ts covers that).
  const tabA = await startSearchWith(a, '/?dataset=mnist&preset=tiny&seed=5&backend=webgpu', {
    schedule: [{ epsilon: 1, nets: 8 }, { epsilon: 0.5, nets: 2 }, { epsilon: 0.1, nets: 2 }],
    training: { savings: false },
  });

  // B opens the page and joins the running search without any action.
  const b = await context.newPage();
  failOnPageErrors(b, errors);
  await b.goto('/?backend=webgpu');
  await expect(b.getByTestId('search-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  const tabB = (await appState(b)).tabId;
  await expect(a.getByTestId('tab-count')).toHaveText('2', { timeout: 30_000 });

  // Garbage on the channel is counted and ignored.
  const before = await replayOf(a);
  await b.evaluate(() => {
    const channel = new BroadcastChannel('metaqnn');
    channel.postMessage('garbage');
    channel.postMessage({ type: 'job-done' });
    channel.postMessage({ type: 'search-changed', searchId: 42, from: 'x' });
    channel.postMessage({ type: 'tab-status', from: 'evil', netsDone: -1 });
    channel.close();
  });
  await expect.poll(async () => (await appState(a)).rejected, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
  expect((await appState(a)).status).toBe('running');
  expect((await replayOf(a)).length).toBeGreaterThanOrEqual(before.length);

  // B trains at least one net to the end.
  await expect.poll(async () => (await replayOf(a)).filter((e) => e.trainedBy === tabB).length, { timeout: 400_000 }).toBeGreaterThanOrEqual(1);

  // C opens mid-search, joins and trains.
  const c = await context.newPage();
  failOnPageErrors(c, errors);
  await c.goto('/?backend=webgpu');
  const tabC = (await appState(c)).tabId;
  await expect.poll(async () => (await appState(c)).live, { timeout: 120_000 }).toBeGreaterThanOrEqual(1);

  // B closes in the middle of a job: its job goes back to the queue and is trained elsewhere.
  await expect.poll(async () => (await appState(b)).live, { timeout: 200_000 }).toBeGreaterThanOrEqual(1);
  await b.close();

  // A, the leader, closes in the middle of a job: C takes the lead within seconds.
  await expect.poll(async () => (await appState(a)).live, { timeout: 200_000 }).toBeGreaterThanOrEqual(1);
  await a.close();
  await expect.poll(async () => (await appState(c)).leading, { timeout: 15_000 }).toBe(true);

  await waitForStatus(c, 'done', 800_000);
  const replay = await replayOf(c);
  expect(replay).toHaveLength(12);
  expect(new Set(replay.map((e) => e.netString)).size).toBe(12);
  // Every net, whichever tab trained it, ran on WebGPU (each replay record keeps its trainer's backend).
  expect(replay.map((e) => `${e.netString}: ${e.backend}`)).toEqual(replay.map((e) => `${e.netString}: webgpu`));
  const trainers = new Set(replay.map((e) => e.trainedBy));
  expect(trainers.has(tabA)).toBe(true);
  expect(trainers.has(tabB)).toBe(true);
  expect(trainers.has(tabC)).toBe(true);
  const iterations = replay.flatMap((e) => e.iterations).sort((x, y) => x - y);
  expect(iterations).toEqual(Array.from({ length: iterations.length }, (_, i) => i + 1));
  expect(await agentConsistency(c)).toEqual({ qTableMatchesReplay: true, unique: true });
  // The jobs B and A abandoned mid-training were requeued and claimed again (each claim counts an
  // attempt), and finished. At least one: a job may just have finished as its tab closed.
  const jobs = await jobsOf(c);
  const retried = jobs.filter((j) => j.attempts > 1);
  expect(retried.length).toBeGreaterThanOrEqual(1);
  for (const job of retried) {
    expect(job.status).toBe('done');
    expect(replay.some((e) => e.netString === job.netString)).toBe(true);
  }
  expect(jobs.every((j) => j.status === 'done')).toBe(true);
  expect(errors).toEqual([]);
});
