// Appending tokens to one sequence's batch-1 concat cache through the host decoder session, a
// long prompt in chunks of PREFILL_CHUNK tokens: one call over a 4200-token prompt would hold
// (heads, prompt, prompt) attention scores at once. Shared by the host concat runners.
import type { DecoderSession, KvCache } from '../decoder/decoder-session';
import { PREFILL_CHUNK } from '../preflight/memory-estimate';
import { stepTensors } from './step-tensors';

/** The grown cache and the logits at the last token: (vocab,). */
export async function appendTokens(session: DecoderSession, past: KvCache, tokens: Int32Array): Promise<{ cache: KvCache; logits: Float32Array }> {
  let cache = past;
  let logits: Float32Array = new Float32Array(0);
  for (let from = 0; from < tokens.length; from += PREFILL_CHUNK) {
    const chunk = tokens.subarray(from, from + PREFILL_CHUNK);
    const result = await session.runTensors({ ...stepTensors([{ tokens: chunk, position: cache.length, pad: 0 }], cache.length), past: cache });
    cache = result.present;
    logits = result.logits;
  }
  return { cache, logits: logits.subarray(0, session.config.vocabSize) };
}
