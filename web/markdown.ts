// Just enough markdown for the lessons, drawn as DOM nodes (text goes in as text, never as
// HTML): headings, paragraphs, numbered and bulleted lists, fenced blocks, `code`, **bold**
// and links. A link to another lesson opens it in the page; any other link is shown as text
// with its target as a title, so the page never leaves itself.

/** What a link to `href` does when clicked; null: not a link the page follows. */
export type LinkHandler = (href: string) => (() => void) | null;

function inline(text: string, onLink: LinkHandler): Node[] {
  const nodes: Node[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index! > last) nodes.push(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) {
      const c = document.createElement('code');
      c.textContent = m[1];
      nodes.push(c);
    } else if (m[2] !== undefined) {
      const b = document.createElement('strong');
      b.append(...inline(m[2], onLink));
      nodes.push(b);
    } else {
      const follow = onLink(m[4]!);
      const a = document.createElement(follow ? 'a' : 'span');
      a.append(...inline(m[3]!, onLink));
      a.title = m[4]!;
      if (follow) {
        (a as HTMLAnchorElement).href = `#${m[4]}`;
        a.addEventListener('click', (e) => {
          e.preventDefault();
          follow();
        });
      }
      nodes.push(a);
    }
    last = m.index! + m[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/** The markdown as a list of block elements; `# ` headings become h2 (the page has its own h1). */
export function renderMarkdown(markdown: string, onLink: LinkHandler): HTMLElement[] {
  const out: HTMLElement[] = [];
  const lines = markdown.split('\n');
  let para: string[] = [];
  let list = null as HTMLElement | null;
  const flush = () => {
    if (para.length > 0) {
      const p = document.createElement('p');
      p.append(...inline(para.join(' '), onLink));
      out.push(p);
    }
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```(.*)$/.exec(line);
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    const item = /^(\d+\.|-) (.*)$/.exec(line);
    if (fence) {
      flush();
      list = null;
      const body: string[] = [];
      while (++i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i]!);
      const pre = document.createElement('pre');
      pre.className = `block-${fence[1]!.trim().split(' ').pop() || 'plain'}`;
      pre.textContent = body.join('\n');
      out.push(pre);
    } else if (heading) {
      flush();
      list = null;
      const h = document.createElement(`h${heading[1]!.length + 1}`);
      h.append(...inline(heading[2]!, onLink));
      out.push(h);
    } else if (item) {
      flush();
      const tag = item[1] === '-' ? 'UL' : 'OL';
      if (list?.tagName !== tag) {
        list = document.createElement(tag.toLowerCase());
        out.push(list);
      }
      const li = document.createElement('li');
      const text = [item[2]!];
      while (i + 1 < lines.length && /^ {2,}\S/.test(lines[i + 1]!)) text.push(lines[++i]!.trim());
      li.append(...inline(text.join(' '), onLink));
      list.append(li);
    } else if (line.trim() === '') {
      flush();
      list = null;
    } else para.push(line.trim());
  }
  flush();
  return out;
}
