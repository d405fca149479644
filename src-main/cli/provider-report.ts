// The providers refused before the one a restoration ran on, as lines a person reads under the
// result ("cuda was not used: <why>"), so that "on cpu" after asking for a graphics card is explained.
import type { RestoreResult } from '../protocol/restore';

export function providerRefusalLines(result: Pick<RestoreResult, 'provider' | 'providerAttempts'>): string[] {
  return (result.providerAttempts ?? [])
    .filter((attempt) => attempt.error !== undefined)
    .map((attempt) => `  ${attempt.provider} was not used, ${result.provider} instead: ${(attempt.error ?? '').split('\n')[0].trim()}`);
}
