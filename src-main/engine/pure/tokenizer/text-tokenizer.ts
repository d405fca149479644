// The PURE checkpoint's text tokenizer: a Hugging Face tokenizer.json (Chameleon's byte-level BPE,
// 65536 text tokens extended to 73728 with image codes), run by @huggingface/tokenizers (pure JS,
// no network: it takes the parsed JSON). Adds what PURE needs on top: the image code map and a
// check that the special tokens sit at the ids the engine uses (PURE-SPEC section 3).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from '../../common/errors';
import type { TokenIds } from '../config';
import { buildImageCodeMap, vocabularyEntries } from './code-map';
import type { ImageCodeMap } from './code-map';

/** The names PURE's ids must carry in the vocabulary (Lumina-mGPT FlexARItemProcessor, Chameleon VocabInfo). */
export function expectedTokenNames(tokens: TokenIds, gridSizes: readonly number[]): [string, number][] {
  const reserved = (n: number) => `<reserved${String(n).padStart(5, '0')}>`;
  return [
    ['<s>', tokens.bos],
    ['<racm3:break>', tokens.imageStart],
    ['<eoss>', tokens.imageEnd],
    [reserved(8799), tokens.rowEnd],
    [reserved(8706), tokens.endOfTurn],
    ...gridSizes.map((n): [string, number] => [reserved(8800 + n), tokens.gridBase + n]),
  ];
}

export class PureTokenizer {
  readonly codeMap: ImageCodeMap;
  readonly vocabSize: number;
  private readonly tokenizer: Tokenizer;
  private readonly names: Map<string, number>;

  /**
   * @param json parsed tokenizer.json
   * @param config parsed tokenizer_config.json when the checkpoint has one (decode's space clean-up follows it)
   */
  constructor(json: unknown, config: object = {}, options: { codebookSize?: number; vocabSize?: number } = {}) {
    this.names = vocabularyEntries(json);
    let maxId = -1;
    for (const id of this.names.values()) if (id > maxId) maxId = id;
    this.vocabSize = Math.max(maxId + 1, options.vocabSize ?? 0);
    try {
      this.codeMap = buildImageCodeMap(this.names, options.codebookSize ?? 16384, this.vocabSize);
      this.tokenizer = new Tokenizer(json as object, config);
    } catch (error) {
      if (error instanceof EngineError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new EngineError('MODEL_FORMAT', `The tokenizer could not be loaded: ${message}`, 'Re-download the model.', { cause: error });
    }
  }

  /** Text -> ids, without BOS/EOS or any other special token (the reference's add_special_tokens=False). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Generated ids -> text, as the reference's tokenizer.decode prints it. */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids]);
  }

  tokenId(name: string): number | undefined {
    return this.names.get(name);
  }

  /** Throws MODEL_FORMAT when a special token the engine relies on is missing or elsewhere. */
  checkTokenIds(tokens: TokenIds, gridSizes: readonly number[] = [16]): void {
    for (const [name, id] of expectedTokenNames(tokens, gridSizes)) {
      const actual = this.names.get(name);
      if (actual !== id) {
        throw new EngineError(
          'MODEL_FORMAT',
          `Token ${name} is ${actual === undefined ? 'missing from' : `id ${actual} in`} the tokenizer, but the engine uses id ${id}.`,
          'This checkpoint does not use the PURE / Lumina-mGPT vocabulary.',
        );
      }
    }
  }
}

/** Reads tokenizer.json (and tokenizer_config.json when present) from a checkpoint folder. */
export async function loadPureTokenizer(dir: string, options: { codebookSize?: number; vocabSize?: number } = {}): Promise<PureTokenizer> {
  const readJson = async (name: string, required: boolean): Promise<unknown> => {
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (error) {
      if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new EngineError('MODEL_MISSING', `Cannot read ${name} in ${dir}.`, 'Install the PURE model again.', { cause: error });
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new EngineError('MODEL_FORMAT', `${name} is not valid JSON.`, 'Re-download the model.', { cause: error });
    }
  };
  const json = await readJson('tokenizer.json', true);
  const config = (await readJson('tokenizer_config.json', false)) ?? {};
  return new PureTokenizer(json, config, options);
}
