/**
 * The machine a benchmark or a search ran on: CPU model and cores, memory, OS, Node, and
 * (filled in by the caller from the page) the browser and the GPU adapter.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** The CPU model from /proc/cpuinfo text (`model name`, or ARM's `Hardware`/`Model`); null if absent. */
export function cpuModelFromCpuinfo(text: string): string | null {
  for (const key of ['model name', 'Hardware', 'Model', 'cpu model']) {
    const match = new RegExp(`^${key}\\s*:\\s*(.+)$`, 'm').exec(text);
    if (match) return match[1]!.trim();
  }
  return null;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly loadAverage: readonly number[];
}

export async function describeMachine(): Promise<Machine> {
  const cpus = os.cpus();
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  return {
    cpu: cpuModelFromCpuinfo(cpuinfo) ?? cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
