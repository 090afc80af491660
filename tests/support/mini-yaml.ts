// The block subset of YAML the CI examples are written in (examples/ci/*.yml): mappings,
// sequences, plain and quoted scalars, comments. Anything else (flow collections, block scalars,
// anchors, tags, documents) is refused with the line, so a file outside the subset fails loudly
// rather than parsing wrongly. tests/ci-examples.test.ts compares it with PyYAML where present.

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  no: number;
  indent: number;
  text: string;
}

/** The text before a comment: a '#' at the start or after a space, outside quotes. */
function uncomment(s: string): string {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || s[i - 1] === ' ')) return s.slice(0, i);
  }
  return s;
}

const KEY = /^([A-Za-z0-9_./-]+):(?: (.*))?$/;

function scalar(v: string, no: number): Yaml {
  if (/^'.*'$/.test(v)) return v.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/.test(v)) {
    if (v.includes('\\')) throw new Error(`line ${no}: escapes in double quotes are outside the subset`);
    return v.slice(1, -1);
  }
  if (/^[[{|>&*!%@`]/.test(v) || v === '---') throw new Error(`line ${no}: '${v}' is outside the subset`);
  if (/^-?\d+$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  if (v === 'null' || v === '~') return null;
  return v;
}

export function parseYaml(src: string): Yaml {
  const lines: Line[] = [];
  src.split('\n').forEach((raw, i) => {
    if (raw.includes('\t')) throw new Error(`line ${i + 1}: a tab`);
    const text = uncomment(raw).trimEnd();
    if (text.trim() === '') return;
    lines.push({ no: i + 1, indent: text.length - text.trimStart().length, text: text.trimStart() });
  });
  let at = 0;
  const isItem = (l: Line) => l.text === '-' || l.text.startsWith('- ');

  function node(indent: number): Yaml {
    const l = lines[at]!;
    if (l.indent !== indent) throw new Error(`line ${l.no}: indented ${l.indent}, expected ${indent}`);
    return isItem(l) ? sequence(indent) : mapping(indent);
  }

  /** The value after "key:" or "-" with nothing on the line: the more indented block below, or null. */
  function below(indent: number): Yaml {
    const next = lines[at];
    return next && next.indent > indent ? node(next.indent) : null;
  }

  function sequence(indent: number): Yaml[] {
    const out: Yaml[] = [];
    while (at < lines.length && lines[at]!.indent === indent && isItem(lines[at]!)) {
      const l = lines[at]!;
      const rest = l.text.slice(1).trimStart();
      if (rest === '') {
        at++;
        out.push(below(indent));
        continue;
      }
      if (KEY.test(rest)) {
        // "- key: value" opens a mapping whose keys sit where "key" does.
        lines[at] = { no: l.no, indent: indent + (l.text.length - rest.length), text: rest };
        out.push(mapping(lines[at]!.indent));
        continue;
      }
      at++;
      out.push(scalar(rest, l.no));
    }
    return out;
  }

  function mapping(indent: number): { [key: string]: Yaml } {
    const out: { [key: string]: Yaml } = {};
    while (at < lines.length && lines[at]!.indent === indent && !isItem(lines[at]!)) {
      const l = lines[at]!;
      const m = KEY.exec(l.text);
      if (!m) throw new Error(`line ${l.no}: '${l.text}' is not "key: value"`);
      const key = m[1]!;
      if (Object.hasOwn(out, key)) throw new Error(`line ${l.no}: key '${key}' twice`);
      at++;
      out[key] = m[2] === undefined || m[2] === '' ? below(indent) : scalar(m[2], l.no);
    }
    return out;
  }

  if (lines.length === 0) return null;
  const doc = node(lines[0]!.indent);
  if (at < lines.length) throw new Error(`line ${lines[at]!.no}: indented ${lines[at]!.indent}, which closes nothing above it`);
  return doc;
}
