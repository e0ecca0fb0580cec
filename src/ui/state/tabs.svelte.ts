/**
 * The tabs of this app that are open now and what each says it does (tab-status messages on
 * the channel; Web Locks say which are alive), and this tab's own announcements.
 */
import type { Coordination, SwarmMessage } from '../../swarm/coordination';
import type { Notices } from './notices.svelte';
import type { TabWork } from './tab-session.svelte';

export interface TabInfo {
  readonly tabId: string;
  /** The search its trainers work on (null: none, or not said yet). */
  readonly searchId: string | null;
  readonly leading: boolean;
  readonly training: readonly string[];
  readonly netsDone: number;
  readonly since: number;
  /** Why its trainers wait (the leader's admission), when they do. */
  readonly heldBack: string | null;
  readonly self: boolean;
}

type TabStatus = Extract<SwarmMessage, { type: 'tab-status' }>;

export class Tabs {
  list: TabInfo[] = $state.raw([]);

  readonly #coordination: Coordination;
  readonly #notices: Notices;
  readonly #work: () => TabWork;
  #messages = new Map<string, TabStatus>();

  /** `work` says what this tab does when it announces itself. */
  constructor(coordination: Coordination, notices: Notices, work: () => TabWork) {
    this.#coordination = coordination;
    this.#notices = notices;
    this.#work = work;
    coordination.subscribe((message) => {
      if (message.type !== 'tab-status') return;
      this.#messages.set(message.from, message);
      this.#notices.background(this.#refresh(), 'list the tabs');
    });
    // A closed tab says nothing: it leaves the list (and the trainers a shared search counts) when its lock goes.
    if (typeof window !== 'undefined') setInterval(() => this.#notices.background(this.#refresh(), 'list the tabs'), 5000);
  }

  /** Tells the other tabs what this one does now. */
  announce(): void {
    this.#coordination.post({ type: 'tab-status', ...this.#work() });
  }

  async #refresh(): Promise<void> {
    const live = await this.#coordination.liveTabs();
    // Someone new may not know about us yet.
    if ([...live].some((id) => !this.#messages.has(id) && id !== this.#coordination.tabId)) this.announce();
    this.list = [...live].sort().map((tabId) => {
      const m = this.#messages.get(tabId);
      return {
        tabId,
        searchId: tabId === this.#coordination.tabId ? this.#work().searchId : (m?.searchId ?? null),
        leading: m?.leading ?? false,
        training: m?.training ?? [],
        netsDone: m?.netsDone ?? 0,
        since: m?.since ?? Date.now(),
        heldBack: m?.heldBack ?? null,
        self: tabId === this.#coordination.tabId,
      };
    });
  }
}
