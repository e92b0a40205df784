/** One YAML document of a stream, with the line it starts on (1-based) in the whole text. */
export interface DocumentChunk {
  text: string;
  startLine: number;
}

const MARKER = /^---(?:[ \t].*)?$/;

/** The line from `pos` to `end` (a newline), without a trailing CR. */
function lineAt(text: string, pos: number, end: number): string {
  return text.charCodeAt(end - 1) === 13 ? text.slice(pos, end - 1) : text.slice(pos, end);
}

/**
 * Pure: splits a multi-document YAML stream before each `---` line. YAML forbids a `---` at column 0
 * inside any scalar, so this split is exact; it lets large streams parse document by document (and in
 * parallel) with the line numbers of the whole file. Chunks that hold only comments are kept (they are
 * cheap to parse and may carry syntax errors).
 */
export function splitDocuments(text: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let chunkStart = 0;
  let chunkLine = 1;
  let pos = 0;
  let line = 1;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    // Only a line that starts with --- is cut out and tested (most lines are not).
    if (pos > chunkStart && text.startsWith('---', pos) && MARKER.test(lineAt(text, pos, end))) {
      chunks.push({ text: text.slice(chunkStart, pos), startLine: chunkLine });
      chunkStart = pos;
      chunkLine = line;
    }
    if (nl < 0) break;
    pos = nl + 1;
    line++;
  }
  if (chunkStart < text.length || chunks.length === 0)
    chunks.push({ text: text.slice(chunkStart), startLine: chunkLine });
  return chunks;
}

/** One document of a file by byte range (end exclusive), with the line it starts on (1-based). */
export interface DocumentRange {
  start: number;
  end: number;
  startLine: number;
}

const NEWLINE = 0x0a;
/** Where a line may start with `---`: the only places a document can begin after the first. */
const LINE_DASHES = Buffer.from('\n---');
const DASH = 0x2d;
/** Newlines in bytes `from` to `to` of `block` (a plain loop over the bytes: far cheaper than a native search per line). */
function newlines(block: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (block[i] === NEWLINE) n++;
  return n;
}

/** Where the next line starting with `---` from `from` starts, or -1. */
function lineAfter(block: Buffer, from: number): number {
  const at = block.indexOf(LINE_DASHES, from);
  return at < 0 ? -1 : at + 1;
}

/**
 * Pure: splitDocuments over the bytes of a UTF-8 text: the same cut, as byte ranges (a newline and `---`
 * are single bytes in UTF-8, so lines and markers are where they are in the text). Lets a large file be
 * split once and each document decoded only when it is checked.
 */
export function splitDocumentBytes(bytes: Uint8Array): DocumentRange[] {
  const splitter = new DocumentSplitter();
  splitter.feed(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return splitter.finish();
}

/**
 * splitDocumentBytes over a text given in blocks of whole lines (the last may lack its newline), in
 * order, so that a file is split as it is read. It jumps from one line starting with `---` to the next (a
 * native search), counting the newlines between to know each document's first line.
 */
export class DocumentSplitter {
  private readonly ranges: DocumentRange[] = [];
  private chunkStart = 0;
  private chunkLine = 1;
  private line = 1;
  /** Bytes fed so far. */
  private size = 0;

  feed(block: Buffer): void {
    const base = this.size;
    let counted = 0;
    // A block starts a line: one after the first may open with a marker (its newline ended the block before).
    const opens = base > 0 && block[0] === DASH && block[1] === DASH && block[2] === DASH;
    for (let pos = opens ? 0 : lineAfter(block, 0); pos >= 0; pos = lineAfter(block, pos)) {
      const nl = block.indexOf(NEWLINE, pos);
      const end = nl < 0 ? block.length : nl;
      // Rare (a line starting with ---): decided on the line's text, exactly as splitDocuments does.
      const text = block.toString('utf8', pos, end);
      if (!MARKER.test(lineAt(text, 0, text.length))) continue;
      this.line += newlines(block, counted, pos);
      counted = pos;
      this.ranges.push({ start: this.chunkStart, end: base + pos, startLine: this.chunkLine });
      this.chunkStart = base + pos;
      this.chunkLine = this.line;
    }
    this.line += newlines(block, counted, block.length);
    this.size += block.length;
  }

  /** The documents' ranges, once every block was fed. */
  finish(): DocumentRange[] {
    if (this.chunkStart < this.size || this.ranges.length === 0)
      this.ranges.push({ start: this.chunkStart, end: this.size, startLine: this.chunkLine });
    return this.ranges;
  }
}
