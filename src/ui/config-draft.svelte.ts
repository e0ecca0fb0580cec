/** The advanced setup panel's editable copy of a config (reactive, deep), filled from the setup's config. */
import type { SearchConfig } from '../search/config';
import { configFromForm, formFromConfig, type ConfigForm } from './config-form';

export class ConfigDraft {
  readonly base: SearchConfig;
  form: ConfigForm;

  constructor(base: SearchConfig) {
    this.base = base;
    this.form = $state(formFromConfig(base));
  }

  addLevel(): void {
    const last = this.form.schedule[this.form.schedule.length - 1];
    const next = last ? Math.max(0, Math.round((Number(last.epsilon) - 0.1) * 100) / 100) : 1;
    this.form.schedule.push({ epsilon: String(next), nets: last?.nets ?? '10' });
  }

  removeLevel(index: number): void {
    this.form.schedule.splice(index, 1);
  }

  /** The candidate for `Setup.setConfig`; throws FormError naming the field that is not a number. */
  candidate(): SearchConfig {
    return configFromForm(this.form, this.base);
  }
}
