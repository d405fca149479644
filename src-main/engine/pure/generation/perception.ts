// Reads PURE's generated text: first the degradation (noise and blur, each small / medium / large
// per the paper), then a description of the image. The exact wording is not in the reference code
// (PURE-SPEC section 4), so this is tolerant: case, punctuation, "noise level: medium",
// "medium noise", synonyms, a missing part. The raw text is always kept for display.
// Pure text code.

export type DegradationLevel = 'small' | 'medium' | 'large';

export interface Perception {
  noise?: DegradationLevel;
  blur?: DegradationLevel;
  /** The description after the degradation part ('' when there is none yet). */
  caption: string;
  raw: string;
  /** At least one degradation level was recognized; otherwise show `raw`. */
  parsed: boolean;
}

const LEVELS: Record<string, DegradationLevel> = {};
for (const w of ['small', 'slight', 'slightly', 'light', 'lightly', 'low', 'little', 'minor', 'mild', 'mildly', 'weak', 'minimal']) LEVELS[w] = 'small';
for (const w of ['medium', 'moderate', 'moderately', 'mid', 'middle', 'intermediate', 'average']) LEVELS[w] = 'medium';
for (const w of ['large', 'high', 'heavy', 'heavily', 'severe', 'severely', 'strong', 'strongly', 'big', 'significant', 'considerable', 'serious']) LEVELS[w] = 'large';

const NOISE = /^nois(e|y|iness)$/;
const BLUR = /^blur(s|ry|red|ring|riness)?$/;
const OTHER_DEGRADATION = /^(degradation|degraded|degradations)$/;
/** Words that tie a keyword to the level after it: "noise level: medium", "blur is large". */
const LINK = new Set(['level', 'levels', 'degree', 'amount', 'intensity', 'is', 'are', 'was', 'both', 'of', 'a', 'the', ':', '=', '-']);
const NEAR = 6; // words

interface Word {
  text: string; // lower case
  start: number;
  end: number;
  clause: number; // index of the comma/sentence clause it is in
  sentence: number;
}

function words(text: string): Word[] {
  const out: Word[] = [];
  let clause = 0;
  let sentence = 0;
  for (const m of text.matchAll(/[A-Za-z]+|[.;,!?\n:=-]/g)) {
    const t = m[0].toLowerCase();
    if (/^[.;!?\n]$/.test(t)) {
      clause++;
      sentence++;
      continue;
    }
    if (t === ',') {
      clause++;
      continue;
    }
    out.push({ text: t, start: m.index, end: m.index + t.length, clause, sentence });
  }
  return out;
}

const kindOf = (w: string): 'noise' | 'blur' | undefined => (NOISE.test(w) ? 'noise' : BLUR.test(w) ? 'blur' : undefined);
const isDegradationWord = (w: string): boolean => kindOf(w) !== undefined || OTHER_DEGRADATION.test(w);

/** The level for the keyword at index k: after it when linked ("noise level: medium"), else the nearest in its clause. */
function levelFor(ws: Word[], k: number): number | undefined {
  for (let i = k + 1; i < ws.length && i <= k + 4 && ws[i].clause === ws[k].clause; i++) {
    if (LEVELS[ws[i].text] !== undefined) return i;
    if (!LINK.has(ws[i].text)) break;
  }
  for (let d = 1; d <= NEAR; d++) {
    // Before first on a tie: "a medium level of noise and a small level of blur".
    for (const i of [k - d, k + d]) {
      if (i >= 0 && i < ws.length && ws[i].clause === ws[k].clause && LEVELS[ws[i].text] !== undefined) return i;
    }
  }
  return undefined;
}

export function parsePerception(text: string): Perception {
  const ws = words(text);
  const result: Perception = { caption: '', raw: text, parsed: false };
  // The degradation part: the leading sentences that say something new about noise or blur (a
  // later "blurry background" in the description mentions blur but adds nothing: caption).
  let lastSentence = -1;
  let end = 0; // character offset where the degradation part ends
  for (let k = 0; k < ws.length; ) {
    const sentence = ws[k].sentence;
    let next = k;
    while (next < ws.length && ws[next].sentence === sentence) next++;
    let news = false;
    for (let i = k; i < next; i++) {
      const kind = kindOf(ws[i].text);
      if (kind === undefined ? !OTHER_DEGRADATION.test(ws[i].text) : result[kind] !== undefined) continue;
      news = true;
      const level = kind === undefined ? undefined : levelFor(ws, i);
      if (kind !== undefined && level !== undefined) result[kind] = LEVELS[ws[level].text];
      end = Math.max(end, ws[level ?? i].end);
    }
    if (!news) break;
    lastSentence = sentence;
    k = next;
  }
  result.parsed = result.noise !== undefined || result.blur !== undefined;
  if (lastSentence < 0) {
    result.caption = text.trim();
    return result;
  }
  // The caption starts after the clause holding the last degradation word.
  const boundary = /[.;!?\n,]/g;
  boundary.lastIndex = end;
  const cut = boundary.exec(text);
  const rest = cut === null ? '' : text.slice(cut.index + 1);
  result.caption = rest
    .replace(/^[\s.;,!?:-]+/, '')
    .replace(/^(and|with)\s+/i, '')
    .replace(/^((semantic |image |the image )?(caption|description|content))\s*[:-]\s*/i, '')
    .trim();
  return result;
}

/**
 * Whether the text so far has moved on from the degradation ("perceive") to the description
 * ("understand"), for progress reports: a caption has begun, or a whole sentence has gone by
 * without any degradation word (the model skipped it).
 */
export function perceptionDone(text: string): boolean {
  if (text.trim() === '') return false;
  const mentionsDegradation = words(text).some((w) => isDegradationWord(w.text));
  if (!mentionsDegradation) return /[.!?\n]/.test(text);
  return /\S{3,}/.test(parsePerception(text).caption); // 3 letters: not a word fragment mid-token
}
