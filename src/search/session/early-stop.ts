/**
 * Early stopping in a live search: a stopper fed with the search's completed curves (from the
 * replay memory, so every tab decides alike), and the question a trainer asks after each epoch.
 */
import { architectureFeatures, countParams, EarlyStopper, parseNetwork, type InputShape, type StopDecision } from '../../core';
import type { ReplayEntry, ReplayRecord } from '../../store';
import type { ContinueCallback } from '../../train/types';
import type { SearchConfig } from '../config';

/** The nets that trained every epoch of this search's budget: what the predictor learns from. */
export function earlyStopperFor(config: SearchConfig, replay: readonly ReplayRecord[]): EarlyStopper | null {
  const setup = config.earlyStopping;
  if (!setup.enabled || config.training.epochs < 2) return null;
  const stopper = new EarlyStopper({ confidence: setup.confidence, topK: setup.topK, minCompleted: setup.minCompleted });
  const completed = replay
    .filter((e) => e.source === 'trained' && (e.status === 'ok' || e.status === 'failed-to-learn') && !e.earlyStop)
    .filter((e) => e.valCurve.length === config.training.epochs)
    .sort((a, b) => a.finishedAt - b.finishedAt || a.netString.localeCompare(b.netString));
  for (const e of completed) {
    stopper.addCompleted(
      e.valCurve.map((p) => p.accuracy),
      architectureFeatures(parseNetwork(e.netString), e.params),
    );
  }
  return stopper;
}

/**
 * The trainer's after-epoch question for one net, and the verdict it reached: `verdict()` is
 * what the replay entry keeps when the net was stopped.
 */
export function askAfterEpoch(
  stopper: EarlyStopper,
  netString: string,
  inputShape: InputShape,
  totalEpochs: number,
): { readonly ask: ContinueCallback; verdict(): NonNullable<ReplayEntry['earlyStop']> | undefined } {
  const net = parseNetwork(netString);
  const architecture = architectureFeatures(net, countParams(net, inputShape));
  let stopped: StopDecision | null = null;
  let epoch = 0;
  return {
    ask: (curve) => {
      const decision = stopper.decide(
        curve.map((r) => r.validationAccuracy),
        totalEpochs,
        architecture,
      );
      if (decision.stop) {
        stopped = decision;
        epoch = curve.length;
      }
      return !decision.stop;
    },
    verdict: () => {
      const d = stopped as StopDecision | null;
      if (!d?.prediction || d.chance === null || d.bar === null) return undefined;
      return { afterEpoch: epoch, predicted: d.prediction.mean, chance: d.chance, bar: d.bar };
    },
  };
}
