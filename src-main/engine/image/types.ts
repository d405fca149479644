// Shapes shared by image decoding, the restoration engines and encoding.

/** Interleaved pixels, row-major: data[(y * width + x) * channels + c]. */
export interface RasterImage {
  width: number;
  height: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
  /** 8 -> Uint8Array (0..255), 16 -> Uint16Array (0..65535). */
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** Metadata of the source file, carried through to the output. */
export interface SourceMetadata {
  /** Decoder that read the file: 'jpeg', 'png', 'webp', 'tiff', 'avif', 'gif', 'heif', ... */
  format: string;
  /** EXIF orientation as stored in the file (1..8); pixels are already rotated upright. */
  orientation: number;
  /** Raw EXIF block (TIFF header onwards, as sharp exposes it: may start with "Exif\0\0"). */
  exif?: Uint8Array;
  /** Embedded ICC profile of the source; pixels have already been converted to sRGB. */
  icc?: Uint8Array;
  /** XMP packet (UTF-8 XML). */
  xmp?: Uint8Array;
  /** Pixels per inch, when the file says. */
  density?: number;
  /** Pixel size of the decoded (upright) image, to scale the density with the output's size. */
  width?: number;
  height?: number;
  /** IPTC-IIM records (Keywords, Caption-Abstract, By-line...), without any container. */
  iptc?: Uint8Array;
  /** PNG text chunks (Title, Author, Description, Creation Time, Comment...). */
  texts?: { keyword: string; text: string }[];
  /** Colour space the file was stored in ('srgb', 'b-w', 'cmyk', ...), for messages. */
  space?: string;
}

export interface DecodedImage {
  /** Upright RGB pixels in sRGB (grey, CMYK and palette images are expanded to RGB). */
  rgb: RasterImage & { channels: 3 };
  /** The alpha channel on its own, when the source has one; same size and depth as rgb. */
  alpha?: RasterImage & { channels: 1 };
  /** True when the source stored more than 8 bits per sample. */
  highBitDepth: boolean;
  /** True when the source was greyscale, so the output can be written grey too. */
  grey: boolean;
  metadata: SourceMetadata;
}

export interface DecodeOptions {
  /** Largest accepted input, in pixels (width * height), before decoding the pixels. */
  maxPixels: number;
  signal?: AbortSignal;
}

export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp', 'tiff', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface EncodeOptions {
  format: OutputFormat;
  /** 1..100 for lossy formats; a sensible default when absent. */
  quality?: number;
  /** Write even when the output exists (never when it is the input). */
  overwrite: boolean;
  /** Paths that must never be written (the inputs). */
  protectedPaths: string[];
  /** Metadata copied from the source; orientation is reset to 1, a Software tag is added. */
  metadata?: SourceMetadata;
  /** Written into the EXIF Software tag. */
  software: string;
  /** Give the output this file's modification time (photo managers sort by it). */
  keepModifiedTimeOf?: string;
  /** Something was left out of the output (a damaged colour profile...): said in one line. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}
