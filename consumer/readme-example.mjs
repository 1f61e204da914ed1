// Prints the Node example of README.md's "Use it in your project" section (its first ```js block), which
// consumer/run.sh runs verbatim in the scratch project. Fails if the section or the block is missing.
// Usage: node consumer/readme-example.mjs README.md > example.mjs
import { readFileSync } from 'node:fs';

const readme = readFileSync(process.argv[2] ?? 'README.md', 'utf8');
const section = readme.split(/^## /m).find((s) => s.startsWith('Use it in your project'));
const example = section && /^```js\n([\s\S]*?)^```$/m.exec(section)?.[1];
if (!example) {
  console.error(`${process.argv[2]}: no \`\`\`js block in a "## Use it in your project" section`);
  process.exit(1);
}
process.stdout.write(example);
