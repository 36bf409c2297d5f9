// The sandbox's mount namespace at boot. Until the Gofer serves the root file system, the root
// is an empty tmpfs with the usual top directories; /dev is devfs with a tmpfs on /dev/shm,
// and /tmp is the root's own (writable, sticky) directory.
import { Credentials } from "../../kernel/cred";
import { newDevfs } from "../devfs/devfs";
import { newTmpfs } from "../tmpfs/tmpfs";
import { Dentry, Mount, MountNamespace, Path } from "./mount";

const ROOT = new Credentials(0, 0, 0, 0);

export let mountNamespace: MountNamespace | null = null;

function mountOn(ns: MountNamespace, where: Path, root: Dentry, fsType: string, source: string): Path {
  const m = new Mount(root, 0, fsType, source);
  ns.attach(m, where);
  return new Path(m, m.root);
}

/** Builds the boot mount namespace and returns it. */
export function buildRootFs(): MountNamespace {
  const rootDir = newTmpfs(0o755);
  const rootMount = new Mount(new Dentry("/", null, rootDir), 0, "tmpfs", "none");
  const ns = new MountNamespace(rootMount);
  const root = new Path(rootMount, rootMount.root);
  rootDir.mkdir("tmp", 0o1777, ROOT);
  rootDir.mkdir("dev", 0o755, ROOT);
  rootDir.mkdir("proc", 0o555, ROOT);
  rootDir.mkdir("sys", 0o555, ROOT);
  const devDentry = root.dentry.child("dev")!;
  const dev = mountOn(ns, new Path(rootMount, devDentry), new Dentry("/", null, newDevfs()), "devtmpfs", "none");
  const shm = dev.dentry.child("shm")!;
  mountOn(ns, new Path(dev.mnt, shm), new Dentry("/", null, newTmpfs(0o1777)), "tmpfs", "shm");
  mountNamespace = ns;
  return ns;
}
