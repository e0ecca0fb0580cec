/**
 * Whose time budget the setup shows (issue 14). A preset brings its own (`budget`: its
 * minutes; the others: none) unless the person chose one: minutes typed into the budget
 * field or a URL's `budget=`. Those minutes say how much time the person has, so they stay
 * across preset changes; an emptied field gives the choice back to the preset. Pure, so the
 * rules are unit-tested without a page.
 */
import { searchPresets, type BudgetSetup, type PresetId } from '../search/config';

/** The preset's own budget in minutes, or null when it is sized by its schedule. */
export function presetBudgetMinutes(presetId: PresetId): number | null {
  return searchPresets[presetId].budget?.minutes ?? null;
}

/** The budget a setup on `presetId` gets: the person's minutes, else the preset's own. */
export function budgetFor(presetId: PresetId, ownMinutes: number | null): BudgetSetup {
  const minutes = ownMinutes ?? presetBudgetMinutes(presetId);
  return minutes === null ? null : { minutes };
}

/**
 * The minutes to keep as the person's when a setup is shown whole (an opened search's): its
 * budget when that is not what its preset brings by itself, else null.
 */
export function ownMinutesOf(presetId: PresetId, budget: BudgetSetup): number | null {
  const minutes = budget?.minutes ?? null;
  return minutes !== null && minutes !== presetBudgetMinutes(presetId) ? minutes : null;
}

/**
 * What the URL's `budget=` says so that opening it gives this setup back: the person's
 * minutes, the config's when they are not the preset's, 'none' when the preset has a budget
 * the config does not, or null (no parameter) when the preset's own budget is the config's.
 */
export function budgetParam(presetId: PresetId, budget: BudgetSetup, ownMinutes: number | null): number | 'none' | null {
  if (ownMinutes !== null) return ownMinutes;
  const minutes = budget?.minutes ?? null;
  if (minutes === presetBudgetMinutes(presetId)) return null;
  return minutes ?? 'none';
}
