import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listQueries, readSupportFolder } from '../src/inputs.ts';

/** Stands in for decoding: a file's bytes are its "image", and a file holding 'bad' is refused. */
const prepare = (bytes: Uint8Array) => {
  if (Buffer.from(bytes).toString() === 'bad') throw new Error('not a PNG or JPEG image');
  return bytes;
};

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'twinnet-inputs-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Files under `root`, from a map of relative path → content. */
async function files(root: string, contents: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(contents)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('support folders', () => {
  it('follow symbolic links to class folders and to files', async () => {
    const root = await mkdtemp(join(scratch, 'links-'));
    await files(join(root, 'elsewhere'), { '0/a.png': 'zero-a', '1/b.png': 'one-b', 'c.png': 'two-c' });
    const support = join(root, 'S');
    await mkdir(join(support, '2'), { recursive: true });
    await symlink('../elsewhere/0', join(support, '0'));
    await symlink(join(root, 'elsewhere', '1'), join(support, '1'));
    await symlink('../../elsewhere/c.png', join(support, '2', 'c.png'));
    const { classes, problems } = await readSupportFolder(support, prepare);
    expect(problems).toEqual([]);
    expect(
      classes.map(({ label, images }) => [label, images.map((i) => Buffer.from(i.image).toString())]),
    ).toEqual([
      ['0', ['zero-a']],
      ['1', ['one-b']],
      ['2', ['two-c']],
    ]);
  });

  it('name a broken link and a link loop, and keep the other classes', async () => {
    const root = await mkdtemp(join(scratch, 'broken-'));
    const support = await files(join(root, 'S'), { '0/a.png': 'zero' });
    await symlink('../nowhere', join(support, '1'));
    await symlink('2', join(support, '3'));
    await symlink('3', join(support, '2'));
    await symlink('missing.png', join(support, '0', 'b.png'));
    const { classes, problems } = await readSupportFolder(support, prepare);
    expect(classes.map((c) => c.label)).toEqual(['0']);
    expect(problems).toEqual([
      { path: join(support, '0', 'b.png'), message: 'broken symbolic link (its target does not exist)' },
      { path: join(support, '1'), message: 'broken symbolic link (its target does not exist)' },
      { path: join(support, '2'), message: 'symbolic link loop; ignored' },
      { path: join(support, '3'), message: 'symbolic link loop; ignored' },
    ]);
  });

  it('refuse labels that differ only in case, naming both folders', async () => {
    const support = await files(await mkdtemp(join(scratch, 'case-')), {
      'seven/a.png': 's1',
      'Seven/b.png': 's2',
      'eight/c.png': 'e',
    });
    const { classes, problems } = await readSupportFolder(support, prepare);
    expect(classes.map((c) => c.label)).toEqual(['eight']);
    expect(problems.map((p) => p.path).sort()).toEqual([join(support, 'Seven'), join(support, 'seven')]);
    for (const problem of problems) {
      expect(problem.message).toBe(
        `labels 'seven' and 'Seven' differ only in case: one class or two? Rename one folder or merge them; ` +
          `both skipped (${join(support, 'seven')}, ${join(support, 'Seven')})`,
      );
    }
  });
});

describe('query folders', () => {
  it('follow symbolic links to folders and files, each folder once, and name loops', async () => {
    const root = await mkdtemp(join(scratch, 'queries-'));
    await files(join(root, 'elsewhere'), { 'x.png': 'x', 'deep/y.png': 'y' });
    const query = await files(join(root, 'Q'), { 'a.png': 'a' });
    await symlink('../elsewhere', join(query, 'linked'));
    await symlink('../elsewhere/x.png', join(query, 'x-link.png'));
    // A link back up the tree: without a guard, the walk would never end.
    await symlink('..', join(root, 'elsewhere', 'deep', 'up'));
    const { files: found, problems } = await listQueries(query);
    expect(found.map((f) => f.name)).toEqual([
      'a.png',
      join('linked', 'deep', 'y.png'),
      join('linked', 'x.png'),
      'x-link.png',
    ]);
    expect(problems).toEqual([
      {
        path: join(query, 'linked', 'deep', 'up'),
        message: `symbolic link to ${join(root, 'elsewhere')}, a folder already searched; not searched again`,
      },
    ]);
  });
});
