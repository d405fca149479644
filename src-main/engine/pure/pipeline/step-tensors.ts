// The int64 feeds of one decoder call for the runners, built with typed-array fills: the mask
// grows with the cache (8000+ slots late in a PURE image), and one BigInt per slot per step would
// be host time spent on ones.

import * as ort from 'onnxruntime-node';
import type { DecoderTensorStep } from '../decoder/decoder-session';

export interface RowStep {
  tokens: Int32Array; // (n,) new tokens, the same n for every row
  position: number; // position of tokens[0]
  pad: number; // leading pad slots of this row in the past cache (left padding)
}

/** Feeds for rows over a past of `pastLength` slots; logits at each row's last new token. */
export function stepTensors(rows: readonly RowStep[], pastLength: number): Omit<DecoderTensorStep, 'past'> {
  const batch = rows.length;
  const n = rows[0].tokens.length;
  const total = pastLength + n;
  const ids = new BigInt64Array(batch * n); // (batch, n)
  const positions = new BigInt64Array(batch * n); // (batch, n)
  const mask = new BigInt64Array(batch * total).fill(1n); // (batch, past + n), 0 = pad slot
  rows.forEach((row, r) => {
    if (row.tokens.length !== n) throw new Error('steps of one call differ in length');
    for (let j = 0; j < n; j++) {
      ids[r * n + j] = BigInt(row.tokens[j]);
      positions[r * n + j] = BigInt(row.position + j);
    }
    mask.fill(0n, r * total, r * total + row.pad);
  });
  return {
    inputIds: new ort.Tensor('int64', ids, [batch, n]),
    positionIds: new ort.Tensor('int64', positions, [batch, n]),
    attentionMask: new ort.Tensor('int64', mask, [batch, total]),
    logitsPositions: new ort.Tensor('int64', new BigInt64Array(batch).fill(BigInt(n - 1)), [batch, 1]), // (batch, 1)
  };
}
