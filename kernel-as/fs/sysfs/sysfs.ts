// A minimal sysfs (Linux drivers/base/cpu.c's files): the CPU topology files programs read to
// size their thread pools (/sys/devices/system/cpu/online, possible, present). It is a
// read-only tmpfs filled at boot.
import { mfWrite } from "../../host";
import { config } from "../../kernel/config";
import { Credentials } from "../../kernel/cred";
import { Inode } from "../vfs/inode";
import { S_IFREG } from "../vfs/stat";
import { newTmpfs, TmpfsDir, TmpfsFile } from "../tmpfs/tmpfs";

const ROOT = new Credentials(0, 0, 0, 0);

function dir(parent: TmpfsDir, name: string): TmpfsDir {
  return <TmpfsDir>parent.mkdir(name, 0o755, ROOT)!;
}

/** A read-only file holding text (at most a page). */
function file(parent: TmpfsDir, name: string, text: string): void {
  const f = <TmpfsFile>parent.mknod(name, S_IFREG | 0o444, 0, ROOT)!;
  const bytes = String.UTF8.encode(text);
  const off = f.obj.populate(0);
  if (off < 0) return;
  mfWrite(<f64>off, changetype<usize>(bytes), bytes.byteLength);
  f.obj.size = <u64>bytes.byteLength;
}

export function newSysfs(): Inode {
  const root = newTmpfs(0o555);
  const cpu = dir(dir(dir(root, "devices"), "system"), "cpu");
  const range = config.ncpu > 1 ? "0-" + (config.ncpu - 1).toString() + "\n" : "0\n";
  file(cpu, "online", range);
  file(cpu, "possible", range);
  file(cpu, "present", range);
  for (let i: u32 = 0; i < config.ncpu; i++) dir(cpu, "cpu" + i.toString());
  dir(root, "fs");
  dir(root, "kernel");
  return root;
}
