// Interoperability with Debian's diod client tools (a real 9P2000.L implementation):
// diodls and diodcat against the gofer listening on a unix socket, compared with the real
// directory, and a short diodload run. diod's tools always send Tauth first (answered
// ENOENT: no authentication), then attach with afid = NOFID and their -a aname, which the
// gofer accepts whatever it is.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startListening, tempDir, type Gofer } from './gofer/spawn.js';

function findTool(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return null;
}

function permString(mode: number): string {
  return [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1].map((bit, i) => (mode & bit ? 'rwx'[i % 3] : '-')).join('');
}

const tools = { diodls: findTool('diodls'), diodcat: findTool('diodcat'), diodload: findTool('diodload') };
const missing = Object.entries(tools).filter(([, p]) => p === null).map(([n]) => n);

if (missing.length > 0) {
  t.plan(0, `skipped: diod's tools are not installed (${missing.join(', ')} missing; apt-get install diod)`);
} else {
  const base = tempDir('gofer-diod');
  const root = path.join(base, 'root');
  const sock = path.join(base, 'sock');
  fs.mkdirSync(path.join(root, 'dir', 'deeper'), { recursive: true });
  fs.writeFileSync(path.join(root, 'hello.txt'), 'hello from the gofer\n');
  fs.writeFileSync(path.join(root, 'dir', 'inner.txt'), 'inner\n');
  fs.writeFileSync(path.join(root, 'dir', 'deeper', 'deep.txt'), 'deep\n');
  fs.writeFileSync(path.join(root, 'big.bin'), crypto.randomBytes(300_000));
  fs.writeFileSync(path.join(root, 'empty'), '');
  fs.symlinkSync('hello.txt', path.join(root, 'link'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'abs'));
  for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(root, 'dir', `n${i}`), 'x'.repeat(i));
  // diodload copies ctl:zero to ctl:null; here they are plain files.
  fs.writeFileSync(path.join(root, 'zero'), Buffer.alloc(1 << 20));
  fs.writeFileSync(path.join(root, 'null'), '');

  let gofer: Gofer;
  t.before(async () => {
    gofer = await startListening(root, sock);
  });
  t.teardown(async () => {
    await gofer?.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  const run = (tool: string, args: string[]) =>
    spawnSync(tool, ['-s', sock, '-a', 'anything', ...args], { timeout: 60_000, maxBuffer: 64 << 20 });

  t.test('diodls lists the directories as they are', async (t) => {
    for (const [dir, arg] of [[root, []], [path.join(root, 'dir'), ['dir']], [path.join(root, 'dir', 'deeper'), ['dir/deeper']]] as const) {
      const r = run(tools.diodls!, [...arg]);
      t.equal(r.status, 0, `diodls ${arg.join(' ')} exits 0`, { stderr: r.stderr?.toString() });
      const names = r.stdout.toString().split('\n').filter((l) => l !== '');
      t.same(names.sort(), fs.readdirSync(dir).sort(), `the names of ${path.relative(base, dir)}`);
    }
  });

  t.test('diodls -l shows the host\'s types, sizes and link counts', async (t) => {
    const r = run(tools.diodls!, ['-l', '/']);
    t.equal(r.status, 0, 'exits 0', { stderr: r.stderr?.toString() });
    const lines = r.stdout.toString().split('\n').filter((l) => /^[-dlpcbs]/.test(l));
    const seen = new Map<string, string[]>();
    for (const l of lines) {
      const f = l.trim().split(/\s+/);
      seen.set(f.slice(8).join(' '), f);
    }
    t.same([...seen.keys()].sort(), ['.', '..', ...fs.readdirSync(root)].sort(), 'every entry, with . and ..');
    for (const name of fs.readdirSync(root)) {
      const f = seen.get(name);
      if (!f) continue;
      const st = fs.lstatSync(path.join(root, name));
      // diodls marks directories only: a symlink shows as '-' (with diod itself as well).
      t.equal(f[0][0], st.isDirectory() ? 'd' : '-', `${name}: type`);
      t.equal(f[0].slice(1, 10), permString(st.mode), `${name}: permissions`);
      t.equal(Number(f[4]), st.size, `${name}: size`);
      t.equal(Number(f[1]), st.nlink, `${name}: nlink`);
    }
    const root2 = seen.get('..');
    t.equal(Number(root2?.[1]), fs.statSync(root).nlink, '.. of the root is the root (its link count)');
  });

  t.test('diodcat reads files byte for byte', async (t) => {
    for (const file of ['hello.txt', 'dir/inner.txt', 'dir/deeper/deep.txt', 'big.bin', 'empty']) {
      const r = run(tools.diodcat!, [file]);
      t.equal(r.status, 0, `diodcat ${file} exits 0`, { stderr: r.stderr?.toString() });
      t.ok(r.stdout.equals(fs.readFileSync(path.join(root, file))), `${file}: same bytes`);
    }
    const small = run(tools.diodcat!, ['-m', '4096', 'big.bin']);
    t.ok(small.stdout.equals(fs.readFileSync(path.join(root, 'big.bin'))), 'big.bin with msize 4096 (many reads)');
    const several = run(tools.diodcat!, ['hello.txt', 'dir/inner.txt']);
    t.equal(several.stdout.toString(), 'hello from the gofer\ninner\n', 'several files in one session');
    const link = run(tools.diodcat!, ['link']);
    t.not(link.status, 0, 'a symlink is not followed by the server');
    t.match(link.stderr.toString(), /symbolic links/, 'diodcat reports ELOOP');
    const none = run(tools.diodcat!, ['nope']);
    t.match(none.stderr.toString(), /No such file/, 'ENOENT for a missing file');
  });

  t.test('diodload: a short load run', async (t) => {
    const r = spawnSync(tools.diodload!, ['-s', sock, '-r', '1', '-n', '4'], { timeout: 60_000 });
    const out = `${r.stdout}${r.stderr}`;
    t.equal(r.status, 0, 'read/write load exits 0', { out });
    const m = /(\d+) ops\/s/.exec(out);
    t.ok(m && Number(m[1]) > 0, `it made progress: ${m?.[0]}`);
    const nul = fs.readFileSync(path.join(root, 'null'));
    t.ok(nul.length > 0 && nul.every((b) => b === 0), `the zeros it copied arrived (${nul.length} bytes)`);
    const g = spawnSync(tools.diodload!, ['-s', sock, '-r', '1', '-n', '4', '-g'], { timeout: 60_000 });
    t.equal(g.status, 0, 'getattr load exits 0', { out: `${g.stdout}${g.stderr}` });
    t.match(`${g.stdout}${g.stderr}`, /[1-9]\d* ops\/s/, 'getattrs were answered');
  });

  t.test('the gofer is still well', async (t) => {
    t.equal(gofer.proc.exitCode, null, 'still running');
    t.notMatch(gofer.stderr(), /BUG/, 'no internal error was logged');
  });
}
