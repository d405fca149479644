// A catalog entry for PURE as the real catalog lists it (a Hugging Face checkpoint that is
// converted after download, plus the VQ tokenizer fetched on its own), for tests that pull it
// from a local server or convert a tiny checkpoint in place of the real one.
import { onnxEntry } from '../engine/models/test-catalog';

export interface PureDownloadOptions {
  /** Where the Hugging Face API and files are served; left out, the real hub (tests that never fetch). */
  endpoint?: string;
  /** The VQ tokenizer's download URL and the size the catalog announces for it. */
  vqUrl: string;
  vqBytes: number;
}

export function pureDownloadEntry({ endpoint, vqUrl, vqBytes }: PureDownloadOptions): Record<string, unknown> {
  return {
    ...onnxEntry('pure-7b', []),
    engine: 'pure',
    source: {
      kind: 'download',
      convert: 'pure',
      huggingface: { ...(endpoint === undefined ? {} : { endpoint }), repo: 'nonwhy/PURE', revision: 'main', include: ['*.safetensors', '*.json'], require: ['config.json', '*.safetensors'] },
      files: [{ name: 'tokenizer/vq_ds8_c2i.pt', url: vqUrl, approxBytes: vqBytes }],
    },
  };
}
