/**
 * Generated sections of README.md live between `<!-- name:start -->` and `<!-- name:end -->` markers, so the
 * figures and catalogues a reader sees are the ones the code produces (tests check they are current).
 */
import { readFile, writeFile } from "node:fs/promises";

export const README = "README.md";

function markers(name: string): [string, string] {
  return [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
}

/** The text between the markers of section `name`, trimmed; undefined when the section is missing. */
export function readSection(text: string, name: string): string | undefined {
  const [start, end] = markers(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return text.slice(i + start.length, j).trim();
}

/** `text` with section `name` replaced by `content`; throws when the markers are missing. */
export function replaceSection(text: string, name: string, content: string): string {
  const [start, end] = markers(name);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} … ${end} section`);
  return `${text.slice(0, i + start.length)}\n\n${content.trim()}\n\n${text.slice(j)}`;
}

/** Rewrites section `name` of README.md in `root`. */
export async function updateReadmeSection(name: string, content: string, root = process.cwd()): Promise<void> {
  const file = `${root}/${README}`;
  await writeFile(file, replaceSection(await readFile(file, "utf8"), name, content));
}
