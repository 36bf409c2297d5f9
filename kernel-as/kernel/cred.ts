// Credentials of a thread group (Linux's struct cred, the ids only). Inside the sandbox the
// app runs as root (uid 0) unless the configuration says otherwise, as under runsc.
export class Credentials {
  constructor(public uid: u32, public euid: u32, public gid: u32, public egid: u32) {}
}
