// How the engines the host offers are presented. The host lists the ids (HostInfo.engines), so a
// new engine appears in the menu at once; this file only gives the known ones friendlier words.
interface EngineText {
  name: string;
  blurb: string;
}

const KNOWN: Partial<Record<string, EngineText>> = {
  'realesrgan-x4plus': { name: 'Real-ESRGAN x4 plus', blurb: 'Best detail. Takes about a minute per small photo on a laptop.' },
  'realesrgan-x4fast': { name: 'Real-ESRGAN x4 fast', blurb: 'A quick, lighter pass: seconds per photo.' },
  pure: { name: 'PURE', blurb: 'Perceives the damage, describes the photo, then restores it. Slow; best with a GPU.' },
};

export function engineText(id: string): EngineText {
  return KNOWN[id] ?? { name: id, blurb: '' };
}

/** PURE engines take sampling settings and a caption; the others do not. */
export function isPureEngine(id: string): boolean {
  return id === 'pure' || id.startsWith('pure-');
}
