/**
 * Evidence that the agent learns (spec section 4: mean accuracy per ε rises as ε falls).
 * The whole agent runs against a synthetic "accuracy": a fixed function of the architecture
 * plus seeded per-net noise, over the paper's schedule scaled down, for several seeds.
 */
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/core/agent';
import { parseNetwork } from '../../../src/core/network-string';
import { rewardByEpsilon } from '../../../src/core/replay';
import { paperSchedule, scaleSchedule, scheduleTotal } from '../../../src/core/schedule';
import { paperSearchSpace } from '../../../src/core/search-space';
import { randomSearchStrategy } from '../../../src/core/strategies';
import { FakeOrchestrator, netNoise } from './simulate';

const space = paperSearchSpace({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });
const schedule = scaleSchedule(paperSchedule, 0.2);

/**
 * Synthetic accuracy in [0.1, 0.95]. It rewards depth in convolutions (diminishing), wide
 * filters, pooling to a small map, and one FC; GAP costs a little. The best nets are 12 layers
 * of wide convs and pools ending in an FC (about 0.9); `[SM(10)]` scores 0.1 (chance).
 */
function syntheticAccuracy(key: string, seed: number): number {
  const net = parseNetwork(key);
  const convs = net.filter((l) => l.kind === 'conv');
  const wide = convs.length === 0 ? 0 : convs.reduce((s, l) => s + Math.log2(l.filters / 64) / 3, 0) / convs.length;
  const pools = net.filter((l) => l.kind === 'pool').length;
  const fcs = net.filter((l) => l.kind === 'fc').length;
  const gap = net.some((l) => l.kind === 'gap');
  const score =
    0.1 + 0.45 * (1 - 0.8 ** convs.length) + 0.15 * wide + 0.08 * Math.min(pools, 2) + (fcs === 1 ? 0.07 : fcs === 2 ? 0.04 : 0) - (gap ? 0.05 : 0);
  return Math.min(0.95, Math.max(0.1, score + netNoise(key, seed, 0.03)));
}

function search(seed: number, random: boolean) {
  const agent = new Agent({ space, schedule, seed, ...(random ? { strategy: randomSearchStrategy(space) } : {}) });
  new FakeOrchestrator(1, (key) => syntheticAccuracy(key, seed), seed).run(agent);
  return { agent, groups: rewardByEpsilon(agent.replay) };
}

describe('evidence that the agent learns', () => {
  it('mean reward at the lowest ε is clearly above ε = 1 and above random search, for several seeds', () => {
    const seeds = [1, 2, 3, 4, 5];
    const rows: string[] = [];
    const summary: { seed: number; first: number; last: number; random: number; bestQ: number; bestRandom: number }[] = [];
    for (const seed of seeds) {
      const q = search(seed, false);
      const r = search(seed, true);
      expect(q.agent.progress.trained).toBe(scheduleTotal(schedule));
      expect(r.agent.progress.trained).toBe(scheduleTotal(schedule));
      const mean = (entries: readonly { reward: number }[]) => entries.reduce((s, e) => s + e.reward, 0) / entries.length;
      const best = (agent: Agent) => Math.max(...agent.replay.map((e) => e.reward));
      summary.push({
        seed,
        first: q.groups[0]!.meanReward,
        last: q.groups.at(-1)!.meanReward,
        random: mean(r.agent.replay),
        bestQ: best(q.agent),
        bestRandom: best(r.agent),
      });
      rows.push(
        `seed ${seed} Q  | ${q.groups.map((g) => `${g.epsilon.toFixed(1)}: ${g.meanReward.toFixed(3)} (${g.count})`).join(' | ')}`,
        `seed ${seed} rnd| mean ${mean(r.agent.replay).toFixed(3)} over ${r.agent.replay.length} iterations`,
      );
    }
    console.log(`Mean synthetic accuracy of the nets sampled at each ε (paper Figure 3 grouping), schedule ×0.2 = ${scheduleTotal(schedule)} nets:\n${rows.join('\n')}`);
    for (const s of summary) {
      expect(s.last - s.first).toBeGreaterThan(0.1);
      expect(s.last - s.random).toBeGreaterThan(0.1);
    }
  });
});
