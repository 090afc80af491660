// Terminal widths: how many columns a line takes on screen, and how many the screen has.

// biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI escape starts with ESC.
const ANSI = /\x1b\[[0-9;]*m/g;

/** The text without its ANSI colour codes. */
export const stripAnsi = (line: string): string => line.replace(ANSI, '');

/** Columns a line takes: ANSI colour codes take none; every other code point one (the glyphs sramlab prints are all narrow). */
export function displayWidth(line: string): number {
  return [...line.replace(ANSI, '')].length;
}

/**
 * Columns to lay out for: the terminal's own width when stdout is one; otherwise (a pipe, a
 * file) the COLUMNS environment variable, or 80.
 */
export function terminalColumns(
  stdout: { isTTY?: boolean; columns?: number } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (stdout.isTTY && stdout.columns && stdout.columns > 0) return stdout.columns;
  const n = Number(env.COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : 80;
}

/** Words joined into lines of at most `width` columns, each line after the first indented. */
export function wrapWords(words: string[], width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line === '' ? w : `${line} ${w}`;
    if (line !== '' && displayWidth(next) > width) {
      lines.push(line);
      line = indent + w;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * A line of prose fitted to `width`: as it is when it fits, else wrapped at words, the lines
 * after the first two columns further in than its own leading indent.
 */
export function fitProse(line: string, width: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const indent = /^ */.exec(line)![0];
  return wrapWords(line.trimStart().split(' '), width - indent.length, '  ').map((l) => indent + l);
}

/**
 * A labelled command, never broken (a pasted line must run as printed): `  label command` when
 * it fits in `width`, else the label alone and the command on the next line, two columns in.
 */
export function fitCommand(label: string, command: string, width: number): string[] {
  const line = `  ${label} ${command}`;
  return displayWidth(line) <= width ? [line] : [`  ${label}`, `    ${command}`];
}
