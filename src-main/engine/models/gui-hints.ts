// What the app's window advises for model errors (GuiWording in common/errors.ts): the Models
// page's own buttons (Download, Retry, Discard, Repair, Import folder…, Move…), never a command.
// The terminal's hints stay beside each error where it is made, word for word as the CLI prints
// them; these are the same advice for people who have no terminal open.

const IMPORT = 'choose their folder with Import folder… on the Models page';

export const GUI_HINTS = {
  /** HTTP 404/410: the catalog points at a file the server no longer has. */
  catalogOutOfDate: `The model catalog may be out of date: update PURE Studio, or download the files yourself and ${IMPORT}.`,
  /** A server that sends neither a length nor an end marker. */
  noLength: `Download the file another way and ${IMPORT}, or ask the publisher for a server that sends the file's length.`,
  /** A server that keeps dropping the connection and ignores Range. */
  gaveUp: `Try again later or on another network, or download the file another way and ${IMPORT}.`,
  /** A Hugging Face repository no longer laid out as the catalog expects. */
  repoChanged: `The repository changed: update PURE Studio, or download the model yourself and ${IMPORT}.`,
  /** A dropped connection or a stalled download. */
  network: 'Check the internet connection (and the proxy settings, if you use one), then choose Retry: the download resumes where it stopped.',
  /** Too little free space before a pull. */
  freeSpaceOrMove: 'Free some space, or move the models folder to a bigger disk with Move… on the Models page.',
  /** The disk filled up while placing a model. */
  freeSpace: 'Free some space, then try again.',
  /** A conversion that failed after the download succeeded. */
  convertAgain: 'The downloaded files are kept: Retry converts them again without downloading them twice.',
  /** A file that differs from the copy trusted on first use. */
  tampered: 'It may have been tampered with: Discard it, and ask the publisher whether the file was replaced on purpose.',
  /** The npm registry (the default models' source) cannot be reached. */
  registry: 'Check the internet connection and the proxy settings, then choose Download again.',
  /** A model that is not installed. */
  install: 'Install it on the Models page: Download, or Import folder… for files you already have.',
  /** A model whose files are missing or changed. */
  repair: 'Repair it on the Models page.',
  /** A PURE package folder that is incomplete or changed. */
  copyPackageAgain: 'Copy the whole package folder again (or convert the model again), then import it.',
  /** A PURE package whose bytes are right but which does not load. */
  convertPackageAgain: 'Convert the model again, then import the new package.',
  /** An import folder that could be more than one model. */
  oneModelPerFolder: 'Import a folder that holds the files of one model only.',
  /** An import folder that holds no model the catalog knows. */
  notAModelFolder: 'Choose the folder that holds the model itself: a converted package (with its manifest.json) or the original files.',
  /** The default models are downloaded, not imported. */
  downloadInstead: 'Download it on the Models page instead.',
} as const;
