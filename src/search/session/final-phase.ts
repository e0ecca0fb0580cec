/**
 * The final phase (spec section 3): fine-tune the top nets longer, then evaluate the ensemble
 * of the best of them on the test split. Run by the leader; progress is stored net by net, so
 * a leader that takes over goes on with the nets not yet fine-tuned.
 *
 * It always finishes: a net with no saved weights (the disk was full) is trained from scratch
 * for the fine-tuning epochs; a net whose trainer fails or is lost is tried again, and after
 * MAX_ATTEMPTS keeps its search accuracy; an ensemble that cannot be evaluated falls back to
 * the best net alone. Each of these is said, never hidden.
 */
import { insertDropout, parseNetwork, type Net } from '../../core';
import { QuotaError, type FineTuned, type ReplayRecord } from '../../store';
import type { SerializedWeights, TrainResult } from '../../train/types';
import type { BudgetKeeper, FineTunePlan } from './budget-keeper';
import type { SessionContext } from './context';
import { fineTuneConfigOf, netSeed, rankReplay, serializedWeights } from './net-jobs';
import { messageOf, withStoreRetry } from './store-retry';
import { stallMessage, stallWatchdog } from './watchdog';

/** Tries per fine-tuning and for the ensemble: a lost worker is replaced between them. */
const MAX_ATTEMPTS = 3;

export class FinalPhase {
  readonly #ctx: SessionContext;
  /** Fine-tuned weights of this run, for the ensemble even when the disk could not keep them. */
  readonly #weights = new Map<string, SerializedWeights>();

  readonly #budget: BudgetKeeper | null;
  /** Runs before the search is marked done (the leader takes in any result that landed late). */
  readonly #beforeDone: () => Promise<unknown>;

  constructor(ctx: SessionContext, budget: BudgetKeeper | null = null, beforeDone: () => Promise<unknown> = async () => undefined) {
    this.#ctx = ctx;
    this.#budget = budget;
    this.#beforeDone = beforeDone;
  }

  async run(): Promise<void> {
    const { store, searchId, config, coordination } = this.#ctx;
    const top = rankReplay(await store.listReplay(searchId)).slice(0, config.final.fineTuneTop);
    if (top.length === 0) {
      await store.updateSearchStatus(searchId, 'failed', 'no net trained successfully: nothing to fine-tune');
      coordination.post({ type: 'search-changed', searchId });
      return;
    }
    let fromScratch = 0;
    for (const [i, entry] of top.entries()) {
      if (this.#ctx.signal.aborted) return;
      const search = await this.#ctx.readSearch();
      if (search.status !== 'final') return;
      if (search.finalProgress?.fineTuned.some((f) => f.netString === entry.netString)) continue;
      const plan = this.#budget ? await this.#budget.fineTunePlan(entry, top.length - i) : null;
      if (plan === 'none') {
        // Out of time: this net keeps its search accuracy and weights.
        this.#ctx.emit({ type: 'warning', message: `The time budget left does not fit fine-tuning ${entry.netString}: it keeps its search accuracy.` });
        const saved = await store.getWeights(searchId, entry.netString);
        await withStoreRetry(() => store.addFineTuned(searchId, record(entry, null, saved !== undefined)));
        continue;
      }
      this.#ctx.emit({ type: 'final-progress', step: `Fine-tuning ${entry.netString}`, done: i, total: top.length });
      const initialWeights = serializedWeights(await store.getWeights(searchId, entry.netString));
      if (!initialWeights && fromScratch++ === 0) {
        this.#ctx.emit({
          type: 'warning',
          message: `No saved weights for ${entry.netString} (storage was full or they were lost): it is trained from scratch for ${config.final.fineTuneEpochs} epochs, and so is any other top net without them.`,
        });
      }
      const result = await this.#fineTune(entry, initialWeights, plan);
      if (this.#ctx.signal.aborted) return;
      // The record first, then the weights: a leader taking over between the two finds the net
      // fine-tuned (and ensembles its search weights) instead of fine-tuning it a second time.
      await withStoreRetry(() => store.addFineTuned(searchId, record(entry, result, initialWeights !== null)));
      if (result?.status === 'done' && result.weights) await this.#keepWeights(entry.netString, result.weights);
      coordination.post({ type: 'search-changed', searchId });
    }
    await this.#ensemble(top.length);
  }

