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

/**
 * Pure: splitDocuments over the bytes of a UTF-8 text: the same cut, as byte ranges (a newline and `---`
 * are single bytes in UTF-8, so lines and markers are where they are in the text). Lets a large file be
 * split once and each document decoded only when it is checked. It jumps from one line starting with
 * `---` to the next (a native search), counting the newlines between to know each document's first line.
 */
export function splitDocumentBytes(bytes: Uint8Array): DocumentRange[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ranges: DocumentRange[] = [];
  const n = buf.length;
  let chunkStart = 0;
  let chunkLine = 1;
  let line = 1;
  let counted = 0;
  for (let at = buf.indexOf(LINE_DASHES); at >= 0; at = buf.indexOf(LINE_DASHES, at + 1)) {
    const pos = at + 1;
    const nl = buf.indexOf(NEWLINE, pos);
    const end = nl < 0 ? n : nl;
    // Rare (a line starting with ---): decided on the line's text, exactly as splitDocuments does.
    const text = buf.toString('utf8', pos, end);
    if (!MARKER.test(lineAt(text, 0, text.length))) continue;
    for (let i = counted; i < pos; i++) if (buf[i] === NEWLINE) line++;
    counted = pos;
    ranges.push({ start: chunkStart, end: pos, startLine: chunkLine });
    chunkStart = pos;
    chunkLine = line;
  }
  if (chunkStart < n || ranges.length === 0) ranges.push({ start: chunkStart, end: n, startLine: chunkLine });
  return ranges;
}
