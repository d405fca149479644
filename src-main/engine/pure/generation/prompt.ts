// The conditional prompt (PURE-SPEC section 4): BOS, the instruction tokenized without special
// tokens, the LQ image's 4164 tokens, end of turn. The reference builds it from the template
// "<instruction> <|image|>" + "<reserved08706>" (Conversation.sep_token) with no role names and
// replaces <|image|> by the image tokens; the space before <|image|> stays with the text.

import type { TokenIds } from '../config';

export const PURE_INSTRUCTION = 'Perceive the degradation level, understand the image content, and restore the high-quality image. ';

/** (1 + instruction + image + 1,) token ids. */
export function buildPrompt(tokens: Pick<TokenIds, 'bos' | 'endOfTurn' | 'imageStart' | 'imageEnd'>, instructionIds: readonly number[], lqImage: Int32Array): Int32Array {
  if (lqImage[0] !== tokens.imageStart || lqImage[lqImage.length - 1] !== tokens.imageEnd) {
    throw new RangeError('The LQ image must be a serialized image (image start ... image end).');
  }
  const out = new Int32Array(1 + instructionIds.length + lqImage.length + 1);
  out[0] = tokens.bos;
  out.set(instructionIds, 1);
  out.set(lqImage, 1 + instructionIds.length);
  out[out.length - 1] = tokens.endOfTurn;
  return out;
}