  /** The fine-tuned result, or null when every attempt failed (the reason was said). */
  async #fineTune(entry: ReplayRecord, initialWeights: SerializedWeights | null, plan: FineTunePlan | null): Promise<TrainResult | null> {
    const { trainer, dataset, config, searchId } = this.#ctx;
    const net: Net = insertDropout(parseNetwork(entry.netString), config.training.dropoutRule);
    let lastError = '';
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const controller = new AbortController();
      const onClose = () => controller.abort();
      this.#ctx.signal.addEventListener('abort', onClose, { once: true });
      const watchdog = stallWatchdog(controller, this.#ctx.stallMs);
      const job = {
        id: `${searchId}:final:${entry.netString}:${attempt}`,
        net,
        datasetId: dataset.payloadId,
        seed: netSeed(config.seed, entry.netString),
        bestSoFar: null,
        config: { ...fineTuneConfigOf(config), ...(plan ? { epochs: plan.epochs } : {}) },
        ...(plan?.trainSampleSize ? { trainSampleSize: plan.trainSampleSize } : {}),
      };
      const options = { signal: controller.signal, onProgress: () => watchdog.touch() };
      try {
        return initialWeights
          ? await trainer.fineTune({ ...job, initialWeights }, options)
          : await trainer.train(job, options);
      } catch (error) {
        if (this.#ctx.signal.aborted) return null;
        lastError = watchdog.stalled ? stallMessage(this.#ctx.stallMs) : messageOf(error);
      } finally {
        watchdog.stop();
        this.#ctx.signal.removeEventListener('abort', onClose);
      }
    }
    this.#ctx.emit({
      type: 'warning',
      message: `Fine-tuning ${entry.netString} failed ${MAX_ATTEMPTS} times (${lastError}): it keeps its search accuracy.`,
    });
    return null;
  }

  async #keepWeights(netString: string, weights: SerializedWeights): Promise<void> {
    this.#weights.set(netString, weights);
    const { store, searchId } = this.#ctx;
    try {
      await withStoreRetry(() => store.putWeights(searchId, netString, { buffers: [weights.data], specs: weights.specs }));
    } catch (error) {
      if (!(error instanceof QuotaError)) throw error;
      await store.countSkippedWeights(searchId).catch(() => undefined);
    }
  }

  /** The best `ensembleTop` fine-tuned nets, averaged softmax on the test split. */
  async #ensemble(total: number): Promise<void> {
    const { store, searchId, config, trainer, dataset } = this.#ctx;
    const search = await this.#ctx.readSearch();
    const fineTuned = [...(search.finalProgress?.fineTuned ?? [])].sort(
      (a, b) => b.valAccuracy - a.valAccuracy || a.netString.localeCompare(b.netString),
    );
    this.#ctx.emit({ type: 'final-progress', step: 'Evaluating the ensemble', done: total, total });
    const members: { net: Net; weights: SerializedWeights; netString: string }[] = [];
    for (const f of fineTuned) {
      if (members.length >= config.final.ensembleTop) break;
      const weights = this.#weights.get(f.netString) ?? serializedWeights(await store.getWeights(searchId, f.netString));
      if (weights) members.push({ net: insertDropout(parseNetwork(f.netString), config.training.dropoutRule), weights, netString: f.netString });
    }
    const best = fineTuned.find((f) => f.testAccuracy !== null) ?? fineTuned[0]!;
    let ensembleAccuracy = best.testAccuracy ?? 0;
    let ensembleNets = [best.netString];
    if (members.length > 0) {
      let lastError: string | null = null;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && !this.#ctx.signal.aborted; attempt++) {
        try {
          const result = await trainer.evaluateEnsemble(
            {
              datasetId: dataset.payloadId,
              subset: 'test',
              members: members.map(({ net, weights }) => ({ net, weights })),
              batchSize: config.training.batchSize,
            },
            { signal: this.#ctx.signal },
          );
          ensembleAccuracy = result.accuracy;
          ensembleNets = members.map((m) => m.netString);
          lastError = null;
          break;
        } catch (error) {
          lastError = messageOf(error);
        }
      }
      if (this.#ctx.signal.aborted) return;
      if (lastError !== null) {
        this.#ctx.emit({ type: 'warning', message: `The ensemble could not be evaluated (${lastError}): the best net stands alone.` });
      }
    }
    await store.setSearchFinal(searchId, {
      bestNetString: best.netString,
      bestTestAccuracy: best.testAccuracy ?? 0,
      ensembleNetStrings: ensembleNets,
      ensembleTestAccuracy: ensembleAccuracy,
      finishedAt: Date.now(),
    });
    await this.#beforeDone();
    await this.#ctx.setStatus('done');
  }
}

/** What the search keeps of one fine-tuning: its result, or the search's own accuracy when it failed. */
function record(entry: ReplayRecord, result: TrainResult | null, fromSavedWeights: boolean): FineTuned {
  if (!result || result.status !== 'done') {
    return { netString: entry.netString, valAccuracy: entry.bestValAccuracy, testAccuracy: entry.testAccuracy, epochs: 0, fromSavedWeights };
  }
  return {
    netString: entry.netString,
    valAccuracy: Math.max(0, Math.min(1, result.bestValidationAccuracy)),
    testAccuracy: result.testAccuracy,
    epochs: result.curve.length,
    fromSavedWeights,
  };
}
