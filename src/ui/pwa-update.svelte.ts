/**
 * The service worker's "a new version is ready" state (vite-plugin-pwa, registerType 'prompt'):
 * the page shows a banner and reloads into the new version only when the person says so, so a
 * running search is never cut off by an update.
 */
import { registerSW } from 'virtual:pwa-register';

export class PwaUpdate {
  /** A new service worker is installed and waiting. */
  needRefresh = $state(false);
  /** The app is cached and works offline (shown once). */
  offlineReady = $state(false);
  /** Registration failed (e.g. served without HTTPS): the app still works, online only. */
  error: string | null = $state(null);

  #update: ((reload?: boolean) => Promise<void>) | null = null;

  register(): void {
    if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      onNeedRefresh: () => (this.needRefresh = true),
      onOfflineReady: () => (this.offlineReady = true),
      onRegisterError: (error: unknown) => (this.error = error instanceof Error ? error.message : String(error)),
    });
  }

  /** Activates the waiting service worker and reloads the page into the new version. */
  async reload(): Promise<void> {
    await this.#update?.(true);
  }

  dismiss(): void {
    this.needRefresh = false;
    this.offlineReady = false;
  }
}
