// The README's runnable code blocks: fences whose info string says `runnable`
// (```ts runnable). A line `// prints: TEXT` in a block is what running it must print.

/** One runnable block: its code, its line in the README, and the text it must print (as a regex source), if any. */
export interface Block {
  code: string;
  line: number;
  expect?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function readmeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js|typescript|javascript)\s+runnable\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith("```")) end++;
    const code = lines.slice(start, end).join("\n") + "\n";
    const prints = /\/\/ prints: (.+)$/m.exec(code);
    blocks.push({ code, line: start, ...(prints ? { expect: escape(prints[1]!.trim()) } : {}) });
    i = end;
  }
  return blocks;
}
