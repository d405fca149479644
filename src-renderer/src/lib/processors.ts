// Where a restoration runs, in a person's words: the Processor choices in the settings, the
// provider words each choice sends to the engine, and the names of the providers a result reports.
import type { Processor } from '../../../src-main/protocol/api';
import type { ProviderId, RestoreResult } from '../../../src-main/protocol/restore';

export const PROCESSOR_CHOICES: { id: Processor; label: string }[] = [
  { id: 'auto', label: 'Automatic' },
  { id: 'gpu', label: 'Graphics card' },
  { id: 'cpu', label: 'CPU' },
];

const PROCESSOR_HINTS: Record<Processor, string> = {
  auto: 'Automatic: the graphics card if one is found, else the CPU. PURE on the CPU takes hours.',
  gpu: 'Graphics card: the card only, the fastest; if it cannot be used, the restoration stops and says so (Automatic falls back to the CPU).',
  cpu: 'CPU: works on every computer, but slowly; PURE on the CPU takes hours.',
};

/** What the chosen Processor does, in a sentence that starts with its name. */
export function processorHint(processor: Processor): string {
  return PROCESSOR_HINTS[processor];
}

/** The engine works out what each word means on this machine (restore.ts), so the page sends the word. */
export function providersFor(processor: Processor): ProviderId[] {
  return [processor];
}

const PROVIDER_NAMES: Partial<Record<string, string>> = { cpu: 'CPU', webgpu: 'WebGPU', cuda: 'CUDA', dml: 'DirectML' };

/** A provider as a person reads it; one this page does not know keeps its id, upper-cased. */
export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider.toUpperCase();
}

export interface ProviderRefusal {
  /** "CUDA not used: <the first line of why>", and how many more were refused. */
  summary: string;
  /** Every refusal in full, one per line. */
  detail: string;
}

/** Why the providers tried before the one that ran were refused; undefined when none was. */
export function providerRefusal(result: Pick<RestoreResult, 'providerAttempts'>): ProviderRefusal | undefined {
  const refused = (result.providerAttempts ?? []).filter((attempt) => attempt.error !== undefined);
  const first = refused[0];
  if (!first) return undefined;
  const reason = (first.error ?? '').split('\n')[0].trim();
  const more = refused.length > 1 ? ` (+${refused.length - 1} more)` : '';
  return {
    summary: `${providerName(first.provider)} not used: ${reason}${more}`,
    detail: refused.map((attempt) => `${providerName(attempt.provider)}: ${attempt.error ?? ''}`).join('\n'),
  };
}
