// The sandbox's mount namespace at boot. The root is an overlay: a tmpfs upper layer over the
// tree the Gofer serves, so the app may write anywhere and the host tree is never written.
// Over it: devfs on /dev with a tmpfs on /dev/shm, procfs on /proc, sysfs on /sys.
import { Credentials } from "../../kernel/cred";
import { newDevfs } from "../devfs/devfs";
import { newTmpfs } from "../tmpfs/tmpfs";
import { P9Client } from "../gofer/client";
import { mountGofer } from "../gofer/gofer_fs";
import { newOverlay } from "../overlay/overlay";
import { newProcfs } from "../procfs/procfs";
import { newSysfs } from "../sysfs/sysfs";

/** The boot mount namespace (the only one until mount namespaces can be created). */
export let mountNamespace: MountNamespace | null = null;
import { Inode } from "./inode";
import { Dentry, MNT_READONLY, Mount, MountNamespace, Path } from "./mount";
import { newDevpts, setDevptsRoot } from "../tty/pty";

const ROOT = new Credentials(0, 0, 0, 0);

function mountOn(ns: MountNamespace, where: Path, root: Inode, fsType: string, source: string): Path {
  const m = new Mount(new Dentry("/", null, root), 0, fsType, source);
  ns.attach(m, where);
  return new Path(m, m.root);
}

/** The directory name under dir (made in the overlay's upper layer if the host lacks it). */
function dirFor(dir: Path, name: string): Path | null {
  let d = dir.dentry.child(name);
  if (d === null && !dir.mnt.readonly) {
    const inode = dir.inode.mkdir(name, name == "tmp" ? 0o1777 : 0o755, ROOT);
    if (inode !== null) d = dir.dentry.add(name, inode);
  }
  return d !== null && d.inode.isDir ? new Path(dir.mnt, d) : null;
}

/** Builds the boot mount namespace, or null (vfsErr) when the Gofer cannot be mounted. */
export function buildRootFs(): MountNamespace | null {
  const lower = mountGofer(new P9Client());
  if (lower === null) return null;
  const rootMount = new Mount(new Dentry("/", null, newOverlay(newTmpfs(0o755), lower)), 0, "overlay", "overlay");
  const ns = new MountNamespace(rootMount);
  const root = new Path(rootMount, rootMount.root);
  const dev = dirFor(root, "dev");
  if (dev !== null) {
    const devfs = mountOn(ns, dev, newDevfs(), "devtmpfs", "none");
    const shm = dirFor(devfs, "shm");
    if (shm !== null) mountOn(ns, shm, newTmpfs(0o1777), "tmpfs", "shm");
    const pts = dirFor(devfs, "pts");
    if (pts !== null) setDevptsRoot(mountOn(ns, pts, newDevpts(), "devpts", "devpts"));
  }
  // /tmp stays the root's own (the overlay keeps writes in memory), so files the caller left
  // in the host's /tmp are visible, as under runsc when /tmp is not empty.
  const proc = dirFor(root, "proc");
  if (proc !== null) mountOn(ns, proc, newProcfs(), "proc", "proc");
  const sys = dirFor(root, "sys");
  if (sys !== null) {
    const m = mountOn(ns, sys, newSysfs(), "sysfs", "sysfs");
    m.mnt.flags |= MNT_READONLY;
  }
  mountNamespace = ns;
  return ns;
}
