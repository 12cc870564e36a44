// The code blocks of a Markdown file, each with the snippet marker on the line above it (syntax:
// runner.ts). Fenced blocks (``` or ~~~) and indented blocks alike, so that nothing that renders
// as code escapes the runner; a marker with no block under it is reported too.

export const KINDS = ['browser', 'node', 'shell', 'types', 'skip'] as const;
export type Kind = (typeof KINDS)[number];

/** The attributes each kind accepts; `expect-*` ones may repeat. */
export const ATTRIBUTES: Record<Kind, readonly string[]> = {
  browser: ['expect', 'expect-shown', 'expect-js', 'page'],
  node: ['expect-stdout', 'expect-js', 'expect-http'],
  shell: ['expect-stdout', 'expect-http'],
  types: [],
  skip: [],
};

export interface Marker {
  kind: Kind;
  /** Why a `skip` snippet is not run. */
  reason?: string;
  /** In the order written; a name may repeat. */
  attributes: [name: string, value: string][];
}

export interface Block {
  file: string;
  /** 1-based line of the opening fence (of the first line, for an indented block). */
  line: number;
  /** The fence's language (the info string's first word), '' for none or an indented block. */
  lang: string;
  body: string;
  /** A fenced block (false: indented, or a marker with no block). */
  fenced: boolean;
  /** Set when the marker is well-formed; otherwise `error` says what is wrong. */
  marker?: Marker;
  error?: string;
}

const MARKER = /^\s*<!--\s*snippet\b(.*?)-->\s*$/;
const OPEN_FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`]*?)\s*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s/;

/** Parses a marker's text (after `snippet`): the kind, a skip's reason, the attributes. */
export function parseMarker(text: string): Marker {
  const match = /^:\s*([a-z]+)\s*(.*)$/s.exec(text.trim());
  if (!match) throw new Error(`a marker reads <!-- snippet: KIND ... -->, not <!-- snippet${text}-->`);
  const [, kind = '', rest = ''] = match;
  if (!(KINDS as readonly string[]).includes(kind))
    throw new Error(`unknown snippet kind "${kind}" (known: ${KINDS.join(', ')})`);
  if (kind === 'skip') {
    const reason = /^\((.*\S.*)\)$/s.exec(rest.trim())?.[1]?.trim();
    if (!reason) throw new Error('a skip says why: <!-- snippet: skip (reason) -->');
    return { kind, reason, attributes: [] };
  }
  const attributes: [string, string][] = [];
  const attribute = /\s*([a-z-]+)=(?:"([^"]*)"|'([^']*)'|([^\s"']+))/y;
  let at = 0;
  while (at < rest.length) {
    if (!rest.slice(at).trim()) break;
    attribute.lastIndex = at;
    const m = attribute.exec(rest);
    if (!m) throw new Error(`cannot read the marker's attributes from: ${rest.slice(at).trim()}`);
    const [, name = '', double, single, bare] = m;
    if (!ATTRIBUTES[kind as Kind].includes(name))
      throw new Error(
        `a ${kind} snippet takes no "${name}" (it takes: ${ATTRIBUTES[kind as Kind].join(', ') || 'none'})`,
      );
    attributes.push([name, double ?? single ?? bare ?? '']);
    at = attribute.lastIndex;
  }
  if (kind !== 'types' && !attributes.some(([name]) => name.startsWith('expect')))
    throw new Error(`a ${kind} snippet says what to expect (${ATTRIBUTES[kind as Kind].join(', ')})`);
  return { kind: kind as Kind, attributes };
}

/** Every code block of `text`, in order, with its marker (or the reason it has none). */
export function codeBlocks(text: string, file: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let pending: { line: number; text: string } | undefined;

  const take = (line: number, lang: string, body: string, fenced: boolean) => {
    const block: Block = { file, line, lang, body, fenced };
    if (pending?.line !== line - 1) {
      block.error = 'no <!-- snippet: … --> marker on the line above (see test/snippets/runner.ts)';
    } else {
      try {
        block.marker = parseMarker(pending.text);
      } catch (error) {
        block.error = `marker on line ${pending.line}: ${(error as Error).message}`;
      }
    }
    pending = undefined;
    blocks.push(block);
  };
  // A marker on `line` with no code block right under it.
  const orphan = (line: number): Block => ({
    file,
    line,
    lang: '',
    body: '',
    fenced: false,
    error: 'a marker with no code block under it',
  });

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const marker = MARKER.exec(line);
    if (marker) {
      if (pending) blocks.push(orphan(pending.line));
      pending = { line: i + 1, text: marker[1] ?? '' };
      continue;
    }
    const open = OPEN_FENCE.exec(line);
    if (open) {
      const [, indent = '', fence = '', info = ''] = open;
      const close = new RegExp(`^ {0,3}${fence.startsWith('`') ? '`' : '~'}{${fence.length},}\\s*$`);
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !close.test(lines[j] ?? ''); j++) {
        body.push((lines[j] ?? '').replace(new RegExp(`^ {0,${indent.length}}`), ''));
      }
      take(i + 1, info.split(/\s+/)[0] ?? '', body.join('\n'), true);
      i = j;
      continue;
    }
    // An indented code block: four spaces, after a marker (a comment at the margin, which ends
    // any list), or after a blank line when not inside a list.
    const previous = lines[i - 1] ?? '';
    if (/^(?: {4}|\t)\s*\S/.test(line) && (!previous.trim() || pending?.line === i)) {
      let k = i - 1;
      while (k >= 0 && !lines[k]?.trim()) k--;
      const before = k >= 0 ? (lines[k] ?? '') : '';
      if (pending?.line === i || (!LIST_ITEM.test(before) && !/^\s+\S/.test(before))) {
        const body: string[] = [];
        let j = i;
        for (; j < lines.length && (/^(?: {4}|\t)/.test(lines[j] ?? '') || !lines[j]?.trim()); j++)
          body.push((lines[j] ?? '').replace(/^(?: {4}|\t)/, ''));
        while (body.length && !body[body.length - 1]?.trim()) body.pop();
        take(i + 1, '', body.join('\n'), false);
        i = i + body.length - 1;
        continue;
      }
    }
    // The line under a marker is not a code block.
    if (pending?.line === i) {
      blocks.push(orphan(pending.line));
      pending = undefined;
    }
  }
  if (pending) blocks.push(orphan(pending.line));
  return blocks;
}

/** The values of one attribute, in order. */
export function values(marker: Marker, name: string): string[] {
  return marker.attributes.filter(([n]) => n === name).map(([, v]) => v);
}
