import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET_ID, presetConfig, PRESET_IDS, type BudgetSetup, type PresetId } from '../../../src/search/config';
import { formatUrlSetup, parseUrlSetup, UrlSetupError } from '../../../src/search/url-setup';
import { budgetFor, budgetParam, ownMinutesOf, presetBudgetMinutes } from '../../../src/ui/setup-budget';

/** The budget part of the Setup state (src/ui/state/setup.svelte.ts) as plain steps over these rules. */
function setupSteps(presetId: PresetId = DEFAULT_PRESET_ID) {
  let own: number | null = null;
  let budget: BudgetSetup = budgetFor(presetId, own);
  return {
    choose(id: PresetId) {
      presetId = id;
      budget = budgetFor(id, own);
    },
    type(minutes: number | null) {
      own = minutes;
      budget = minutes === null ? null : { minutes };
    },
    get minutes() {
      return budget?.minutes ?? null;
    },
    get url() {
      return formatUrlSetup({ dataset: 'mnist', preset: presetId, seed: 1, budget: budgetParam(presetId, budget, own) });
    },
  };
}

describe('setup budget: a preset brings its own unless the person chose one', () => {
  it('starts a new visitor on the 10-minute budget preset, and only budget has a budget', () => {
    expect(DEFAULT_PRESET_ID).toBe('budget');
    expect(presetBudgetMinutes('budget')).toBe(10);
    for (const id of PRESET_IDS) if (id !== 'budget') expect(presetBudgetMinutes(id)).toBeNull();
    expect(presetConfig(DEFAULT_PRESET_ID, 'mnist', 1).budget).toEqual({ minutes: 10 });
  });

  it('clears the budget for tiny and brings 10 minutes back for budget', () => {
    const setup = setupSteps();
    expect(setup.minutes).toBe(10);
    setup.choose('tiny');
    expect(setup.minutes).toBeNull();
    setup.choose('quick');
    expect(setup.minutes).toBeNull();
    setup.choose('budget');
    expect(setup.minutes).toBe(10);
  });

  it('keeps minutes the person typed across presets, and gives the choice back when the field is emptied', () => {
    const setup = setupSteps();
    setup.type(20);
    setup.choose('quick');
    expect(setup.minutes).toBe(20);
    setup.choose('budget');
    expect(setup.minutes).toBe(20);
    setup.type(null);
    expect(setup.minutes).toBeNull();
    setup.choose('tiny');
    expect(setup.minutes).toBeNull();
    setup.choose('budget');
    expect(setup.minutes).toBe(10);
  });

  it("treats an opened search's budget as the person's only when its preset would not bring it", () => {
    expect(ownMinutesOf('budget', { minutes: 10 })).toBeNull();
    expect(ownMinutesOf('budget', null)).toBeNull();
    expect(ownMinutesOf('budget', { minutes: 15 })).toBe(15);
    expect(ownMinutesOf('tiny', { minutes: 2 })).toBe(2);
    expect(ownMinutesOf('tiny', null)).toBeNull();
  });
});

describe('setup budget in the URL: a shared link gives the same setup back', () => {
  it("leaves the preset's own budget out of the URL", () => {
    const setup = setupSteps();
    expect(setup.url).toBe('?dataset=mnist&preset=budget&seed=1');
    setup.choose('tiny');
    expect(setup.url).toBe('?dataset=mnist&preset=tiny&seed=1');
  });

  it('writes the minutes the person chose, and none when the budget preset runs without one', () => {
    const setup = setupSteps();
    setup.type(10);
    expect(setup.url).toBe('?dataset=mnist&preset=budget&seed=1&budget=10');
    setup.choose('tiny');
    expect(setup.url).toBe('?dataset=mnist&preset=tiny&seed=1&budget=10');
    setup.choose('budget');
    setup.type(null);
    expect(setup.url).toBe('?dataset=mnist&preset=budget&seed=1&budget=none');
    expect(budgetParam('quick', { minutes: 7 }, null)).toBe(7);
  });

  it('reads back each URL it writes into the same preset and budget', () => {
    const cases: [PresetId, BudgetSetup, number | null][] = [
      ['budget', { minutes: 10 }, null],
      ['budget', null, null],
      ['budget', { minutes: 25 }, 25],
      ['tiny', null, null],
      ['tiny', { minutes: 2 }, 2],
      ['paper', { minutes: 90 }, null],
    ];
    for (const [preset, budget, own] of cases) {
      const url = parseUrlSetup(formatUrlSetup({ dataset: 'mnist', preset, seed: 3, budget: budgetParam(preset, budget, own) }));
      expect(url.preset).toBe(preset);
      // Setup.fromUrl: budget=none is no budget, budget=N the person's, absent the preset's.
      const back = url.budget === null ? null : budgetFor(preset, url.budget ?? null);
      expect(back).toEqual(budget);
    }
  });

  it('refuses a budget that is neither minutes nor none, naming both', () => {
    expect(() => parseUrlSetup('?budget=off')).toThrow(UrlSetupError);
    expect(() => parseUrlSetup('?budget=off')).toThrow('budget="off": expected a number of minutes above 0 and at most 10080, or none');
    expect(parseUrlSetup('?budget=none').budget).toBeNull();
  });
});
