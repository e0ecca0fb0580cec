import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/core/agent';
import { finalReserveMs, netsForTime, planSchedule } from '../../../src/core/budget';
import { makeSearchSpace } from '../../../src/core/search-space';
import { paperSchedule, type EpsilonSchedule } from '../../../src/core/schedule';
import { randomSearchStrategy } from '../../../src/core/strategies';

const tiny = makeSearchSpace('tiny', { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
const nets = (schedule: EpsilonSchedule) => schedule.map((l) => l.nets);

/** Trains every net the agent hands out until it waits or is done; returns how many. */
function trainAll(agent: Agent, reward = 0.5): number {
  let trained = 0;
  for (;;) {
    const step = agent.next();
    if (step.type === 'train') {
      agent.report(step.key, reward);
      trained++;
    } else if (step.type !== 'reused' && step.type !== 'attached') return trained;
  }
}

describe('time planning', () => {
  it('buys nets with the time left after the final reserve, for every trainer', () => {
    expect(netsForTime({ budgetMs: 600_000, usedMs: 120_000, reserveMs: 80_000, msPerNet: 10_000, trainers: 2 })).toBe(80);
    expect(netsForTime({ budgetMs: 600_000, usedMs: 590_000, reserveMs: 80_000, msPerNet: 10_000, trainers: 2 })).toBe(0);
    expect(() => netsForTime({ budgetMs: 1, usedMs: 0, reserveMs: 0, msPerNet: 0, trainers: 1 })).toThrow(/msPerNet/);
  });

  it('holds back the fine-tunings one after another and the ensemble, at most 30% of the budget', () => {
    expect(finalReserveMs({ budgetMs: 600_000, fineTuneTop: 2, fineTuneMsPerNet: 6_000, ensembleMs: 1_500 })).toBe(13_500);
    expect(finalReserveMs({ budgetMs: 60_000, fineTuneTop: 10, fineTuneMsPerNet: 6_000, ensembleMs: 1_500 })).toBe(18_000);
  });

  it("spreads the nets over the ε levels in the schedule's proportions", () => {
    const planned = planSchedule(paperSchedule, paperSchedule, paperSchedule.map(() => 0), 0, 270);
    // The paper's Table 2: 1,500 at ε = 1, 100 at 0.9 to 0.7, 150 at 0.6 to 0.1; a tenth of it.
    expect(nets(planned)).toEqual([150, 10, 10, 10, 15, 15, 15, 15, 15, 15]);
    expect(planned.map((l) => l.epsilon)).toEqual(paperSchedule.map((l) => l.epsilon));
  });

  it('keeps what levels trained, room for nets in flight, and gives later levels what a late current level left', () => {
    const template: EpsilonSchedule = [
      { epsilon: 1, nets: 50 },
      { epsilon: 0.5, nets: 25 },
      { epsilon: 0.1, nets: 25 },
    ];
    // 30 trained at ε = 1, 2 in flight, 10 more nets affordable: ε = 1 stops at 32, the rest share 8.
    expect(nets(planSchedule(template, template, [30, 0, 0], 2, 10))).toEqual([32, 4, 4]);
    // Out of time: the current level ends with what is in flight, later levels keep one net each.
    expect(nets(planSchedule(template, template, [30, 0, 0], 2, 0))).toEqual([32, 1, 1]);
    // At the second level, the first keeps its 32.
    const moved: EpsilonSchedule = [{ epsilon: 1, nets: 32 }, { epsilon: 0.5, nets: 4 }, { epsilon: 0.1, nets: 4 }];
    expect(nets(planSchedule(template, moved, [32, 1, 0], 1, 20))).toEqual([32, 11, 10]);
    // Everything done: more time goes to the last ε.
    expect(nets(planSchedule(template, moved, [32, 4, 4], 0, 6))).toEqual([32, 4, 10]);
  });
});

describe('Agent.replan', () => {
  const schedule: EpsilonSchedule = [
    { epsilon: 1, nets: 4 },
    { epsilon: 0.1, nets: 2 },
  ];

  it('changes the counts a search still has to train, and is saved with the agent', () => {
    const agent = new Agent({ space: tiny, schedule, seed: 3, strategy: randomSearchStrategy(tiny) });
    expect(trainAll(agent)).toBe(6);
    const longer = new Agent({ space: tiny, schedule, seed: 3, strategy: randomSearchStrategy(tiny) });
    longer.next(); // one net in flight at ε = 1
    longer.replan([{ epsilon: 1, nets: 7 }, { epsilon: 0.1, nets: 3 }]);
    const restored = Agent.fromJSON(JSON.parse(JSON.stringify(longer.toJSON())));
    expect(restored.schedule).toEqual([{ epsilon: 1, nets: 7 }, { epsilon: 0.1, nets: 3 }]);
    restored.report(restored.inFlight[0]!, 0.5);
    expect(trainAll(restored) + 1).toBe(10);
  });

  it('refuses a schedule that drops trained or in-flight nets, changes ε, or reopens a higher ε', () => {
    const agent = new Agent({ space: tiny, schedule, seed: 4, strategy: randomSearchStrategy(tiny) });
    for (let i = 0; i < 4; i++) {
      const step = agent.next();
      if (step.type === 'train') agent.report(step.key, 0.4);
    }
    const step = agent.next(); // at ε = 0.1 now, one in flight
    expect(step.type).toBe('train');
    expect(() => agent.replan([{ epsilon: 1, nets: 4 }])).toThrow(/expected 2 ε levels/);
    expect(() => agent.replan([{ epsilon: 0.9, nets: 4 }, { epsilon: 0.1, nets: 2 }])).toThrow(/level 0 has ε 1, not 0.9/);
    expect(() => agent.replan([{ epsilon: 1, nets: 3 }, { epsilon: 0.1, nets: 2 }])).toThrow(/level 0 \(ε 1\) has 4 nets trained/);
    expect(() => agent.replan([{ epsilon: 1, nets: 6 }, { epsilon: 0.1, nets: 2 }])).toThrow(/level 0 would be open again/);
    agent.replan([{ epsilon: 1, nets: 4 }, { epsilon: 0.1, nets: 5 }]);
    expect(agent.progress.targetAtLevel).toBe(5);
  });
});
