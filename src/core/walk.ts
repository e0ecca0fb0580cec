/**
 * The walk every strategy draws nets with: from the start state to SM, one legal action at a
 * time (spec section 2). Its own module so that strategies.ts and evolution.ts share it
 * without importing each other.
 */
import { initialQValue } from './q-table';
import type { Rng } from './rng';
import type { SearchSpace } from './search-space';
import { applyAction, legalActions, startState, stateKey } from './states';
import type { Layer, Net } from './types';

/**
 * One ε-greedy walk from the start state to SM: at each state, with probability ε a uniformly
 * random legal action, else an action of highest `value`, ties broken uniformly at random.
 * Exactly one `rng.next()` per step, plus one `rng.int` for the pick.
 */
export function epsilonGreedyWalk(
  space: SearchSpace,
  epsilon: number,
  rng: Rng,
  value: (stateKey: string, action: Layer) => number = () => initialQValue,
): Net {
  const net: Layer[] = [];
  let state = startState(space);
  while (state.kind !== 'end') {
    const actions = legalActions(state, space);
    let choice: Layer;
    if (rng.next() < epsilon) {
      choice = actions[rng.int(actions.length)]!;
    } else {
      const key = stateKey(state, space);
      let best = -Infinity;
      let ties: Layer[] = [];
      for (const action of actions) {
        const q = value(key, action);
        if (q > best) {
          best = q;
          ties = [action];
        } else if (q === best) {
          ties.push(action);
        }
      }
      choice = ties[rng.int(ties.length)]!;
    }
    net.push(choice);
    state = applyAction(state, choice);
  }
  return net;
}
