// Types for heic-decode 2.x, which ships none. Only what heic.ts uses.
declare module 'heic-decode' {
  interface HeicPixels {
    width: number;
    height: number;
    /** RGBA, 8 bits per sample. */
    data: Uint8ClampedArray;
  }

  interface HeicImageHandle {
    width: number;
    height: number;
    decode(): Promise<HeicPixels>;
  }

  interface HeicDecode {
    (input: { buffer: Uint8Array | ArrayBuffer }): Promise<HeicPixels>;
    /** Parses the container only; pixels are decoded per image by `decode()`. Call `dispose()` after. */
    all(input: { buffer: Uint8Array | ArrayBuffer }): Promise<HeicImageHandle[] & { dispose(): void }>;
  }

  const decode: HeicDecode;
  export default decode;
}
