// The explicit execution-provider fallback chain, shared by every engine process (Real-ESRGAN's
// ort-worker and PURE's pure-worker): onnxruntime fails outright when any listed provider is
// missing, so providers are tried one per attempt, in order, and every refusal is kept so the
// caller can say in plain words which provider runs and why the ones before it did not.
import * as ort from 'onnxruntime-node';
import { EngineError } from '../common/errors';
import type { ProviderAttempt } from './worker-messages';

export interface ProviderChoice<T> {
  value: T;
  /** The provider `value` runs on. */
  provider: string;
  /** Every provider tried, in order; only the last one has no error. */
  attempts: ProviderAttempt[];
}

/**
 * open(provider) for each provider in order until one succeeds (it must release what it made
 * before throwing); PROVIDER_UNAVAILABLE naming every refusal if none does.
 */
export async function withProviderFallback<T>(providers: readonly string[], open: (provider: string) => Promise<T>): Promise<ProviderChoice<T>> {
  if (providers.length === 0) throw new EngineError('INVALID_OPTION', 'No execution provider was given.', 'Use --provider cpu (or a list such as webgpu,cpu).');
  const attempts: ProviderAttempt[] = [];
  for (const provider of providers) {
    try {
      const value = await open(provider);
      attempts.push({ provider });
      return { value, provider, attempts };
    } catch (error) {
      // Our own memory preflight refusing a provider is an answer, not a reason to try the next:
      // it says what to change, and the providers refused before it say why it came to this one.
      if (error instanceof EngineError && error.code === 'INSUFFICIENT_MEMORY' && attempts.length > 0) {
        throw new EngineError('INSUFFICIENT_MEMORY', `${error.message} (${provider} was tried because ${describeRefusals(attempts)}.)`, error.hint, { cause: error });
      }
      if (error instanceof EngineError && error.code === 'INSUFFICIENT_MEMORY') throw error;
      attempts.push({ provider, error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
  throw new EngineError('PROVIDER_UNAVAILABLE', `No execution provider could load the model (${describeRefusals(attempts)}).`, 'Add cpu at the end of --provider, e.g. --provider webgpu,cpu.');
}

/** One session on the first provider of `providers` that can load `model`. */
export async function createWithFallback(model: string | Uint8Array, providers: readonly string[], options: ort.InferenceSession.SessionOptions = {}): Promise<ProviderChoice<ort.InferenceSession> & { session: ort.InferenceSession }> {
  const choice = await withProviderFallback(providers, (provider) => {
    const opts = { ...options, executionProviders: [provider] };
    return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
  });
  return { ...choice, session: choice.value };
}

/** "cuda: <why>; webgpu: <why>" for the providers that were refused. */
export function describeRefusals(attempts: readonly ProviderAttempt[]): string {
  return attempts.filter((a) => a.error !== undefined).map((a) => `${a.provider}: ${a.error}`).join('; ');
}
