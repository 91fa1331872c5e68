/**
 * `ecu-ai trace convert --help` shows convert alone. The help of a command with subcommands is
 * written once, as a whole; each subcommand's help is cut out of it: its usage line (with the lines
 * indented under it), its paragraph (the block that starts with its name), and the notes that follow
 * the last paragraph (shared flags, exit codes), which apply to every subcommand.
 */

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** The help of each of `subs`, cut out of the whole help of `command`. */
export function subcommandHelps(command: string, help: string, subs: readonly string[]): Record<string, string> {
  const lines = help.split('\n');
  const paragraphStart = (line: string): string | undefined => subs.find((s) => line.startsWith(`${s} `) || line === s);
  // Paragraphs: a line starting (column 0) with a subcommand's name, and the indented lines under it.
  const paragraphs = new Map<string, string[]>();
  let lastParagraphEnd = -1;
  for (let i = 0; i < lines.length; i++) {
    const sub = paragraphStart(lines[i] as string);
    if (sub === undefined) continue;
    const block = [lines[i] as string];
    let j = i + 1;
    while (j < lines.length && (lines[j] as string).length > 0 && indentOf(lines[j] as string) > 0) block.push(lines[j++] as string);
    paragraphs.set(sub, block);
    lastParagraphEnd = j;
    i = j - 1;
  }
  const usages = new Map<string, string[]>();
  let lastUsageEnd = -1;
  for (const sub of subs) {
    const usage: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (!line.trimStart().startsWith(`ecu-ai ${command} ${sub}`)) continue;
      usage.push(line);
      const base = indentOf(line);
      let j = i + 1;
      while (j < lines.length && (lines[j] as string).trim() !== '' && indentOf(lines[j] as string) > base && !(lines[j] as string).trimStart().startsWith('ecu-ai ')) usage.push(lines[j++] as string);
      lastUsageEnd = Math.max(lastUsageEnd, j);
    }
    if (usage.length > 0) usages.set(sub, usage);
  }
  // What follows the last paragraph (or, without paragraphs, the last usage block) applies to all.
  const tailStart = Math.max(lastParagraphEnd, lastUsageEnd);
  const tail = tailStart >= 0 ? lines.slice(tailStart).join('\n').trim() : '';
  const out: Record<string, string> = {};
  for (const [sub, usage] of usages) {
    const parts = [`Usage:\n${usage.join('\n')}`];
    const paragraph = paragraphs.get(sub);
    if (paragraph) parts.push(paragraph.join('\n'));
    if (tail) parts.push(tail);
    out[sub] = `${parts.join('\n\n')}\n`;
  }
  return out;
}
