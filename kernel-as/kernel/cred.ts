// Credentials of a thread group (Linux's struct cred, the ids and supplementary groups).
// Inside the sandbox the app runs as root (uid 0) unless the configuration says otherwise, as
// under runsc. Capabilities follow the ids the way Linux's do for root: a process with euid 0
// holds the full set, others none (no file capabilities or securebits yet).
export class Credentials {
  suid: u32;
  sgid: u32;
  fsuid: u32;
  fsgid: u32;
  groups: u32[] = [];

  constructor(public uid: u32, public euid: u32, public gid: u32, public egid: u32) {
    this.suid = euid;
    this.sgid = egid;
    this.fsuid = euid;
    this.fsgid = egid;
  }

  copy(): Credentials {
    const c = new Credentials(this.uid, this.euid, this.gid, this.egid);
    c.suid = this.suid;
    c.sgid = this.sgid;
    c.fsuid = this.fsuid;
    c.fsgid = this.fsgid;
    c.groups = this.groups.slice(0);
    return c;
  }
}
